"""The identity provider as configured (settings from the environment) and as it describes itself
(its discovery document, fetched once and cached). No provider configured: `provider()` is None
and the tracker signs in with local passwords only, as it always did."""

import logging
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DISCOVERY_TTL = 3600
_discovery: dict[str, tuple[float, dict]] = {}

# mozilla-django-oidc asks for its endpoints by these names; they come from discovery.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read or does not describe the issuer."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    display_name: str

    @property
    def actor(self) -> str:
        """How the change history names what this provider's claims changed."""
        return f"oidc:{self.issuer}"

    def discovery(self) -> dict:
        cached = _discovery.get(self.issuer)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        url = f"{self.issuer}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailable(f"discovery at {url} failed: {error}") from error
        # OpenID Connect Discovery 1.0, 4.3: the issuer must be exactly the configured one.
        if str(document.get("issuer", "")).rstrip("/") != self.issuer:
            raise ProviderUnavailable(
                f"discovery at {url} names issuer {document.get('issuer')!r}, not {self.issuer!r}"
            )
        missing = [key for key in ENDPOINTS.values() if not document.get(key)]
        if missing:
            raise ProviderUnavailable(f"discovery at {url} lacks {', '.join(missing)}")
        _discovery[self.issuer] = (time.monotonic() + DISCOVERY_TTL, document)
        return document

    @property
    def end_session_endpoint(self) -> str | None:
        try:
            return self.discovery().get("end_session_endpoint") or None
        except ProviderUnavailable:
            return None


def provider() -> Provider | None:
    issuer = getattr(settings, "OIDC_ISSUER", "")
    client_id = getattr(settings, "OIDC_RP_CLIENT_ID", "")
    if not issuer or not client_id:
        return None
    name = settings.OIDC_PROVIDER_NAME or _("your organisation account")
    return Provider(issuer=issuer.rstrip("/"), client_id=client_id, display_name=name)


def local_sign_in_for(username: str | None) -> bool:
    """Whether this username may sign in with a password (the form and POST /api/auth/token/)."""
    if provider() is None or settings.OIDC_LOCAL_SIGNIN:
        return True
    return bool(username) and username in settings.OIDC_BREAK_GLASS_ADMINS


def is_break_glass(username: str | None) -> bool:
    return bool(username) and username in settings.OIDC_BREAK_GLASS_ADMINS


def get_setting(attr: str, *default):
    """Settings for mozilla-django-oidc: the endpoints from discovery, the rest from settings."""
    if attr in ENDPOINTS:
        current = provider()
        if current is None:
            raise ImproperlyConfigured("OIDC_ISSUER and OIDC_CLIENT_ID are not set")
        return current.discovery()[ENDPOINTS[attr]]
    if default:
        return getattr(settings, attr, default[0])
    try:
        return getattr(settings, attr)
    except AttributeError:
        raise ImproperlyConfigured(f"Setting {attr} not found") from None
