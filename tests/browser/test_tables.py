"""Lists and pickers in a real browser (issue 17 point 2): the sort headers and the filter panel
by keyboard, the people picker (WAI-ARIA combobox) fed by the scoped endpoint, the paragraphs
multi-picker with chips, and select-all on a page."""

import datetime

import pytest

from accountability.models import Commitment
from accountability.tests.factories import CommitmentFactory
from org.tests.factories import PersonFactory, UserFactory
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_keyboard_sorts_filters_and_picks(browser_page, manager, units, resolution):
    for i in range(3):
        CommitmentFactory(
            unit=units["dmspc"],
            owner=manager,
            title=f"Commitment {i}",
            due_on=datetime.date(2027, 1, 10) - datetime.timedelta(days=i),
        )
    PersonFactory(name="Dana Deputy", unit=units["ohr"], user=UserFactory(username="dana"))
    page = browser_page
    sign_in(page, manager)
    page.goto(f"{page.base_url}/accountability/commitments/")
    header = page.locator("th", has_text="Due on")
    assert header.get_attribute("aria-sort") == "ascending"
    # The header's link, by keyboard: it reverses the sort.
    header.locator("a").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=-due_on**")
    assert page.locator("th", has_text="Due on").get_attribute("aria-sort") == "descending"
    titles = page.locator("tbody td:nth-child(3) a").all_inner_texts()
    assert titles == ["Commitment 0", "Commitment 1", "Commitment 2"]
    # The filter panel is closed with no filter in force; the summary opens it.
    panel = page.locator("details.filter-panel")
    assert panel.get_attribute("open") is None
    page.locator("details.filter-panel > summary").focus()
    page.keyboard.press("Enter")
    assert panel.get_attribute("open") == ""
    # Select all on this page, then the count reads it.
    page.locator("[data-select-all]").check()
    assert page.locator("[data-bulk-count]").inner_text() == "Selected: 3"
    # The owner picker: type, arrow down, Enter.
    owner = page.locator("#id_bulk-owner")
    owner.fill("dana")
    owner.locator("xpath=..").locator("[role=option]").first.wait_for()
    assert owner.get_attribute("aria-expanded") == "true"
    owner.press("ArrowDown")
    owner.press("Enter")
    assert owner.input_value() == "dana"
    with page.expect_navigation():
        page.get_by_role("button", name="Assign owner").click()
    assert "3 commitments now have their new owner." in page.content()
    assert set(Commitment.objects.values_list("owner__username", flat=True)) == {"dana"}


@pytest.mark.django_db(transaction=True)
def test_paragraphs_multi_picker_adds_and_removes_chips(browser_page, manager, resolution):
    page = browser_page
    sign_in(page, manager)
    page.goto(f"{page.base_url}/accountability/commitments/new/")
    box = page.locator("#id_paragraphs")
    assert box.get_attribute("role") == "combobox"
    box.fill("21")
    box.press("Enter")
    box.fill("accountab")
    box.press("Enter")
    chips = page.locator(".combobox-chips .chip")
    assert chips.count() == 2
    selected = page.locator("#id_paragraphs-select option:checked").all_inner_texts()
    assert len(selected) == 2 and any(t.startswith("21.") for t in selected)
    chips.filter(has_text="21.").locator("button").click()
    assert chips.count() == 1
    left = page.locator("#id_paragraphs-select option:checked").all_inner_texts()
    assert len(left) == 1 and not left[0].startswith("21.")
