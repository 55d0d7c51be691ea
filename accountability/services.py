"""Every change of substance to delegations, decisions and commitments: one function each.

The HTML views, the API, the admin and the Celery tasks all call these, so the permission checks,
the validation and the side effects (recomputing `within_authority`, status transitions,
reminders) happen in one place.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import COMMITMENT_TRANSITIONS, CommitmentStatus, ReviewOutcome
from accountability.models import (
    Commitment,
    CommitmentTransition,
    Decision,
    DecisionAttachment,
    Delegation,
)
from core import history
from core.context import current_actor
from core.models import HistoryEntry
from core.uploads import check_evidence
from org.access import access_for
from org.models import Paragraph


def _require_unit(acting_user, unit_id: int | None, original_unit_id: int | None = None) -> None:
    """The acting user must manage the record's unit (and, on a move, the unit it came from)."""
    if acting_user is None:
        return  # a task or command acting for the system
    access = access_for(acting_user)
    for unit in {unit_id, original_unit_id} - {None}:
        if not access.manages_unit(unit):
            raise PermissionDenied(_("You may not record this for that unit."))


def _original_unit(instance) -> int | None:
    if instance._state.adding:
        return None
    return getattr(instance, "_history_before", {}).get("unit")


def _set_paragraphs(instance, paragraphs: Iterable[Paragraph] | None) -> None:
    if paragraphs is None:
        return
    wanted = {p.pk for p in paragraphs}
    current = set(instance.paragraphs.values_list("pk", flat=True))
    if wanted != current:
        instance.paragraphs.set(wanted)


# --- Delegations -------------------------------------------------------------------------------


@transaction.atomic
def save_delegation(delegation: Delegation, *, acting_user) -> Delegation:
    """Issue a new instrument or record a change to one; decisions relying on it are re-judged."""
    _require_unit(acting_user, delegation.unit_id, _original_unit(delegation))
    if not delegation._state.adding and delegation.revoked_on is not None:
        before = getattr(delegation, "_history_before", {})
        if before.get("revoked_on") is not None:
            raise ValidationError(
                {"revoked_on": _("A revoked instrument cannot be changed; issue a new one.")}
            )
    delegation.full_clean()
    adding = delegation._state.adding
    delegation.save()
    if not adding:
        recompute_authority([delegation.pk])
    return delegation


