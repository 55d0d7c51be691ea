"""The provider's claims (username, name, e-mail, index number, groups) and the faults the tests
ask it for: a tampered ID token, a wrong audience, an expired token."""

import base64
import json
import time

from oauth2_provider.oauth2_validators import OAuth2Validator

# Set by the control API (views.mode); one provider process serves one test at a time.
STATE = {"mode": "normal"}
# username -> {"name": ..., "index_number": ...}, set by the control API's setup.
PROFILES: dict[str, dict] = {}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TestProviderValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "groups": "profile",
        "index_number": "profile",
    }

    def get_additional_claims(self, request):
        user = request.user
        profile = PROFILES.get(user.username, {})
        return {
            "preferred_username": user.username,
            "name": profile.get("name", user.username),
            "email": user.email,
            "index_number": profile.get("index_number", ""),
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        if STATE["mode"] == "expired":
            # Expired an hour ago: far beyond any clock skew the client may allow.
            claims["exp"] = int(time.time()) - 3600
        return claims, expiration

    def finalize_id_token(self, id_token, token, token_handler, request):
        mode = STATE["mode"]
        if mode == "wrong_aud":
            id_token["aud"] = "another-client"
        if mode == "expired":
            id_token["iat"] = int(time.time()) - 7200
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        if mode == "tamper":
            # Promote the user in the payload and keep the original signature.
            header, payload, signature = signed.split(".")
            claims = json.loads(_unb64(payload))
            claims["groups"] = [*claims.get("groups", []), "tracker-admins"]
            payload = _b64(json.dumps(claims).encode("utf-8"))
            signed = ".".join((header, payload, signature))
        return signed
