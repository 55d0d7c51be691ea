"""The figures governance gives the paragraph 33 report and the pages, each as at a date from
dated fields (acceptance, holding, due and status-change dates), so a closed period gives the
same figures whenever it is compiled. Rates through core.figures.rate."""

import datetime

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.figures import rate
from governance.choices import FollowUpStatus, MilestoneStatus, System
from governance.models import (
    AssessmentEvidence,
    CommitteeDecision,
    CommitteeMeeting,
    Consultation,
    FollowUpAction,
    Lesson,
    Mandate,
    Milestone,
    ParagraphAssessment,
)

# The paragraphs each kind of governance record answers.
PARAGRAPHS = {
    "consultation": (5,),
    "mandate": (8, 26),
    "lesson": (9,),
    "committee": (12,),
    "inspira": (20,),
    "umoja": (28, 29),
}

METHODOLOGY = {
    "paragraph_assessments": {
        "definition": "Per paragraph, the assessment accepted by an administrator on or before "
        "the period's end for the latest period begun by then.",
        "numerator": "",
        "denominator": "",
        "date_rule": "accepted_on <= period_end and period_start <= period_end",
    },
    "follow_up_completion_rate": {
        "definition": "Follow-up actions due in the period that were done by the period's end.",
        "numerator": "actions due in the period whose status on period_end is done",
        "denominator": "actions due in the period, not dropped on period_end",
        "date_rule": "status from the dated status changes on or before period_end",
    },
    "milestones_on_time": {
        "definition": "Milestones planned by the period's end achieved on or before their "
        "planned date.",
        "numerator": "achieved on or before planned_on",
        "denominator": "milestones planned on or before period_end, not cancelled",
        "date_rule": "planned_on <= period_end; achieved means actual_on <= period_end",
    },
}


def paragraph_assessments(start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """{paragraph number: the assessment in force at `end`}: status, office, its period, the day
    it was accepted, and how much evidence it rests on. Paragraphs without one are absent."""
    rows = (
        ParagraphAssessment.objects.in_force(end)
        .annotate(evidence_count=Count("evidence"))
        .values(
            "pk",
            "paragraph__number",
            "unit__code",
            "status",
            "period_start",
            "period_end",
            "accepted_on",
            "justification",
            "evidence_count",
        )
    )
    found: dict[int, dict] = {}
    for row in rows:  # ordered latest first within each paragraph
        number = row["paragraph__number"]
        if number in found:
            continue
        found[number] = {
            "assessment": row["pk"],
            "status": row["status"],
            "unit": row["unit__code"],
            "period_start": row["period_start"].isoformat(),
            "period_end": row["period_end"].isoformat(),
            "accepted_on": row["accepted_on"].isoformat(),
            "justification": row["justification"],
            "evidence": row["evidence_count"],
            "covers_period": row["period_end"] >= start,
        }
    return found


def follow_ups(start: datetime.date, end: datetime.date) -> dict:
    """Follow-up actions of the Management Committee as at `end`: by status, overdue, and the
    completion rate of those due in the period."""
    actions = FollowUpAction.objects.all().with_status_on(end)
    totals = actions.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status_then=FollowUpStatus.OPEN)),
        done=Count("pk", filter=Q(status_then=FollowUpStatus.DONE)),
        dropped=Count("pk", filter=Q(status_then=FollowUpStatus.DROPPED)),
        overdue=Count("pk", filter=Q(status_then=FollowUpStatus.OPEN, due_on__lt=end)),
        due_in_period=Count(
            "pk",
            filter=Q(due_on__gte=start, due_on__lte=end) & ~Q(status_then=FollowUpStatus.DROPPED),
        ),
        done_of_due=Count(
            "pk",
            filter=Q(due_on__gte=start, due_on__lte=end, status_then=FollowUpStatus.DONE),
        ),
    )
    totals["completion_rate"] = rate(totals["done_of_due"], totals["due_in_period"])
    return totals


def committee(start: datetime.date, end: datetime.date) -> dict:
    """Meetings held and decisions taken in the period (published ones listed), and the follow-up
    of its decisions as at `end` (para 12)."""
    meetings = CommitteeMeeting.objects.filter(held_on__gte=start, held_on__lte=end)
    decisions = CommitteeDecision.objects.filter(
        meeting__held_on__gte=start, meeting__held_on__lte=end
    )
    published = list(
        meetings.filter(is_public=True)
        .annotate(decisions_taken=Count("decisions"))
        .order_by("held_on", "pk")
        .values("held_on", "agenda", "minutes_summary", "decisions_taken")
    )
    return {
        "meetings": meetings.count(),
        "meetings_published": len(published),
        "decisions": decisions.count(),
        "published": [{**m, "held_on": m["held_on"].isoformat()} for m in published],
        "follow_up": follow_ups(start, end),
    }


