from smtplib import SMTPException

from celery import shared_task

from core.actions import SYSTEM
from core.context import acting_as
from oversight import reminders


@shared_task(
    name="oversight.send_due_reminders",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def send_due_reminders() -> dict:
    with acting_as("task:oversight.send_due_reminders"):
        return reminders.send_due_reminders(acting_user=SYSTEM)


@shared_task(
    name="oversight.send_verification_digest",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def send_verification_digest() -> dict:
    with acting_as("task:oversight.send_verification_digest"):
        return reminders.send_verification_digest()
