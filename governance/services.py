"""Every change to a governance record: one named action each (core.actions), called by the
pages, the API, the admin, the import and the reminder job. Who may do it is the model's policy
(governance.policies); what is allowed is checked here."""

import datetime
import re
from collections.abc import Iterable

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import history
from core.actions import SYSTEM, action
from core.models import StaleVersion
from core.uploads import check_evidence
from governance.choices import FollowUpStatus, ReviewOutcome, ReviewState
from governance.models import (
    AssessmentEvidence,
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
from org.choices import RoleKind
from org.models import Paragraph, Role

# The apps whose records an assessment may cite as evidence.
EVIDENCE_APPS = ("accountability", "oversight", "performance", "risk", "governance")
REFERENCE = re.compile(r"^\s*([a-z_]+)\.([a-z_]+)\s*:\s*(\d{1,12})\s*$")


def _locked(record):
    """The stored row, locked for the change; an edit based on an older version is refused."""
    stored = type(record).objects.select_for_update().get(pk=record.pk)
    if record.version is not None and record.version != stored.version:
        raise StaleVersion(stored, record.version)
    return stored


def _actor(user) -> str:
    return "system" if user is SYSTEM else f"user:{user.get_username()}"


def _set_visible(record, field: str, chosen, acting_user) -> None:
    """Set a many-to-many to records the user may see; anything else is refused without being
    named (it does not exist for them)."""
    if chosen is None:
        return
    chosen = list(chosen)
    model = type(record)._meta.get_field(field).related_model
    visible = set(
        model.objects.restrict(acting_user, "view")
        .filter(pk__in=[c.pk for c in chosen])
        .values_list("pk", flat=True)
    )
    if any(c.pk not in visible for c in chosen):
        raise ValidationError({field: [_("One of the chosen records does not exist.")]})
    getattr(record, field).set(chosen)


# --- Paragraph assessments ----------------------------------------------------------------


@action(ParagraphAssessment, "save")
def save_assessment(assessment: ParagraphAssessment, *, acting_user) -> ParagraphAssessment:
    """Draft or redraft an assessment. Once submitted it is the reviewer's: it changes again only
    if an administrator returns it, and an accepted assessment is final."""
    if assessment.pk is None:
        assessment.state = ReviewState.DRAFT
        assessment.submitted_on = assessment.reviewed_on = assessment.accepted_on = None
        assessment.reviewed_by = None
        assessment.review_comment = ""
    else:
        stored = _locked(assessment)
        if not stored.is_editable:
            raise ValidationError(
                _(
                    "A submitted or accepted assessment cannot be changed; an administrator may return it."
                )
            )
    assessment.full_clean()
    assessment.save()
    return assessment


@action(ParagraphAssessment, "delete")
def delete_assessment(assessment: ParagraphAssessment, *, acting_user) -> None:
    """The office withdraws a draft it no longer wants (its evidence and stored documents go with
    it). Once submitted an assessment belongs to the review, returned or not: it is never deleted.
    The history keeps the deleted assessment and each piece of its evidence."""
    stored = _locked(assessment)
    if stored.state != ReviewState.DRAFT:
        raise ValidationError(
            {"state": [_("Only a draft assessment is deleted; this one has been submitted.")]}
        )
    files = []
    for item in stored.evidence.all():
        if item.file:
            files.append((item.file.storage, item.file.name))
        item.delete()
    stored.delete()

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)


@action(ParagraphAssessment, "submit")
def submit_assessment(
    assessment: ParagraphAssessment,
    *,
    acting_user,
    state: str = "",
    submitted_on: datetime.date | None = None,
) -> ParagraphAssessment:
    """The office submits its draft (or its returned assessment) for review: today, or on the
    earlier day it was submitted on paper (never before its period began)."""
    stored = _locked(assessment)
    if not stored.is_editable:
        raise ValidationError({"state": [_("Only a draft or a returned assessment is submitted.")]})
    today = timezone.localdate()
    submitted_on = submitted_on or today
    if submitted_on > today:
        raise ValidationError({"submitted_on": [_("A submission cannot be dated in the future.")]})
    if submitted_on < stored.period_start:
        raise ValidationError(
            {"submitted_on": [_("An assessment is submitted once its period has begun.")]}
        )
    stored.state = ReviewState.SUBMITTED
    stored.submitted_on = submitted_on
    stored.full_clean()
    stored.save()
    assessment.refresh_from_db()
    return stored


