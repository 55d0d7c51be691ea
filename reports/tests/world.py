"""A small real world for the report tests, built through the apps' actions (issue 11): two
units (DMSPC and DOS subtrees), two oversight bodies (OIOS and BOA), recommendations whose
statuses change before and after the period's end, recoveries across periods, compacts and
findings across years, appraisals, decisions and delegation instruments. Every figure the tests
assert is counted by hand in the comments here.

The period is calendar 2025 (PERIOD); the previous period is 2024.

Governance (issue 15), as at 31 December 2025 (_governance):
  assessments  12 (C) DMSPC: 2024's "not started" accepted 20 Feb 2025, then 2025's "in progress"
               accepted 20 Dec 2025 (one evidence item): the verdict is "in progress";
               21 (G) DMSPC: 2025 "implemented", accepted 30 Jun 2025;
               28 (I) DOS: 2025 "implemented", submitted 15 Dec 2025, accepted 20 Jan 2026: none
               in force on 31 Dec 2025;
               20 (F) DOS-PD: 2025 "in progress", returned 15 Nov 2025: none
  committee    meeting of 12 Feb 2025 with 2 decisions (and one of 3 Feb 2026, not counted);
               follow-ups: DMSPC-OHR due 30 Apr, done 22 Apr; DOS-PD due 31 Jul, open (overdue);
               so 2 actions, 1 open, 1 done, 0 dropped, 1 overdue, completion 1 of 2 = 50.0%
  consultations OIOS 20 Mar 2025, BOA 10 Jul 2025 (and BOA 10 Jul 2024: the previous period's one)
  mandates     GA 1 Dec 2024 with an indicator, SC 1 Jun 2025, GA 5 Jan 2026 (after): 2 adopted,
               1 with results (50.0%); on 31 Dec 2024: 1 of 1 (100.0%)
  milestones   Umoja planned 31 Mar 2025 achieved 15 Mar; Umoja planned 30 Jun 2025 delayed;
               Inspira planned 30 Sep 2025 achieved 15 Oct: Umoja 2 planned, 1 achieved, 1 on
               time, 1 late (50.0%); Inspira 1, 1, 0, 0 (0.0%)
  lessons      UNDP 1 Mar 2025, UNICEF 1 May 2025, UNDP 1 May 2024: paragraph 9 holds 2

Section C as at 31 December 2025:
  OIOS  o1 critical, DMSPC-OHR, target 30 Jun 2025, in progress since Sep 2024 (past due 184 days)
        o2 important, DOS-PD, target 31 Mar 2025, implemented 10 May 2025, USD 300,000 identified
        o3 critical, DOS-PD, not accepted
        o4 critical, DMSPC-OHR, report of Jun 2025, target 30 Nov 2025, open (past due 31 days)
  BOA   b1 DOS-PD, target 30 Jun 2025, implemented 1 Mar 2025
        b2 DMSPC-OHR, target 31 Dec 2025 (not overdue on it), in progress since Oct 2024
        b3 DOS-PD, implemented 1 Nov 2024 (closed before the period: not a prior-period item)
        b4 DOS-PD, target 30 Sep 2025, open
        b5 DMSPC-OHR, report of Jul 2025, not accepted
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accountability import services as accountability
from accountability.models import Decision, Delegation
from core.actions import SYSTEM
from governance import services as governance
from governance.models import (
    CommitteeDecision,
    CommitteeMeeting,
    Consultation,
    FollowUpAction,
    Lesson,
    Mandate,
    Milestone,
    ParagraphAssessment,
)
from org.choices import RoleKind
from org.models import Paragraph
from org.tests.factories import OrgUnitFactory, PersonFactory, UserWithRoleFactory
from oversight import services as oversight
from oversight.models import OversightReport, Recommendation
from oversight.tests.factories import body
from performance import services as performance
from performance.models import Appraisal, BoardFinding, Compact, CompactObjective, Indicator
from risk import services as risk
from risk.models import RecoveryAction, RecoveryCase, Risk

D = datetime.date
PERIOD = {"period_start": D(2025, 1, 1), "period_end": D(2025, 12, 31)}


def make_units_and_people() -> tuple[dict, dict]:
    """The root conftest's units and personas, for a fixture wider than one test."""
    from org.resolution import load_resolution

    load_resolution()
    root = OrgUnitFactory(code="UN", name="United Nations Secretariat", parent=None)
    dmspc = OrgUnitFactory(
        code="DMSPC", name="Department of Management Strategy, Policy and Compliance", parent=root
    )
    ohr = OrgUnitFactory(code="DMSPC-OHR", name="Office of Human Resources", parent=dmspc)
    dos = OrgUnitFactory(code="DOS", name="Department of Operational Support", parent=root)
    pd = OrgUnitFactory(code="DOS-PD", name="Procurement Division", parent=dos)
    units = {"root": root, "dmspc": dmspc, "ohr": ohr, "dos": dos, "pd": pd}
    admin = UserWithRoleFactory(
        username="admin", role_kind=RoleKind.ADMINISTRATOR, is_superuser=True, is_staff=True
    )
    manager = UserWithRoleFactory(username="manager", role_kind=RoleKind.MANAGER, role_unit=dmspc)
    PersonFactory(
        user=manager, unit=dmspc, grade="USG", name="Maria Manager", is_head_of_entity=True
    )
    manager2 = UserWithRoleFactory(username="manager2", role_kind=RoleKind.MANAGER, role_unit=dos)
    PersonFactory(
        user=manager2, unit=dos, grade="USG", name="Omar Operations", is_head_of_entity=True
    )
    people = {
        "admin_user": admin,
        "manager": manager,
        "manager2": manager2,
        "gastaff": UserWithRoleFactory(username="gastaff", role_kind=RoleKind.GA_STAFF),
    }
    return units, people


