"""Every change to the risk register, internal controls, procurement cases and recovery cases
that carries a rule. The browser views, the API and the admin all call these."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import history
from org.access import access_for
from org.models import Paragraph, Person
from risk.choices import CaseStatus, Conclusion, RecoveryKind, TreatmentStatus
from risk.models import (
    Control,
    ControlTest,
    Deficiency,
    InterestDeclaration,
    ProcurementCase,
    RecoveryAction,
    RecoveryCase,
    Risk,
    RiskAssessment,
    SelfAssessment,
    Treatment,
    Vendor,
)

RATING_FIELDS = ("likelihood", "impact", "residual_likelihood", "residual_impact")


def _require_unit(user, unit_id: int | None) -> None:
    if not access_for(user).manages_unit(unit_id):
        raise PermissionDenied(_("You may not change records of this unit."))


def _require_editable(obj, user) -> None:
    """The record as stored must be one the user may change (a move to another unit is checked
    separately against the new unit)."""
    if obj.pk is not None and not type(obj).objects.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may read this record but not change it."))


# --- Risk register ------------------------------------------------------------------------


@transaction.atomic
def save_risk(risk: Risk, *, acting_user, paragraphs: Iterable[Paragraph] | None = None) -> Risk:
    """Create or change a risk. A change of its ratings is a review: it stamps `reviewed_on`
    and adds a point to the risk's score trend."""
    _require_editable(risk, acting_user)
    _require_unit(acting_user, risk.unit_id)
    before = getattr(risk, "_history_before", {}) if risk.pk else {}
    rerated = risk.pk is None or any(before.get(f) != getattr(risk, f) for f in RATING_FIELDS)
    reviewed = risk.reviewed_on.isoformat() if risk.reviewed_on else None
    if risk.reviewed_on is None or (rerated and risk.pk and reviewed == before.get("reviewed_on")):
        risk.reviewed_on = timezone.localdate()
    risk.compute_scores()
    risk.full_clean()
    risk.save()
    if paragraphs is not None:
        risk.paragraphs.set(paragraphs)
    if rerated or risk.reviewed_on.isoformat() != before.get("reviewed_on"):
        RiskAssessment.objects.create(
            risk=risk,
            assessed_on=risk.reviewed_on,
            assessed_by=acting_user,
            likelihood=risk.likelihood,
            impact=risk.impact,
            score=risk.score,
            residual_likelihood=risk.residual_likelihood,
            residual_impact=risk.residual_impact,
            residual_score=risk.residual_score,
        )
    return risk


@transaction.atomic
def save_treatment(treatment: Treatment, *, acting_user) -> Treatment:
    _require_editable(treatment, acting_user)
    _require_unit(acting_user, treatment.risk.unit_id)
    if treatment.status != TreatmentStatus.DONE:
        treatment.completed_on = None
    treatment.full_clean()
    treatment.save()
    return treatment


REMINDER_INTERVAL = datetime.timedelta(days=7)


def send_treatment_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """Email each owner (of the action, else of the risk) their overdue treatment actions, at
    most once a week per action; a rerun the same day sends nothing."""
    today = today or timezone.localdate()
    due = list(
        Treatment.objects.overdue(today)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lte=today - REMINDER_INTERVAL))
        .select_related("owner", "risk__owner", "risk__unit")
        .order_by("due_on", "pk")
    )
    by_owner: dict = {}
    for treatment in due:
        owner = treatment.owner or treatment.risk.owner
        if owner is not None and owner.email:
            by_owner.setdefault(owner, []).append(treatment)
    for owner, treatments in by_owner.items():
        lines = [
            f"- {t.title} ({t.risk.unit.code}: {t.risk.title}), {_('due on')} {t.due_on.isoformat()}"
            for t in treatments
        ]
        send_mail(
            _("Overdue risk treatment actions: %(n)s") % {"n": len(treatments)},
            _("These treatment actions you own are overdue:") + "\n" + "\n".join(lines),
            None,
            [owner.email],
        )
    reminded = [t for ts in by_owner.values() for t in ts]
    with transaction.atomic():
        for treatment in reminded:
            treatment._history_before = history.snapshot(treatment)
            treatment.reminded_on = today
        Treatment.objects.bulk_update(reminded, ["reminded_on"], batch_size=1000)
        history.record_bulk(reminded, action="update")
    return {"owners": len(by_owner), "treatments": len(reminded)}


