"""Demo and scale data for governance: paragraph assessments in every review state with their
evidence, mandates tied to results, Management Committee meetings with decisions and follow-up
(done, dropped, open and overdue), consultations with OIOS, the Board, the JIU and the IAAC,
lessons from UNDP, UNICEF, WFP and UNHCR, and the Umoja and Inspira milestones. seed_demo goes
through the named actions (acting_user=SYSTEM, so the history holds every record) and is
idempotent; seed_scale writes in bulk with history."""

import datetime
import random

from django.apps import apps
from django.db import transaction

from core import history
from core.actions import SYSTEM
from governance import services
from governance.choices import FollowUpStatus, ReviewState
from governance.models import (
    CommitteeDecision,
    CommitteeMeeting,
    Consultation,
    FollowUpAction,
    FollowUpTransition,
    Lesson,
    Mandate,
    Milestone,
    ParagraphAssessment,
)
from org.models import OrgUnit, Paragraph
from org.seed_base import copy_insert
from oversight.models import OversightBody
from performance.models import ExpectedAccomplishment, Indicator


def _d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# symbol, body, adopted_on, title, paragraphs, units whose results serve it
MANDATES = [
    (
        "A/RES/64/259",
        "GA",
        "2010-03-29",
        "Towards an accountability system in the United Nations Secretariat",
        [8, 26],
        ["DMSPC"],
    ),
    (
        "A/RES/60/283",
        "GA",
        "2006-07-07",
        "Investing in the United Nations for a stronger Organization worldwide (enterprise "
        "resource planning)",
        [28, 29],
        ["DMSPC", "DOS"],
    ),
    (
        "A/RES/63/250",
        "GA",
        "2008-12-24",
        "Human resources management",
        [20],
        ["DMSPC-OHR"],
    ),
    (
        "A/RES/77/278",
        "GA",
        "2023-06-30",
        "Financing of the United Nations peacekeeping operations: supply chain",
        [26],
        ["DOS"],
    ),
    (
        "S/RES/2717 (2023)",
        "SC",
        "2023-12-19",
        "The situation concerning the Democratic Republic of the Congo (MONUSCO mandate)",
        [26],
        ["DPO", "MONUSCO"],
    ),
]

# held_on, agenda, summary, public, [(number, text, paragraphs, [(unit, title, due, [(status, on, note)])])]
MEETINGS = [
    (
        "2025-02-12",
        "1. Oversight recommendations past due. 2. Statement of internal control for 2024.",
        "The Committee reviewed 41 OIOS and Board recommendations past their target date and "
        "asked each department to report on a plan for the critical ones.",
        True,
        [
            (
                1,
                "Heads of department report a plan for each critical recommendation past due.",
                [12],
                [
                    (
                        "DMSPC-OHR",
                        "Plan for the OIOS recruitment-timeline recommendation",
                        "2025-04-30",
                        [("done", "2025-04-22", "Plan presented at the May meeting.")],
                    ),
                    (
                        "DOS-PD",
                        "Plan for the Board's vendor-performance recommendations",
                        "2025-04-30",
                        [("done", "2025-05-09", "Plan submitted late, accepted.")],
                    ),
                ],
            ),
            (
                2,
                "The statement of internal control for 2024 is issued with the self-assessments.",
                [31],
                [
                    (
                        "DMSPC-BTAD",
                        "Consolidate the 2024 self-assessments",
                        "2025-03-31",
                        [("done", "2025-03-28", "")],
                    )
                ],
            ),
        ],
    ),
    (
        "2025-05-14",
        "1. Umoja Extension 2 deployment. 2. Inspira performance module use.",
        "The Committee noted the delay of the budget formulation solution and asked for a "
        "recovery plan; appraisal completion in Inspira reached 88 per cent.",
        True,
        [
            (
                1,
                "A recovery plan for the delayed Umoja budget formulation release.",
                [28, 29],
                [
                    (
                        "DMSPC-BTAD",
                        "Recovery plan for Umoja Extension 2 budget formulation",
                        "2025-07-31",
                        [],
                    ),
                ],
            ),
            (
                2,
                "Managers who have not completed appraisals in Inspira are reminded personally.",
                [20],
                [
                    (
                        "DMSPC-OHR",
                        "Personal reminders to managers with incomplete appraisals",
                        "2025-06-30",
                        [("done", "2025-06-20", "")],
                    ),
                    (
                        "DOS",
                        "Mission-level completion targets for appraisals",
                        "2025-09-30",
                        [("dropped", "2025-08-15", "Superseded by the new performance policy.")],
                    ),
                ],
            ),
        ],
    ),
    (
        "2025-09-17",
        "1. Delegation of authority monitoring. 2. Lessons from the funds and programmes.",
        "The Committee reviewed the delegation KPIs and the UNDP and UNICEF experience of "
        "accountability frameworks.",
        False,
        [
            (
                1,
                "Entities below the KPI threshold report corrective measures.",
                [21],
                [
                    (
                        "DOS-PD",
                        "Corrective measures for procurement delegations",
                        "2025-12-31",
                        [],
                    ),
                ],
            ),
        ],
    ),
    (
        "2026-02-11",
        "1. Oversight recommendations past due. 2. The paragraph 33 report.",
        "The Committee approved the outline of the report and the assessments per paragraph.",
        True,
        [
            (
                1,
                "Each accountable office submits its paragraph assessments for 2025.",
                [33],
                [
                    (
                        "DMSPC",
                        "Submit the 2025 paragraph assessments",
                        "2026-03-31",
                        [("done", "2026-03-20", "")],
                    ),
                ],
            ),
        ],
    ),
]