def _recommendations(units, admin_user) -> dict:
    who = {"acting_user": admin_user}
    ohr, pd = units["ohr"], units["pd"]

    def report(code, symbol, issued_on):
        return oversight.save_report(
            OversightReport(
                body=body(code), symbol=symbol, title=f"Audit {symbol}", issued_on=issued_on
            ),
            **who,
        )

    def rec(rpt, number, unit, target, priority="", accepted=True, **extra):
        return oversight.save_recommendation(
            Recommendation(
                report=rpt,
                number=number,
                text=f"Recommendation {number}.",
                unit=unit,
                target_date=target,
                priority=priority,
                accepted=accepted,
                acceptance_comment="" if accepted else "Not feasible.",
                **extra,
            ),
            **who,
        )

    def move(recommendation, status, on, note="Recorded."):
        fresh = Recommendation.objects.get(pk=recommendation.pk)
        dates = {"implemented_on": on} if status == "implemented" else {"effective_on": on}
        return oversight.change_status(fresh, status=status, note=note, **dates, **who)

    oios_old = report("OIOS", "2024/010", D(2024, 3, 1))
    oios_new = report("OIOS", "2025/020", D(2025, 6, 1))
    boa_old = report("BOA", "A/79/5", D(2024, 7, 25))
    boa_new = report("BOA", "A/80/5", D(2025, 7, 25))
    w = {
        "o1": rec(oios_old, "1", ohr, D(2025, 6, 30), "critical"),
        "o2": rec(
            oios_old, "2", pd, D(2025, 3, 31), "important", amount_identified=Decimal("300000")
        ),
        "o3": rec(oios_old, "3", pd, D(2026, 6, 30), "critical", accepted=False),
        "o4": rec(oios_new, "1", ohr, D(2025, 11, 30), "critical"),
        "b1": rec(boa_old, "1", pd, D(2025, 6, 30)),
        "b2": rec(boa_old, "2", ohr, D(2025, 12, 31)),
        "b3": rec(boa_old, "3", pd, D(2024, 12, 31)),
        "b4": rec(boa_old, "4", pd, D(2025, 9, 30)),
        "b5": rec(boa_new, "1", ohr, D(2026, 12, 31), accepted=False),
    }
    move(w["o1"], "in_progress", D(2024, 9, 1), "Work started.")
    move(w["o2"], "implemented", D(2025, 5, 10), "Verified.")
    move(w["b1"], "implemented", D(2025, 3, 1), "Verified.")
    move(w["b2"], "in_progress", D(2024, 10, 1), "Under way.")
    move(w["b3"], "implemented", D(2024, 11, 1), "Verified.")
    return w


