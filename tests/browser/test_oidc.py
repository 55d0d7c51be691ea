"""Single sign-on through a real OpenID Connect provider (django-oauth-toolkit in a process of its
own, tests/oidc_provider), in chromium: the happy path, mapped and unmapped groups, a group
removed between two sign-ins, a tampered ID token, a wrong audience, an expired token, logout."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from core.models import HistoryEntry
from org.models import Person, Role
from org.tests.factories import PersonFactory
from signon import conf
from signon.mapping import parse_group_roles
from signon.models import ProviderIdentity

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "tracker-test-client", "tracker-test-secret-0123456789"
MAPPING = (
    "tracker-admins=administrator; dmspc-managers=manager:DMSPC; "
    "oios-staff=oversight:OIOS; ga-secretariat=ga_staff"
)
CONTACT = "the Tracker Service Desk (tracker-help@example.org)"
PASSWORD = "provider-password-1"
USERS = [
    {"username": "amina", "name": "Amina Diallo", "email": "amina@example.org",
     "index_number": "60000001", "groups": ["dmspc-managers", "staff-association"]},
    {"username": "olga", "name": "Olga Ivanova", "email": "olga@example.org",
     "groups": ["oios-staff"]},
    {"username": "nobody", "name": "No Body", "email": "nobody@example.org",
     "groups": ["canteen-committee"]},
    {"username": "ada", "name": "Ada Admin", "email": "ada@example.org",
     "groups": ["tracker-admins"]},
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The provider's base URL; one process for the whole session."""
    workdir = tmp_path_factory.mktemp("oidc-provider")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    log = open(workdir / "provider.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port), str(workdir)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}/o/.well-known/openid-configuration", timeout=2).ok:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(
                f"the test provider did not start: {(workdir / 'provider.log').read_text()}"
            )
        time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(10)
    log.close()


class SSO:
    def __init__(self, provider: str, tracker: str):
        self.provider, self.tracker = provider, tracker
        self.issuer = f"{provider}/o"

    def control(self, what: str, payload: dict) -> None:
        requests.post(f"{self.provider}/test/{what}/", json=payload, timeout=10).raise_for_status()

    def sign_in(self, page, username: str) -> None:
        """Click the provider's button; sign in at the provider if it asks; wait to come back."""
        page.goto(f"{self.tracker}/accounts/login/")
        page.click("#sign-in-provider")
        page.wait_for_url(lambda url: url.startswith(self.tracker) or "/accounts/login" in url)
        if page.url.startswith(self.provider):
            page.fill("#op-username", username)
            page.fill("#op-password", PASSWORD)
            page.click("#op-submit")
        page.wait_for_url(lambda url: url.startswith(self.tracker) and "/oidc/" not in url)

    def sign_out(self, page) -> None:
        """The header's button; the tracker then sends the browser to the provider's logout,
        which sends it back to the login page."""
        page.click("header form[action='/accounts/logout/'] button")
        page.wait_for_url(f"{self.tracker}/accounts/login/")

    def signed_in(self, page) -> bool:
        page.goto(f"{self.tracker}/")
        return not page.url.startswith(f"{self.tracker}/accounts/login/")


@pytest.fixture
def sso(settings, live_server, oidc_provider, units):
    helper = SSO(oidc_provider, live_server.url)
    settings.OIDC_ISSUER = helper.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test Provider"
    settings.OIDC_GROUP_ROLES = parse_group_roles(MAPPING)
    settings.OIDC_CLAIM_INDEX_NUMBER = "index_number"
    settings.OIDC_ACCESS_CONTACT = CONTACT
    conf._discovery.clear()
    helper.control(
        "setup",
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{live_server.url}/oidc/callback/"],
            "post_logout_redirect_uris": [f"{live_server.url}/accounts/login/"],
            "users": [{**u, "password": PASSWORD} for u in USERS],
            "mode": "normal",
        },
    )
    return helper


def _role_history(username: str) -> list[HistoryEntry]:
    return list(
        HistoryEntry.objects.filter(object_type="org.role", object_repr__startswith=username)
    )


