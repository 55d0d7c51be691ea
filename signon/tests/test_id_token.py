"""The ID token checks, one by one, on tokens signed here (the browser tests sign in through a
real provider; these pin each rule and the clock-skew bound)."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation

from signon import conf
from signon.backends import ProviderBackend

ISSUER = "https://login.example.org/realms/un"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = (
    KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


@pytest.fixture
def backend(settings):
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "tracker"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_RP_IDP_SIGN_KEY = PUBLIC_PEM
    settings.OIDC_CLOCK_SKEW_SECONDS = 60
    # The discovery document as if fetched (no network in these tests).
    conf._discovery[ISSUER] = (
        time.monotonic() + 60,
        {
            "issuer": ISSUER,
            "authorization_endpoint": f"{ISSUER}/auth",
            "token_endpoint": f"{ISSUER}/token",
            "userinfo_endpoint": f"{ISSUER}/userinfo",
            "jwks_uri": f"{ISSUER}/certs",
        },
    )
    found = ProviderBackend()
    assert found._configure()
    yield found
    conf._discovery.pop(ISSUER, None)


def token(key=KEY, algorithm="RS256", **changes):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "tracker",
        "sub": "s-1",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        **changes,
    }
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=algorithm)


def test_a_good_token_passes(backend):
    assert backend.verify_token(token(), nonce="n-1")["sub"] == "s-1"


@pytest.mark.parametrize(
    "bad",
    [
        {"key": OTHER_KEY},  # signed by someone else
        {"iss": "https://evil.example.org"},
        {"aud": "another-client"},
        {"aud": ["tracker", "another-client"]},  # several audiences, no azp for us
        {"exp": int(time.time()) - 61 - 5},  # expired beyond the skew
        {"iat": int(time.time()) + 3600},  # issued in the future
        {"exp": None},
        {"sub": None},
    ],
)
def test_each_check_refuses_its_fault(backend, bad):
    with pytest.raises((jwt.PyJWTError, SuspiciousOperation)):
        backend.verify_token(token(**bad), nonce="n-1")


def test_the_nonce_must_be_the_sessions(backend):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token(), nonce="another")


def test_clock_skew_is_tolerated_up_to_its_bound(backend, settings):
    now = int(time.time())
    assert backend.verify_token(token(exp=now - 30), nonce="n-1")
    settings.OIDC_CLOCK_SKEW_SECONDS = 10
    with pytest.raises(jwt.ExpiredSignatureError):
        backend.verify_token(token(exp=now - 30), nonce="n-1")


def test_unsigned_and_symmetric_tokens_are_refused(backend, settings):
    settings.OIDC_ALLOW_UNSECURED_JWT = True  # even so
    unsigned = jwt.encode({"iss": ISSUER, "aud": "tracker"}, None, algorithm="none")
    with pytest.raises((jwt.PyJWTError, SuspiciousOperation)):
        backend.verify_token(unsigned, nonce="n-1")
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token(key="secret", algorithm="HS256"), nonce="n-1")


def test_several_audiences_pass_when_we_are_the_authorised_party(backend):
    assert backend.verify_token(token(aud=["tracker", "api"], azp="tracker"), nonce="n-1")