# body, held_on, subject, outcome, system, paragraphs
CONSULTATIONS = [
    (
        "OIOS",
        "2025-03-20",
        "Annual internal audit work plan 2025-2026",
        "Audits of recruitment and of procurement added at management's request.",
        "",
        [5],
    ),
    (
        "JIU",
        "2025-04-08",
        "Review of enterprise risk management across the system",
        "The Secretariat's comments on the draft report were sent.",
        "",
        [5],
    ),
    (
        "BOA",
        "2025-07-10",
        "Umoja Extension 2 and the financial statements (volume I)",
        "The Board will follow the budget formulation delay in its next report.",
        "umoja",
        [5, 28],
    ),
    (
        "IAAC",
        "2025-10-15",
        "Implementation of oversight recommendations",
        "The Committee asked for ageing figures by department in the next briefing.",
        "",
        [5, 12],
    ),
    (
        "OIOS",
        "2026-03-05",
        "Evaluation of the use of the Inspira performance module",
        "Terms of reference agreed.",
        "inspira",
        [5, 20],
    ),
]

# source, title, description, learned_on, unit, how applied, system, paragraphs
LESSONS = [
    (
        "UNDP",
        "An accountability framework backed by a statement of internal control",
        "UNDP's heads of office certify internal control yearly; the certifications roll up.",
        "2025-03-01",
        "DMSPC-BTAD",
        "Self-assessments certified by heads of entity, consolidated into the statement.",
        "",
        [9, 31],
    ),
    (
        "UNICEF",
        "ERP roll-out in waves with super-users in every office",
        "UNICEF's VISION roll-out trained one super-user per office before each wave.",
        "2025-06-01",
        "DOS",
        "Umoja Extension 2 deployed by region with a super-user network.",
        "umoja",
        [9, 28],
    ),
    (
        "WFP",
        "A corporate risk register reviewed quarterly by senior management",
        "WFP's executive management reviews its corporate risks every quarter.",
        "2025-09-01",
        "DMSPC",
        "The Secretariat-wide critical risks are on the Management Committee's agenda.",
        "",
        [9, 30],
    ),
    (
        "UNHCR",
        "Mid-point reviews made mandatory in the performance module",
        "UNHCR raised appraisal completion by blocking the end-of-cycle step without a mid-point.",
        "2026-01-15",
        "DMSPC-OHR",
        "Mid-point review required in Inspira from the 2026 cycle.",
        "inspira",
        [9, 20],
    ),
]

