"""Keyboard only (issue 17): a manager signs in, browses and picks a language in the header's
menu, moves through the navigation and the tabs, filters a list and logs a decision, without a
mouse; on a phone the menu button opens the navigation."""

import pytest

from accountability.models import Decision
from accountability.tests.factories import DecisionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab) until the focus is on `selector`; fail if it never gets there."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if focused(page, selector):
            return
    raise AssertionError(f"the keyboard never reaches {selector}")


def tab_to_language(page, code: str) -> None:
    """Tab through the open language menu to one language, forwards or backwards from the focused
    one (the menu lists the six languages in the settings' order)."""
    order = page.evaluate(
        "() => [...document.querySelectorAll('#language-menu button')].map((b) => b.lang)"
    )
    here = page.evaluate("() => document.activeElement.lang")
    backwards = here in order and order.index(code) < order.index(here)
    tab_to(page, f"#language-menu button[lang='{code}']", backwards=backwards)


def outline(page) -> str:
    return page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")


def test_keyboard_only_language_navigation_filter_and_form(browser_page, manager, units):
    DecisionFactory(title="Approve the conference venue contract", unit=units["dmspc"])
    DecisionFactory(title="Hire a consultant for the audit follow-up", unit=units["dmspc"])
    page = browser_page
    base = page.base_url
    page.goto(f"{base}/accounts/login/")

    # Sign in.
    tab_to(page, "#id_username")
    page.keyboard.type("manager")
    page.keyboard.press("Tab")
    assert focused(page, "#id_password")
    page.keyboard.type("a-long-test-password-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/"

    # The language menu opens on Enter; moving through it changes nothing (WCAG 3.2.2).
    tab_to(page, ".lang-toggle")
    assert outline(page) != "none"
    page.keyboard.press("Enter")
    assert page.locator(".lang-toggle").get_attribute("aria-expanded") == "true"
    assert focused(page, "#language-menu button[aria-current='true']")
    page.keyboard.press("Escape")  # closes and gives the focus back
    assert page.locator(".lang-toggle").get_attribute("aria-expanded") == "false"
    assert focused(page, ".lang-toggle")
    page.keyboard.press("Enter")
    tab_to_language(page, "zh-hans")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    tab_to(page, ".lang-toggle")
    page.keyboard.press("Enter")
    tab_to_language(page, "en")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"

    # Navigation, then a tab inside the app (the tab bar scrolls; its focus stays visible).
    tab_to(page, "#main-nav a[href='/accountability/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, ".tabs a[href='/accountability/decisions/']")
    assert outline(page) != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/accountability/decisions/"
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 2

    # A filter: open the panel, type a search, submit with Enter.
    tab_to(page, "details.filter-panel > summary")
    page.keyboard.press("Enter")
    assert page.locator("details.filter-panel").get_attribute("open") is not None
    tab_to(page, "form.filters input[name='q']")
    page.keyboard.type("venue")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=venue" in page.url
    assert rows.count() == 1
    assert "conference venue" in rows.first.inner_text()

    # A form: submitted empty, its error summary takes the focus and leads to the field.
    tab_to(page, "a[href='/accountability/decisions/new/']", backwards=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "main form.form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("() => !!document.activeElement.closest('.error-summary')")
    tab_to(page, ".error-summary a[href='#id_title']")
    page.keyboard.press("Enter")
    assert focused(page, "#id_title")
    page.keyboard.type("Extend the interpretation services contract")
    tab_to(page, "main form.form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".messages .message").first.is_visible()
    assert Decision.objects.filter(title="Extend the interpretation services contract").exists()

    # On a phone the navigation sits behind a menu button.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/")
    nav = page.locator("#main-nav")
    assert not nav.is_visible()
    tab_to(page, ".nav-toggle")
    page.keyboard.press("Enter")
    assert page.locator(".nav-toggle").get_attribute("aria-expanded") == "true"
    assert nav.is_visible()
    tab_to(page, "#main-nav a[href='/oversight/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.startswith(f"{base}/oversight/")
