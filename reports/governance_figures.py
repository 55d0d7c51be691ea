"""Governance's figures in the paragraph 33 report (issue 15).

governance.metrics gives one nested dict per period (`report_figures`) and the accepted
assessment of each paragraph (`paragraph_assessments`); it has no `report_metrics`, because its
subjects belong to sections other apps also feed. This module places each figure in the section
its subject belongs to, under names that cannot collide with another app's (`total`, `by_body`
mean something else in section C), and gives each one its methodology entry: governance's own
METHODOLOGY where it defines the figure, the entries below otherwise."""

import datetime

from django.conf import settings
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from reports.methodology import AS_AT_END, IN_PERIOD, RATE_NOTE, Figure

SOURCE = "governance"

# governance.metrics.METHODOLOGY is plain English; these copies put its texts in the reports
# catalogue so the annex reads in the report's language (gettext at snapshot time).
gettext_noop(
    "Per paragraph, the assessment accepted by an administrator on or before the period's end "
    "for the latest period begun by then."
)
gettext_noop("Follow-up actions due in the period that were done by the period's end.")
gettext_noop("Milestones planned by the period's end achieved on or before their planned date.")

MILESTONES_DATE_RULE = _(
    "As at the period end: milestones planned on or before it (cancelled ones left out), "
    "achieved when achieved on or before it."
)

LABELS = {
    "committee_meetings": _("Management Committee meetings held"),
    "committee_meetings_published": _("Management Committee meetings published"),
    "committee_decisions": _("Management Committee decisions taken"),
    "committee_follow_up_actions": _("Committee follow-up actions assigned"),
    "committee_follow_up_open": _("Committee follow-up actions open"),
    "committee_follow_up_done": _("Committee follow-up actions done"),
    "committee_follow_up_dropped": _("Committee follow-up actions dropped"),
    "committee_follow_up_overdue": _("Committee follow-up actions overdue"),
    "follow_up_completion_rate": _("Committee follow-up actions due in the period done (%)"),
    "consultations_with_oversight_bodies": _("Consultations with oversight bodies"),
    "consultations_by_body": _("Consultations by oversight body"),
    "mandates_adopted": _("Mandates adopted"),
    "mandates_with_results": _("Mandates with results tied to them"),
    "mandates_with_results_rate": _("Mandates with results tied to them (%)"),
    "mandates_by_body": _("Mandates by mandating body"),
    "inspira_milestones_planned": _("Inspira milestones planned"),
    "inspira_milestones_achieved": _("Inspira milestones achieved"),
    "inspira_milestones_on_time": _("Inspira milestones achieved on time"),
    "inspira_milestones_late": _("Inspira milestones late"),
    "inspira_milestones_on_time_rate": _("Inspira milestones achieved on time (%)"),
    "umoja_milestones_planned": _("Umoja milestones planned"),
    "umoja_milestones_achieved": _("Umoja milestones achieved"),
    "umoja_milestones_on_time": _("Umoja milestones achieved on time"),
    "umoja_milestones_late": _("Umoja milestones late"),
    "umoja_milestones_on_time_rate": _("Umoja milestones achieved on time (%)"),
    "lessons_learned": _("Lessons learned from funds and programmes"),
    "paragraph_assessments": _("Implementation assessment of each paragraph"),
}


def _milestone_figures(system: str) -> dict[str, Figure]:
    return {
        f"{system}_milestones_planned": Figure(
            _("Milestones planned on or before the period end, cancelled ones left out."),
            date_rule=MILESTONES_DATE_RULE,
            source=SOURCE,
        ),
        f"{system}_milestones_achieved": Figure(
            _("Milestones achieved on or before the period end, cancelled ones left out."),
            date_rule=MILESTONES_DATE_RULE,
            source=SOURCE,
        ),
        f"{system}_milestones_on_time": Figure(
            _("Milestones planned by the period end and achieved on or before their planned date."),
            date_rule=MILESTONES_DATE_RULE,
            source=SOURCE,
        ),
        f"{system}_milestones_late": Figure(
            _("Milestones whose planned date is before the period end, not achieved by then."),
            date_rule=MILESTONES_DATE_RULE,
            source=SOURCE,
        ),
    }


FOLLOW_UP_RULE = _(
    "Actions assigned on or before the period end, each with its status on the period end "
    "(from its dated status changes; an action starts open)."
)

