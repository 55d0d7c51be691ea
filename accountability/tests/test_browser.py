"""In a real browser: a manager logs a decision over the limit and sees it flagged."""

import datetime
from decimal import Decimal

import pytest

from accountability.models import Decision
from accountability.tests.factories import AcceptedDelegationFactory
from tests.browser.conftest import login_as

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_manager_logs_a_decision_over_the_limit_and_sees_it_flagged(
    browser_page,
    manager,
    admin_user,
    units,
):
    today = datetime.date.today()
    grant = AcceptedDelegationFactory(
        reference="DOA/DMSPC/2026/7",
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        area="finance",
        limit_amount=Decimal("10000.00"),
        valid_from=today - datetime.timedelta(days=90),
        valid_to=today + datetime.timedelta(days=90),
    )
    page = browser_page
    login_as(page, "manager")
    page.goto(f"{page.base_url}/accountability/decisions/new/")
    page.fill("#id_title", "Approve the conference venue contract")
    page.fill("#id_decided_on", (today - datetime.timedelta(days=1)).isoformat())
    page.select_option("#id_area", "finance")  # leaves the date field: htmx refreshes the menu
    page.wait_for_load_state("networkidle")
    page.fill("#id_amount", "12500.00")
    page.select_option("#id_delegation", str(grant.pk))
    page.click("main button[type=submit]")
    page.wait_for_url("**/accountability/decisions/*/")
    assert page.locator(".badge.alert", has_text="Outside authority").is_visible()
    # Saving says so at once (a warning, not "Saved."), and the page lists the reason.
    warning = page.locator(".message.warning")
    assert warning.is_visible() and "Saved outside delegated authority" in warning.inner_text()
    assert page.locator("li", has_text="exceeds the delegation's limit").first.is_visible()
    page.goto(f"{page.base_url}/accountability/decisions/")
    row = page.locator("tr.alert", has_text="Approve the conference venue contract")
    assert row.count() == 1
    decision = Decision.objects.get()
    assert decision.within_authority is False and decision.decided_by == manager
