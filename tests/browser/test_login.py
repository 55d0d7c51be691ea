"""The sign-in form itself, as a user meets it: in English and Chinese, on a desktop screen and a
phone, with axe on each (the other browser tests sign in with a session cookie instead)."""

import pytest

from tests.browser.axe import WIDTHS, assert_accessible
from tests.browser.conftest import login_as

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_manager_signs_in_and_sees_the_dashboard_in_english_and_chinese(browser_page, manager):
    page = browser_page
    page.goto(f"{page.base_url}/accounts/login/")
    for width in ("desktop", "phone"):
        page.set_viewport_size(WIDTHS[width])
        assert_accessible(page, f"login (en, {width})")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    page.set_viewport_size(WIDTHS["desktop"])
    login_as(page, "manager")
    assert page.locator("h1").first.inner_text() == "Dashboard"
    assert page.get_by_role("navigation", name="Main").is_visible()
    page.get_by_role("button", name="Language: English").click()
    with page.expect_navigation():
        page.locator(".lang-list button[lang=zh-hans]").click()
    assert page.locator("h1").first.inner_text() == "仪表板"
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # Signed out, the sign-in page keeps the language chosen.
    page.context.clear_cookies(name="sessionid")
    page.goto(f"{page.base_url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    for width in ("desktop", "phone"):
        page.set_viewport_size(WIDTHS[width])
        assert_accessible(page, f"login (zh-hans, {width})")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_gets_a_plain_message(browser_page, manager):
    page = browser_page
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "not-the-password")
    page.click("main button[type=submit]")
    assert "The username or password is not correct." in page.locator(".error-summary").inner_text()
