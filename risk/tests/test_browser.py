import pytest

from risk.models import Risk
from tests.browser.conftest import login_as

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_manager_rates_a_risk_and_finds_it_on_the_heat_map(browser_page, units, manager):
    page = browser_page
    login_as(page, "manager")
    page.goto(f"{page.base_url}/risk/risks/new/")
    page.select_option("#id_unit", str(units["ohr"].pk))
    page.fill("#id_title", "Payments released without second approval")
    page.select_option("#id_category", "financial")
    page.fill("#id_likelihood", "4")
    page.fill("#id_impact", "5")
    page.fill("#id_identified_on", "2026-01-15")
    page.click("main button[type=submit]")
    risk = Risk.objects.get(title="Payments released without second approval")
    page.wait_for_url(f"{page.base_url}/risk/risks/{risk.pk}/")
    assert "= 20" in page.inner_text("dl.facts")

    page.goto(f"{page.base_url}/risk/heat-map/?unit=DMSPC")
    cell = page.locator('td a[data-cell="4-5"]')
    assert cell.inner_text() == "1"
    assert "heat-4" in cell.locator("xpath=..").get_attribute("class")
    cell.click()
    page.wait_for_load_state()
    assert "Payments released without second approval" in page.inner_text("table.data")
