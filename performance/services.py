"""Every change that matters in performance: one named action each (core.actions). The pages,
the API, the admin, seeds, commands and tasks all call these; the action wrapper checks the
acting user's right through the model's policy (performance.policies), runs the function in one
transaction and attributes its history to that user. The functions validate the record
(ValidationError with field messages) and keep the domain rules."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.actions import action
from org.models import Paragraph
from performance.choices import CompactStatus, FindingStatus
from performance.models import (
    Appraisal,
    BoardFinding,
    Compact,
    CompactObjective,
    ExpectedAccomplishment,
    Indicator,
    IndicatorResult,
    RBMResponsibility,
    UnderperformanceCase,
)


def _save(instance, paragraphs: Iterable[Paragraph] | None = None):
    instance.full_clean(validate_unique=False, validate_constraints=False)
    instance.save()
    if paragraphs is not None:
        instance.paragraphs.set(paragraphs)
    return instance


# --- Compacts ------------------------------------------------------------------------------


@action(Compact, "save")
def save_compact(
    compact: Compact, *, acting_user, paragraphs: Iterable[Paragraph] | None = None
) -> Compact:
    if not compact.unit_id and compact.senior_manager_id:
        compact.unit_id = compact.senior_manager.unit_id
    return _save(compact, paragraphs)


@action(Compact, "sign")
def sign_compact(compact: Compact, *, acting_user, signed_on: datetime.date) -> Compact:
    """Record the signature of a draft compact (it needs its objectives first)."""
    if compact.status != CompactStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft compact can be signed.")})
    if not compact.objectives.exists():
        raise ValidationError({"status": _("Add the compact's objectives before it is signed.")})
    compact.status = CompactStatus.SIGNED
    compact.signed_on = signed_on
    return _save(compact)


@action(Compact, "assess")
def assess_compact(
    compact: Compact,
    *,
    acting_user,
    assessed_on: datetime.date,
    mpb_rating: str,
    mpb_assessment: str,
) -> Compact:
    """Record the Management Performance Board's end-of-year assessment (paragraph 18)."""
    if compact.status != CompactStatus.SIGNED:
        raise ValidationError({"status": _("Only a signed compact can be assessed.")})
    compact.status = CompactStatus.ASSESSED
    compact.assessed_on = assessed_on
    compact.mpb_rating = mpb_rating
    compact.mpb_assessment = mpb_assessment
    return _save(compact)


@action(CompactObjective, "save")
def save_objective(
    objective: CompactObjective,
    *,
    acting_user,
    paragraphs: Iterable[Paragraph] | None = None,
) -> CompactObjective:
    if objective.compact.status == CompactStatus.ASSESSED and not objective.pk:
        raise ValidationError(
            {"compact": _("The compact has been assessed; it takes no new objectives.")}
        )
    return _save(objective, paragraphs)


# --- Management Performance Board findings ---------------------------------------------------


@action(BoardFinding, "save")
def save_finding(finding: BoardFinding, *, acting_user) -> BoardFinding:
    """Record a finding or its action plan. A finding with an action plan is under way; only
    close_finding closes it."""
    if not finding.pk and finding.compact.status != CompactStatus.ASSESSED:
        raise ValidationError(
            {"compact": _("The Board records findings when it assesses a compact.")}
        )
    if finding.status != FindingStatus.CLOSED:
        finding.status = FindingStatus.IN_PROGRESS if finding.action_plan else FindingStatus.OPEN
    return _save(finding)


@action(BoardFinding, "close")
def close_finding(
    finding: BoardFinding, *, acting_user, closed_on: datetime.date, action_plan: str = ""
) -> BoardFinding:
    """Close a finding whose action plan addressed it (paragraph 18)."""
    if finding.status == FindingStatus.CLOSED:
        raise ValidationError({"status": _("The finding is already closed.")})
    finding.status = FindingStatus.CLOSED
    finding.closed_on = closed_on
    if action_plan:
        finding.action_plan = action_plan
    return _save(finding)


# --- Appraisals ----------------------------------------------------------------------------


@action(Appraisal, "save")
def save_appraisal(appraisal: Appraisal, *, acting_user) -> Appraisal:
    if not appraisal.unit_id and appraisal.staff_id:
        appraisal.unit_id = appraisal.staff.unit_id
    return _save(appraisal)


@action(UnderperformanceCase, "save")
def save_underperformance_case(case: UnderperformanceCase, *, acting_user) -> UnderperformanceCase:
    # Checked here, not left to the one-to-one constraint, so the API answers 400, not 500.
    taken = UnderperformanceCase.objects.filter(appraisal_id=case.appraisal_id).exclude(pk=case.pk)
    if taken.exists():
        raise ValidationError(
            {"appraisal": _("This appraisal already has an underperformance case.")}
        )
    return _save(case)


# --- Results-based management -------------------------------------------------------------


@action(ExpectedAccomplishment, "save")
def save_accomplishment(
    ea: ExpectedAccomplishment,
    *,
    acting_user,
    paragraphs: Iterable[Paragraph] | None = None,
) -> ExpectedAccomplishment:
    return _save(ea, paragraphs)


@action(Indicator, "save")
def save_indicator(
    indicator: Indicator, *, acting_user, paragraphs: Iterable[Paragraph] | None = None
) -> Indicator:
    return _save(indicator, paragraphs)


@action(IndicatorResult, "save")
def record_indicator_result(result: IndicatorResult, *, acting_user) -> IndicatorResult:
    return _save(result)


@action(RBMResponsibility, "save")
def assign_rbm_responsibility(assignment: RBMResponsibility, *, acting_user) -> RBMResponsibility:
    """Paragraph 25: who answers for results-based management Secretariat-wide. Assigning a new
    senior manager ends the current assignment the day before."""
    assignment.full_clean(validate_unique=False, validate_constraints=False)
    if not assignment.pk:
        current = RBMResponsibility.objects.filter(ended_on__isnull=True)
        for previous in current:
            if previous.assigned_on < assignment.assigned_on:
                previous.ended_on = assignment.assigned_on - datetime.timedelta(days=1)
                previous.save()
    assignment.save()
    return assignment
