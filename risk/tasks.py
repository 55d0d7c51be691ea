"""Periodic jobs of the risk area: thin wrappers around risk.services, idempotent."""

from celery import shared_task

from core.actions import SYSTEM
from core.context import acting_as
from risk import services


@shared_task(
    name="risk.treatment_reminders", autoretry_for=(OSError,), max_retries=3, retry_backoff=True
)
def treatment_reminders() -> dict:
    """Remind owners of overdue treatment actions, at most weekly per action."""
    with acting_as("task:risk.treatment_reminders"):
        return services.send_treatment_reminders(acting_user=SYSTEM)