def _delegations(units, people) -> dict:
    """KPI 'instruments accepted within 14 days' as at 31 Dec 2025: DMSPC's root, valid from
    1 Feb 2025, accepted on 5 Feb (on time); DOS's root, valid from 20 Dec 2025, accepted on
    2 Jan 2026: within 14 days, but after the period's end, so not on 31 December (0 of 1).
    'Sub-delegations recorded': DMSPC's root is sub-delegated from 1 Mar 2025 (1 of 1); DOS's
    root only from 10 Jan 2026, after the period (0 of 1)."""
    admin, manager, manager2 = people["admin_user"], people["manager"], people["manager2"]

    def issue(delegator, delegatee, unit, valid_from, accepted_on, parent=None):
        instrument = accountability.save_delegation(
            Delegation(
                delegator=delegator,
                delegatee=delegatee,
                unit=unit,
                area="finance",
                limit_amount=Decimal("100000"),
                valid_from=valid_from,
                valid_to=D(2026, 12, 31),
                parent=parent,
            ),
            acting_user=admin if parent is None else delegator,
        )
        return accountability.accept_delegation(
            instrument, acting_user=admin, accepted_on=accepted_on
        )

    deputy = UserWithRoleFactory(
        username="deputy", role_kind=RoleKind.MANAGER, role_unit=units["ohr"]
    )
    PersonFactory(user=deputy, unit=units["ohr"], grade="D-2", name="Dana Deputy")
    deputy2 = UserWithRoleFactory(
        username="deputy2", role_kind=RoleKind.MANAGER, role_unit=units["pd"]
    )
    PersonFactory(user=deputy2, unit=units["pd"], grade="D-1", name="Dev Deputy")
    dmspc = issue(admin, manager, units["dmspc"], D(2025, 2, 1), D(2025, 2, 5))
    dos = issue(admin, manager2, units["dos"], D(2025, 12, 20), D(2026, 1, 2))
    issue(manager, deputy, units["ohr"], D(2025, 3, 1), D(2025, 3, 1), parent=dmspc)
    issue(manager2, deputy2, units["pd"], D(2026, 1, 10), D(2026, 1, 10), parent=dos)
    return {"dmspc": dmspc, "dos": dos}


def _assessment(number, unit, year, status, submitted, reviewed=None, outcome="accept"):
    assessment = governance.save_assessment(
        ParagraphAssessment(
            paragraph=Paragraph.objects.get(number=number),
            unit=unit,
            period_start=D(year, 1, 1),
            period_end=D(year, 12, 31),
            status=status,
            justification=f"Paragraph {number}: what the office found in {year}.",
        ),
        acting_user=SYSTEM,
    )
    governance.submit_assessment(assessment, acting_user=SYSTEM, submitted_on=submitted)
    if reviewed:
        governance.review_assessment(
            assessment,
            acting_user=SYSTEM,
            outcome=outcome,
            reviewed_on=reviewed,
            comment="" if outcome == "accept" else "Add the evidence.",
        )
    return assessment