# system, title, planned_on, actual_on, status
MILESTONES = [
    ("umoja", "Umoja Foundation deployed at Headquarters", "2015-06-01", "2015-11-01", "achieved"),
    (
        "umoja",
        "Umoja Extension 1 (human resources, payroll) in all entities",
        "2016-11-01",
        "2016-11-01",
        "achieved",
    ),
    ("umoja", "Umoja Extension 2: supply chain planning", "2021-12-31", "2022-09-30", "achieved"),
    (
        "umoja",
        "Umoja Extension 2: budget formulation for peacekeeping",
        "2025-06-30",
        None,
        "delayed",
    ),
    ("umoja", "Umoja analytics for management dashboards", "2026-12-31", None, "in_progress"),
    ("inspira", "Inspira recruitment module", "2010-04-01", "2010-04-22", "achieved"),
    ("inspira", "Inspira learning management module", "2011-01-31", "2011-06-30", "achieved"),
    ("inspira", "Inspira performance management module", "2011-04-01", "2012-04-01", "achieved"),
    ("inspira", "Inspira migration to the cloud platform", "2025-12-31", None, "in_progress"),
]

# paragraph, unit, period, status, justification, state, submitted_on, reviewed_on, comment, evidence
ASSESSMENTS = [
    (
        12,
        "DMSPC",
        ("2024-01-01", "2024-12-31"),
        "in_progress",
        "The Committee met three times and followed up past-due recommendations; its minutes were "
        "not yet published.",
        "accepted",
        "2025-01-20",
        "2025-02-20",
        "",
        ["meeting"],
    ),
    (
        12,
        "DMSPC",
        ("2025-01-01", "2025-12-31"),
        "implemented",
        "Four meetings, published summaries, every decision with owned and dated follow-up "
        "actions.",
        "accepted",
        "2026-01-25",
        "2026-02-16",
        "",
        ["meeting"],
    ),
    (
        5,
        "DMSPC-BTAD",
        ("2025-01-01", "2025-12-31"),
        "implemented",
        "Consultations held with OIOS, the Board, the JIU and the IAAC on their work plans and "
        "reports.",
        "accepted",
        "2026-01-25",
        "2026-02-16",
        "",
        ["consultation"],
    ),
    (
        9,
        "DMSPC-BTAD",
        ("2025-01-01", "2025-12-31"),
        "in_progress",
        "Lessons from UNDP, UNICEF and WFP applied; a systematic exchange is not yet in place.",
        "accepted",
        "2026-01-25",
        "2026-02-16",
        "",
        ["lesson"],
    ),
    (
        26,
        "DMSPC-OPPFB",
        ("2025-01-01", "2025-12-31"),
        "in_progress",
        "Mandates registered and tied to expected accomplishments; indicators missing for some.",
        "accepted",
        "2026-01-28",
        "2026-02-16",
        "",
        ["mandate"],
    ),
    (
        29,
        "DMSPC-BTAD",
        ("2025-01-01", "2025-12-31"),
        "in_progress",
        "Umoja used for all administrative processes; the budget formulation release is late.",
        "accepted",
        "2026-01-28",
        "2026-02-16",
        "",
        ["milestone"],
    ),
    (
        20,
        "DMSPC-OHR",
        ("2025-01-01", "2025-12-31"),
        "in_progress",
        "Appraisal completion in Inspira at 88 per cent; the cloud migration is under way.",
        "submitted",
        "2026-02-02",
        None,
        "",
        ["milestone"],
    ),
    (
        8,
        "DMSPC",
        ("2025-01-01", "2025-12-31"),
        "in_progress",
        "Decisions and commitments are logged; rewards and sanctions are reported separately.",
        "returned",
        "2026-02-02",
        "2026-02-16",
        "Cite the disciplinary measures and the annual practice report as evidence.",
        [],
    ),
    (
        28,
        "DMSPC-BTAD",
        ("2025-01-01", "2025-12-31"),
        "in_progress",
        "Consultations with UNICEF on its ERP roll-out; measures to strengthen management's use "
        "of Umoja are being drafted.",
        "draft",
        None,
        None,
        "",
        ["lesson"],
    ),
]