@transaction.atomic
def revoke_delegation(
    delegation: Delegation,
    *,
    acting_user,
    reason: str,
    revoked_on: datetime.date | None = None,
) -> list[Delegation]:
    """Revoke an instrument and the sub-delegations made under it. The revocation takes effect
    on `revoked_on` (today by default) and is never backdated, so decisions taken before it keep
    their standing. Returns every instrument revoked."""
    access = access_for(acting_user)
    if not (access.manages_unit(delegation.unit_id) or delegation.delegator_id == acting_user.pk):
        raise PermissionDenied(_("Only the delegator or a manager of the unit may revoke this."))
    today = timezone.localdate()
    revoked_on = revoked_on or today
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the revocation.")
    if revoked_on < today:
        errors["revoked_on"] = _(
            "A revocation cannot be backdated: decisions already taken under the instrument stand."
        )
    if delegation.revoked_on is not None and delegation.revoked_on <= revoked_on:
        errors["revoked_on"] = _("This instrument was already revoked on %(date)s.") % {
            "date": delegation.revoked_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    revoked = []
    pending = [(delegation, reason.strip())]
    while pending:
        node, why = pending.pop()
        node = (
            Delegation.objects.select_for_update().get(pk=node.pk)
            if node.pk != delegation.pk
            else node
        )
        if node.revoked_on is not None and node.revoked_on <= revoked_on:
            continue
        node.revoked_on = revoked_on
        node.revocation_reason = why
        node.revoked_by = acting_user
        node.save()
        revoked.append(node)
        cascade = _("Parent instrument %(ref)s revoked: %(reason)s") % {
            "ref": node.reference or node.pk,
            "reason": why,
        }
        pending.extend((child, cascade) for child in node.children.all())
    recompute_authority([d.pk for d in revoked])
    return revoked


def recompute_authority(delegation_ids: Iterable[int]) -> int:
    """Re-judge the decisions that rely on these instruments; store and log what changed."""
    changed = list(
        Decision.objects.filter(delegation_id__in=list(delegation_ids))
        .with_computed_authority()
        .exclude(within_authority=F("computed_within"))
    )
    if not changed:
        return 0
    for decision in changed:
        decision.within_authority = decision.computed_within
        decision.version += 1
    Decision.objects.bulk_update(changed, ["within_authority", "version"], batch_size=1000)
    history.record_bulk(changed, action=HistoryEntry.Action.UPDATE)
    return len(changed)


# --- Decisions ---------------------------------------------------------------------------------


@transaction.atomic
def save_decision(
    decision: Decision,
    *,
    acting_user,
    paragraphs: Iterable[Paragraph] | None = None,
    attachments: Iterable = (),
) -> Decision:
    """Log a decision or record a change to one; `within_authority` is judged on save."""
    _require_unit(acting_user, decision.unit_id, _original_unit(decision))
    if decision._state.adding and not decision.decided_by_id:
        decision.decided_by = acting_user
    was_within = decision._state.adding or getattr(decision, "_history_before", {}).get(
        "within_authority", True
    )
    decision.full_clean()
    decision.save()
    _set_paragraphs(decision, paragraphs)
    if was_within and not decision.within_authority and acting_user is not None:
        transaction.on_commit(lambda: _notify_delegator(decision.pk))
    for upload in attachments:
        add_attachment(decision, acting_user=acting_user, upload=upload)
    return decision


def _notify_delegator(decision_id: int) -> None:
    """Tell the delegator that a decision relying on their instrument went beyond it, so that
    no decision outside authority goes unseen (paragraph 21's monitoring)."""
    decision = (
        Decision.objects.select_related("delegation__delegator", "decided_by", "unit")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or decision.delegation is None:
        return
    delegator = decision.delegation.delegator
    if not delegator.email or delegator.pk == decision.decided_by_id:
        return
    send_mail(
        _("Decision outside delegated authority: %(title)s") % {"title": decision.title},
        _(
            "%(who)s logged a decision in %(unit)s on %(date)s that goes beyond the delegation "
            "%(ref)s you issued:\n\n%(problems)s\n\nRecord your review in the tracker."
        )
        % {
            "who": decision.decided_by_name,
            "unit": decision.unit.code,
            "date": decision.decided_on.isoformat(),
            "ref": decision.delegation.reference or decision.delegation.pk,
            "problems": "\n".join(f"- {p}" for p in decision.authority_problems),
        },
        settings.DEFAULT_FROM_EMAIL,
        [delegator.email],
    )


@transaction.atomic
def add_attachment(decision: Decision, *, acting_user, upload) -> DecisionAttachment:
    _require_unit(acting_user, decision.unit_id)
    try:
        check_evidence(upload)
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.messages}) from None
    name = (upload.name or "evidence").rsplit("/", 1)[-1][:200]
    return DecisionAttachment.objects.create(decision=decision, file=upload, name=name)


@transaction.atomic
def review_decision(
    decision: Decision,
    *,
    acting_user,
    outcome: str,
    action_taken: str = "",
    reviewed_on: datetime.date | None = None,
) -> Decision:
    """Record the review of a decision taken outside delegated authority: justified,
    mismanagement or abuse of authority, and the action taken (paragraphs 17 and 21)."""
    if not Decision.objects.reviewable_by(acting_user).filter(pk=decision.pk).exists():
        raise PermissionDenied(
            _("Only an administrator or the delegator may review this decision.")
        )
    errors = {}
    if decision.within_authority:
        errors["outcome"] = _("This decision was taken within delegated authority.")
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = _("Choose justified, mismanagement or abuse of authority.")
    action_taken = (action_taken or "").strip()
    if outcome in (ReviewOutcome.MISMANAGEMENT, ReviewOutcome.ABUSE) and not action_taken:
        errors["action_taken"] = _("Say what action was taken in response.")
    reviewed_on = reviewed_on or timezone.localdate()
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = _("A review cannot be dated in the future.")
    if errors:
        raise ValidationError(errors)
    decision.review_outcome = outcome
    decision.review_action = action_taken
    decision.reviewed_by = acting_user
    decision.reviewed_on = reviewed_on
    decision.save()
    return decision


# --- Commitments -------------------------------------------------------------------------------


def _transition(commitment, from_status: str, to_status: str, acting_user, note: str) -> None:
    CommitmentTransition.objects.create(
        commitment=commitment,
        from_status=from_status,
        to_status=to_status,
        changed_by=acting_user,
        actor=current_actor().resolved_label()[:150]
        if acting_user is None
        else f"user:{acting_user.get_username()}",
        note=note,
    )


