import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core import clock
from core.models import HistoryEntry
from org.tests.factories import PersonFactory
from performance.choices import Direction
from performance.models import Appraisal, BoardFinding, Compact, IndicatorResult, parse_period
from performance.tests.factories import (
    AppraisalFactory,
    CompactFactory,
    FindingFactory,
    IndicatorFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db


def test_on_time_means_completed_on_or_before_the_due_date(units):
    due = datetime.date(2025, 5, 31)
    assert Appraisal(due_on=due, completed_on=due).on_time is True
    assert Appraisal(due_on=due, completed_on=due - datetime.timedelta(days=1)).on_time is True
    assert Appraisal(due_on=due, completed_on=due + datetime.timedelta(days=1)).on_time is False
    assert Appraisal(due_on=due, completed_on=None).on_time is False


def test_the_on_time_property_says_what_the_sql_rule_says(units):
    """Appraisal.on_time (one record) and querysets.ON_TIME (lists, filters, metrics, exports,
    the report) are the same rule."""
    due = datetime.date(2025, 5, 31)
    completions = [None, due - datetime.timedelta(days=1), due, due + datetime.timedelta(days=1)]
    made = [AppraisalFactory(unit=units["ohr"], due_on=due, completed_on=c) for c in completions]
    for appraisal in made:
        if appraisal.completed_on:
            appraisal.rating = "meets"
            appraisal.save()
    in_sql = dict(Appraisal.objects.with_on_time().values_list("pk", "is_on_time"))
    assert in_sql == {a.pk: a.on_time for a in made}
    assert set(Appraisal.objects.on_time().values_list("pk", flat=True)) == {
        a.pk for a in made if a.on_time
    }
    assert set(Appraisal.objects.not_on_time().values_list("pk", flat=True)) == {
        a.pk for a in made if not a.on_time
    }
    assert [a.on_time for a in made] == [False, True, True, False]


def test_the_overdue_finding_property_says_what_the_sql_rule_says(units, monkeypatch):
    today = datetime.date(2026, 1, 10)
    compact = CompactFactory(senior_manager__unit=units["ohr"])
    rows = [
        FindingFactory(compact=compact, due_on=datetime.date(2026, 1, 9)),
        FindingFactory(compact=compact, due_on=today),
        FindingFactory(compact=compact, due_on=None),
        FindingFactory(
            compact=compact,
            due_on=datetime.date(2025, 1, 1),
            status="closed",
            action_plan="Done",
            closed_on=datetime.date(2025, 6, 1),
        ),
    ]
    overdue = set(BoardFinding.objects.overdue(today).values_list("pk", flat=True))
    assert overdue == {rows[0].pk}
    monkeypatch.setattr(clock, "localdate", lambda: today)
    assert {f.pk for f in rows if f.is_overdue} == overdue


def test_a_completion_before_the_cycle_starts_is_refused(units):
    staff = PersonFactory(unit=units["ohr"])
    appraisal = Appraisal(
        staff=staff, cycle=2024, completed_on=datetime.date(2024, 3, 31), rating="meets"
    )
    with pytest.raises(ValidationError) as exc:
        appraisal.full_clean()
    assert "before its cycle starts (2024-04-01)" in exc.value.message_dict["completed_on"][0]


def test_a_second_appraisal_for_the_same_person_and_cycle_is_refused(units):
    first = AppraisalFactory(unit=units["ohr"])
    second = Appraisal(staff=first.staff, unit=units["ohr"], cycle=2024)
    with pytest.raises(ValidationError) as exc:
        second.full_clean()
    assert exc.value.message_dict == {
        "cycle": [f"{first.staff.name} already has an appraisal for the 2024-25 cycle."]
    }


def test_a_rating_outside_the_list_and_a_rating_without_completion_are_refused(units):
    staff = PersonFactory(unit=units["ohr"])
    with pytest.raises(ValidationError) as exc:
        Appraisal(
            staff=staff, cycle=2024, completed_on=datetime.date(2025, 5, 1), rating="brilliant"
        ).full_clean()
    assert "rating" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        Appraisal(staff=staff, cycle=2024, rating="meets").full_clean()
    assert exc.value.message_dict["completed_on"] == [
        "A rated appraisal needs its completion date."
    ]


def test_due_date_and_unit_default_from_the_cycle_and_the_staff_member(units):
    staff = PersonFactory(unit=units["pd"])
    appraisal = Appraisal(staff=staff, cycle=2024)
    appraisal.full_clean()
    appraisal.save()
    assert appraisal.due_on == datetime.date(2025, 5, 31)
    assert appraisal.unit == units["pd"]
    assert HistoryEntry.objects.for_object(appraisal).get().action == "create"


def test_a_compact_is_only_for_senior_managers_or_heads_of_entity(units):
    p4 = PersonFactory(unit=units["ohr"], grade="P-4", name="Paula Four")
    with pytest.raises(ValidationError) as exc:
        Compact(senior_manager=p4, unit=units["ohr"], year=2025).full_clean()
    assert exc.value.message_dict["senior_manager"] == [
        "A compact is for a senior manager: Assistant Secretary-General or above, or a head of entity. "
        "Paula Four is P-4 and heads no entity."
    ]
    head = PersonFactory(unit=units["ohr"], grade="D-2", is_head_of_entity=True)
    Compact(senior_manager=head, unit=units["ohr"], year=2025).full_clean()


def test_a_compact_cannot_go_back_to_draft(units):
    asg = PersonFactory(unit=units["dmspc"], grade="ASG")
    compact = Compact.objects.create(
        senior_manager=asg,
        unit=units["dmspc"],
        year=2025,
        status="signed",
        signed_on=datetime.date(2025, 2, 1),
    )
    compact = Compact.objects.get(pk=compact.pk)
    compact.status = "draft"
    with pytest.raises(ValidationError) as exc:
        compact.full_clean()
    assert "status" in exc.value.message_dict


@pytest.mark.parametrize(
    "period, expected",
    [("2024", (2024, 2024)), ("2024-2025", (2024, 2025))],
)
def test_budget_periods_are_years_or_biennia(period, expected):
    assert parse_period(period) == expected


@pytest.mark.parametrize("period", ["2024-2026", "24", "2024/25", ""])
def test_other_periods_are_refused(period):
    with pytest.raises(ValidationError):
        parse_period(period)


def test_target_met_follows_the_direction(units):
    up = IndicatorFactory(unit=units["ohr"], target=Decimal("80"))
    down = IndicatorFactory(unit=units["ohr"], target=Decimal("60"), direction=Direction.DECREASE)
    assert ResultFactory(indicator=up, value=Decimal("80")).target_met is True
    assert ResultFactory(indicator=up, period="2025", value=Decimal("79.99")).target_met is False
    assert ResultFactory(indicator=down, value=Decimal("55")).target_met is True
    assert set(IndicatorResult.objects.target_met().values_list("value", flat=True)) == {
        Decimal("80"),
        Decimal("55"),
    }


def test_off_target_uses_the_latest_period(units):
    indicator = IndicatorFactory(unit=units["ohr"], target=Decimal("80"))
    ResultFactory(indicator=indicator, period="2022-2023", value=Decimal("90"))
    ResultFactory(indicator=indicator, period="2024", value=Decimal("70"))
    recovered = IndicatorFactory(unit=units["ohr"], target=Decimal("80"))
    ResultFactory(indicator=recovered, period="2022-2023", value=Decimal("10"))
    ResultFactory(indicator=recovered, period="2025", value=Decimal("85"))
    IndicatorFactory(unit=units["ohr"])  # no result yet: neither on nor off target
    from performance.models import Indicator

    assert list(Indicator.objects.off_target()) == [indicator]
    assert list(Indicator.objects.on_target()) == [recovered]
