"""The report on real figures (issue 11): a small world built through the apps' services, two
units, every figure hand-counted, compiled through reports.services on PostgreSQL. A closed
period compiled again after later changes gives the same figures; a backdated addition shows
under `restatements`.

Section C: oversight's section C figures are being rebuilt as at the period end in parallel
(issue 11, inside oversight/). This test records no recommendations and asserts of section C only
what exists: every body-by-body key it gives is documented in the methodology annex."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from accountability import services as accountability
from accountability.models import Decision
from org.tests.factories import PersonFactory
from performance import services as performance
from performance.models import Appraisal, BoardFinding, Compact, CompactObjective
from reports.choices import RunStatus
from risk import services as risk
from risk.models import RecoveryAction, RecoveryCase

pytestmark = pytest.mark.django_db
PERIOD = {"period_start": datetime.date(2025, 1, 1), "period_end": datetime.date(2025, 12, 31)}
D = datetime.date


def section(snapshot, code):
    return next(s for s in snapshot["sections"] if s["code"] == code)["metrics"]


def headline(snapshot):
    return {h["key"]: (h["value"], h["previous"]) for h in snapshot["headline"]}


def comparable(snapshot):
    """The snapshot less what differs between two compiles by design: when it was compiled, the
    change-history anchor, and the run's own identity (id and document symbol)."""
    ignored = {"generated_at", "audit_trail", "report"}
    return {k: v for k, v in snapshot.items() if k not in ignored}


@pytest.fixture
def world(units, admin_user):
    who = {"acting_user": admin_user}

    # Recoveries across periods.
    old = risk.save_recovery_case(
        RecoveryCase(
            unit=units["dmspc"],
            title="Fuel fraud",
            finding="fraud",
            amount_lost=Decimal("200000"),
            opened_on=D(2024, 3, 1),
        ),
        **who,
    )
    new = risk.save_recovery_case(
        RecoveryCase(
            unit=units["dos"],
            title="Stock losses",
            finding="mismanagement",
            amount_lost=Decimal("40000"),
            opened_on=D(2025, 5, 1),
        ),
        **who,
    )
    for case, on, amount in (
        (old, D(2024, 11, 1), "10000"),  # previous period
        (old, D(2025, 3, 1), "150000"),  # in the period, on a case opened before it
        (new, D(2025, 6, 1), "5000"),
        (new, D(2026, 1, 15), "2000"),  # after the period end
    ):
        risk.add_recovery_action(
            RecoveryAction(case=case, taken_on=on, amount=Decimal(amount)), **who
        )

    # Senior managers and compacts.
    asg = PersonFactory(unit=units["dmspc"], grade="ASG", name="Senior One")
    usg = PersonFactory(unit=units["dos"], grade="USG", name="Senior Two")
    PersonFactory(unit=units["dos"], grade="D-2", is_head_of_entity=True, name="Head Three")
    PersonFactory(unit=units["dmspc"], grade="P-5", name="Not Senior")

    def compact(person, year, signed_on=None):
        c = performance.save_compact(Compact(senior_manager=person, year=year), **who)
        performance.save_objective(
            CompactObjective(
                compact=c, kind="programme", title="Deliver", indicator="Rate", target="90%"
            ),
            **who,
        )
        if signed_on:
            c = performance.sign_compact(c, signed_on=signed_on, **who)
        return c

    compact(asg, 2025, D(2025, 2, 10))
    late = compact(usg, 2025)  # signed after the period end, below
    older = compact(asg, 2023, D(2023, 2, 1))
    older = performance.assess_compact(
        older, assessed_on=D(2024, 1, 15), mpb_rating="satisfactory", mpb_assessment="Fine", **who
    )
    open_finding = performance.save_finding(
        BoardFinding(compact=older, finding="Gender targets not met"), **who
    )
    closed = performance.save_finding(BoardFinding(compact=older, finding="Audit backlog"), **who)
    performance.close_finding(closed, closed_on=D(2025, 4, 1), action_plan="Backlog cleared", **who)

    # Appraisals due on 31 May 2025: 4 on time, 1 late, 1 not completed; two units.
    for index, (unit, completed_on) in enumerate(
        [
            (units["ohr"], D(2025, 5, 20)),
            (units["ohr"], D(2025, 5, 31)),
            (units["ohr"], D(2025, 4, 30)),
            (units["pd"], D(2025, 5, 1)),
            (units["pd"], D(2025, 7, 1)),
            (units["pd"], None),
        ]
    ):
        staff = PersonFactory(unit=unit, grade="P-3", name=f"Staff {index}")
        performance.save_appraisal(
            Appraisal(
                staff=staff,
                unit=unit,
                cycle=2024,
                due_on=D(2025, 5, 31),
                completed_on=completed_on,
                rating="meets" if completed_on else "",
            ),
            **who,
        )

    # Decisions: three in 2025 (two units), one in 2024.
    for unit, on in (
        (units["dmspc"], D(2025, 2, 1)),
        (units["dmspc"], D(2025, 8, 1)),
        (units["dos"], D(2025, 11, 30)),
        (units["dos"], D(2024, 6, 1)),
    ):
        accountability.save_decision(
            Decision(title=f"Decision of {on}", unit=unit, decided_by=admin_user, decided_on=on),
            **who,
        )
    return {"new_case": new, "late_compact": late, "open_finding": open_finding}


