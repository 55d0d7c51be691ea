from smtplib import SMTPException

from celery import shared_task

from core.actions import SYSTEM
from core.context import acting_as
from governance import services


@shared_task(
    name="governance.send_follow_up_reminders",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def send_follow_up_reminders() -> dict:
    with acting_as("task:governance.send_follow_up_reminders"):
        return services.send_follow_up_reminders(acting_user=SYSTEM)