# --- Internal control ---------------------------------------------------------------------


@transaction.atomic
def save_control(
    control: Control,
    *,
    acting_user,
    risks: Iterable[Risk] | None = None,
    paragraphs: Iterable[Paragraph] | None = None,
) -> Control:
    _require_editable(control, acting_user)
    _require_unit(acting_user, control.unit_id)
    control.full_clean()
    if risks is not None:
        risks = list(risks)
        editable = set(
            Risk.objects.editable_by(acting_user)
            .filter(pk__in=[r.pk for r in risks])
            .values_list("pk", flat=True)
        )
        outside = [r.title for r in risks if r.pk not in editable]
        if outside:
            raise ValidationError(
                {
                    "risks": [
                        _("You may not link risks of units you do not manage: %(risks)s.")
                        % {"risks": ", ".join(outside)}
                    ]
                }
            )
    control.save()
    if risks is not None:
        control.risks.set(risks)
    if paragraphs is not None:
        control.paragraphs.set(paragraphs)
    return control


@transaction.atomic
def record_control_test(test: ControlTest, *, acting_user) -> ControlTest:
    _require_editable(test, acting_user)
    _require_unit(acting_user, test.control.unit_id)
    if test.tester_id is None and test.pk is None:
        test.tester = acting_user
    test.full_clean()
    test.save()
    return test


@transaction.atomic
def save_deficiency(deficiency: Deficiency, *, acting_user) -> Deficiency:
    _require_editable(deficiency, acting_user)
    _require_unit(acting_user, deficiency.test.control.unit_id)
    deficiency.full_clean()
    deficiency.save()
    return deficiency


@transaction.atomic
def close_deficiency(
    deficiency: Deficiency, *, acting_user, closed_on: datetime.date | None = None
) -> Deficiency:
    if deficiency.closed_on is not None:
        raise ValidationError({"closed_on": [_("This deficiency is already closed.")]})
    deficiency.closed_on = closed_on or timezone.localdate()
    try:
        return save_deficiency(deficiency, acting_user=acting_user)
    except ValidationError:
        # Leave the caller's instance as it was: it is still open.
        deficiency.closed_on = None
        raise


@transaction.atomic
def save_self_assessment(assessment: SelfAssessment, *, acting_user) -> SelfAssessment:
    _require_editable(assessment, acting_user)
    _require_unit(acting_user, assessment.unit_id)
    if (
        assessment.pk
        and SelfAssessment.objects.filter(pk=assessment.pk, certified_on__isnull=False).exists()
    ):
        raise ValidationError({"statement": [_("A certified self-assessment cannot be changed.")]})
    assessment.full_clean()
    assessment.save()
    return assessment


def open_deficiencies_of(unit_id: int):
    return (
        Deficiency.objects.open()
        .filter(test__control__unit_id=unit_id)
        .select_related("test__control", "owner")
    )


@transaction.atomic
def certify_self_assessment(
    assessment: SelfAssessment, *, acting_user, conclusion: str, statement: str = ""
) -> SelfAssessment:
    """The head of the unit certifies the year's self-assessment. Certifying is personal: only
    the head of that very unit may do it, and control cannot be called effective while
    deficiencies stay open."""
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_certified:
        raise ValidationError({"conclusion": [_("This self-assessment is already certified.")]})
    person = Person.objects.filter(user=acting_user).first()
    if person is None or person.unit_id != assessment.unit_id or not person.is_head_of_entity:
        raise PermissionDenied(_("Only the head of the unit may certify its self-assessment."))
    if conclusion not in Conclusion.values:
        raise ValidationError({"conclusion": [_("Choose a conclusion.")]})
    open_count = open_deficiencies_of(assessment.unit_id).count()
    if conclusion == Conclusion.EFFECTIVE and open_count:
        raise ValidationError(
            {
                "conclusion": [
                    _(
                        "%(n)s control deficiencies are open: conclude “effective, with exceptions” or “not effective”."
                    )
                    % {"n": open_count}
                ]
            }
        )
    assessment.conclusion = conclusion
    if statement:
        assessment.statement = statement
    assessment.certified_by = acting_user
    assessment.certified_on = timezone.localdate()
    assessment.save()
    return assessment


