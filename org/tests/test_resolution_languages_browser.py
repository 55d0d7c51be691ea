"""Issue 18, item 3, in a browser: the resolution in Arabic reads right to left with its
working-translation notice, in French with the French text, at desktop and phone widths, and
axe finds no WCAG 2.1 A/AA violation on either page."""

import pytest
from playwright.sync_api import expect

from tests.browser import conftest as browser_conftest
from tests.browser.axe import WIDTHS, assert_accessible
from tests.browser.conftest import sign_in

# The browser tests' row-deleting flush between live-server tests (registered by that conftest's
# pytest_configure when tests/browser is collected; these tests may run without it).
browser_conftest.pytest_configure(None)


def _open(page, user, language: str, path: str, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, user)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.goto(f"{page.base_url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_arabic_paragraph_page_reads_right_to_left_with_its_notice(
    browser_page, manager, resolution, width
):
    page = browser_page
    _open(page, manager, "ar", "/resolution/8/", width)
    text = page.locator('main p[lang="ar"]').first
    expect(text).to_contain_text("تقرر أن تعرَّف المساءلة على النحو التالي")
    assert text.evaluate("e => getComputedStyle(e).direction") == "rtl"
    notice = page.locator(".working-mark")
    expect(notice).to_be_visible()
    expect(notice.locator("a")).to_have_attribute("href", "https://undocs.org/ar/A/RES/64/259")
    # The official English and Chinese texts are behind one click, left to right.
    page.locator("main details summary").click()
    english = page.locator('main details p[lang="en"]')
    expect(english).to_contain_text("answerable for all decisions made and actions taken")
    assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert_accessible(page, f"/resolution/8/ in Arabic ({width})")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_french_resolution_page_reads_french_with_its_notice(
    browser_page, manager2, resolution, width
):
    page = browser_page
    _open(page, manager2, "fr", "/resolution/", width)
    expect(page.locator("h1")).to_contain_text("Élaboration d’un système d’application")
    expect(page.locator("#p17")).to_contain_text("Prie en outre le Secrétaire général")
    expect(page.locator(".working-mark")).to_have_count(1)
    assert_accessible(page, f"/resolution/ in French ({width})")
