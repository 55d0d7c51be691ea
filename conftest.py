"""Shared fixtures: the demo org-unit tree and personas (an owner, a colleague in another unit,
an outsider, oversight bodies, GA staff, an administrator), and API clients for each."""

import os

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from org.choices import RoleKind
from org.tests.factories import OrgUnitFactory, PersonFactory, UserWithRoleFactory
from tests.browser import conftest as browser_helpers


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Tasks run in-process unless a test starts a real worker (marked `worker`)."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _no_lockout(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A test that activates a language (a page rendered in Chinese, a report compiled in French)
    must not leave it active for the next test: the order of the suite would change its results."""
    yield
    translation.deactivate()


@pytest.fixture
def units(db):
    """UN > DMSPC > DMSPC-OHR, UN > DOS > DOS-PD: two departments with a unit each below."""
    root = OrgUnitFactory(code="UN", name="United Nations Secretariat", parent=None)
    dmspc = OrgUnitFactory(
        code="DMSPC", name="Department of Management Strategy, Policy and Compliance", parent=root
    )
    ohr = OrgUnitFactory(code="DMSPC-OHR", name="Office of Human Resources", parent=dmspc)
    dos = OrgUnitFactory(code="DOS", name="Department of Operational Support", parent=root)
    pd = OrgUnitFactory(code="DOS-PD", name="Procurement Division", parent=dos)
    return {"root": root, "dmspc": dmspc, "ohr": ohr, "dos": dos, "pd": pd}


@pytest.fixture
def admin_user(units):
    return UserWithRoleFactory(
        username="admin", role_kind=RoleKind.ADMINISTRATOR, is_superuser=True, is_staff=True
    )


@pytest.fixture
def manager(units):
    """The owner: manages DMSPC and the units below it."""
    user = UserWithRoleFactory(
        username="manager", role_kind=RoleKind.MANAGER, role_unit=units["dmspc"]
    )
    PersonFactory(
        user=user, unit=units["dmspc"], grade="USG", name="Maria Manager", is_head_of_entity=True
    )
    return user


@pytest.fixture
def manager2(units):
    """A colleague in another unit: manages DOS."""
    user = UserWithRoleFactory(
        username="manager2", role_kind=RoleKind.MANAGER, role_unit=units["dos"]
    )
    PersonFactory(
        user=user, unit=units["dos"], grade="USG", name="Omar Operations", is_head_of_entity=True
    )
    return user


@pytest.fixture
def oios(units):
    return UserWithRoleFactory(username="oios", role_kind=RoleKind.OVERSIGHT, role_body="OIOS")


@pytest.fixture
def boa(units):
    return UserWithRoleFactory(username="boa", role_kind=RoleKind.OVERSIGHT, role_body="BOA")


@pytest.fixture
def gastaff(units):
    return UserWithRoleFactory(username="gastaff", role_kind=RoleKind.GA_STAFF)


@pytest.fixture
def outsider(units):
    """Signed in, but with no role at all."""
    return UserWithRoleFactory(username="outsider", role_kind=None)


def _api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def api():
    """api(user) -> an APIClient authenticated as that user (None for anonymous)."""
    return _api


@pytest.fixture
def web(client):
    """web(user) -> a Django test client signed in as that user."""

    def make(user):
        from django.test import Client

        c = Client()
        if user is not None:
            c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    return make


@pytest.fixture
def resolution(db):
    from org.resolution import load_resolution

    load_resolution()


# --- Browser tests: Playwright drives Debian's chromium against pytest-django's live server. ---
# Skipped where chromium is not installed (a fresh laptop); CI installs it.


@pytest.fixture(scope="session")
def _playwright_browser():
    if not os.path.exists(browser_helpers.CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    # Playwright's sync API refuses to run inside an asyncio loop; Django's live server is fine.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_helpers.CHROMIUM,
            headless=True,
            args=browser_helpers.CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_playwright_browser, live_server):
    """A fresh page (its own cookies) with `page.base_url` set to the live server."""
    context = _playwright_browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()