FIGURES: dict[str, Figure] = {
    "committee_meetings": Figure(
        _("Management Committee meetings held in the period (paragraph 12)."),
        date_rule=IN_PERIOD,
        source=SOURCE,
    ),
    "committee_meetings_published": Figure(
        _("Of those meetings, the ones whose record is published."),
        date_rule=IN_PERIOD,
        source=SOURCE,
    ),
    "committee_decisions": Figure(
        _("Decisions taken at the Management Committee meetings held in the period."),
        date_rule=IN_PERIOD,
        source=SOURCE,
    ),
    "committee_follow_up_actions": Figure(
        _("Follow-up actions of the Committee's decisions."),
        date_rule=FOLLOW_UP_RULE,
        source=SOURCE,
    ),
    "committee_follow_up_open": Figure(
        _("Follow-up actions open on the period end."), date_rule=FOLLOW_UP_RULE, source=SOURCE
    ),
    "committee_follow_up_done": Figure(
        _("Follow-up actions done by the period end."), date_rule=FOLLOW_UP_RULE, source=SOURCE
    ),
    "committee_follow_up_dropped": Figure(
        _("Follow-up actions dropped by the period end."), date_rule=FOLLOW_UP_RULE, source=SOURCE
    ),
    "committee_follow_up_overdue": Figure(
        _("Follow-up actions open on the period end whose due date is before it."),
        date_rule=FOLLOW_UP_RULE,
        source=SOURCE,
    ),
    "consultations_with_oversight_bodies": Figure(
        _("Consultations held with oversight bodies in the period (paragraph 5)."),
        date_rule=IN_PERIOD,
        source=SOURCE,
    ),
    "consultations_by_body": Figure(
        _("Consultations held in the period, by oversight body."),
        date_rule=IN_PERIOD,
        source=SOURCE,
    ),
    "mandates_adopted": Figure(
        _(
            "Mandates of intergovernmental bodies adopted on or before the period end "
            "(paragraphs 8 and 26)."
        ),
        date_rule=AS_AT_END,
        source=SOURCE,
    ),
    "mandates_with_results": Figure(
        _(
            "Of those mandates, the ones with an expected accomplishment or an indicator tied to "
            "them (as recorded)."
        ),
        date_rule=AS_AT_END,
        source=SOURCE,
    ),
    "mandates_with_results_rate": Figure(
        _("Share of the mandates adopted by the period end with results tied to them."),
        _("Mandates with results tied to them"),
        _("Mandates adopted"),
        RATE_NOTE,
        SOURCE,
    ),
    "mandates_by_body": Figure(
        _("Mandates adopted on or before the period end, by mandating body."),
        date_rule=AS_AT_END,
        source=SOURCE,
    ),
    "lessons_learned": Figure(
        _(
            "Lessons learned in the period from funds, programmes and other organisations, by "
            "source organisation (paragraph 9)."
        ),
        date_rule=IN_PERIOD,
        source=SOURCE,
    ),
    **_milestone_figures("inspira"),
    **_milestone_figures("umoja"),
}


# governance's METHODOLOGY states some rules with its field names (`period_end`, `planned_on`):
# the annex says them in words. A text not listed here is shown as governance wrote it
# (translated when the catalogue knows it; the "no code reaches the report" tests catch a new one).
IN_WORDS = {
    "actions due in the period whose status on period_end is done": _(
        "Actions due in the period whose status on the period end is done."
    ),
    "actions due in the period, not dropped on period_end": _(
        "Actions due in the period, not dropped on the period end."
    ),
    "status from the dated status changes on or before period_end": _(
        "Each action's status from its dated status changes on or before the period end."
    ),
    "achieved on or before planned_on": _("Milestones achieved on or before their planned date."),
    "milestones planned on or before period_end, not cancelled": _(
        "Milestones planned on or before the period end, not cancelled."
    ),
    "planned_on <= period_end; achieved means actual_on <= period_end": _(
        "Planned on or before the period end; achieved means achieved on or before it."
    ),
    "accepted_on <= period_end and period_start <= period_end": _(
        "Accepted on or before the period end, for an assessment period begun by then; an "
        "assessment accepted later, returned to the office or still under review does not count."
    ),
}


def _text(value) -> str:
    if not value:
        return ""
    return str(IN_WORDS[value]) if value in IN_WORDS else gettext(value)


def _from_governance(key: str, entry: dict) -> Figure:
    return Figure(
        _text(entry.get("definition")),
        _text(entry.get("numerator")),
        _text(entry.get("denominator")),
        _text(entry.get("date_rule")),
        SOURCE,
    )