# The rest of the operative paragraphs that ask something (4 to 33; 1 to 3 take note, endorse
# and reaffirm): each office's assessment of 2025, the last full period, accepted in February
# 2026 on the evidence of the records the demo holds; and, where the 2025 assessment is still in
# review, returned or a draft (8, 20, 28), the accepted assessment of 2024 that is in force.
# Evidence is ("app.model", {filters}): the first such demo record (any of its kind without a
# match).
Y2025 = ("2025-01-01", "2025-12-31")
Y2024 = ("2024-01-01", "2024-12-31")
ACCEPTED_2025 = ("accepted", "2026-01-26", "2026-02-16", "")
ASSESSMENTS += [
    (
        number,
        code,
        Y2025,
        status,
        justification,
        *ACCEPTED_2025,
        evidence,
    )
    for number, code, status, justification, evidence in [
        (
            4,
            "DMSPC-BTAD",
            "implemented",
            "The JIU's review of accountability frameworks was received and its recommendations "
            "are tracked with the Unit's other recommendations.",
            [("oversight.oversightreport", {"body__code": "JIU"})],
        ),
        (
            6,
            "DMSPC-OHR",
            "in_progress",
            "The four mandatory courses (ethics, fraud and corruption, delegation of authority, "
            "results-based management) are tracked by unit; completion is below target in some "
            "offices.",
            [
                ("performance.course", {"area": "delegation_of_authority"}),
                ("performance.course", {"area": "ethics"}),
            ],
        ),
        (
            7,
            "DMSPC",
            "in_progress",
            "Decisions outside delegated authority are reviewed by the Department and the "
            "outcome recorded; internal controls are tested each year.",
            [("accountability.decision", {"within_authority": False}), ("risk.control", {})],
        ),
        (
            10,
            "DMSPC-OPPFB",
            "in_progress",
            "Indicator results are recorded for each budget period with their trend, and budget "
            "performance by unit is imported from Umoja.",
            [("performance.indicator", {}), ("performance.budgetperformance", {})],
        ),
        (
            11,
            "DMSPC-OPPFB",
            "in_progress",
            "Efficiency indicators carry the cost per output for three services; the others have "
            "no cost data yet.",
            [("performance.indicator", {"kind": "efficiency"})],
        ),
        (
            13,
            "DMSPC",
            "in_progress",
            "Commitments are owned and dated and each compact objective shows the commitments and "
            "results behind it.",
            [("accountability.commitment", {"status": "honoured"}), ("performance.compact", {})],
        ),
        (
            14,
            "DMSPC-OHR",
            "in_progress",
            "Compacts signed by every head of department; the link to the impact of the human "
            "resources reform is reported in aggregate.",
            [("performance.compact", {"status": "signed"})],
        ),
        (
            15,
            "DMSPC",
            "in_progress",
            "Decisions, commitments and delegations are logged against the definition of "
            "paragraph 8; the measures are reported in this report's section A.",
            [("accountability.decision", {}), ("accountability.commitment", {})],
        ),
        (
            16,
            "DMSPC-OHR",
            "in_progress",
            "The Management Performance Board reviewed the compacts and its findings are followed "
            "up with each senior manager.",
            [("performance.boardfinding", {})],
        ),
        (
            17,
            "DMSPC",
            "in_progress",
            "Misconduct findings are followed by recovery actions; recovery of the amounts lost "
            "is partial.",
            [("risk.recoverycase", {}), ("performance.disciplinarycase", {})],
        ),
        (
            18,
            "DMSPC-OHR",
            "implemented",
            "Every senior manager's compact was assessed for the year and the results published "
            "in aggregate.",
            [("performance.compact", {"status": "assessed"})],
        ),
        (
            19,
            "DMSPC-BTAD",
            "implemented",
            "The JIU's report on the selection of senior managers was received and its "
            "recommendations accepted.",
            [("oversight.oversightreport", {"body__code": "JIU"})],
        ),
        (
            21,
            "DMSPC",
            "implemented",
            "Every head of entity holds an accepted instrument; sub-delegations and decisions "
            "outside authority are recorded and reviewed.",
            [("accountability.delegation", {"parent__isnull": True})],
        ),
        (
            22,
            "DMSPC-OPPFB",
            "implemented",
            "Expected accomplishments and indicators are set for every programme in the budget.",
            [("performance.expectedaccomplishment", {})],
        ),
        (
            23,
            "DMSPC-BTAD",
            "in_progress",
            "Results-based management is applied in most entities; targets are not yet set for "
            "every indicator.",
            [("performance.indicator", {}), ("performance.rbmresponsibility", {})],
        ),
        (
            24,
            "DMSPC-BTAD",
            "in_progress",
            "Results are reviewed each period and compared with the previous ones; the use of "
            "results in planning is uneven.",
            [("performance.indicator", {})],
        ),
        (
            25,
            "DMSPC-BTAD",
            "implemented",
            "A senior official is responsible for results-based management in each entity.",
            [("performance.rbmresponsibility", {})],
        ),
        (
            27,
            "DOS",
            "in_progress",
            "Budget utilisation and the Umoja releases are monitored; the budget formulation "
            "release is late.",
            [("performance.budgetperformance", {}), ("governance.milestone", {"system": "umoja"})],
        ),
        (
            30,
            "DMSPC",
            "in_progress",
            "Risk registers are current in most units and Secretariat-wide critical risks have "
            "owners and treatments.",
            [("risk.risk", {}), ("risk.criticalrisk", {})],
        ),
        (
            31,
            "DMSPC",
            "in_progress",
            "The units' self-assessments are rolled up into a statement of internal control; "
            "significant deficiencies are listed with their remediation.",
            [("risk.internalcontrolstatement", {}), ("risk.controltest", {})],
        ),
        (
            32,
            "DOS-PD",
            "in_progress",
            "Evaluation panels declare their interests for every case; flagged cases are cleared "
            "before award and vendor sanctions are recorded.",
            [("risk.procurementcase", {}), ("risk.vendorsanction", {})],
        ),
        (
            33,
            "DMSPC",
            "implemented",
            "The implementation report is compiled from the tracker for each period and issued "
            "with its data snapshot.",
            [("governance.mandate", {"symbol": "A/RES/64/259"})],
        ),
    ]
] + [
    # 2024's accepted assessments, in force while 2025's are in review (20), returned (8) or
    # drafted (28).
    (
        8,
        "DMSPC",
        Y2024,
        "in_progress",
        "Decisions and commitments are logged against the definition; mandates are registered.",
        "accepted",
        "2025-01-27",
        "2025-02-18",
        "",
        [("accountability.commitment", {}), "mandate"],
    ),
    (
        20,
        "DMSPC-OHR",
        Y2024,
        "in_progress",
        "The performance module is in use in every entity; the cloud migration was planned.",
        "accepted",
        "2025-01-27",
        "2025-02-18",
        "",
        ["milestone"],
    ),
    (
        28,
        "DMSPC-BTAD",
        Y2024,
        "in_progress",
        "Umoja Extension 2 supply chain planning was deployed; lessons from other organisations' "
        "ERP roll-outs are collected.",
        "accepted",
        "2025-01-27",
        "2025-02-18",
        "",
        ["milestone", "lesson"],
    ),
]


