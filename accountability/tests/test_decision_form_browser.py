"""Issue 17 in a real browser: the decision form's live authority check, the error summary taking
focus and leading to the field, and the warning after saving a decision outside authority."""

import datetime
from decimal import Decimal

import pytest

from accountability.models import Decision
from accountability.tests.factories import AcceptedDelegationFactory
from tests.browser.conftest import login_as

pytestmark = pytest.mark.browser

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.mark.django_db(transaction=True)
def test_live_check_error_summary_focus_and_the_warning(browser_page, units, manager, admin_user):
    grant = AcceptedDelegationFactory(
        reference="DOA/DMSPC/LIVE",
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        area="finance",
        limit_amount=Decimal("10000.00"),
        valid_from=TODAY - 60 * DAY,
        valid_to=TODAY + 300 * DAY,
    )
    page = browser_page
    login_as(page, "manager")
    page.goto(f"{page.base_url}/accountability/decisions/new/")
    check = page.locator("#authority-check")
    assert check.get_attribute("data-state") == "none"

    # Within the instrument: said before saving.
    page.select_option("#id_area", "finance")
    page.select_option("#id_delegation", str(grant.pk))
    page.fill("#id_amount", "2500")
    page.locator("#id_amount").dispatch_event("change")
    page.wait_for_selector('#authority-check[data-state="within"]')

    # Over the limit: the form says so, and why, before saving.
    page.fill("#id_amount", "25000")
    page.locator("#id_amount").dispatch_event("change")
    page.wait_for_selector('#authority-check[data-state="outside"]')
    assert "exceeds the delegation's limit" in page.locator("#authority-problems").inner_text()
    region = page.locator("#authority-check-region")
    assert region.get_attribute("aria-live") == "polite"

    # Saving without a title: the error summary takes focus and leads to the field.
    page.click("main form.form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.locator("[data-error-summary]").get_attribute("role") == "alert"
    # The check still reads what was typed.
    assert page.locator("#authority-check").get_attribute("data-state") == "outside"
    page.locator("[data-error-summary] a[href='#id_title']").click()
    assert page.evaluate("document.activeElement.id") == "id_title"
    described = page.locator("#id_title").get_attribute("aria-describedby")
    assert described == "id_title_error"
    assert page.locator(f"#{described}").inner_text().strip() == "This field is required."
    assert not Decision.objects.exists()

    # Saved outside authority: recorded, with a warning instead of "Saved.".
    page.fill("#id_title", "Buy the vehicles")
    page.click("main form.form button[type=submit]")
    warning = page.locator(".messages .message.warning")
    warning.wait_for()
    assert "outside delegated authority" in warning.inner_text()
    assert page.locator(".messages .message.success").count() == 0
    decision = Decision.objects.get()
    assert decision.within_authority is False
    assert decision.amount == Decimal("25000")