def registry() -> dict[str, Figure]:
    """The entries of governance's figures: governance's METHODOLOGY where it defines one (the
    milestone on-time rate of each system, the follow-up completion rate, the assessments)."""
    from reports.snapshot import _module

    merged = dict(FIGURES)
    module = _module(SOURCE)
    declared = getattr(module, "METHODOLOGY", None) if module is not None else None
    for key, entry in (declared or {}).items():
        if key == "milestones_on_time":
            for system in ("inspira", "umoja"):
                merged[f"{system}_milestones_on_time_rate"] = _from_governance(key, entry)
        else:
            merged[key] = _from_governance(key, entry)
    return merged


def _load(name: str):
    """Governance's function `name`; None when governance is not installed, or when
    REPORT_METRIC_MODULES (a test, a deployment leaving apps out) is set and does not name it."""
    from reports.snapshot import _load as load

    configured = getattr(settings, "REPORT_METRIC_MODULES", None)
    if configured is not None and SOURCE not in configured:
        return None
    return load(SOURCE, name)


def assessments(start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """{paragraph number: the accepted assessment in force at `end`}; {} without governance."""
    found = _load("paragraph_assessments")
    return (found(start, end) or {}) if found else {}


def section_figures(start: datetime.date, end: datetime.date) -> tuple[dict[str, dict], dict]:
    """({section code: {figure: value}}, lessons of the period) as at `end`; ({}, {}) without
    governance."""
    report_figures = _load("report_figures")
    if report_figures is None:
        return {}, {}
    found = report_figures(start, end) or {}
    committee = found.get("committee") or {}
    follow_up = committee.get("follow_up") or {}
    consultations = found.get("consultations") or {}
    mandates = found.get("mandates") or {}
    milestones = found.get("milestones") or {}
    sections: dict[str, dict] = {
        "C": {
            "committee_meetings": committee.get("meetings"),
            "committee_meetings_published": committee.get("meetings_published"),
            "committee_decisions": committee.get("decisions"),
            "committee_follow_up_actions": follow_up.get("total"),
            "committee_follow_up_open": follow_up.get("open"),
            "committee_follow_up_done": follow_up.get("done"),
            "committee_follow_up_dropped": follow_up.get("dropped"),
            "committee_follow_up_overdue": follow_up.get("overdue"),
            "follow_up_completion_rate": follow_up.get("completion_rate"),
            "consultations_with_oversight_bodies": consultations.get("total"),
            "consultations_by_body": consultations.get("by_body") or {},
        },
        "H": {
            "mandates_adopted": mandates.get("total"),
            "mandates_with_results": mandates.get("with_results"),
            "mandates_with_results_rate": mandates.get("with_results_rate"),
            "mandates_by_body": mandates.get("by_body") or {},
        },
    }
    # Inspira is the appraisal system of paragraph 20 (section F); Umoja the ERP of 28-29 (I).
    for system, code in (("inspira", "F"), ("umoja", "I")):
        figures = milestones.get(system) or {}
        sections[code] = {
            f"{system}_milestones_{name}": figures.get(name)
            for name in ("planned", "achieved", "on_time", "late", "on_time_rate")
        }
    return sections, found.get("lessons") or {}


def paragraph_measures(start: datetime.date, end: datetime.date, lessons: dict) -> dict:
    """{paragraph number: [measure]} governance adds to the paragraphs' measures: the lessons of
    the period (paragraph 9) and the deployment milestones as at `end` (Inspira, paragraph 20;
    Umoja, paragraphs 28 and 29); {} without governance."""
    found: dict[int, list] = {}
    measure = lessons_measure(lessons)
    if measure:
        found[9] = [measure]
    milestones = _load("paragraph_milestones")
    for number, items in ((milestones(start, end) or {}) if milestones else {}).items():
        found.setdefault(int(number), []).extend(items)
    return found


def lessons_measure(lessons: dict) -> dict | None:
    """Paragraph 9's measure: the lessons learned in the period, one item per source."""
    if not lessons.get("total"):
        return None
    return {
        "kind": "lessons_learned",
        "label": str(LABELS["lessons_learned"]),
        "count": lessons["total"],
        "items": [
            {"title": f"{source}: {count}", "status": "", "date": None}
            for source, count in (lessons.get("by_source") or {}).items()
        ],
    }


def scalars(sections: dict[str, dict]) -> dict[str, dict]:
    """The single-number figures of `sections` (the previous period's column)."""
    return {
        code: {k: v for k, v in figures.items() if not isinstance(v, dict | list)}
        for code, figures in sections.items()
    }
