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
from org.models import Paragraph, Person
from performance.choices import CompactStatus, FindingStatus
from performance.models import (
    Appraisal,
    BoardFinding,
    BudgetPerformance,
    Compact,
    CompactObjective,
    Course,
    CourseCompletion,
    DisciplinaryCase,
    ExpectedAccomplishment,
    Indicator,
    IndicatorResult,
    RBMResponsibility,
    Recognition,
    UnderperformanceCase,
    cycle_label,
    is_senior_manager,
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
    if compact.senior_manager_id and not _may_read(acting_user, compact.senior_manager_id):
        # The model's messages name the senior manager and their grade: only for those who
        # may read them.
        if not is_senior_manager(compact.senior_manager):
            raise ValidationError(
                {
                    "senior_manager": _(
                        "A compact is for a senior manager: Assistant Secretary-General or "
                        "above, or a head of entity."
                    )
                }
            )
        if (
            compact.year
            and Compact.objects.filter(
                senior_manager_id=compact.senior_manager_id, year=compact.year
            )
            .exclude(pk=compact.pk)
            .exists()
        ):
            raise ValidationError(
                {"year": _("This senior manager already has a compact for this year.")}
            )
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
    indicators: Iterable[Indicator] | None = None,
) -> CompactObjective:
    """An objective, and the indicators that measure it: indicators of the compact's unit or
    the units below it (a manager's objective is not measured by another department's work)."""
    if objective.compact.status == CompactStatus.ASSESSED and not objective.pk:
        raise ValidationError(
            {"compact": _("The compact has been assessed; it takes no new objectives.")}
        )
    if indicators is not None:
        indicators = list(indicators)
        unit_path = objective.compact.unit.path
        if any(not i.unit.path.startswith(unit_path) for i in indicators):
            raise ValidationError(
                {
                    "indicators": _(
                        "An objective is measured by indicators of its compact's unit (%(unit)s) "
                        "or the units below it."
                    )
                    % {"unit": objective.compact.unit.code}
                }
            )
    _save(objective, paragraphs)
    if indicators is not None:
        objective.indicators.set(indicators)
    return objective


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


def _may_read(acting_user, person_id) -> bool:
    return Person.objects.restrict(acting_user, "view").filter(pk=person_id).exists()


@action(Appraisal, "save")
def save_appraisal(appraisal: Appraisal, *, acting_user) -> Appraisal:
    """An appraisal sits in its staff member's unit, or in a unit of a manager who answers for
    the staff member: a manager cannot file (and so read) another unit's staff member's
    appraisal under their own unit. A clash names the staff member only to whoever may read
    them."""
    if appraisal.staff_id:
        if not appraisal.unit_id:
            appraisal.unit_id = appraisal.staff.unit_id
        before = getattr(appraisal, "_history_before", {})
        untouched = appraisal.pk is not None and [
            str(before.get("staff")),
            str(before.get("unit")),
        ] == [str(appraisal.staff_id), str(appraisal.unit_id)]
        if (
            not untouched
            and appraisal.unit_id != appraisal.staff.unit_id
            and not Person.objects.restrict(acting_user, "assign")
            .filter(pk=appraisal.staff_id)
            .exists()
        ):
            raise ValidationError(
                {"staff": _("No staff member in your units has this index number.")}
            )
        if appraisal.cycle and (
            Appraisal.objects.filter(staff_id=appraisal.staff_id, cycle=appraisal.cycle)
            .exclude(pk=appraisal.pk)
            .exists()
        ):
            if _may_read(acting_user, appraisal.staff_id):
                message = _("%(name)s already has an appraisal for the %(cycle)s cycle.") % {
                    "name": appraisal.staff.name,
                    "cycle": cycle_label(appraisal.cycle),
                }
            else:
                message = _("This staff member already has an appraisal for this cycle.")
            raise ValidationError({"cycle": message})
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
    """A result; for an efficiency measure, with what its outputs cost. The cost cannot exceed
    what the unit spent in the period, when its budget performance is recorded."""
    result.full_clean(validate_unique=False, validate_constraints=False)
    if result.cost is not None:
        spent = (
            BudgetPerformance.objects.filter(unit_id=result.indicator.unit_id, period=result.period)
            .values_list("expenditure", flat=True)
            .first()
        )
        if spent is not None and result.cost > spent:
            raise ValidationError(
                {
                    "cost": _(
                        "The cost is more than the unit's expenditure for %(period)s (%(spent)s)."
                    )
                    % {"period": result.period, "spent": spent}
                }
            )
    result.save()
    return result


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


# --- Learning (paragraph 6) -------------------------------------------------------------------


@action(Course, "save")
def save_course(course: Course, *, acting_user) -> Course:
    return _save(course)


@action(CourseCompletion, "save")
def record_completion(completion: CourseCompletion, *, acting_user) -> CourseCompletion:
    """A staff member's completion of a course: of a person the user may name (their units'
    staff for a manager), once per course; a clash names the person only to whoever may read
    them."""
    if completion.person_id:
        before = getattr(completion, "_history_before", {})
        untouched = completion.pk is not None and str(before.get("person")) == str(
            completion.person_id
        )
        if (
            not untouched
            and not Person.objects.restrict(acting_user, "assign")
            .filter(pk=completion.person_id)
            .exists()
        ):
            raise ValidationError(
                {"person": _("No staff member in your units has this index number.")}
            )
        if (
            completion.course_id
            and CourseCompletion.objects.filter(
                person_id=completion.person_id, course_id=completion.course_id
            )
            .exclude(pk=completion.pk)
            .exists()
        ):
            raise ValidationError(
                {"course": _("This staff member's completion of this course is recorded already.")}
            )
    return _save(completion)


# --- Discipline and recognition (paragraphs 8 and 17) ----------------------------------------


@action(DisciplinaryCase, "save")
def save_disciplinary_case(case: DisciplinaryCase, *, acting_user) -> DisciplinaryCase:
    """Open or update a case; the measure and the referral are recorded with their dates."""
    return _save(case)


@action(Recognition, "save")
def save_recognition(recognition: Recognition, *, acting_user) -> Recognition:
    """An award to a staff member the user may name, or to a team (no person)."""
    if recognition.person_id:
        before = getattr(recognition, "_history_before", {})
        untouched = recognition.pk is not None and str(before.get("person")) == str(
            recognition.person_id
        )
        if (
            not untouched
            and not Person.objects.restrict(acting_user, "assign")
            .filter(pk=recognition.person_id)
            .exists()
        ):
            raise ValidationError(
                {"person": _("No staff member in your units has this index number.")}
            )
    return _save(recognition)


# --- Budget performance (paragraphs 10 and 11) ------------------------------------------------


@action(BudgetPerformance, "save")
def save_budget_performance(budget: BudgetPerformance, *, acting_user) -> BudgetPerformance:
    return _save(budget)