@action(ParagraphAssessment, "review")
def review_assessment(
    assessment: ParagraphAssessment,
    *,
    acting_user,
    outcome: str,
    comment: str = "",
    reviewed_on: datetime.date | None = None,
) -> ParagraphAssessment:
    """An administrator accepts a submitted assessment (it comes into force on the day of the
    review: today, or the earlier day a review made elsewhere was made, never before the
    submission) or returns it to the office with a comment saying what is missing."""
    stored = _locked(assessment)
    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    errors = {}
    if reviewed_on > today:
        errors["reviewed_on"] = [_("A review cannot be dated in the future.")]
    elif stored.submitted_on and reviewed_on < stored.submitted_on:
        errors["reviewed_on"] = [_("A review cannot be dated before the submission.")]
    if stored.state != ReviewState.SUBMITTED:
        errors["outcome"] = [_("Only a submitted assessment is reviewed.")]
    elif outcome not in ReviewOutcome.values:
        errors["outcome"] = [_("Accept the assessment or return it.")]
    elif outcome == ReviewOutcome.RETURN and not (comment or "").strip():
        errors["comment"] = [_("Say what the office should add or correct.")]
    if errors:
        raise ValidationError(errors)
    stored.reviewed_on = reviewed_on
    stored.reviewed_by = acting_user if acting_user is not SYSTEM else None
    stored.review_comment = comment or ""
    if outcome == ReviewOutcome.ACCEPT:
        stored.state, stored.accepted_on = ReviewState.ACCEPTED, reviewed_on
    else:
        stored.state = ReviewState.RETURNED
    stored.save()
    assessment.refresh_from_db()
    return stored


def resolve_reference(text: str, user):
    """The record a typed link ("oversight.recommendation:42") names, if it exists and `user`
    may read it; a ValidationError otherwise, the same whether it is missing or hidden."""
    match = REFERENCE.match(text or "")
    if not match:
        raise ValidationError(
            {"reference": [_('Give a record as app.model:id, e.g. "oversight.recommendation:42".')]}
        )
    app_label, model_name, pk = match.groups()
    model = None
    if app_label in EVIDENCE_APPS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            model = None
    if model is None or getattr(model, "policy", None) is None:
        raise ValidationError({"reference": [_("Records of this kind cannot be cited.")]})
    found = model._default_manager.restrict(user, "view").filter(pk=int(pk)).first()
    if found is None:
        raise ValidationError({"reference": [_("There is no such record.")]})
    return found