def _evidence_reference(kind, paragraph: int) -> str | None:
    """A typed link to a demo record that answers the paragraph."""
    if isinstance(kind, tuple):
        label, filters = kind
        app_label, model_name = label.split(".")
        model = apps.get_model(app_label, model_name)
        rows = model._default_manager.order_by("pk")
        found = rows.filter(**filters).first() or rows.first()
        return f"{label}:{found.pk}" if found else None
    model = {
        "meeting": CommitteeMeeting,
        "consultation": Consultation,
        "lesson": Lesson,
        "mandate": Mandate,
        "milestone": Milestone,
    }[kind]
    rows = model.objects.order_by("pk")
    if kind in ("consultation", "lesson", "mandate"):
        rows = rows.filter(paragraphs__number=paragraph) or rows
    if kind == "milestone":
        rows = rows.filter(system="inspira" if paragraph == 20 else "umoja")
    found = rows.first()
    return f"governance.{model._meta.model_name}:{found.pk}" if found else None


def seed_demo(stdout=None) -> dict[str, int]:
    units = {u.code: u for u in OrgUnit.objects.all()}
    paragraphs = {p.number: p for p in Paragraph.objects.all()}
    bodies = {b.code: b for b in OversightBody.objects.all()}

    def cite(numbers):
        return [paragraphs[n] for n in numbers if n in paragraphs]

    for symbol, body, adopted, title, numbers, unit_codes in MANDATES:
        if Mandate.objects.filter(symbol=symbol).exists():
            continue
        serving = [units[c].pk for c in unit_codes if c in units]
        services.save_mandate(
            Mandate(symbol=symbol, body=body, adopted_on=_d(adopted), title=title),
            acting_user=SYSTEM,
            accomplishments=ExpectedAccomplishment.objects.filter(unit_id__in=serving)[:3],
            indicators=Indicator.objects.filter(unit_id__in=serving)[:3],
            paragraphs=cite(numbers),
        )

    for held, agenda, summary, public, decisions in MEETINGS:
        meeting = CommitteeMeeting.objects.filter(held_on=_d(held)).first()
        if meeting is None:
            meeting = services.save_meeting(
                CommitteeMeeting(
                    held_on=_d(held), agenda=agenda, minutes_summary=summary, is_public=public
                ),
                acting_user=SYSTEM,
            )
        for number, text, numbers, follow_ups in decisions:
            if meeting.decisions.filter(number=number).exists():
                continue
            decision = services.save_decision(
                CommitteeDecision(meeting=meeting, number=number, text=text),
                acting_user=SYSTEM,
                paragraphs=cite(numbers),
            )
            for code, title, due, changes in follow_ups:
                if code not in units:
                    continue
                follow_up = services.save_follow_up(
                    FollowUpAction(
                        decision=decision, unit=units[code], title=title, due_on=_d(due)
                    ),
                    acting_user=SYSTEM,
                )
                for status, on, note in changes:
                    services.change_follow_up_status(
                        follow_up, acting_user=SYSTEM, status=status, changed_on=_d(on), note=note
                    )

    for code, held, subject, outcome, system, numbers in CONSULTATIONS:
        if code not in bodies or Consultation.objects.filter(subject=subject).exists():
            continue
        services.save_consultation(
            Consultation(
                body=bodies[code], held_on=_d(held), subject=subject, outcome=outcome, system=system
            ),
            acting_user=SYSTEM,
            paragraphs=cite(numbers),
        )

    for source, title, description, learned, code, how, system, numbers in LESSONS:
        if code not in units or Lesson.objects.filter(title=title).exists():
            continue
        services.save_lesson(
            Lesson(
                source_organisation=source,
                title=title,
                description=description,
                learned_on=_d(learned),
                applied_unit=units[code],
                applied_how=how,
                system=system,
            ),
            acting_user=SYSTEM,
            paragraphs=cite(numbers),
        )

    for system, title, planned, actual, status in MILESTONES:
        if Milestone.objects.filter(system=system, title=title).exists():
            continue
        services.save_milestone(
            Milestone(
                system=system,
                title=title,
                planned_on=_d(planned),
                actual_on=_d(actual) if actual else None,
                status=status,
            ),
            acting_user=SYSTEM,
        )

    for (
        number,
        code,
        (start, end),
        status,
        justification,
        state,
        submitted,
        reviewed,
        comment,
        evidence,
    ) in ASSESSMENTS:
        if number not in paragraphs or code not in units:
            continue
        if ParagraphAssessment.objects.filter(
            paragraph=paragraphs[number], period_start=_d(start), period_end=_d(end)
        ).exists():
            continue
        assessment = services.save_assessment(
            ParagraphAssessment(
                paragraph=paragraphs[number],
                unit=units[code],
                period_start=_d(start),
                period_end=_d(end),
                status=status,
                justification=justification,
            ),
            acting_user=SYSTEM,
        )
        for kind in evidence:
            reference = _evidence_reference(kind, number)
            if reference:
                services.add_evidence(assessment, acting_user=SYSTEM, reference=reference)
        if state == ReviewState.DRAFT:
            continue
        services.submit_assessment(assessment, acting_user=SYSTEM, submitted_on=_d(submitted))
        if state in (ReviewState.ACCEPTED, ReviewState.RETURNED):
            services.review_assessment(
                assessment,
                acting_user=SYSTEM,
                outcome="accept" if state == ReviewState.ACCEPTED else "return",
                comment=comment,
                reviewed_on=_d(reviewed),
            )

    return {
        "mandates": Mandate.objects.count(),
        "committee meetings": CommitteeMeeting.objects.count(),
        "follow-up actions": FollowUpAction.objects.count(),
        "consultations": Consultation.objects.count(),
        "lessons learned": Lesson.objects.count(),
        "milestones": Milestone.objects.count(),
        "paragraph assessments": ParagraphAssessment.objects.count(),
    }