@pytest.mark.django_db(transaction=True)
def test_a_mapped_group_signs_in_with_its_role_and_links_the_staff_record(browser_page, sso, units):
    person = PersonFactory(index_number="60000001", name="Amina Diallo", unit=units["dmspc"])
    page = browser_page
    page.goto(f"{sso.tracker}/accounts/login/")
    assert page.locator("#sign-in-provider").inner_text() == "Sign in with Test Provider"
    assert page.locator("#id_password").is_visible()  # local sign-in stays on by default

    sso.sign_in(page, "amina")
    assert page.url == f"{sso.tracker}/"
    assert page.locator("h1").first.inner_text() == "Dashboard"
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert 9.9 * 3600 < session["expires"] - time.time() <= 10 * 3600  # OIDC_SESSION_HOURS
    assert "amina · Manager" in page.locator(".who").text_content()

    role = Role.objects.get(user__username="amina")
    assert (role.kind, role.unit.code, role.body_code) == ("manager", "DMSPC", "")
    person.refresh_from_db()
    assert person.user.username == "amina"
    assert (
        person.user.email == "amina@example.org" and person.user.get_full_name() == "Amina Diallo"
    )
    assert ProviderIdentity.objects.filter(issuer=sso.issuer, user=person.user).count() == 1
    entries = _role_history("amina")
    assert [e.action for e in entries] == ["create"]
    assert entries[0].actor == f"oidc:{sso.issuer}"
    link = HistoryEntry.objects.get(
        object_type="org.person", object_id=str(person.pk), action="update"
    )
    assert link.actor == f"oidc:{sso.issuer}"


@pytest.mark.django_db(transaction=True)
def test_an_oversight_group_gives_its_body(browser_page, sso):
    sso.sign_in(browser_page, "olga")
    assert "olga · Oversight body user" in browser_page.locator(".who").text_content()
    role = Role.objects.get(user__username="olga")
    assert (role.kind, role.body_code, role.unit_id) == ("oversight", "OIOS", None)


@pytest.mark.django_db(transaction=True)
def test_an_unmapped_group_gets_no_access_and_is_told_whom_to_ask(browser_page, sso):
    page = browser_page
    sso.sign_in(page, "nobody")
    assert page.url == f"{sso.tracker}/accounts/no-access/"
    text = page.locator("main").inner_text()
    assert "none of your groups gives a role" in text
    assert CONTACT in text and "canteen-committee" in text
    assert not sso.signed_in(page)
    assert not Role.objects.filter(user__username="nobody").exists()


@pytest.mark.django_db(transaction=True)
def test_a_group_removed_between_two_sign_ins_removes_the_role(browser_page, sso):
    page = browser_page
    sso.sign_in(page, "ada")
    assert "ada · Administrator" in page.locator(".who").text_content()
    user = Role.objects.get(user__username="ada", kind="administrator").user
    assert user.is_superuser

    sso.sign_out(page)
    sso.control("groups", {"username": "ada", "groups": ["ga-secretariat-alumni"]})
    sso.sign_in(page, "ada")
    assert page.url == f"{sso.tracker}/accounts/no-access/"
    assert not sso.signed_in(page)
    user.refresh_from_db()
    assert not Role.objects.filter(user=user).exists() and not user.is_superuser
    entries = _role_history("ada")
    assert sorted(e.action for e in entries) == ["create", "delete"]
    assert {e.actor for e in entries} == {f"oidc:{sso.issuer}"}


@pytest.mark.django_db(transaction=True)
def test_a_tampered_a_wrongly_addressed_or_an_expired_id_token_signs_no_one_in(browser_page, sso):
    # One test for the three faults: each transactional test costs a flush of every table.
    page = browser_page
    for fault in ("tamper", "wrong_aud", "expired"):
        sso.control("mode", {"mode": fault})
        sso.sign_in(page, "amina")
        assert page.url.startswith(f"{sso.tracker}/accounts/login/"), fault
        message = page.locator(".messages").inner_text()
        assert "its answer could not be verified" in message, fault
        assert not sso.signed_in(page), fault
        # The tampered token claims the administrators' group: nothing of any of them got in.
        assert not Role.objects.exists(), fault
        assert not Person.objects.filter(user__isnull=False).exists(), fault
        assert not ProviderIdentity.objects.exists(), fault
    # The same provider, behaving again, signs her in: the faults were the tokens'.
    sso.control("mode", {"mode": "normal"})
    sso.sign_in(page, "amina")
    assert page.url == f"{sso.tracker}/"


@pytest.mark.django_db(transaction=True)
def test_sign_out_ends_the_tracker_session_and_the_providers(browser_page, sso):
    page = browser_page
    sso.sign_in(page, "olga")
    sso.sign_out(page)
    assert not sso.signed_in(page)
    # The provider forgot the session too: signing in again asks for the password.
    page.goto(f"{sso.tracker}/accounts/login/")
    page.click("#sign-in-provider")
    page.wait_for_selector("#op-username")
    assert page.url.startswith(sso.provider)
