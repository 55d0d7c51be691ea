"""Every change to the risk register, internal controls, procurement cases and recovery cases:
one named action each (core.actions), called by the pages, the API, the admin and the tasks.
Who may do it is the model's policy (risk.policies); what is allowed is checked here."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import history
from core.actions import SYSTEM, action
from core.models import StaleVersion
from org.models import Paragraph, Person
from risk.choices import (
    CLEARING_OUTCOMES,
    CaseStatus,
    Conclusion,
    DeficiencyStatus,
    RecoveryKind,
    ReferralKind,
    StatementStatus,
    TreatmentStatus,
)
from risk.models import (
    ContractsReview,
    Control,
    ControlTest,
    CriticalRisk,
    Deficiency,
    InterestDeclaration,
    InternalControlStatement,
    ProcurementCase,
    RecoveryAction,
    RecoveryCase,
    Risk,
    RiskAssessment,
    SelfAssessment,
    Treatment,
    Vendor,
    VendorSanction,
)
from risk.statements import compute_rollup

RATING_FIELDS = ("likelihood", "impact", "residual_likelihood", "residual_impact")


def _locked(record):
    """The stored row of `record`, locked for the change; an edit based on an older version than
    the stored one is refused (StaleVersion, answered 409)."""
    stored = type(record).objects.select_for_update().get(pk=record.pk)
    if record.version is not None and record.version != stored.version:
        raise StaleVersion(stored, record.version)
    return stored


# --- Risk register ------------------------------------------------------------------------


@action(Risk, "save")
def save_risk(risk: Risk, *, acting_user, paragraphs: Iterable[Paragraph] | None = None) -> Risk:
    """Create or change a risk. A change of its ratings is a review: it stamps `reviewed_on`
    and adds a point to the risk's score trend."""
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
            assessed_by=acting_user if acting_user is not SYSTEM else None,
            likelihood=risk.likelihood,
            impact=risk.impact,
            score=risk.score,
            residual_likelihood=risk.residual_likelihood,
            residual_impact=risk.residual_impact,
            residual_score=risk.residual_score,
        )
    return risk


@action(Treatment, "save")
def save_treatment(treatment: Treatment, *, acting_user) -> Treatment:
    if treatment.status != TreatmentStatus.DONE:
        treatment.completed_on = None
    treatment.full_clean()
    treatment.save()
    return treatment


REMINDER_INTERVAL = datetime.timedelta(days=7)


def send_treatment_reminders(
    today: datetime.date | None = None, *, acting_user=SYSTEM
) -> dict[str, int]:
    """Email each owner (of the action, else of the risk) their overdue treatment actions, at
    most once a week per action; a rerun the same day sends nothing."""
    return remind_treatment_owners(Treatment(), acting_user=acting_user, today=today)


@action(Treatment, "remind", check=False)
def remind_treatment_owners(
    _treatment: Treatment, *, acting_user, today: datetime.date | None = None
) -> dict[str, int]:
    """The reminder job's action (acting_user=SYSTEM): stamps `reminded_on` on the actions whose
    owners were emailed. It acts on every overdue action, so it takes no record of its own."""
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
    for treatment in reminded:
        treatment._history_before = history.snapshot(treatment)
        treatment.reminded_on = today
    Treatment.objects.bulk_update(reminded, ["reminded_on"], batch_size=1000)
    history.record_bulk(reminded, action="update")
    return {"owners": len(by_owner), "treatments": len(reminded)}


# --- Internal control ---------------------------------------------------------------------


