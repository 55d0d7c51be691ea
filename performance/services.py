"""Every change that matters in performance, one function each. The browser views, the API,
the admin, seeds and tasks all call these: they check the acting user's right to the unit,
validate the record (ValidationError with field messages) and save it atomically, so the
change history records each change once."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org.access import access_for
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


def _require_unit(acting_user, unit_id: int | None) -> None:
    if not access_for(acting_user).manages_unit(unit_id):
        raise PermissionDenied(_("You may not record this for that unit."))


def _stored(model, pk, field: str):
    """The value as saved, so an edit cannot move a record out of a unit one does not manage."""
    return model.objects.filter(pk=pk).values_list(field, flat=True).first()


def _save(instance, acting_user, unit_id, paragraphs: Iterable[Paragraph] | None = None):
    _require_unit(acting_user, unit_id)
    instance.full_clean(validate_unique=False, validate_constraints=False)
    instance.save()
    if paragraphs is not None:
        instance.paragraphs.set(paragraphs)
    return instance


@transaction.atomic
def save_compact(compact: Compact, *, acting_user, paragraphs=None) -> Compact:
    if compact.pk:
        # The unit the compact belonged to must be one the user manages too.
        _require_unit(acting_user, _stored(Compact, compact.pk, "unit_id"))
    if not compact.unit_id and compact.senior_manager_id:
        compact.unit_id = compact.senior_manager.unit_id
    before = compact.previous_status or CompactStatus.DRAFT
    if compact.status != CompactStatus.DRAFT and before == CompactStatus.DRAFT:
        if not compact.pk or not compact.objectives.exists():
            raise ValidationError(
                {"status": _("Add the compact's objectives before it is signed.")}
            )
    return _save(compact, acting_user, compact.unit_id, paragraphs)


@transaction.atomic
def sign_compact(compact: Compact, *, acting_user, signed_on: datetime.date) -> Compact:
    if compact.status != CompactStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft compact can be signed.")})
    compact.status = CompactStatus.SIGNED
    compact.signed_on = signed_on
    return save_compact(compact, acting_user=acting_user)


@transaction.atomic
def assess_compact(
    compact: Compact,
    *,
    acting_user,
    assessed_on: datetime.date,
    mpb_rating: str,
    mpb_assessment: str,
) -> Compact:
    """The Management Performance Board's end-of-year assessment (paragraph 18)."""
    if compact.status != CompactStatus.SIGNED:
        raise ValidationError({"status": _("Only a signed compact can be assessed.")})
    compact.status = CompactStatus.ASSESSED
    compact.assessed_on = assessed_on
    compact.mpb_rating = mpb_rating
    compact.mpb_assessment = mpb_assessment
    return save_compact(compact, acting_user=acting_user)


@transaction.atomic
def save_objective(
    objective: CompactObjective, *, acting_user, paragraphs=None
) -> CompactObjective:
    compact = objective.compact
    if compact.status == CompactStatus.ASSESSED and not objective.pk:
        raise ValidationError(
            {"compact": _("The compact has been assessed; it takes no new objectives.")}
        )
    return _save(objective, acting_user, compact.unit_id, paragraphs)


@transaction.atomic
def save_finding(finding: BoardFinding, *, acting_user) -> BoardFinding:
    if not finding.pk and finding.compact.status != CompactStatus.ASSESSED:
        raise ValidationError(
            {"compact": _("The Board records findings when it assesses a compact.")}
        )
    return _save(finding, acting_user, finding.compact.unit_id)


@transaction.atomic
def close_finding(
    finding: BoardFinding, *, acting_user, closed_on: datetime.date, action_plan: str = ""
) -> BoardFinding:
    if finding.status == FindingStatus.CLOSED:
        raise ValidationError({"status": _("The finding is already closed.")})
    finding.status = FindingStatus.CLOSED
    finding.closed_on = closed_on
    if action_plan:
        finding.action_plan = action_plan
    return save_finding(finding, acting_user=acting_user)


@transaction.atomic
def save_appraisal(appraisal: Appraisal, *, acting_user) -> Appraisal:
    if appraisal.pk:
        _require_unit(acting_user, _stored(Appraisal, appraisal.pk, "unit_id"))
    if not appraisal.unit_id and appraisal.staff_id:
        appraisal.unit_id = appraisal.staff.unit_id
    return _save(appraisal, acting_user, appraisal.unit_id)


@transaction.atomic
def save_underperformance_case(case: UnderperformanceCase, *, acting_user) -> UnderperformanceCase:
    # Checked here, not left to the one-to-one constraint, so the API answers 400, not 500.
    taken = UnderperformanceCase.objects.filter(appraisal_id=case.appraisal_id).exclude(pk=case.pk)
    if taken.exists():
        raise ValidationError(
            {"appraisal": _("This appraisal already has an underperformance case.")}
        )
    return _save(case, acting_user, case.appraisal.unit_id)


@transaction.atomic
def save_accomplishment(ea: ExpectedAccomplishment, *, acting_user, paragraphs=None):
    return _save(ea, acting_user, ea.unit_id, paragraphs)


@transaction.atomic
def save_indicator(indicator: Indicator, *, acting_user, paragraphs=None) -> Indicator:
    if indicator.pk:
        _require_unit(acting_user, _stored(Indicator, indicator.pk, "unit_id"))
    return _save(indicator, acting_user, indicator.unit_id, paragraphs)


@transaction.atomic
def record_indicator_result(result: IndicatorResult, *, acting_user) -> IndicatorResult:
    if result.pk:
        _require_unit(acting_user, _stored(IndicatorResult, result.pk, "indicator__unit_id"))
    return _save(result, acting_user, result.indicator.unit_id)


@transaction.atomic
def assign_rbm_responsibility(assignment: RBMResponsibility, *, acting_user) -> RBMResponsibility:
    """Paragraph 25: who answers for results-based management Secretariat-wide. Assigning a new
    senior manager ends the current assignment the day before."""
    if not access_for(acting_user).is_admin:
        raise PermissionDenied(_("Only an administrator records this assignment."))
    assignment.full_clean(validate_unique=False, validate_constraints=False)
    if not assignment.pk:
        current = RBMResponsibility.objects.filter(ended_on__isnull=True).exclude(pk=assignment.pk)
        for previous in current:
            if previous.assigned_on < assignment.assigned_on:
                previous.ended_on = assignment.assigned_on - datetime.timedelta(days=1)
                previous.save()
    assignment.save()
    return assignment