@transaction.atomic
def save_commitment(
    commitment: Commitment, *, acting_user, paragraphs: Iterable[Paragraph] | None = None
) -> Commitment:
    """Record a new commitment (status planned) or change its terms; its status changes only
    through change_commitment_status."""
    _require_unit(acting_user, commitment.unit_id, _original_unit(commitment))
    adding = commitment._state.adding
    if adding:
        commitment.status = CommitmentStatus.PLANNED
        commitment.honoured_on = None
    else:
        before = getattr(commitment, "_history_before", {})
        honoured_before = before.get("honoured_on")
        honoured_now = commitment.honoured_on.isoformat() if commitment.honoured_on else None
        if before.get("status") != commitment.status or honoured_before != honoured_now:
            raise ValidationError(
                {"status": _("Change the status with a status change, which keeps its history.")}
            )
    commitment.full_clean()
    commitment.save()
    _set_paragraphs(commitment, paragraphs)
    if adding:
        _transition(commitment, "", CommitmentStatus.PLANNED, acting_user, "")
    return commitment


@transaction.atomic
def change_commitment_status(
    commitment: Commitment,
    *,
    acting_user,
    status: str,
    honoured_on: datetime.date | None = None,
    note: str = "",
) -> Commitment:
    """Move a commitment along planned → in progress → honoured / missed / cancelled, keeping
    each transition. `acting_user` None means the system (the overdue job)."""
    _require_unit(acting_user, commitment.unit_id)
    today = timezone.localdate()
    current = commitment.status
    if status not in CommitmentStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    if status == current:
        return commitment
    if status not in COMMITMENT_TRANSITIONS[CommitmentStatus(current)]:
        raise ValidationError(
            {
                "status": _("A %(current)s commitment cannot become %(new)s.")
                % {
                    "current": CommitmentStatus(current).label.lower(),
                    "new": CommitmentStatus(status).label.lower(),
                }
            }
        )
    if status == CommitmentStatus.HONOURED:
        honoured_on = honoured_on or today
        if honoured_on > today:
            raise ValidationError(
                {"honoured_on": _("A commitment cannot be honoured in the future.")}
            )
        commitment.honoured_on = honoured_on
    elif honoured_on is not None:
        raise ValidationError({"honoured_on": _("Only an honoured commitment has this date.")})
    commitment.status = status
    commitment.save()
    _transition(commitment, current, status, acting_user, note)
    return commitment


def _notify(commitment: Commitment, subject: str, body: str) -> None:
    email = commitment.owner.email
    if email:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)


def send_commitment_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """Email owners 14 days before and on the due date, once each. The guarded UPDATE claims a
    reminder before it is sent, so two workers never send it twice."""
    today = today or timezone.localdate()
    sent = {"before": 0, "due": 0}
    ahead = today + datetime.timedelta(days=14)
    candidates = (
        Commitment.objects.open()
        .filter(due_on__gt=today, due_on__lte=ahead, reminded_before_on__isnull=True)
        .select_related("owner")
    )
    for commitment in list(candidates):
        claimed = Commitment.objects.filter(pk=commitment.pk, reminded_before_on__isnull=True)
        if claimed.update(reminded_before_on=today):
            _notify(
                commitment,
                _("Commitment due on %(date)s: %(title)s")
                % {"date": commitment.due_on.isoformat(), "title": commitment.title},
                _("Your commitment “%(title)s” is due on %(date)s.\n\nDeliverable: %(deliverable)s")
                % {
                    "title": commitment.title,
                    "date": commitment.due_on.isoformat(),
                    "deliverable": commitment.deliverable or "—",
                },
            )
            sent["before"] += 1
    due = (
        Commitment.objects.open()
        .filter(due_on=today, reminded_due_on__isnull=True)
        .select_related("owner")
    )
    for commitment in list(due):
        claimed = Commitment.objects.filter(pk=commitment.pk, reminded_due_on__isnull=True)
        if claimed.update(reminded_due_on=today):
            _notify(
                commitment,
                _("Commitment due today: %(title)s") % {"title": commitment.title},
                _(
                    "Your commitment “%(title)s” is due today (%(date)s). Record it as honoured "
                    "in the tracker, or it will be marked missed tomorrow."
                )
                % {"title": commitment.title, "date": commitment.due_on.isoformat()},
            )
            sent["due"] += 1
    return sent


def mark_overdue_commitments(today: datetime.date | None = None) -> int:
    """Mark commitments still open after their due date as missed (one transition each)."""
    today = today or timezone.localdate()
    count = 0
    for pk in list(Commitment.objects.overdue(today).values_list("pk", flat=True)):
        with transaction.atomic():
            locked = Commitment.objects.select_for_update().filter(pk=pk).first()
            if locked is None or not locked.is_open or locked.due_on >= today:
                continue
            change_commitment_status(
                locked,
                acting_user=None,
                status=CommitmentStatus.MISSED,
                note=_("Marked missed: the due date %(date)s passed.")
                % {"date": locked.due_on.isoformat()},
            )
        count += 1
    return count
