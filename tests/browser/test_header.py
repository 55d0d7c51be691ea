"""The site header at the widths people use (issue 17): one line on a 1280 px screen, in
English, Chinese and Arabic (the language button names the current language in itself and stays
compact); from 600 to 1279 px the brand and tools on one row and the navigation on the next;
under 600 px the navigation sits behind a menu button. With UX_SHOTS set to a
folder, each width's screenshot is written there to be looked at."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 1024, 768, 390]
SHOTS = os.environ.get("UX_SHOTS")


def header_rows(page) -> int:
    """How many rows the header's own items (brand, navigation, tools) take."""
    return page.evaluate(
        """() => {
            const header = document.querySelector('.site-header');
            const tops = new Set();
            for (const item of header.children) {
                if (getComputedStyle(item).display === 'none' || item.hidden) continue;
                if (item.classList.contains('skip-link')) continue;
                const box = item.getBoundingClientRect();
                if (box.width === 0 || box.height === 0) continue;
                tops.add(Math.round(box.top + box.height / 2));
            }
            // Items centred on one line share their middle (within a few pixels).
            const middles = [...tops].sort((a, b) => a - b);
            let rows = 0, last = -100;
            for (const m of middles) { if (m - last > 8) rows += 1; last = m; }
            return rows;
        }"""
    )


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"header-{name}.png"))


@pytest.mark.parametrize("language", ["en", "zh-hans", "ar"])
def test_header_is_one_line_on_a_desktop_and_a_menu_button_on_a_phone(
    browser_page, manager, language
):
    page = browser_page
    # A manager's header: every domain's link. (An administrator's two more links wrap inside
    # the navigation's own box at 1280 px; the brand and the tools keep their row.)
    sign_in(page, manager)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.goto(f"{page.base_url}/")
    assert page.locator("html").get_attribute("lang") == language
    toggle = page.locator(".nav-toggle")
    nav = page.locator("#main-nav")
    links = nav.locator("a")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        shoot(page, f"{language}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width >= 1280:
            assert header_rows(page) == 1, f"the header wraps at {width} px in {language}"
            # ... and so do the navigation's links (they share one line).
            tops = {round(box["y"]) for box in map(lambda a: a.bounding_box(), links.all())}
            assert len(tops) == 1, f"the navigation wraps at {width} px in {language}"
        elif width >= 600:
            # Brand and tools on the first row, the navigation on the second.
            assert header_rows(page) == 2
            assert nav.bounding_box()["y"] > page.locator(".brand").bounding_box()["y"]
        if width >= 600:
            expect(toggle).to_be_hidden()
            expect(nav).to_be_visible()
        else:
            expect(toggle).to_be_visible()
            expect(nav).to_be_hidden()
            # The header stays short: the page's content starts in its first screen's top sixth.
            assert page.locator(".site-header").bounding_box()["height"] <= 800 / 6
            toggle.click()
            expect(nav).to_be_visible()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            shoot(page, f"{language}-{width}-menu-open")
            toggle.click()
            expect(nav).to_be_hidden()
    # The language button is compact: the current language's own name, not the list.
    page.set_viewport_size({"width": 1280, "height": 800})
    name = {"en": "English", "zh-hans": "中文", "ar": "العربية"}[language]
    expect(page.locator(".lang-toggle")).to_contain_text(name)
    assert page.locator(".lang-toggle").bounding_box()["width"] < 160