def consultations(start: datetime.date, end: datetime.date) -> dict:
    """Consultations held with each oversight body in the period (para 5)."""
    rows = (
        Consultation.objects.filter(held_on__gte=start, held_on__lte=end)
        .values("body__code")
        .annotate(n=Count("pk"))
        .order_by("body__code")
    )
    by_body = {r["body__code"]: r["n"] for r in rows}
    return {"total": sum(by_body.values()), "by_body": by_body}


def lessons(start: datetime.date, end: datetime.date) -> dict:
    """Lessons learned in the period, by source organisation, and those about an enterprise
    system (para 9; para 28 for ERP)."""
    rows = Lesson.objects.filter(learned_on__gte=start, learned_on__lte=end)
    by_source = {
        r["source_organisation"]: r["n"]
        for r in rows.values("source_organisation")
        .annotate(n=Count("pk"))
        .order_by("source_organisation")
    }
    return {
        "total": sum(by_source.values()),
        "by_source": by_source,
        "about_umoja": rows.filter(system=System.UMOJA).count(),
        "about_inspira": rows.filter(system=System.INSPIRA).count(),
    }


def milestones(end: datetime.date) -> dict:
    """Per system, as at `end`: milestones planned by then, achieved by then, on time, and late
    (planned by then, not achieved by then); cancelled ones are left out (paras 20, 28, 29)."""
    result = {}
    for system in System.values:
        rows = Milestone.objects.filter(system=system).exclude(status=MilestoneStatus.CANCELLED)
        figures = rows.aggregate(
            planned=Count("pk", filter=Q(planned_on__lte=end)),
            achieved=Count("pk", filter=Q(actual_on__lte=end)),
            on_time=Count(
                "pk",
                filter=Q(planned_on__lte=end, actual_on__lte=end)
                & Q(actual_on__lte=F("planned_on")),
            ),
            late=Count(
                "pk",
                filter=Q(planned_on__lt=end) & (Q(actual_on__isnull=True) | Q(actual_on__gt=end)),
            ),
        )
        figures["on_time_rate"] = rate(figures["on_time"], figures["planned"])
        result[system] = figures
    return result


def milestone_status_on(milestone: dict, end: datetime.date) -> str:
    """A milestone's status as at `end`, from its dates alone (the stored status is today's):
    achieved once achieved by then; delayed when its planned date had passed by then; planned
    otherwise."""
    if milestone["actual_on"] is not None and milestone["actual_on"] <= end:
        return MilestoneStatus.ACHIEVED
    if milestone["planned_on"] < end:
        return MilestoneStatus.DELAYED
    return MilestoneStatus.PLANNED


# The paragraphs each system's milestones answer, and the label of their measure.
MILESTONE_PARAGRAPHS = {System.INSPIRA: (20,), System.UMOJA: (28, 29)}


def paragraph_milestones(start: datetime.date, end: datetime.date) -> dict[int, list[dict]]:
    """The report's measures of paragraphs 20 (Inspira) and 28-29 (Umoja): per system, the
    milestones planned or achieved on or before `end` (cancelled ones left out), each with its
    status as at `end` and the date that status rests on. One query."""
    rows = (
        Milestone.objects.exclude(status=MilestoneStatus.CANCELLED)
        .filter(Q(planned_on__lte=end) | Q(actual_on__lte=end))
        .order_by("system", "planned_on", "pk")
        .values("pk", "system", "title", "planned_on", "actual_on")
    )
    by_system: dict[str, list[dict]] = {}
    for row in rows:
        status = milestone_status_on(row, end)
        on = row["actual_on"] if status == MilestoneStatus.ACHIEVED else row["planned_on"]
        by_system.setdefault(row["system"], []).append(
            {
                "title": row["title"],
                "status": status,
                "status_kind": "milestone_status",
                "date": on.isoformat(),
                "planned_on": row["planned_on"].isoformat(),
            }
        )
    labels = {System.INSPIRA: _("Inspira milestones"), System.UMOJA: _("Umoja milestones")}
    found: dict[int, list[dict]] = {}
    for system, numbers in MILESTONE_PARAGRAPHS.items():
        items = by_system.get(system)
        if not items:
            continue
        for number in numbers:
            found.setdefault(number, []).append(
                {
                    "kind": f"{system}_milestones",
                    "label": str(labels[system]),
                    "count": len(items),
                    "achieved": sum(i["status"] == MilestoneStatus.ACHIEVED for i in items),
                    "items": items,
                }
            )
    return found


