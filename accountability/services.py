"""Every change of substance to delegations, decisions and commitments: one function each.

The HTML views, the API, the admin and the Celery tasks all call these, so the permission checks,
the validation and the side effects (recomputing `within_authority`, status transitions,
reminders) happen in one place.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accountability.choices import (
    COMMITMENT_TRANSITIONS,
    EXPIRING_WITHIN_DAYS,
    CommitmentStatus,
    ReviewOutcome,
)
from accountability.models import (
    AuthorityItem,
    AuthorityLimit,
    Commitment,
    CommitmentTransition,
    Decision,
    DecisionAttachment,
    Delegation,
    KpiEntry,
    NoticeLanguage,
)
from core import history
from core.actions import SYSTEM, action, allowed, may
from core.context import current_actor
from core.models import HistoryEntry
from core.uploads import check_evidence
from org.models import Paragraph, Person


def _is_user(acting_user) -> bool:
    return acting_user is not None and acting_user is not SYSTEM


def _set_paragraphs(instance, paragraphs: Iterable[Paragraph] | None) -> None:
    if paragraphs is None:
        return
    wanted = {p.pk for p in paragraphs}
    current = set(instance.paragraphs.values_list("pk", flat=True))
    if wanted != current:
        instance.paragraphs.set(wanted)


# --- Areas of authority and reserved matters ---------------------------------------------------


@action(AuthorityItem, "save")
def save_authority_item(item: AuthorityItem, *, acting_user) -> AuthorityItem:
    """Add or change an entry of the list of areas of authority (administrators). Marking an
    entry reserved is refused while an instrument in force covers it."""
    if item.reserved and item.pk:
        in_force = Delegation.objects.filter(authority=item, revoked_on__isnull=True).exclude(
            valid_to__lt=timezone.localdate()
        )
        if in_force.exists():
            raise ValidationError(
                {
                    "reserved": _(
                        "Instruments in force cover this matter: revoke them before reserving "
                        "it to the Secretary-General."
                    )
                }
            )
    item.full_clean()
    item.save()
    return item


@action(AuthorityLimit, "save")
def save_authority_limit(limit: AuthorityLimit, *, acting_user) -> AuthorityLimit:
    limit.currency = (limit.currency or "").upper()
    limit.full_clean()
    limit.save()
    return limit


@action(KpiEntry, "save")
def save_kpi_entry(entry: KpiEntry, *, acting_user) -> KpiEntry:
    """Enter (or correct) a KPI whose data lives elsewhere, with its evidence: administrators and
    the entity's managers."""
    if entry.evidence and hasattr(entry.evidence.file, "content_type"):
        try:
            check_evidence(entry.evidence.file)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from None
    if _is_user(acting_user):
        entry.entered_by = acting_user
    entry.full_clean()
    entry.save()
    return entry


# --- Delegations -------------------------------------------------------------------------------


def _changed(record, field: str, value) -> bool:
    if record._state.adding:
        return True
    return getattr(record, "_history_before", {}).get(field) != value


def _chain_errors(delegation: Delegation, acting_user) -> dict:
    """The chain of authority (ST/SGB/2019/2): the Secretary-General delegates to heads of
    entity, through administrators acting on the Secretary-General's behalf; everyone else
    sub-delegates authority they hold."""
    errors = {}
    if delegation.parent_id is None:
        if not _changed(delegation, "parent", None) and not any(
            _changed(delegation, f, getattr(delegation, f"{f}_id"))
            for f in ("delegator", "delegatee")
        ):
            return errors
        if not may(acting_user, "issue_root", Delegation):
            errors["parent"] = _(
                "Only an administrator, on behalf of the Secretary-General, issues an instrument "
                "that is not a sub-delegation. Choose the instrument you hold and sub-delegate "
                "from it."
            )
            return errors
        if _is_user(acting_user) and delegation.delegator_id != acting_user.pk:
            errors["delegator"] = _(
                "An instrument from the Secretary-General is issued on the Secretary-General's "
                "behalf by the administrator who records it: the delegator is you."
            )
        if (
            delegation.delegatee_id
            and not Person.objects.filter(
                user_id=delegation.delegatee_id, is_head_of_entity=True
            ).exists()
        ):
            errors["delegatee"] = _(
                "The Secretary-General delegates authority to heads of entity: this account is "
                "not recorded as a head of entity. Others receive authority by sub-delegation."
            )
    elif (
        _is_user(acting_user)
        and _changed(delegation, "delegator", delegation.delegator_id)
        and not may(acting_user, "issue_root", Delegation)
        and delegation.delegator_id != acting_user.pk
    ):
        errors["delegator"] = _(
            "You may sub-delegate only authority you hold: the delegator must be you."
        )
    return errors