def _governance(units, admin_user) -> dict:
    """Issue 15's records (counted in the module docstring)."""
    who = {"acting_user": admin_user}
    _assessment(12, units["dmspc"], 2024, "not_started", D(2025, 1, 20), D(2025, 2, 20))
    current = governance.save_assessment(
        ParagraphAssessment(
            paragraph=Paragraph.objects.get(number=12),
            unit=units["dmspc"],
            period_start=D(2025, 1, 1),
            period_end=D(2025, 12, 31),
            status="in_progress",
            justification="Meetings held; follow-up of one decision overdue.",
        ),
        acting_user=SYSTEM,
    )
    governance.add_evidence(
        current,
        acting_user=SYSTEM,
        note="Minutes",
        upload=SimpleUploadedFile("minutes.txt", b"Minutes of the meeting of 12 February 2025."),
    )
    governance.submit_assessment(current, acting_user=SYSTEM, submitted_on=D(2025, 12, 10))
    governance.review_assessment(
        current, acting_user=SYSTEM, outcome="accept", reviewed_on=D(2025, 12, 20)
    )
    _assessment(21, units["dmspc"], 2025, "implemented", D(2025, 6, 1), D(2025, 6, 30))
    late = _assessment(28, units["dos"], 2025, "implemented", D(2025, 12, 15), D(2026, 1, 20))
    _assessment(20, units["pd"], 2025, "in_progress", D(2025, 11, 1), D(2025, 11, 15), "return")

    meeting = governance.save_meeting(
        CommitteeMeeting(held_on=D(2025, 2, 12), agenda="Oversight recommendations past due."),
        **who,
    )
    decisions = [
        governance.save_decision(CommitteeDecision(meeting=meeting, number=n, text=text), **who)
        for n, text in ((1, "Plan each critical recommendation."), (2, "Publish the minutes."))
    ]
    later = governance.save_meeting(
        CommitteeMeeting(held_on=D(2026, 2, 3), agenda="Statement of internal control."), **who
    )
    governance.save_decision(CommitteeDecision(meeting=later, number=1, text="Issue it."), **who)
    done = governance.save_follow_up(
        FollowUpAction(
            decision=decisions[0], unit=units["ohr"], title="Plans", due_on=D(2025, 4, 30)
        ),
        **who,
    )
    governance.change_follow_up_status(done, status="done", changed_on=D(2025, 4, 22), **who)
    open_action = governance.save_follow_up(
        FollowUpAction(
            decision=decisions[1], unit=units["pd"], title="Minutes", due_on=D(2025, 7, 31)
        ),
        **who,
    )
    for code, on in (("OIOS", D(2025, 3, 20)), ("BOA", D(2025, 7, 10)), ("BOA", D(2024, 7, 10))):
        governance.save_consultation(
            Consultation(body=body(code), held_on=on, subject=f"Annual consultation {on.year}"),
            **who,
        )
    indicator = performance.save_indicator(
        Indicator(
            unit=units["ohr"],
            title="Posts filled within 120 days",
            unit_of_measure="%",
            baseline=Decimal("50"),
            target=Decimal("80"),
        ),
        **who,
    )
    for symbol, mandating, on in (
        ("A/RES/79/1", "GA", D(2024, 12, 1)),
        ("S/RES/2790", "SC", D(2025, 6, 1)),
        ("A/RES/80/1", "GA", D(2026, 1, 5)),
    ):
        mandate = governance.save_mandate(
            Mandate(symbol=symbol, body=mandating, adopted_on=on, title=f"Mandate {symbol}"),
            indicators=[indicator] if symbol == "A/RES/79/1" else None,
            **who,
        )
    for system, planned, actual, status in (
        ("umoja", D(2025, 3, 31), D(2025, 3, 15), "achieved"),
        ("umoja", D(2025, 6, 30), None, "delayed"),
        ("inspira", D(2025, 9, 30), D(2025, 10, 15), "achieved"),
    ):
        governance.save_milestone(
            Milestone(
                system=system,
                title=f"{system} {planned}",
                planned_on=planned,
                actual_on=actual,
                status=status,
            ),
            **who,
        )
    for source, on in (("UNDP", D(2025, 3, 1)), ("UNICEF", D(2025, 5, 1)), ("UNDP", D(2024, 5, 1))):
        governance.save_lesson(
            Lesson(
                source_organisation=source,
                title=f"Lesson of {source} {on.year}",
                learned_on=on,
                applied_unit=units["dmspc"],
            ),
            **who,
        )
    return {"late_assessment": late, "open_follow_up": open_action, "mandate": mandate}


def build(units, people) -> dict:
    """The world; returns the records later changes need."""
    admin_user = people["admin_user"]
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

    # Senior managers and compacts (the two heads of entity come with the personas).
    asg = PersonFactory(unit=units["dmspc"], grade="ASG", name="Senior One")
    usg = PersonFactory(unit=units["dos"], grade="USG", name="Senior Two")
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
    late = compact(usg, 2025)  # signed after the period end, by a later change
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

    # Decisions needing no delegation, citing paragraph 8 (when the resolution is loaded): three
    # in 2025 (two units), one in 2024. One title looks like a spreadsheet formula: the XLSX must
    # write it as text.
    for unit, on, title in (
        (units["dmspc"], D(2025, 2, 1), '=HYPERLINK("http://evil")'),
        (units["dmspc"], D(2025, 8, 1), ""),
        (units["dos"], D(2025, 11, 30), ""),
        (units["dos"], D(2024, 6, 1), ""),
    ):
        accountability.save_decision(
            Decision(
                title=title or f"Decision of {on}",
                unit=unit,
                decided_by=admin_user,
                decided_on=on,
            ),
            paragraphs=Paragraph.objects.filter(number=8),
            **who,
        )

    # Two risks on the register, one per department (the heat map has two cells).
    for unit, title, likelihood, impact in (
        (units["dmspc"], "Authority exercised beyond its limits", 4, 5),
        (units["dos"], "Stock losses in the field", 2, 3),
    ):
        risk.save_risk(
            Risk(
                unit=unit,
                title=title,
                category="operational",
                owner=admin_user,
                likelihood=likelihood,
                impact=impact,
                residual_likelihood=2,
                residual_impact=2,
                response="mitigate",
                identified_on=D(2025, 2, 1),
            ),
            **who,
        )
    recommendations = _recommendations(units, admin_user)
    delegations = _delegations(units, people)
    governance_records = _governance(units, admin_user)
    return {
        "governance": governance_records,
        "new_case": new,
        "late_compact": late,
        "open_finding": open_finding,
        "recommendations": recommendations,
        "delegations": delegations,
    }