def milestones_of_paragraph(number: int, user, today: datetime.date) -> list:
    """The deployment milestones that answer paragraph `number` (20, 28, 29), as the user may
    read them, for the paragraph page; [] for any other paragraph."""
    systems = [s for s, numbers in MILESTONE_PARAGRAPHS.items() if number in numbers]
    if not systems:
        return []
    return list(
        Milestone.objects.restrict(user, "view")
        .filter(system__in=systems)
        .order_by("planned_on", "pk")
    )


def mandates(end: datetime.date) -> dict:
    """Mandates adopted by `end`, and how many have results (an expected accomplishment or an
    indicator) tied to them (paras 8, 26)."""
    rows = Mandate.objects.filter(adopted_on__lte=end)
    with_results = rows.filter(
        Q(accomplishments__isnull=False) | Q(indicators__isnull=False)
    ).distinct()
    by_body = {
        r["body"]: r["n"] for r in rows.values("body").annotate(n=Count("pk")).order_by("body")
    }
    total = sum(by_body.values())
    linked = with_results.count()
    return {
        "total": total,
        "with_results": linked,
        "with_results_rate": rate(linked, total),
        "by_body": by_body,
    }


def report_figures(start: datetime.date, end: datetime.date) -> dict:
    """Everything above for one period, for the report snapshot."""
    return {
        "paragraph_assessments": {
            str(k): v for k, v in sorted(paragraph_assessments(start, end).items())
        },
        "committee": committee(start, end),
        "consultations": consultations(start, end),
        "lessons": lessons(start, end),
        "milestones": milestones(end),
        "mandates": mandates(end),
    }


# --- Pages ----------------------------------------------------------------------------------


def paragraph_evidence(user) -> dict:
    """What governance holds against each paragraph, counted among what `user` may read (the
    "measures recorded" facts shown beside the assessment on /resolution/)."""
    from core.registry import Evidence

    def count(model, **filters):
        return model.objects.restrict(user, "view").filter(**filters).count()

    consultations_n = count(Consultation)
    mandates_n = count(Mandate)
    lessons_n = count(Lesson)
    meetings_n = count(CommitteeMeeting)
    follow_n = count(FollowUpAction)
    inspira_n = count(Milestone, system=System.INSPIRA)
    umoja_n = count(Milestone, system=System.UMOJA)
    found: dict[int, list] = {}

    def add(numbers, label, n, url):
        if n:
            for number in numbers:
                found.setdefault(number, []).append(Evidence(label, n, url))

    add(
        (5,),
        _("Consultations with oversight bodies"),
        consultations_n,
        reverse("governance:consultation_list"),
    )
    add((8, 26), _("Mandates"), mandates_n, reverse("governance:mandate_list"))
    add((9,), _("Lessons learned"), lessons_n, reverse("governance:lesson_list"))
    add((12,), _("Management Committee meetings"), meetings_n, reverse("governance:meeting_list"))
    add((12,), _("Committee follow-up actions"), follow_n, reverse("governance:followup_list"))
    add(
        (20,),
        _("Inspira milestones"),
        inspira_n,
        reverse("governance:milestone_list") + "?system=inspira",
    )
    add(
        (28, 29),
        _("Umoja milestones"),
        umoja_n,
        reverse("governance:milestone_list") + "?system=umoja",
    )
    return found


def paragraph_evidence_numbers() -> set[int]:
    """The paragraphs governance records answer, among the records that exist."""
    from core.actions import SYSTEM

    return set(paragraph_evidence(SYSTEM))


def dashboard_cards(user) -> list:
    from core.registry import Card

    if not ParagraphAssessment.objects.restrict(user, "view").query.is_empty():
        today = timezone.localdate()
        overdue = FollowUpAction.objects.restrict(user, "view").overdue(today).count()
        waiting = (
            ParagraphAssessment.objects.restrict(user, "review").filter(state="submitted").count()
        )
        cards = [
            Card(
                "governance",
                _("Overdue Committee follow-up actions"),
                overdue,
                reverse("governance:followup_list") + "?overdue=true",
                tone="alert" if overdue else "",
            )
        ]
        if waiting:
            cards.append(
                Card(
                    "governance",
                    _("Paragraph assessments awaiting review"),
                    waiting,
                    reverse("governance:assessment_list") + "?state=submitted",
                    tone="warn",
                )
            )
        return cards
    return []


def evidence_of(assessment_ids) -> dict[int, list]:
    """The evidence of several assessments in one query (the resolution page)."""
    found: dict[int, list] = {}
    for item in AssessmentEvidence.objects.filter(assessment_id__in=list(assessment_ids)):
        found.setdefault(item.assessment_id, []).append(item)
    return found
