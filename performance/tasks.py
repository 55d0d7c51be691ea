from smtplib import SMTPException

from celery import shared_task

from core.actions import SYSTEM
from core.context import acting_as
from performance import reminders


@shared_task(
    name="performance.remind_overdue_findings",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def remind_overdue_findings() -> dict:
    with acting_as("task:performance.remind_overdue_findings"):
        return reminders.remind_overdue_findings(acting_user=SYSTEM)