def test_the_report_gives_the_hand_counted_figures_and_the_same_ones_when_compiled_again(
    world, issue, gastaff, admin_user
):
    first = issue(gastaff, **PERIOD)
    assert first.status == RunStatus.DONE, first.error
    snap = first.snapshot
    top = headline(snap)
    # K: recovered in 2025 = 150,000 + 5,000 (the 2024 case counts; the 2026 action does not);
    # lost in 2025 = the DOS case, 40,000. Previous period (2024): 10,000 recovered, 200,000 lost.
    assert top["amount_recovered"] == ("155000.00", "10000.00")
    assert top["amount_lost"] == ("40000.00", "200000.00")
    k = section(snap, "K")
    # Outstanding on 31 Dec 2025: (200,000 - 10,000 - 150,000) + (40,000 - 5,000) = 75,000.
    assert k["amount_outstanding"] == "75000.00" and k["recovery_actions_in_period"] == 2
    # D: 4 of 6 appraisals due in 2025 completed by their due date; none due in 2024.
    assert top["appraisal_compliance_rate"] == (66.7, None)
    # One compact signed by 31 Dec 2025 for 2025 (the other is still a draft).
    assert top["compacts_signed"] == (1, 0)
    d = section(snap, "D")
    assert d["mpb_findings_open"] == 1  # the 2023 compact's open finding
    assert d["mpb_findings_closed"] == 1  # closed 1 April 2025
    e = section(snap, "E")
    # Required: the ASG, the USG and the head of entity (not the P-5); one has a signed compact.
    assert (e["senior_managers_required_compact"], e["senior_managers_with_compact"]) == (3, 1)
    assert e["compact_coverage_rate"] == 33.3
    # A: three decisions in 2025, one in 2024, all within authority (no delegation needed).
    assert top["decisions_logged"] == (3, 1)
    assert top["decisions_within_authority_rate"] == (100.0, 100.0)
    # Every figure documented; the annex holds the compliance definition once.
    assert "appraisal_completion_rate" not in section(snap, "F")
    assert snap["methodology"]["amount_recovered"]["date_rule"]
    for body in (section(snap, "C").get("by_body") or {}).values():
        assert all(key in snap["methodology"] for key in body)
    assert snap["restatements"] == []

    # Later changes, all dated after the period end: the USG signs in January 2026, the open
    # finding closes in February 2026. The closed period's figures do not move.
    performance.sign_compact(
        world["late_compact"], signed_on=D(2026, 1, 20), acting_user=admin_user
    )
    finding = BoardFinding.objects.get(pk=world["open_finding"].pk)
    finding.action_plan = "Targets revised"
    finding = performance.save_finding(finding, acting_user=admin_user)
    performance.close_finding(finding, closed_on=D(2026, 2, 1), acting_user=admin_user)
    second = issue(gastaff, **PERIOD)
    assert second.status == RunStatus.DONE, second.error
    assert comparable(second.snapshot) == comparable(snap)
    assert second.snapshot["audit_trail"]["entries"] > snap["audit_trail"]["entries"]

    # A backdated addition: a recovery action of September 2025 recorded now.
    risk.add_recovery_action(
        RecoveryAction(case=world["new_case"], taken_on=D(2025, 9, 1), amount=Decimal("1000")),
        acting_user=admin_user,
    )
    third = issue(gastaff, **PERIOD)
    assert headline(third.snapshot)["amount_recovered"][0] == "156000.00"
    restated = third.snapshot["restatements"]
    assert [(r["object_type"], r["action"], r["record_date"]) for r in restated] == [
        ("risk.recoveryaction", "create", "2025-09-01")
    ]
    html = default_storage.open(third.files.get(format="html").name).read().decode()
    assert "Restatements" in html and "Annex: methodology" in html