@action(ParagraphAssessment, "attach")
def add_evidence(
    assessment: ParagraphAssessment,
    *,
    acting_user,
    reference: str = "",
    upload=None,
    note: str = "",
) -> AssessmentEvidence:
    """File evidence with a draft or returned assessment: a record of the tracker the office may
    read, or a document (checked by its content)."""
    stored = _locked(assessment)
    if not stored.is_editable:
        raise ValidationError(_("Evidence is filed before the assessment is submitted."))
    if bool(reference) == bool(upload):
        raise ValidationError(_("Give either a linked record or a document."))
    if upload is not None:
        try:
            check_evidence(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
        name = (upload.name or "evidence").rsplit("/", 1)[-1][:200]
        return AssessmentEvidence.objects.create(
            assessment=stored, file=upload, name=name, note=note or ""
        )
    found = resolve_reference(reference, acting_user)
    label = f"{found._meta.label_lower}:{found.pk}"
    # Stored by reference only: the record's name is read at display time, by whoever may see it
    # (governance.evidence), so neither the evidence nor its history names what a reader may not.
    return AssessmentEvidence.objects.create(
        assessment=stored, reference=label, name=label, note=note or ""
    )


# --- Mandates -----------------------------------------------------------------------------


@action(Mandate, "save")
def save_mandate(
    mandate: Mandate,
    *,
    acting_user,
    accomplishments: Iterable | None = None,
    indicators: Iterable | None = None,
    paragraphs: Iterable[Paragraph] | None = None,
) -> Mandate:
    mandate.full_clean()
    mandate.save()
    _set_visible(mandate, "accomplishments", accomplishments, acting_user)
    _set_visible(mandate, "indicators", indicators, acting_user)
    if paragraphs is not None:
        mandate.paragraphs.set(paragraphs)
    return mandate


# --- Management Committee -----------------------------------------------------------------


@action(CommitteeMeeting, "save")
def save_meeting(meeting: CommitteeMeeting, *, acting_user) -> CommitteeMeeting:
    meeting.full_clean()
    meeting.save()
    return meeting


@action(CommitteeDecision, "save")
def save_decision(
    decision: CommitteeDecision, *, acting_user, paragraphs: Iterable[Paragraph] | None = None
) -> CommitteeDecision:
    decision.full_clean()
    decision.save()
    if paragraphs is not None:
        decision.paragraphs.set(paragraphs)
    return decision


@action(FollowUpAction, "save")
def save_follow_up(follow_up: FollowUpAction, *, acting_user) -> FollowUpAction:
    """Assign (or restate) a follow-up action. It starts open; its status then moves only through
    change_follow_up_status."""
    if follow_up.pk is None:
        follow_up.status, follow_up.status_on = FollowUpStatus.OPEN, None
        if follow_up.assigned_on is None and follow_up.decision_id:
            follow_up.assigned_on = follow_up.decision.meeting.held_on
    follow_up.full_clean()
    follow_up.save()
    return follow_up


@action(FollowUpAction, "status")
def change_follow_up_status(
    follow_up: FollowUpAction,
    *,
    acting_user,
    status: str,
    changed_on: datetime.date | None = None,
    note: str = "",
) -> FollowUpAction:
    """Done, dropped, or reopened: each change dated (today by default; never in the future, nor
    before the action was assigned or its last change), so the report reads any past day."""
    stored = _locked(follow_up)
    today = timezone.localdate()
    changed_on = changed_on or today
    errors = {}
    if status not in FollowUpStatus.values:
        errors["status"] = [_("Choose open, done or dropped.")]
    elif status == stored.status:
        errors["status"] = [_("The action already has this status.")]
    if changed_on > today:
        errors["changed_on"] = [_("A change cannot be dated in the future.")]
    elif changed_on < stored.assigned_on:
        errors["changed_on"] = [_("A change cannot be dated before the action was assigned.")]
    elif stored.status_on and changed_on < stored.status_on:
        errors["changed_on"] = [_("A change cannot be dated before the previous change.")]
    if status == FollowUpStatus.DROPPED and not (note or "").strip():
        errors["note"] = [_("Say why the action is dropped.")]
    if errors:
        raise ValidationError(errors)
    FollowUpTransition.objects.create(
        action=stored,
        from_status=stored.status,
        to_status=status,
        changed_on=changed_on,
        actor=_actor(acting_user),
        note=note or "",
    )
    stored.status, stored.status_on = status, changed_on
    stored.save()
    follow_up.refresh_from_db()
    return stored


REMINDER_INTERVAL = datetime.timedelta(days=7)


def send_follow_up_reminders(
    today: datetime.date | None = None, *, acting_user=SYSTEM
) -> dict[str, int]:
    """The beat job: remind the managers of each owner unit of its overdue follow-up actions."""
    return remind_follow_up_owners(FollowUpAction(), acting_user=acting_user, today=today)


@action(FollowUpAction, "remind", check=False)
def remind_follow_up_owners(
    _follow_up: FollowUpAction, *, acting_user, today: datetime.date | None = None
) -> dict[str, int]:
    """Emails the managers of each owner unit (or, where the unit has none, of the nearest unit
    above it) its overdue actions, at most once a week per action (a rerun the same day sends
    nothing), and stamps `reminded_on`."""
    today = today or timezone.localdate()
    due = list(
        FollowUpAction.objects.overdue(today)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lte=today - REMINDER_INTERVAL))
        .select_related("unit", "decision__meeting")
        .order_by("unit_id", "due_on", "pk")
    )
    unit_ids = {f.unit_id for f in due}
    by_path: dict[str, list[str]] = {}
    for role in Role.objects.filter(
        kind=RoleKind.MANAGER, unit__isnull=False, user__is_active=True
    ).select_related("user", "unit"):
        if role.user.email:
            by_path.setdefault(role.unit.path, []).append(role.user.email)
    reminded = []
    for unit_id in sorted(unit_ids):
        actions_ = [f for f in due if f.unit_id == unit_id]
        path = actions_[0].unit.path
        # The nearest unit at or above the owner that has a manager: the path's longest prefix.
        holders = [p for p in by_path if path.startswith(p)]
        recipients = sorted(by_path[max(holders, key=len)]) if holders else None
        if not recipients:
            continue
        lines = [
            f"- {f.title} ({_('due on')} {f.due_on.isoformat()}; {f.decision})" for f in actions_
        ]
        send_mail(
            _("Overdue Management Committee follow-up actions: %(n)s") % {"n": len(actions_)},
            _("These follow-up actions of your unit are overdue:") + "\n" + "\n".join(lines),
            None,
            recipients,
        )
        reminded.extend(actions_)
    for follow_up in reminded:
        follow_up._history_before = history.snapshot(follow_up)
        follow_up.reminded_on = today
    FollowUpAction.objects.bulk_update(reminded, ["reminded_on"], batch_size=1000)
    history.record_bulk(reminded, action="update")
    return {"units": len({f.unit_id for f in reminded}), "actions": len(reminded)}


# --- Consultations, lessons, milestones -----------------------------------------------------


@action(Consultation, "save")
def save_consultation(
    consultation: Consultation, *, acting_user, paragraphs: Iterable[Paragraph] | None = None
) -> Consultation:
    consultation.full_clean()
    consultation.save()
    if paragraphs is not None:
        consultation.paragraphs.set(paragraphs)
    return consultation


@action(Lesson, "save")
def save_lesson(
    lesson: Lesson, *, acting_user, paragraphs: Iterable[Paragraph] | None = None
) -> Lesson:
    lesson.full_clean()
    lesson.save()
    if paragraphs is not None:
        lesson.paragraphs.set(paragraphs)
    return lesson


@action(Milestone, "save")
def save_milestone(milestone: Milestone, *, acting_user) -> Milestone:
    milestone.full_clean()
    milestone.save()
    return milestone