@action(Delegation, "save")
def save_delegation(delegation: Delegation, *, acting_user) -> Delegation:
    """Issue a new instrument or record a change to one; decisions relying on it are re-judged.
    A new instrument is pending until its delegatee accepts it (accept_delegation)."""
    if not delegation._state.adding and delegation.revoked_on is not None:
        before = getattr(delegation, "_history_before", {})
        if before.get("revoked_on") is not None:
            raise ValidationError(
                {"revoked_on": _("A revoked instrument cannot be changed; issue a new one.")}
            )
    errors = _chain_errors(delegation, acting_user)
    try:
        delegation.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    adding = delegation._state.adding
    delegation.save()
    if not adding:
        below = _refresh_chain_below(delegation)
        recompute_authority([delegation.pk, *below])
    return delegation


def _refresh_chain_below(delegation: Delegation) -> list[int]:
    """Carry the chain's acceptance date down to the sub-delegations; returns their ids."""
    ids, frontier = [], [(delegation.pk, delegation.chain_accepted_on)]
    while frontier:
        parent_id, parent_chain = frontier.pop()
        for child_id, accepted_on, current in Delegation.objects.filter(
            parent_id=parent_id
        ).values_list("pk", "accepted_on", "chain_accepted_on"):
            chain = (
                None
                if parent_chain is None or accepted_on is None
                else max(parent_chain, accepted_on)
            )
            if chain != current:
                Delegation.objects.filter(pk=child_id).update(chain_accepted_on=chain)
            ids.append(child_id)
            frontier.append((child_id, chain))
    return ids


