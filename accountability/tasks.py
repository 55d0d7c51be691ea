"""Periodic jobs: thin wrappers around accountability.services, idempotent."""

from celery import shared_task

from accountability import services
from core.context import acting_as


@shared_task(
    name="accountability.commitment_reminders",
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
)
def commitment_reminders() -> dict:
    """Remind owners 14 days before and on the due date (once each), then mark commitments
    still open after their due date as missed."""
    with acting_as("task:accountability.commitment_reminders"):
        sent = services.send_commitment_reminders()
        missed = services.mark_overdue_commitments()
    return {**sent, "missed": missed}


@shared_task(
    name="accountability.delegation_expiry_reminders",
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
)
def delegation_expiry_reminders() -> dict:
    """Remind the delegator and the delegatee of instruments ending within 30 days (once)."""
    with acting_as("task:accountability.delegation_expiry_reminders"):
        return {"reminded": services.send_delegation_expiry_reminders()}


@shared_task(name="accountability.authority_rejudged_notices")
def authority_rejudged_notices(decision_ids: list[int]) -> dict:
    """After an acceptance or a revocation changed decisions' flags (queued once committed):
    one task per person to tell, so that a retry re-sends only the e-mail that failed."""
    recipients = services.rejudged_recipients(decision_ids)
    for user_id, ids in recipients.items():
        authority_rejudged_notice.delay(user_id, ids)
    return {"recipients": len(recipients)}


@shared_task(
    name="accountability.authority_rejudged_notice",
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
)
def authority_rejudged_notice(user_id: int, decision_ids: list[int]) -> dict:
    """One person's e-mail about their decisions that changed flag, in their language."""
    with acting_as("task:accountability.authority_rejudged_notice"):
        return {"sent": services.send_rejudged_notice(user_id, decision_ids)}