# --- Procurement conflicts of interest ---------------------------------------------------


def _clean_vendor_names(names: Iterable[str]) -> list[str]:
    cleaned, seen = [], set()
    for name in names:
        name = (name or "").strip()
        if name and name.lower() not in seen:
            seen.add(name.lower())
            cleaned.append(name)
    return cleaned


def _reset_clearance(case: ProcurementCase) -> None:
    # A clearance covers the panel and declarations it was given for; a later change needs a new one.
    if case.cleared_by_id and case.status != CaseStatus.AWARDED:
        case.cleared_by, case.cleared_on, case.clearance_reason = None, None, ""
        case.save(update_fields=["cleared_by", "cleared_on", "clearance_reason"])


def _check_award(case: ProcurementCase) -> None:
    vendors = set(case.vendors.values_list("name", flat=True))
    if case.awarded_to and case.awarded_to not in vendors:
        raise ValidationError(
            {"awarded_to": [_("The case can only be awarded to one of its vendors.")]}
        )
    flagged = ProcurementCase.objects.flagged().filter(pk=case.pk).exists()
    if flagged and not case.is_cleared:
        raise ValidationError(
            {
                "status": [
                    _(
                        "This case is flagged for a conflict of interest (an undeclared panel member or a declared interest "
                        "in a vendor). Record a clearance (who and why) before awarding it."
                    )
                ]
            }
        )


@transaction.atomic
def save_procurement_case(
    case: ProcurementCase,
    *,
    acting_user,
    vendors: Iterable[str] | None = None,
    panel: Iterable[Person] | None = None,
    paragraphs: Iterable[Paragraph] | None = None,
) -> ProcurementCase:
    _require_editable(case, acting_user)
    _require_unit(acting_user, case.unit_id)
    was_awarded = (
        bool(case.pk)
        and ProcurementCase.objects.filter(pk=case.pk, status=CaseStatus.AWARDED).exists()
    )
    if case.status == CaseStatus.AWARDED and not case.awarded_on:
        case.awarded_on = timezone.localdate()
    case.full_clean()
    case.save()
    changed = False
    if vendors is not None:
        names = _clean_vendor_names(vendors)
        existing = {v.name: v for v in case.vendors.all()}
        for name, vendor in existing.items():
            if name not in names:
                vendor.delete()
                changed = True
        for name in names:
            if name not in existing:
                Vendor.objects.create(case=case, name=name)
                changed = True
    if panel is not None:
        panel = list(panel)
        if {p.pk for p in panel} != set(case.panel.values_list("pk", flat=True)):
            case.panel.set(panel)
            changed = True
    if paragraphs is not None:
        case.paragraphs.set(paragraphs)
    if changed:
        _reset_clearance(case)
    if case.status == CaseStatus.AWARDED and not was_awarded:
        _check_award(case)
    return case