# --- Scale -------------------------------------------------------------------------------

SOURCES = ["UNDP", "UNICEF", "UNFPA", "WFP", "UNHCR", "UNOPS", "UN-Women", "ILO"]


def _bulk(model, objs) -> None:
    copy_insert(model, objs)
    history.record_bulk(objs)


def seed_scale(factor: float, progress) -> dict[str, int]:
    """Ten years of the Committee at factor 1: 120 meetings with 600 decisions and 2,400
    follow-up actions (with their dated status changes), 500 consultations, 300 lessons, 2,000
    mandates; assessments for every paragraph and year (33 × 10, whatever the factor). Reruns
    add only what is missing."""
    rng = random.Random(5_9_12)
    unit_ids = list(
        OrgUnit.objects.filter(code__startswith="S-").values_list("pk", flat=True)
    ) or list(OrgUnit.objects.values_list("pk", flat=True))
    body_ids = list(OversightBody.objects.values_list("pk", flat=True))
    base = datetime.date(2016, 1, 1)
    n_meetings = max(1, round(120 * factor))
    n_consultations, n_lessons = round(500 * factor), round(300 * factor)
    n_mandates = round(2_000 * factor)

    with transaction.atomic():
        done = CommitteeMeeting.objects.filter(agenda__startswith="S-agenda ").count()
        meetings = [
            CommitteeMeeting(
                held_on=base + datetime.timedelta(days=30 * n),
                agenda=f"S-agenda {n:04d}",
                minutes_summary="Synthetic meeting.",
                is_public=n % 4 != 0,
            )
            for n in range(done, n_meetings)
        ]
        _bulk(CommitteeMeeting, meetings)
        decisions = [
            CommitteeDecision(meeting=m, number=k, text=f"S-decision {m.agenda} {k}")
            for m in meetings
            for k in range(1, 6)
        ]
        _bulk(CommitteeDecision, decisions)
        follow_ups, changes = [], []
        today = datetime.date.today()
        for decision in decisions:
            held = decision.meeting.held_on
            for _k in range(4):
                due = held + datetime.timedelta(days=rng.randint(30, 240))
                roll = rng.random()
                status = "done" if roll < 0.7 else ("dropped" if roll < 0.8 else "open")
                on = min(today, due + datetime.timedelta(days=rng.randint(-30, 60)))
                follow_ups.append(
                    FollowUpAction(
                        decision=decision,
                        unit_id=unit_ids[rng.randrange(len(unit_ids))],
                        title=f"S-follow-up {decision.pk}",
                        assigned_on=held,
                        due_on=due,
                        status=status,
                        status_on=None if status == "open" else max(on, held),
                    )
                )
        _bulk(FollowUpAction, follow_ups)
        for follow_up in follow_ups:
            if follow_up.status != FollowUpStatus.OPEN:
                changes.append(
                    FollowUpTransition(
                        action=follow_up,
                        from_status="open",
                        to_status=follow_up.status,
                        changed_on=follow_up.status_on,
                        actor="command:seed_scale",
                        note="Synthetic.",
                    )
                )
        _bulk(FollowUpTransition, changes)
    progress("committee meetings", n_meetings, n_meetings)

    with transaction.atomic():
        done = Consultation.objects.filter(subject__startswith="S-consultation ").count()
        _bulk(
            Consultation,
            [
                Consultation(
                    body_id=body_ids[n % len(body_ids)],
                    held_on=base + datetime.timedelta(days=7 * n % 3650),
                    subject=f"S-consultation {n:05d}",
                    system=["", "", "umoja", "inspira"][n % 4],
                )
                for n in range(done, n_consultations)
            ]
            if body_ids
            else [],
        )
        done = Lesson.objects.filter(title__startswith="S-lesson ").count()
        _bulk(
            Lesson,
            [
                Lesson(
                    source_organisation=SOURCES[n % len(SOURCES)],
                    title=f"S-lesson {n:05d}",
                    learned_on=base + datetime.timedelta(days=11 * n % 3650),
                    applied_unit_id=unit_ids[n % len(unit_ids)],
                    system=["", "umoja", "inspira"][n % 3],
                )
                for n in range(done, n_lessons)
            ],
        )
        done = Mandate.objects.filter(symbol__startswith="S/MANDATE/").count()
        _bulk(
            Mandate,
            [
                Mandate(
                    symbol=f"S/MANDATE/{n:05d}",
                    body=["GA", "SC", "ECOSOC", "HRC"][n % 4],
                    adopted_on=base + datetime.timedelta(days=n % 3650),
                    title=f"Synthetic mandate {n}",
                )
                for n in range(done, n_mandates)
            ],
        )
    progress("consultations, lessons, mandates", 1, 1)

    with transaction.atomic():
        paragraphs = list(Paragraph.objects.order_by("number"))
        existing = set(ParagraphAssessment.objects.values_list("paragraph_id", "period_start"))
        statuses = ["implemented", "in_progress", "in_progress", "not_started", "not_applicable"]
        assessments = []
        for year in range(2016, 2026):
            start = datetime.date(year, 1, 1)
            for paragraph in paragraphs:
                if (paragraph.pk, start) in existing:
                    continue
                reviewed = datetime.date(year + 1, 2, 15)
                assessments.append(
                    ParagraphAssessment(
                        paragraph=paragraph,
                        unit_id=unit_ids[paragraph.number % len(unit_ids)],
                        period_start=start,
                        period_end=datetime.date(year, 12, 31),
                        status=statuses[(paragraph.number + year) % len(statuses)],
                        justification="Synthetic assessment.",
                        state=ReviewState.ACCEPTED,
                        submitted_on=datetime.date(year + 1, 1, 31),
                        reviewed_on=reviewed,
                        accepted_on=reviewed,
                    )
                )
        _bulk(ParagraphAssessment, assessments)
    progress("paragraph assessments", 1, 1)
    return {
        "committee meetings": CommitteeMeeting.objects.count(),
        "follow-up actions": FollowUpAction.objects.count(),
        "paragraph assessments": ParagraphAssessment.objects.count(),
    }
