import pytest

from tests.browser.conftest import login_as

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_manager_signs_in_and_sees_the_dashboard_in_english_and_chinese(browser_page, manager):
    page = browser_page
    login_as(page, "manager")
    assert page.locator("h1").first.inner_text() == "Dashboard"
    assert page.get_by_role("navigation", name="Main").is_visible()
    page.get_by_role("button", name="Language: English").click()
    with page.expect_navigation():
        page.locator(".lang-list button[lang=zh-hans]").click()
    assert page.locator("h1").first.inner_text() == "仪表板"
    assert page.locator("html").get_attribute("lang") == "zh-hans"


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_gets_a_plain_message(browser_page, manager):
    page = browser_page
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "not-the-password")
    page.click("main button[type=submit]")
    assert "The username or password is not correct." in page.locator(".error-summary").inner_text()