@transaction.atomic
def clear_case(case: ProcurementCase, *, acting_user, reason: str) -> ProcurementCase:
    """Record who cleared a flagged case for award, and why."""
    _require_editable(case, acting_user)
    case = ProcurementCase.objects.select_for_update().get(pk=case.pk)
    if not (reason or "").strip():
        raise ValidationError(
            {"clearance_reason": [_("Say why the case may proceed despite the flag.")]}
        )
    if case.status == CaseStatus.AWARDED:
        raise ValidationError({"clearance_reason": [_("The case is already awarded.")]})
    if not ProcurementCase.objects.flagged().filter(pk=case.pk).exists():
        raise ValidationError(
            {"clearance_reason": [_("The case is not flagged: there is nothing to clear.")]}
        )
    if case.panel.filter(user=acting_user).exists():
        raise ValidationError(
            {"clearance_reason": [_("A member of the evaluation panel cannot clear the case.")]}
        )
    case.cleared_by = acting_user
    case.cleared_on = timezone.localdate()
    case.clearance_reason = reason.strip()
    case.save()
    return case


@transaction.atomic
def award_case(
    case: ProcurementCase, *, acting_user, awarded_to: str, awarded_on: datetime.date | None = None
) -> ProcurementCase:
    case = ProcurementCase.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.AWARDED:
        raise ValidationError({"status": [_("The case is already awarded.")]})
    case.status = CaseStatus.AWARDED
    case.awarded_to = awarded_to
    case.awarded_on = awarded_on or timezone.localdate()
    return save_procurement_case(case, acting_user=acting_user)


@transaction.atomic
def save_declaration(declaration: InterestDeclaration, *, acting_user) -> InterestDeclaration:
    """A panel member declares (or a unit manager records) an interest, or none, for a case."""
    access = access_for(acting_user)
    own = declaration.person_id is not None and declaration.person.user_id == acting_user.pk
    if declaration.pk is not None:
        _require_editable(declaration, acting_user)
    elif not (own or access.manages_unit(declaration.case.unit_id)):
        raise PermissionDenied(
            _("Only the panel member or a manager of the case's unit may record this declaration.")
        )
    declaration.vendor = (declaration.vendor or "").strip()
    declaration.full_clean()
    declaration.save()
    _reset_clearance(declaration.case)
    return declaration


# --- Misconduct findings and recovery ----------------------------------------------------


def _recovery_date(case: RecoveryCase) -> datetime.date:
    return max(timezone.localdate(), case.opened_on)


@transaction.atomic
def save_recovery_case(
    case: RecoveryCase,
    *,
    acting_user,
    amount_recovered: Decimal | None = None,
    paragraphs: Iterable[Paragraph] | None = None,
) -> RecoveryCase:
    """Create or change a case. Setting `amount_recovered` directly (as the API allows) records the
    difference as a correction, so the amounts over time always add up to the total."""
    _require_editable(case, acting_user)
    _require_unit(acting_user, case.unit_id)
    current = Decimal("0")
    if case.pk:
        current = RecoveryCase.objects.select_for_update().get(pk=case.pk).amount_recovered
    target = current if amount_recovered is None else Decimal(amount_recovered)
    case.amount_recovered = target
    case.full_clean()
    case.save()
    delta = target - current
    if delta:
        RecoveryAction.objects.create(
            case=case,
            taken_on=_recovery_date(case),
            kind=RecoveryKind.CORRECTION,
            amount=delta,
            note=_("Amount recovered set to %(amount)s") % {"amount": target},
        )
    if paragraphs is not None:
        case.paragraphs.set(paragraphs)
    return case


@transaction.atomic
def add_recovery_action(action: RecoveryAction, *, acting_user) -> RecoveryAction:
    """Record an amount recovered; the case's total can never exceed the amount lost."""
    case = RecoveryCase.objects.select_for_update().get(pk=action.case_id)
    _require_editable(case, acting_user)
    action.case = case
    action.full_clean()
    total = case.amount_recovered + action.amount
    if total > case.amount_lost:
        raise ValidationError(
            {
                "amount": [
                    _(
                        "This would bring the amount recovered to %(total)s, more than the amount lost (%(lost)s)."
                    )
                    % {"total": total, "lost": case.amount_lost}
                ]
            }
        )
    if total < 0:
        raise ValidationError({"amount": [_("The amount recovered cannot fall below zero.")]})
    action.save()
    case.amount_recovered = total
    case.save(update_fields=["amount_recovered"])
    return action