@action(Delegation, "accept")
def accept_delegation(
    delegation: Delegation, *, acting_user, accepted_on: datetime.date | None = None
) -> Delegation:
    """The delegatee accepts the instrument, which then confers authority from that day (with
    its chain). An administrator may record an acceptance made elsewhere, with its earlier date.
    Decisions citing the instrument (and its sub-delegations) are re-judged."""
    today = timezone.localdate()
    if delegation.accepted_on is not None:
        raise ValidationError(
            {
                "accepted_on": _("This instrument was already accepted on %(date)s.")
                % {"date": delegation.accepted_on.isoformat()}
            }
        )
    accepted_on = accepted_on or today
    errors = {}
    if accepted_on > today:
        errors["accepted_on"] = _("An acceptance cannot be dated in the future.")
    elif accepted_on < today and not (
        acting_user is SYSTEM or allowed(acting_user, "backdate_acceptance", delegation)
    ):
        errors["accepted_on"] = _(
            "Only an administrator may record an acceptance dated before today."
        )
    elif delegation.revoked_on is not None and accepted_on >= delegation.revoked_on:
        errors["accepted_on"] = _("The instrument was revoked on %(date)s.") % {
            "date": delegation.revoked_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    delegation.accepted_on = accepted_on
    delegation.accepted_by = acting_user if _is_user(acting_user) else None
    delegation.save()
    below = _refresh_chain_below(delegation)
    _rejudge_and_notify([delegation.pk, *below])
    return delegation


@action(Delegation, "revoke")
def revoke_delegation(
    delegation: Delegation,
    *,
    acting_user,
    reason: str,
    revoked_on: datetime.date | None = None,
) -> list[Delegation]:
    """Revoke an instrument and the sub-delegations made under it. The revocation takes effect
    on `revoked_on` (today by default) and is never backdated, so decisions taken before it keep
    their standing. Returns every instrument revoked. Who may: the delegator, a manager of the
    unit, an administrator (DelegationPolicy.revoke)."""
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
        node.revoked_by = acting_user if _is_user(acting_user) else None
        node.save()
        revoked.append(node)
        cascade = _("Parent instrument %(ref)s revoked: %(reason)s") % {
            "ref": node.reference or node.pk,
            "reason": why,
        }
        pending.extend((child, cascade) for child in node.children.all())
    _rejudge_and_notify([d.pk for d in revoked])
    return revoked


def send_delegation_expiry_reminders(today: datetime.date | None = None) -> int:
    """Email the delegator and the delegatee of each instrument in force that ends within
    EXPIRING_WITHIN_DAYS, once per instrument (the guarded UPDATE claims it first)."""
    today = today or timezone.localdate()
    ahead = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    candidates = (
        Delegation.objects.filter(
            valid_to__gte=today,
            valid_to__lte=ahead,
            expiry_reminded_on__isnull=True,
            revoked_on__isnull=True,
        )
        .select_related("delegator", "delegatee", "unit")
        .order_by("valid_to", "pk")
    )
    sent = 0
    for delegation in list(candidates):
        claimed = Delegation.objects.filter(pk=delegation.pk, expiry_reminded_on__isnull=True)
        if not claimed.update(expiry_reminded_on=today):
            continue
        recipients = [u.email for u in (delegation.delegator, delegation.delegatee) if u.email]
        if recipients:
            send_mail(
                _("Delegation of authority ending on %(date)s: %(ref)s")
                % {
                    "date": delegation.valid_to.isoformat(),
                    "ref": delegation.reference or delegation.pk,
                },
                _(
                    "The delegation of authority %(ref)s (%(area)s, %(unit)s) ends on %(date)s. "
                    "If the authority is still needed, the delegator should issue a new "
                    "instrument and the delegatee accept it before then."
                )
                % {
                    "ref": delegation.reference or delegation.pk,
                    "area": delegation.get_area_display(),
                    "unit": delegation.unit.code,
                    "date": delegation.valid_to.isoformat(),
                },
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
        sent += 1
    return sent


def recompute_authority(delegation_ids: Iterable[int]) -> int:
    """Re-judge the decisions that rely on these instruments; store and log what changed."""
    return len(_rejudge(delegation_ids))


def _rejudge(delegation_ids: Iterable[int]) -> list[int]:
    """recompute_authority, returning the ids of the decisions whose flag changed."""
    changed = list(
        Decision.objects.filter(delegation_id__in=list(delegation_ids))
        .with_computed_authority()
        .exclude(within_authority=F("computed_within"))
    )
    if not changed:
        return []
    for decision in changed:
        decision.within_authority = decision.computed_within
        decision.version += 1
    Decision.objects.bulk_update(changed, ["within_authority", "version"], batch_size=1000)
    history.record_bulk(changed, action=HistoryEntry.Action.UPDATE)
    return [d.pk for d in changed]


def _rejudge_and_notify(delegation_ids: Iterable[int]) -> int:
    """Re-judge, and once the change is committed have a worker tell the people concerned."""
    changed = _rejudge(delegation_ids)
    if changed:
        from accountability.tasks import authority_rejudged_notices

        # robust: the change is committed either way; a broker outage is logged, not raised.
        transaction.on_commit(lambda: authority_rejudged_notices.delay(changed), robust=True)
    return len(changed)


# --- Notices in the recipient's language --------------------------------------------------------


def set_notice_language(user, language: str) -> None:
    """The user's own choice of the language of their notices (a preference: no history)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    NoticeLanguage.objects.update_or_create(user=user, defaults={"language": language})


def notice_language(user) -> str:
    chosen = getattr(user, "notice_language", None) if user is not None else None
    return chosen.language if chosen is not None else settings.LANGUAGE_CODE


# A revocation high in the chain can turn thousands of decisions: the e-mail lists the first
# ones and sends the reader to the log for the rest.
NOTICE_MAX_LISTED = 100


def rejudged_recipients(decision_ids: Iterable[int]) -> dict[int, list[int]]:
    """{user id: ids of their decisions} for the people told of a re-judgement: each decision's
    decider and reviewer(s) (the delegator of the cited instrument, and whoever recorded a
    review), those with an e-mail address."""
    rows = (
        Decision.objects.filter(pk__in=list(decision_ids))
        .order_by("decided_on", "pk")
        .values_list(
            "pk",
            "decided_by_id",
            "decided_by__email",
            "reviewed_by_id",
            "reviewed_by__email",
            "delegation__delegator_id",
            "delegation__delegator__email",
        )
    )
    recipients: dict[int, list[int]] = {}
    for pk, *people in rows:
        for user_id, email in zip(people[::2], people[1::2], strict=True):
            if user_id is not None and email and pk not in recipients.get(user_id, ()):
                recipients.setdefault(user_id, []).append(pk)
    return recipients


def send_rejudged_notice(user_id: int, decision_ids: Iterable[int]) -> bool:
    """One person's e-mail: which of their decisions changed flag after an acceptance or a
    revocation, in that person's language. False if there is no one to write to."""
    person = (
        get_user_model()
        .objects.select_related("notice_language")
        .filter(pk=user_id)
        .exclude(email="")
        .first()
    )
    theirs = list(
        Decision.objects.filter(pk__in=list(decision_ids))
        .select_related("unit", "delegation")
        .order_by("decided_on", "pk")
    )
    if person is None or not theirs:
        return False
    with translation.override(notice_language(person)):
        lines = []
        for decision in theirs[:NOTICE_MAX_LISTED]:
            flag = (
                _("now within delegated authority")
                if decision.within_authority
                else _("now outside delegated authority")
            )
            lines.append(
                f"- {decision.title} ({decision.unit.code}, "
                f"{formats.date_format(decision.decided_on)}): {flag}"
            )
            lines.extend(f"    {p}" for p in decision.authority_problems)
        if len(theirs) > NOTICE_MAX_LISTED:
            lines.append(
                _("… and %(n)d more: see the decision log in the tracker.")
                % {"n": len(theirs) - NOTICE_MAX_LISTED}
            )
        send_mail(
            ngettext(
                "Delegated authority re-judged: %(n)d decision changed",
                "Delegated authority re-judged: %(n)d decisions changed",
                len(theirs),
            )
            % {"n": len(theirs)},
            _(
                "An instrument of delegation of authority was accepted or revoked, and the "
                "tracker re-judged the decisions that rely on it. These decisions that you "
                "took or review changed:\n\n%(lines)s\n\nA decision outside authority "
                "awaits review in the tracker."
            )
            % {"lines": "\n".join(lines)},
            settings.DEFAULT_FROM_EMAIL,
            [person.email],
        )
    return True


def send_rejudged_notices(decision_ids: Iterable[int]) -> int:
    """Every recipient's e-mail, here and now; returns the e-mails sent."""
    return sum(
        send_rejudged_notice(user_id, ids)
        for user_id, ids in rejudged_recipients(decision_ids).items()
    )


# --- Decisions ---------------------------------------------------------------------------------


@action(Decision, "save")
def save_decision(
    decision: Decision,
    *,
    acting_user,
    paragraphs: Iterable[Paragraph] | None = None,
    attachments: Iterable = (),
) -> Decision:
    """Log a decision or record a change to one; `within_authority` is judged on save."""
    if decision._state.adding and not decision.decided_by_id and _is_user(acting_user):
        decision.decided_by = acting_user
    was_within = decision._state.adding or getattr(decision, "_history_before", {}).get(
        "within_authority", True
    )
    decision.full_clean()
    decision.save()
    _set_paragraphs(decision, paragraphs)
    if was_within and not decision.within_authority and _is_user(acting_user):
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


@action(Decision, "attach", permission="change")
def add_attachment(decision: Decision, *, acting_user, upload) -> DecisionAttachment:
    """File evidence with a decision: whoever may change the decision may."""
    try:
        check_evidence(upload)
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.messages}) from None
    name = (upload.name or "evidence").rsplit("/", 1)[-1][:200]
    return DecisionAttachment.objects.create(decision=decision, file=upload, name=name)


