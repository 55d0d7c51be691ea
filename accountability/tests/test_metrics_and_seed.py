"""Figures for the report and the dashboard, and the demo and scale seeds."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest

from accountability import metrics, seed
from accountability.models import Commitment, Decision, Delegation
from accountability.tests.factories import (
    AcceptedDelegationFactory,
    CommitmentFactory,
)
from core.context import acting_as
from core.models import HistoryEntry
from org.models import Paragraph
from org.seed_base import seed_demo_base, seed_scale_base
from org.tests.factories import UserFactory

START = datetime.date(2025, 1, 1)
END = datetime.date(2025, 12, 31)


@pytest.fixture
def data(units, resolution):
    holder = UserFactory()
    grant = AcceptedDelegationFactory(
        delegatee=holder,
        unit=units["dmspc"],
        limit_amount=Decimal("100"),
        valid_from=datetime.date(2025, 2, 1),
        valid_to=datetime.date(2026, 6, 1),
    )
    AcceptedDelegationFactory(
        unit=units["dos"],
        valid_from=datetime.date(2024, 1, 1),
        valid_to=datetime.date(2024, 12, 31),
    )
    revoked = AcceptedDelegationFactory(
        unit=units["dos"], valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2027, 1, 1)
    )
    Delegation.objects.filter(pk=revoked.pk).update(revoked_on=datetime.date(2025, 3, 1))
    p8, p21 = Paragraph.objects.get(number=8), Paragraph.objects.get(number=21)

    def decide(day, amount, area="finance", review="", action="", unit=units["dmspc"]):
        d = Decision(
            title=f"D {day} {amount}",
            unit=unit,
            decided_by=holder,
            decided_on=day,
            area=area,
            amount=Decimal(amount) if amount is not None else None,
            delegation=grant if area else None,
            review_outcome=review,
            review_action=action,
        )
        d.save()
        d.paragraphs.set([p8, p21])
        return d

    decide(datetime.date(2025, 3, 1), "50")
    decide(datetime.date(2025, 3, 2), "150", review="mismanagement", action="Retrained")
    decide(datetime.date(2025, 4, 1), "200", review="justified")
    decide(datetime.date(2025, 5, 1), None, area="")
    decide(datetime.date(2024, 5, 1), "10")  # before the period
    CommitmentFactory(
        unit=units["dmspc"],
        due_on=datetime.date(2025, 6, 30),
        status="honoured",
        honoured_on=datetime.date(2025, 6, 30),
    ).paragraphs.set([p8])
    CommitmentFactory(
        unit=units["dmspc"],
        due_on=datetime.date(2025, 6, 30),
        status="honoured",
        honoured_on=datetime.date(2025, 7, 1),
    )
    CommitmentFactory(unit=units["dmspc"], due_on=datetime.date(2025, 7, 30), status="missed")
    CommitmentFactory(unit=units["dmspc"], due_on=datetime.date(2025, 8, 30), status="cancelled")
    CommitmentFactory(unit=units["dos"], due_on=datetime.date(2025, 9, 30))
    return grant


def test_report_metrics_sections_a_and_g(data):
    figures = metrics.report_metrics(START, END)
    json.dumps(figures)  # JSON-safe
    a, g = figures["A"], figures["G"]
    assert a["decisions_logged"] == 4
    assert a["decisions_within_authority"] == 2
    assert a["decisions_within_authority_rate"] == 50.0
    assert a["decisions_amount"] == "400.00"
    assert a["commitments_due"] == 5
    assert (a["commitments_honoured_on_time"], a["commitments_honoured_late"]) == (1, 1)
    assert (a["commitments_missed"], a["commitments_open"], a["commitments_cancelled"]) == (1, 1, 1)
    assert a["commitments_honoured_on_time_rate"] == 25.0
    by_unit = {row["unit"]: row for row in a["accountability_by_unit"]}
    assert by_unit["DMSPC"]["decisions_logged"] == 4
    assert by_unit["DMSPC"]["decisions_outside_authority"] == 2
    assert by_unit["DMSPC"]["commitments_due"] == 4
    assert by_unit["DMSPC"]["commitments_honoured_on_time"] == 1
    assert by_unit["DMSPC"]["delegations_issued"] == 1
    assert by_unit["DOS"]["commitments_due"] == 1
    assert by_unit["DOS"]["delegations_revoked"] == 1
    assert g["delegations_issued"] == 1
    assert g["delegations_revoked"] == 1
    assert g["delegations_active"] == 1
    assert g["decisions_outside_authority"] == 2
    assert g["decisions_outside_authority_amount"] == "350.00"
    assert g["outside_authority_reviews"] == {
        "justified": 1,
        "mismanagement": 1,
        "abuse": 0,
        "pending": 0,
    }
    assert g["outside_authority_actions_taken"] == 1


def test_report_metrics_of_an_empty_period_divide_by_nothing(db):
    figures = metrics.report_metrics(START, END)
    assert figures["A"]["decisions_within_authority_rate"] is None
    assert figures["A"]["commitments_honoured_on_time_rate"] is None
    assert figures["A"]["decisions_amount"] == "0.00"


def test_report_metrics_take_a_handful_of_queries(data, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        metrics.report_metrics(START, END)


def test_paragraph_measures(data):
    measures = metrics.paragraph_measures(START, END)
    kinds = {m["kind"]: m for m in measures[8]}
    assert kinds["decisions"]["count"] == 4
    assert len(kinds["decisions"]["items"]) == 4
    assert kinds["decisions"]["items"][0]["date"] == "2025-05-01"
    assert kinds["commitments"]["count"] == 1
    assert {m["kind"] for m in measures[21]} == {"decisions", "delegations"}
    assert [m["count"] for m in measures[17] if m["kind"] == "decisions_misuse"] == [1]
    json.dumps(measures, default=str)


def test_dashboard_figures_are_scoped(data, units, manager, manager2):
    AcceptedDelegationFactory(unit=units["ohr"])
    assert metrics.dashboard_figures(manager2)["delegations_active"] == 0
    assert metrics.dashboard_figures(manager)["delegations_active"] >= 1
    assert metrics.dashboard_figures(manager2)["awaiting_review"] == 0


def test_seed_demo_is_idempotent(db, resolution, settings):
    with acting_as("command:seed_demo"):
        seed_demo_base(StringIO())
        first = seed.seed_demo(StringIO())
        entries = HistoryEntry.objects.count()
        second = seed.seed_demo(StringIO())
    assert first == second
    assert HistoryEntry.objects.count() == entries
    assert first["delegations"] >= 8 and first["decisions"] >= 10 and first["commitments"] >= 7
    assert Decision.objects.filter(within_authority=False).count() >= 2
    assert Decision.objects.exclude(review_outcome="").count() >= 2
    assert Commitment.objects.filter(status="missed").exists()
    assert Delegation.objects.filter(parent__isnull=False).exists()
    assert Delegation.objects.filter(revoked_on__isnull=False).exists()
    for decision in Decision.objects.select_related("delegation"):
        assert decision.within_authority == decision.compute_within_authority()


def test_seed_demo_chain_from_the_secretary_general(db, resolution):
    with acting_as("command:seed_demo"):
        seed_demo_base(StringIO())
        seed.seed_demo(StringIO())
    demo = Delegation.objects.filter(reference__startswith=seed.DEMO_PREFIX)
    roots = demo.filter(parent__isnull=True)
    # Every root instrument: issued by the administrator on the Secretary-General's behalf to a
    # head of entity; the heads of DMSPC and DOS among them, and others.
    assert set(roots.values_list("delegator__username", flat=True)) == {"admin"}
    heads = set(roots.values_list("delegatee__username", flat=True))
    assert {"manager", "manager2"} < heads and len(heads) >= 3
    for root in roots.select_related("delegatee__person"):
        assert root.delegatee.person.is_head_of_entity
    # Every other instrument is a sub-delegation by the holder of its parent, fitting inside it.
    for child in demo.filter(parent__isnull=False).select_related("parent"):
        assert child.delegator_id == child.parent.delegatee_id
        assert child.area == child.parent.area
        assert child.valid_from >= child.parent.valid_from
        child.full_clean()
    # One instrument awaits acceptance and confers nothing.
    pending = demo.filter(accepted_on__isnull=True)
    assert pending.count() == 1 and pending.get().state == "pending"
    # A decision citing a revoked instrument is logged, flagged and awaiting review.
    after_revocation = Decision.objects.get(delegation__revoked_on__isnull=False)
    assert after_revocation.decided_on >= after_revocation.delegation.revoked_on
    assert after_revocation.within_authority is False
    assert after_revocation in Decision.objects.awaiting_review()


def test_seed_scale_small_factor(db, resolution):
    with acting_as("command:seed_scale"):
        seed_scale_base(0.001, lambda *a: None)
        counts = seed.seed_scale(0.001, lambda *a: None)
    assert counts["decisions"] == 1000 and counts["commitments"] == 200
    assert counts["delegations"] == 20
    mismatched = Decision.objects.with_computed_authority().exclude(
        within_authority=models_F("computed_within")
    )
    assert not mismatched.exists()
    assert HistoryEntry.objects.filter(object_type="accountability.decision").count() == 1000
    for child in Delegation.objects.filter(parent__isnull=False).select_related("parent"):
        child.full_clean()


def models_F(name):  # noqa: N802
    from django.db.models import F

    return F(name)
