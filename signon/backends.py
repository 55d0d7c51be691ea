"""Authentication backends: the provider's sign-in (mozilla-django-oidc, made lazy and strict)
and the gate that keeps password sign-in to the break-glass administrators when it is off."""

import logging

import jwt
import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from signon import conf

logger = logging.getLogger(__name__)


class LocalSignInGate:
    """Before ModelBackend: with a provider configured and OIDC_LOCAL_SIGNIN=0, a password
    sign-in (the form, the admin, POST /api/auth/token/) stops here for everyone but the
    break-glass administrators. Otherwise it lets the next backend decide."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is None:
            return None
        if not conf.local_sign_in_for(username):
            if request is not None:
                request.password_sign_in_off = True
            raise PermissionDenied("password sign-in is off for this account")
        return None

    def get_user(self, user_id):
        return None


class SignInRefused(Exception):
    """The provider's answer was valid but gives this person no access here."""


class ProviderBackend(OIDCAuthenticationBackend):
    """The authorization code flow's last leg: exchange the code (with the PKCE verifier), check
    the ID token (signature against the provider's keys, issuer, audience, nonce, expiry and
    issue time within OIDC_CLOCK_SKEW_SECONDS), then find or create the account and apply the
    roles its groups give (signon.services.sign_in_from_claims)."""

    def __init__(self, *args, **kwargs):
        # The library reads every setting here; without a provider there is nothing to read, and
        # Django instantiates each backend on every authenticate() call.
        self._configured = False

    def _configure(self) -> bool:
        if self._configured:
            return True
        if conf.provider() is None:
            return False
        super().__init__()
        self._configured = True
        return True

    @staticmethod
    def get_settings(attr, *args):
        return conf.get_setting(attr, *args)

    def authenticate(self, request, **kwargs):
        if request is None or "code" not in request.GET or "state" not in request.GET:
            return None
        if kwargs.get("username") is not None or kwargs.get("password") is not None:
            return None
        try:
            if not self._configure():
                return None
            return super().authenticate(request, **kwargs)
        except SignInRefused as refusal:
            request.signon_refused = str(refusal)
            return None
        except (
            SuspiciousOperation,
            jwt.PyJWTError,
            requests.RequestException,
            conf.ProviderUnavailable,
            KeyError,
            ValueError,
        ) as error:
            logger.warning("OpenID Connect sign-in failed: %s", error)
            request.signon_failure = str(error)
            return None

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"ID token algorithm {header.get('alg')!r} is not {self.OIDC_RP_SIGN_ALGO!r}"
            )
        provider = conf.provider()
        return jwt.decode(
            payload,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=provider.client_id,
            issuer=provider.issuer,
            leeway=self.get_settings("OIDC_CLOCK_SKEW_SECONDS", 60),
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )

    def get_payload_data(self, token, key):
        # Never accept an unsigned token, whatever OIDC_ALLOW_UNSECURED_JWT says.
        return self._verify_jws(token, key)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        azp = payload.get("azp")
        aud = payload.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and azp != conf.provider().client_id:
            raise SuspiciousOperation("ID token with several audiences names another azp")
        self._id_claims = payload
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        from signon.services import sign_in_from_claims

        claims = dict(payload)
        try:
            userinfo = self.get_userinfo(access_token, id_token, payload)
        except requests.RequestException as error:
            logger.info("userinfo unavailable, using the ID token's claims: %s", error)
            userinfo = {}
        if userinfo.get("sub") not in (None, payload.get("sub")):
            raise SuspiciousOperation("userinfo answers for another subject")
        claims.update({k: v for k, v in userinfo.items() if k not in ("iss", "aud", "exp", "iat")})
        return sign_in_from_claims(claims, provider=conf.provider(), request=self.request)

    def get_user(self, user_id):
        # A session this backend opened stays readable whatever the configuration now says.
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