@action(Control, "save")
def save_control(
    control: Control,
    *,
    acting_user,
    risks: Iterable[Risk] | None = None,
    paragraphs: Iterable[Paragraph] | None = None,
) -> Control:
    control.full_clean()
    if risks is not None:
        risks = list(risks)
        editable = set(
            Risk.objects.restrict(acting_user, "change")
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


@action(ControlTest, "save")
def record_control_test(test: ControlTest, *, acting_user) -> ControlTest:
    if test.tester_id is None and test.pk is None and acting_user is not SYSTEM:
        test.tester = acting_user
    test.full_clean()
    test.save()
    return test


def _store_deficiency(deficiency: Deficiency) -> Deficiency:
    deficiency.full_clean()
    deficiency.save()
    return deficiency


@action(Deficiency, "save")
def save_deficiency(deficiency: Deficiency, *, acting_user) -> Deficiency:
    """Create or change a deficiency. Its `status` and `closed_on` move only through
    close_deficiency."""
    if deficiency.pk is None:
        deficiency.status, deficiency.closed_on = DeficiencyStatus.OPEN, None
    else:
        stored = Deficiency.objects.filter(pk=deficiency.pk).values("status", "closed_on").get()
        if (deficiency.status, deficiency.closed_on) != (stored["status"], stored["closed_on"]):
            raise ValidationError(
                {"closed_on": [_("A deficiency is closed only through its close action.")]}
            )
    return _store_deficiency(deficiency)


@action(Deficiency, "close")
def close_deficiency(
    deficiency: Deficiency,
    *,
    acting_user,
    closed_on: datetime.date | None = None,
    remediation: str | None = None,
    status: str | None = None,
) -> Deficiency:
    """Close a deficiency once its remediation is recorded. `status`, if given, must be
    "closed" (the contract's redundant status)."""
    if status not in (None, "", DeficiencyStatus.CLOSED):
        raise ValidationError({"status": [_("Closing sets the status to “closed”.")]})
    if deficiency.closed_on is not None:
        raise ValidationError({"closed_on": [_("This deficiency is already closed.")]})
    before = (deficiency.status, deficiency.closed_on, deficiency.remediation)
    if remediation is not None and remediation.strip():
        deficiency.remediation = remediation.strip()
    deficiency.status = DeficiencyStatus.CLOSED
    deficiency.closed_on = closed_on or timezone.localdate()
    try:
        return _store_deficiency(deficiency)
    except ValidationError:
        # Leave the caller's instance as it was: it is still open.
        deficiency.status, deficiency.closed_on, deficiency.remediation = before
        raise


@action(SelfAssessment, "save")
def save_self_assessment(assessment: SelfAssessment, *, acting_user) -> SelfAssessment:
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


@action(SelfAssessment, "certify")
def certify_self_assessment(
    assessment: SelfAssessment, *, acting_user, conclusion: str, statement: str = ""
) -> SelfAssessment:
    """The head of the unit certifies the year's self-assessment. Certifying is personal: only
    the head of that very unit may do it (the policy's "certify" rule), and control cannot be
    called effective while deficiencies stay open."""
    assessment = _locked(assessment)
    if assessment.is_certified:
        raise ValidationError({"conclusion": [_("This self-assessment is already certified.")]})
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
    assessment.certified_by = acting_user if acting_user is not SYSTEM else None
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


def _is_flagged(case: ProcurementCase) -> bool:
    from risk.querysets import flag_expression

    # The award and the clearance read the rule itself, not the stored flag: a gate never
    # depends on derived data being up to date.
    return ProcurementCase.objects.filter(pk=case.pk).filter(flag_expression()).exists()


def _check_award(case: ProcurementCase) -> None:
    vendors = set(case.vendors.values_list("name", flat=True))
    if case.awarded_to not in vendors:
        raise ValidationError(
            {"awarded_to": [_("The case can only be awarded to one of its vendors.")]}
        )
    if _is_flagged(case) and not case.is_cleared:
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


@action(ProcurementCase, "save")
def save_procurement_case(
    case: ProcurementCase,
    *,
    acting_user,
    vendors: Iterable[str] | None = None,
    panel: Iterable[Person] | None = None,
    paragraphs: Iterable[Paragraph] | None = None,
) -> ProcurementCase:
    """Create or change a case, its vendors and its panel. The award, the clearance and a move
    to or from "awarded" are their own actions (award_case, clear_case, reopen_case)."""
    stored = (
        ProcurementCase.objects.filter(pk=case.pk)
        .values("status", *ProcurementCase.state_actions)
        .first()
        if case.pk
        else None
    )
    was_awarded = stored is not None and stored["status"] == CaseStatus.AWARDED
    if (case.status == CaseStatus.AWARDED) != was_awarded:
        raise ValidationError(
            {"status": [_("A case is awarded or reopened only through its own action.")]}
        )
    if stored is not None:
        for name in ProcurementCase.state_actions:
            setattr(case, "cleared_by_id" if name == "cleared_by" else name, stored[name])
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
    return case


@action(ProcurementCase, "clear")
def clear_case(case: ProcurementCase, *, acting_user, reason: str) -> ProcurementCase:
    """Record who cleared a flagged case for award, and why."""
    case = _locked(case)
    if not (reason or "").strip():
        raise ValidationError(
            {"clearance_reason": [_("Say why the case may proceed despite the flag.")]}
        )
    if case.status == CaseStatus.AWARDED:
        raise ValidationError({"clearance_reason": [_("The case is already awarded.")]})
    if not _is_flagged(case):
        raise ValidationError(
            {"clearance_reason": [_("The case is not flagged: there is nothing to clear.")]}
        )
    if acting_user is not SYSTEM and case.panel.filter(user=acting_user).exists():
        raise ValidationError(
            {"clearance_reason": [_("A member of the evaluation panel cannot clear the case.")]}
        )
    case.cleared_by = acting_user if acting_user is not SYSTEM else None
    case.cleared_on = timezone.localdate()
    case.clearance_reason = reason.strip()
    case.save()
    return case


@action(ProcurementCase, "award")
def award_case(
    case: ProcurementCase,
    *,
    acting_user,
    awarded_to: str,
    awarded_on: datetime.date | None = None,
    status: str | None = None,
) -> ProcurementCase:
    """Award the case to one of its vendors. A flagged case needs a clearance first; the flag is
    checked at every award, also after a reopening."""
    if status not in (None, "", CaseStatus.AWARDED):
        raise ValidationError({"status": [_("Awarding sets the status to “awarded”.")]})
    case = _locked(case)
    if case.status == CaseStatus.AWARDED:
        raise ValidationError({"status": [_("The case is already awarded.")]})
    if case.status == CaseStatus.CANCELLED:
        raise ValidationError({"status": [_("A cancelled case cannot be awarded.")]})
    case.status = CaseStatus.AWARDED
    case.awarded_to = (awarded_to or "").strip()
    case.awarded_on = awarded_on or timezone.localdate()
    _check_award(case)
    _check_vendor_eligible(case)
    _check_committee_review(case)
    case.full_clean()
    case.save()
    return case


@action(ProcurementCase, "reopen")
def reopen_case(
    case: ProcurementCase,
    *,
    acting_user,
    reason: str,
    status: str | None = None,
) -> ProcurementCase:
    """Reopen an awarded case, saying why: the award is withdrawn (the history keeps it) and the
    case goes back under evaluation (or `open`); awarding it again re-checks the flag."""
    target = status or CaseStatus.EVALUATION
    if target not in (CaseStatus.OPEN, CaseStatus.EVALUATION):
        raise ValidationError({"status": [_("A reopened case is open or under evaluation.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the case is reopened.")]})
    case = _locked(case)
    if case.status != CaseStatus.AWARDED:
        raise ValidationError({"status": [_("Only an awarded case can be reopened.")]})
    case.status = target
    case.awarded_to, case.awarded_on = "", None
    case.full_clean()
    case.save()
    # The reason stays on the case's timeline next to the withdrawn award.
    history.record(case, "update", {"reopened_because": [None, reason.strip()]})
    return case


@action(InterestDeclaration, "save")
def save_declaration(declaration: InterestDeclaration, *, acting_user) -> InterestDeclaration:
    """A panel member declares (or a unit manager records) an interest, or none, for a case.
    Created or changed, the person must sit on the case's panel (the model's rule), and the saved
    declaration must be the user's own or of a case they manage (the policy)."""
    declaration.vendor = (declaration.vendor or "").strip()
    declaration.full_clean()
    declaration.save()
    _reset_clearance(declaration.case)
    return declaration


# --- Misconduct findings and recovery ----------------------------------------------------


def _recovery_date(case: RecoveryCase) -> datetime.date:
    return max(timezone.localdate(), case.opened_on)


@action(RecoveryCase, "save")
def save_recovery_case(
    case: RecoveryCase,
    *,
    acting_user,
    amount_recovered: Decimal | None = None,
    paragraphs: Iterable[Paragraph] | None = None,
) -> RecoveryCase:
    """Create or change a case. Setting `amount_recovered` directly (as the API allows) records the
    difference as a correction, so the amounts over time always add up to the total."""
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


@action(RecoveryAction, "save")
def add_recovery_action(action: RecoveryAction, *, acting_user) -> RecoveryAction:
    """Record an amount recovered; the case's total can never exceed the amount lost. Recovery
    actions are append-only: a mistake is put right with a correction."""
    if action.pk is not None:
        raise ValidationError(
            {"amount": [_("A recovery action is not changed: record a correction instead.")]}
        )
    case = RecoveryCase.objects.select_for_update().get(pk=action.case_id)
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


# --- Statement of internal control, Secretariat-wide risks, sanctions, referrals -----------


@action(InternalControlStatement, "save")
def save_statement(statement: InternalControlStatement, *, acting_user) -> InternalControlStatement:
    """Create or change a draft statement. An issued statement is never changed."""
    if statement.pk:
        stored = _locked(statement)
        if stored.is_issued:
            raise ValidationError({"text": [_("An issued statement cannot be changed.")]})
        statement.status, statement.issued_on, statement.issued_by_id, statement.rollup = (
            stored.status,
            stored.issued_on,
            stored.issued_by_id,
            stored.rollup,
        )
    statement.full_clean()
    statement.save()
    return statement


@action(InternalControlStatement, "issue")
def issue_statement(
    statement: InternalControlStatement,
    *,
    acting_user,
    issued_on: datetime.date | None = None,
    text: str | None = None,
) -> InternalControlStatement:
    """Issue the statement: its roll-up (units certified, significant deficiencies as at the
    year's end) is stored as it stands now, so a later certification or closure does not alter
    it. Issued only after the year has ended, with its text written."""
    statement = _locked(statement)
    if statement.is_issued:
        raise ValidationError({"status": [_("This statement is already issued.")]})
    issued_on = issued_on or timezone.localdate()
    if issued_on <= statement.period_end:
        raise ValidationError(
            {"issued_on": [_("A statement is issued after the end of the year it covers.")]}
        )
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": [_("A statement cannot be issued in the future.")]})
    if text is not None and text.strip():
        statement.text = text.strip()
    if not statement.text.strip():
        raise ValidationError({"text": [_("Write the text of the statement before issuing it.")]})
    statement.rollup = compute_rollup(statement.year)
    statement.status = StatementStatus.ISSUED
    statement.issued_on = issued_on
    statement.issued_by = acting_user if acting_user is not SYSTEM else None
    statement.full_clean()
    statement.save()
    return statement


@action(CriticalRisk, "save")
def save_critical_risk(entry: CriticalRisk, *, acting_user) -> CriticalRisk:
    """Flag a risk Secretariat-wide (an administrator), or change the entry's owner or treatment.
    A withdrawn entry stays as it was: flag the risk again instead."""
    if entry.pk:
        stored = _locked(entry)
        if not stored.is_active:
            raise ValidationError(
                {"treatment": [_("A withdrawn entry is not changed: flag the risk again.")]}
            )
        if stored.risk_id != entry.risk_id:
            raise ValidationError({"risk": [_("The entry stays with the risk it was made for.")]})
        entry.flagged_by_id = stored.flagged_by_id
        entry.withdrawn_on, entry.withdrawal_reason = stored.withdrawn_on, stored.withdrawal_reason
    else:
        entry.flagged_by = acting_user if acting_user is not SYSTEM else None
        entry.withdrawn_on, entry.withdrawal_reason = None, ""
    entry.treatment = (entry.treatment or "").strip()
    entry.full_clean()
    entry.save()
    return entry


@action(CriticalRisk, "withdraw")
def withdraw_critical_risk(
    entry: CriticalRisk, *, acting_user, reason: str, withdrawn_on: datetime.date | None = None
) -> CriticalRisk:
    """Take a risk off the Secretariat-wide register, saying why (the entry and its history stay)."""
    entry = _locked(entry)
    if not entry.is_active:
        raise ValidationError({"withdrawn_on": [_("This risk is already withdrawn.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the risk leaves the register.")]})
    withdrawn_on = withdrawn_on or timezone.localdate()
    if withdrawn_on < entry.flagged_on or withdrawn_on > timezone.localdate():
        raise ValidationError(
            {"withdrawn_on": [_("Withdraw between the day it was flagged and today.")]}
        )
    entry.withdrawn_on, entry.withdrawal_reason = withdrawn_on, reason.strip()
    entry.save()
    return entry


@action(VendorSanction, "save")
def save_vendor_sanction(sanction: VendorSanction, *, acting_user) -> VendorSanction:
    """Record or change a measure against a vendor (administrators: VendorSanction's policy)."""
    if sanction.pk is None:
        sanction.decided_by = acting_user if acting_user is not SYSTEM else None
    else:
        sanction.decided_by_id = _locked(sanction).decided_by_id
    sanction.full_clean()
    sanction.save()
    return sanction


@action(ContractsReview, "save")
def record_contracts_review(review: ContractsReview, *, acting_user) -> ContractsReview:
    """Record the committee on contracts' review of a case, before its award."""
    case = ProcurementCase.objects.select_for_update().get(pk=review.case_id)
    if case.status in (CaseStatus.AWARDED, CaseStatus.CANCELLED):
        raise ValidationError(
            {"reviewed_on": [_("The committee reviews a case before it is awarded or cancelled.")]}
        )
    review.full_clean()
    review.save()
    return review


def committee_threshold() -> Decimal:
    """The value (USD) above which a case needs the committee on contracts' review."""
    return Decimal(str(getattr(settings, "CONTRACTS_COMMITTEE_THRESHOLD_USD", 500000)))


def _check_vendor_eligible(case: ProcurementCase) -> None:
    sanction = (
        VendorSanction.objects.barring(case.awarded_to, case.awarded_on)
        .order_by("sanctioned_from", "pk")
        .first()
    )
    if sanction is None:
        return
    until = sanction.sanctioned_to.isoformat() if sanction.sanctioned_to else _("further notice")
    raise ValidationError(
        {
            "awarded_to": [
                _(
                    "%(vendor)s is under %(measure)s from %(start)s until %(end)s: it cannot be "
                    "awarded a case during the sanction."
                )
                % {
                    "vendor": case.awarded_to,
                    "measure": sanction.get_measure_display().lower(),
                    "start": sanction.sanctioned_from.isoformat(),
                    "end": until,
                }
            ]
        }
    )


def _check_committee_review(case: ProcurementCase) -> None:
    threshold = committee_threshold()
    if case.value <= threshold:
        return
    review = (
        case.committee_reviews.filter(reviewed_on__lte=case.awarded_on)
        .order_by("-reviewed_on", "-pk")
        .first()
    )
    if review is None:
        raise ValidationError(
            {
                "status": [
                    _(
                        "The case's value (%(value)s USD) is above the committee on contracts "
                        "threshold (%(threshold)s USD): record the committee's review "
                        "recommending the award before awarding it."
                    )
                    % {"value": case.value, "threshold": threshold}
                ]
            }
        )
    if review.outcome not in CLEARING_OUTCOMES:
        raise ValidationError(
            {
                "status": [
                    _(
                        "The committee on contracts did not recommend the award (review of "
                        "%(date)s: %(outcome)s)."
                    )
                    % {
                        "date": review.reviewed_on.isoformat(),
                        "outcome": review.get_outcome_display(),
                    }
                ]
            }
        )


@action(RecoveryCase, "refer")
def refer_recovery_case(
    case: RecoveryCase,
    *,
    acting_user,
    to: str,
    referred_on: datetime.date | None = None,
    authority: str = "",
    note: str = "",
) -> RecoveryCase:
    """Refer the case for disciplinary action or to national authorities (para 17), on a date;
    each referral is made once and stays on the case's history with its note."""
    case = _locked(case)
    referred_on = referred_on or timezone.localdate()
    field = {
        ReferralKind.DISCIPLINARY: "referred_for_discipline_on",
        ReferralKind.NATIONAL: "referred_to_authorities_on",
    }.get(to)
    if field is None:
        raise ValidationError({"to": [_("Choose where the case is referred.")]})
    if getattr(case, field) is not None:
        raise ValidationError(
            {
                "to": [
                    _("The case was already referred there on %(date)s.")
                    % {"date": getattr(case, field).isoformat()}
                ]
            }
        )
    if referred_on < case.opened_on:
        raise ValidationError(
            {"referred_on": [_("A case cannot be referred before it was opened.")]}
        )
    if referred_on > timezone.localdate():
        raise ValidationError({"referred_on": [_("A referral cannot be dated in the future.")]})
    authority = (authority or "").strip()
    if to == ReferralKind.NATIONAL:
        if not authority:
            raise ValidationError(
                {"authority": [_("Name the national authority the case is referred to.")]}
            )
        case.national_authority = authority
    setattr(case, field, referred_on)
    case.save()
    if (note or "").strip():
        history.record(case, "update", {"referral_note": [None, note.strip()]})
    return case
