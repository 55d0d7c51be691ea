"""The restatement rule (issue 11): after a closed period's first report, which changes to the
records restate it. Two units; records changed through the services."""

import datetime
from decimal import Decimal

import pytest

from core import history
from reports.restatements import restatements
from risk import services as risk
from risk.models import RecoveryCase

pytestmark = pytest.mark.django_db
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


def case(unit, opened_on, admin):
    return risk.save_recovery_case(
        RecoveryCase(
            unit=unit,
            title="Case",
            finding="fraud",
            amount_lost=Decimal("1000"),
            opened_on=opened_on,
        ),
        acting_user=admin,
    )


def test_only_records_dated_in_the_closed_period_restate_it(
    units, admin_user, gastaff, metrics, issue
):
    metrics()
    in_period = case(units["dmspc"], datetime.date(2025, 5, 1), admin_user)
    assert restatements(START, END, history.head()[0]) == []  # no report of the period yet
    issue(gastaff, period_start=START, period_end=END)
    assert restatements(START, END, history.head()[0]) == []

    later = case(units["dos"], datetime.date(2026, 2, 1), admin_user)  # dated after the end
    later.amount_lost = Decimal("2000")
    risk.save_recovery_case(later, acting_user=admin_user)
    assert restatements(START, END, history.head()[0]) == []

    in_period.amount_lost = Decimal("1500")  # a correction of a 2025 record
    risk.save_recovery_case(in_period, acting_user=admin_user)
    backdated = case(units["dos"], datetime.date(2025, 7, 1), admin_user)  # a backdated addition
    found = restatements(START, END, history.head()[0])
    assert [(r["object_id"], r["action"], r["record_date"]) for r in found] == [
        (str(in_period.pk), "update", "2025-05-01"),
        (str(backdated.pk), "create", "2025-07-01"),
    ]
    assert found[0]["fields"] == ["amount_lost"]
    # Another period's report is not restated by them.
    assert (
        restatements(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), history.head()[0])
        == []
    )