def _review_errors(
    decision: Decision, outcome: str, action_taken: str, reviewed_on: datetime.date
) -> dict:
    errors = {}
    if decision.within_authority:
        errors["outcome"] = _("This decision was taken within delegated authority.")
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = _("Choose justified, mismanagement or abuse of authority.")
    if outcome in (ReviewOutcome.MISMANAGEMENT, ReviewOutcome.ABUSE) and not action_taken:
        errors["action_taken"] = _("Say what action was taken in response.")
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = _("A review cannot be dated in the future.")
    return errors


def _record_review(decision, acting_user, outcome, action_taken, reviewed_on) -> Decision:
    decision.review_outcome = outcome
    decision.review_action = action_taken
    decision.reviewed_by = acting_user if _is_user(acting_user) else None
    decision.reviewed_on = reviewed_on
    decision.save()
    return decision


@action(Decision, "review")
def review_decision(
    decision: Decision,
    *,
    acting_user,
    outcome: str,
    action_taken: str = "",
    reviewed_on: datetime.date | None = None,
) -> Decision:
    """Record the review of a decision taken outside delegated authority: justified,
    mismanagement or abuse of authority, and the action taken (paragraphs 17 and 21). Who may:
    administrators and the delegator of the cited instrument (DecisionPolicy.review). A decision
    is reviewed once; a second finding is a revision, with its reason (revise_review)."""
    action_taken = (action_taken or "").strip()
    reviewed_on = reviewed_on or timezone.localdate()
    errors = _review_errors(decision, outcome, action_taken, reviewed_on)
    if decision.review_outcome:
        errors["outcome"] = _(
            "This decision was already reviewed; revise the review instead, giving the reason "
            "(POST /api/accountability/decisions/%(id)s/revise-review/)."
        ) % {"id": decision.pk}
    if errors:
        raise ValidationError(errors)
    return _record_review(decision, acting_user, outcome, action_taken, reviewed_on)


