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


@shared_task(
    name="accountability.authority_rejudged_notices",
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
)
def authority_rejudged_notices(decision_ids: list[int]) -> dict:
    """E-mail the deciders and reviewers of decisions whose flag an acceptance or a revocation
    changed (queued after the change is committed)."""
    with acting_as("task:accountability.authority_rejudged_notices"):
        return {"sent": services.send_rejudged_notices(decision_ids)}
