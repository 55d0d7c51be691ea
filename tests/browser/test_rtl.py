"""Arabic, right to left, in Chromium: the dashboard, a list, a form, a detail page and the
monitoring charts at 1280 px and 390 px, each with axe (WCAG 2.1 A and AA), and the layout
mirrored as a reader of Arabic expects: the brand at the right, a table's first column at the
right, the charts' bars growing from the right, nothing scrolling sideways on a phone.
Screenshots go to $SHOTS_DIR (default /tmp/shots/lang18) to be looked at."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accountability.tests.factories import AcceptedDelegationFactory, DecisionFactory
from oversight.tests.factories import RecommendationFactory, ReportFactory, body
from tests.browser.axe import WIDTHS, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots/lang18"))


def _sign_in_in_arabic(page, user) -> None:
    """A session cookie made on the server and Django's language cookie set to Arabic, as the
    language menu leaves it."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": page.base_url},
        ]
    )


@pytest.fixture
def records(units, manager, manager2):
    oios_report = ReportFactory(body=body("OIOS"), issued_on=datetime.date(2025, 1, 15))
    boa_report = ReportFactory(body=body("BOA"), issued_on=datetime.date(2025, 2, 15))
    first = RecommendationFactory(report=oios_report, unit=units["dmspc"])
    RecommendationFactory(report=boa_report, unit=units["dos"])
    RecommendationFactory(
        report=oios_report, unit=units["ohr"], target_date=datetime.date(2024, 6, 30)
    )
    delegation = AcceptedDelegationFactory(
        delegator=manager2, delegatee=manager, unit=units["dmspc"]
    )
    DecisionFactory(unit=units["dmspc"], decided_by=manager, delegation=delegation)
    return {"recommendation": first}


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_arabic_pages_read_right_to_left_and_pass_axe_at_both_widths(
    browser_page, manager, records
):
    page = browser_page
    page.set_default_timeout(20_000)
    _sign_in_in_arabic(page, manager)
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "dashboard": "/",
        "list": "/oversight/recommendations/",
        "form": "/accountability/decisions/new/",
        "detail": records["recommendation"].get_absolute_url(),
        "charts": "/oversight/monitoring/",
    }
    for width in ("desktop", "phone"):
        page.set_viewport_size(WIDTHS[width])
        for name, path in pages.items():
            page.goto(f"{page.base_url}{path}")
            html = page.locator("html")
            assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            # Nothing wider than the screen: no sideways scrolling (the mirror of an overflow
            # to the left would hide content where no scrollbar reaches).
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
                f"{name} scrolls sideways at {width}"
            )
            if name == "charts" and width == "phone":
                # Its wide tables scroll inside their box: each is a region the keyboard reaches.
                regions = page.locator(".table-wrap[data-scroll-region]")
                assert regions.count() > 0
                assert regions.first.get_attribute("tabindex") == "0"
                assert regions.first.get_attribute("aria-label")
            assert_accessible(page, f"{name} (ar, {width})")
        if width == "desktop":
            page.goto(f"{page.base_url}/oversight/recommendations/")
            # The brand sits at the right of the header, the navigation to its left.
            assert _box(page, ".brand")["x"] > _box(page, ".main-nav")["x"]
            # A table's first column is at the right.
            headers = page.locator("table.data thead th:not(.select)")
            first, last = headers.first.bounding_box(), headers.last.bounding_box()
            assert first["x"] > last["x"]
            # Digits stay Western (0-9), as in UN Arabic documents; dates read 15 كانون الثاني/يناير 2025.
            page.goto(f"{page.base_url}{records['recommendation'].get_absolute_url()}")
            assert "15 كانون الثاني/يناير 2025" in page.locator("main").inner_text()
            # A text typed in English keeps its full stop at its end (the right), not at the left.
            first, last = page.evaluate(
                """() => {
                    const p = [...document.querySelectorAll("main .section-block > p")]
                        .find((e) => e.textContent.trim() === "Strengthen the controls.");
                    const text = p.firstChild, at = (i) => {
                        const range = document.createRange();
                        range.setStart(text, i); range.setEnd(text, i + 1);
                        return range.getBoundingClientRect().x;
                    };
                    const end = text.textContent.trimEnd().length - 1;
                    return [at(text.textContent.indexOf("S")), at(end)];
                }"""
            )
            assert last > first
            # Bars grow from the right edge of their track.
            page.goto(f"{page.base_url}/oversight/monitoring/")
            rect = page.locator("svg.bar-track rect[width]:not([width='0.0'])").first
            track = rect.locator("xpath=ancestor::*[local-name()='svg'][1]")
            bar, box = rect.bounding_box(), track.bounding_box()
            assert abs((bar["x"] + bar["width"]) - (box["x"] + box["width"])) < 2
            assert bar["width"] < box["width"] or bar["x"] <= box["x"] + 1


def test_arrow_keys_follow_the_tabs_reading_order(browser_page, oios, records):
    """The monitoring page's tabs run right to left in Arabic: the left arrow goes to the next
    tab (further left), the right arrow back; in English the other way round."""
    page = browser_page
    for language, forward, back in (
        ("ar", "ArrowLeft", "ArrowRight"),
        ("en", "ArrowRight", "ArrowLeft"),
    ):
        _sign_in_in_arabic(page, oios)
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.base_url}]
        )
        page.goto(f"{page.base_url}/oversight/monitoring/")
        tabs = page.locator("[data-tab-list] [role=tab]")
        first, second = tabs.nth(0), tabs.nth(1)
        first.focus()
        page.keyboard.press(forward)
        assert second.get_attribute("aria-selected") == "true", language
        assert page.locator("#panel-by-priority").is_visible(), language
        page.keyboard.press(back)
        assert first.get_attribute("aria-selected") == "true", language
        assert page.locator("#panel-by-body").is_visible(), language
        if language == "ar":
            # The next tab really is to the left of the first.
            assert second.bounding_box()["x"] < first.bounding_box()["x"]
