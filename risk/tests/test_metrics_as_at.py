"""Section K and J figures by the dates of the records (issue 11): recoveries by the date of each
recovery action, the balance outstanding at the period end, risk ratings from the assessment
history as at the period end. Hand counts in the comments."""

import datetime
from decimal import Decimal

import pytest

from risk import metrics
from risk.models import RecoveryAction, RiskAssessment
from risk.tests.factories import RecoveryCaseFactory, RiskFactory

pytestmark = pytest.mark.django_db
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


def action(case, on, amount):
    return RecoveryAction.objects.create(case=case, taken_on=on, amount=Decimal(amount))


def test_recoveries_count_by_the_date_of_each_action_whatever_the_case_opening(units):
    old = RecoveryCaseFactory(
        unit=units["dmspc"], amount_lost=Decimal("200000"), opened_on=datetime.date(2024, 3, 1)
    )
    new = RecoveryCaseFactory(
        unit=units["dos"],
        finding="mismanagement",
        amount_lost=Decimal("10000"),
        opened_on=datetime.date(2025, 4, 1),
    )
    action(old, datetime.date(2024, 12, 31), "5000")  # before the period
    action(old, datetime.date(2025, 3, 1), "150000")
    action(new, datetime.date(2025, 6, 1), "1000")
    action(old, datetime.date(2026, 2, 1), "20000")  # after the period end
    k = metrics.report_metrics(START, END)["K"]
    # Recovered in 2025: 150,000 + 1,000 (the 2024 case's action counts: the old code gave 0 for
    # it, summing only cases opened in the period).
    assert k["amount_recovered"] == "151000.00"
    assert k["recovery_actions_in_period"] == 2
    assert k["amount_lost"] == "10000.00"  # losses established in 2025: the DOS case
    assert k["recovery_cases"] == 1
    # Outstanding on 31 Dec 2025: (200,000 - 5,000 - 150,000) + (10,000 - 1,000) = 54,000.
    assert k["amount_outstanding"] == "54000.00"
    # Recovered by the end on cases opened by then: 156,000 of 210,000 = 74.3%.
    assert k["recovery_rate"] == 74.3
    assert "amount_recovered_in_period" not in k  # one figure, one meaning
    by_type = metrics.report_metrics(START, END)["D"]["misconduct_findings_by_type"]
    assert by_type["fraud"] == {"count": 0, "amount_lost": "0.00", "amount_recovered": "150000.00"}
    assert by_type["mismanagement"]["amount_recovered"] == "1000.00"
    # The previous year: only the December 2024 action; the 2024 case's loss.
    before = metrics.report_metrics(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))["K"]
    assert before["amount_recovered"] == "5000.00" and before["amount_lost"] == "200000.00"
    assert before["amount_outstanding"] == "195000.00"


def test_risk_ratings_are_taken_from_the_assessment_history_as_at_the_period_end(units):
    risk = RiskFactory(unit=units["dmspc"], likelihood=1, impact=1, reviewed_on=None)
    RiskAssessment.objects.create(
        risk=risk, assessed_on=datetime.date(2025, 6, 1), likelihood=2, impact=5, score=10
    )
    RiskAssessment.objects.create(
        risk=risk, assessed_on=datetime.date(2026, 3, 1), likelihood=1, impact=1, score=1
    )
    never = RiskFactory(unit=units["dos"], likelihood=5, impact=4, reviewed_on=None)
    assert never.score == 20
    j = metrics.report_metrics(START, END)["J"]
    # As at 31 Dec 2025 the DMSPC risk scored 10 (high from 10), the DOS risk 20 (critical).
    assert j["risks_by_band"] == {"low": 0, "medium": 0, "high": 1, "critical": 1}
    assert j["heat_map"] == {"2x5": 1, "5x4": 1}
    now = metrics.report_metrics(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))["J"]
    assert now["risks_by_band"]["low"] == 1 and now["heat_map"] == {"1x1": 1, "5x4": 1}
