import pytest

from org.tests.factories import PersonFactory
from performance.tests.factories import AppraisalFactory
from tests.browser.conftest import login_as

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_manager_records_an_appraisal_and_sees_the_units_compliance_change(
    browser_page,
    manager,
    units,
):
    done = PersonFactory(unit=units["ohr"], name="Ada Done")
    PersonFactory(unit=units["ohr"], name="Ben Pending", index_number="10007777")
    AppraisalFactory(staff=done, unit=units["ohr"], on_time=True)
    page = browser_page
    login_as(page, "manager")
    page.goto(f"{page.base_url}/performance/appraisals/compliance/?unit=DMSPC-OHR&cycle=2024")
    # One appraisal of one due: 100 %. Ben's is not recorded yet.
    assert page.locator("#compliance-rate").inner_text() == "100.0%"

    page.goto(f"{page.base_url}/performance/appraisals/")
    page.get_by_role("link", name="Record appraisal").click()
    page.fill("#id_staff", "10007777")
    page.fill("#id_cycle", "2024")
    page.fill("#id_completed_on", "2025-07-15")  # after the due date of 31 May 2025: late
    page.select_option("#id_rating", "meets")
    page.click("main button[type=submit]")
    page.wait_for_url("**/performance/appraisals/*/")
    assert "Ben Pending" in page.locator("h1").inner_text()
    assert page.locator("dl.facts").get_by_text("no", exact=True).is_visible()

    page.goto(f"{page.base_url}/performance/appraisals/compliance/?unit=DMSPC-OHR&cycle=2024")
    assert page.locator("#compliance-rate").inner_text() == "50.0%"
    page.goto(f"{page.base_url}/performance/?unit=DMSPC-OHR")
    assert page.locator("#unit-compliance").inner_text() == "50.0%"