@action(Decision, "revise_review")
def revise_review(
    decision: Decision,
    *,
    acting_user,
    outcome: str,
    reason: str,
    action_taken: str = "",
    reviewed_on: datetime.date | None = None,
) -> Decision:
    """Revise the review of a decision, saying why. The earlier finding and the revision both
    stay in the decision's history (the change log keeps each before and after)."""
    action_taken = (action_taken or "").strip()
    reason = (reason or "").strip()
    reviewed_on = reviewed_on or timezone.localdate()
    errors = _review_errors(decision, outcome, action_taken, reviewed_on)
    if not decision.review_outcome:
        errors["outcome"] = _("This decision has not been reviewed yet; record its review first.")
    if not reason:
        errors["reason"] = _("Give the reason for revising the review.")
    if decision.reviewed_on and reviewed_on < decision.reviewed_on:
        errors.setdefault(
            "reviewed_on",
            _("A revision cannot precede the review it revises (%(date)s).")
            % {"date": decision.reviewed_on.isoformat()},
        )
    if errors:
        raise ValidationError(errors)
    decision.review_revision_reason = reason
    return _record_review(decision, acting_user, outcome, action_taken, reviewed_on)


# --- Commitments -------------------------------------------------------------------------------


def _transition(commitment, from_status: str, to_status: str, acting_user, note: str) -> None:
    CommitmentTransition.objects.create(
        commitment=commitment,
        from_status=from_status,
        to_status=to_status,
        changed_by=acting_user if _is_user(acting_user) else None,
        actor=f"user:{acting_user.get_username()}"
        if _is_user(acting_user)
        else current_actor().resolved_label()[:150],
        note=note,
    )


@action(Commitment, "save")
def save_commitment(
    commitment: Commitment, *, acting_user, paragraphs: Iterable[Paragraph] | None = None
) -> Commitment:
    """Record a new commitment (status planned) or change its terms; its status changes only
    through change_commitment_status."""
    adding = commitment._state.adding
    if adding and not commitment.owner_id and _is_user(acting_user):
        commitment.owner = acting_user
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


@action(Commitment, "status")
def change_commitment_status(
    commitment: Commitment,
    *,
    acting_user,
    status: str,
    honoured_on: datetime.date | None = None,
    note: str = "",
) -> Commitment:
    """Move a commitment along planned → in progress → honoured / missed / cancelled, keeping
    each transition. Who may: whoever may change the commitment; the overdue job acts as
    SYSTEM."""
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
                acting_user=SYSTEM,
                status=CommitmentStatus.MISSED,
                note=_("Marked missed: the due date %(date)s passed.")
                % {"date": locked.due_on.isoformat()},
            )
        count += 1
    return count
