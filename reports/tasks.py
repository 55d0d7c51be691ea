"""Celery tasks of the reports app: thin wrappers around reports.services."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from core.actions import SYSTEM
from core.context import acting_as
from reports import services
from reports.models import ReportRun

logger = logging.getLogger(__name__)
# Errors worth another try: the database or the storage blinked.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
MAX_RETRIES = 3


def backoff(retries: int) -> int:
    return min(300, 10 * 2**retries)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def compile_report(self, run_id: int) -> str:
    """Compile and issue one report run. Safe to deliver twice: see services.compile_report_run."""
    with acting_as("task:reports.compile_report"):
        try:
            # The broker gives back the task of a worker that died: take the run over at once
            # rather than wait for its heartbeat to go stale.
            redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
            run = services.compile_report_run(run_id, redelivered=redelivered)
        except services.Superseded:
            return "superseded"
        except TRANSIENT_ERRORS as exc:
            if self.request.retries < self.max_retries:
                logger.warning("Report run %s: transient error, retrying: %s", run_id, exc)
                raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
            services.mark_failed(run_id, acting_user=SYSTEM, message=f"{type(exc).__name__}: {exc}")
            return "failed"
        except Exception as exc:
            logger.exception("Report run %s failed", run_id)
            services.mark_failed(run_id, acting_user=SYSTEM, message=f"{type(exc).__name__}: {exc}")
            return "failed"
        return "done" if run is not None else "skipped"


@shared_task
def fail_stuck_reports() -> dict[str, int]:
    """The sweep: runs whose worker went silent are queued again, or failed after
    REPORT_MAX_ATTEMPTS (config/celery.py runs it every REPORT_SWEEP_SECONDS)."""
    with acting_as("task:reports.fail_stuck_reports"):
        return services.fail_stuck_runs()


@shared_task(ignore_result=True)
def refresh_live_figures(period_start: str | None = None, period_end: str | None = None) -> None:
    """Today's headline figures for a period (default: the latest issued report's)."""
    from reports.dashboard import refresh_live_headline

    if period_start and period_end:
        start, end = (
            datetime.date.fromisoformat(period_start),
            datetime.date.fromisoformat(period_end),
        )
    else:
        run = ReportRun.objects.done().order_by("-finished_at", "-id").first()
        if run is None:
            return
        start, end = run.period_start, run.period_end
    with acting_as("task:reports.refresh_live_figures"):
        refresh_live_headline(start, end)


def last_biennium(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last complete budget biennium (two calendar years, starting in an even year)."""
    end_year = today.year - 1
    if end_year % 2 == 0:
        end_year -= 1
    return datetime.date(end_year - 1, 1, 1), datetime.date(end_year, 12, 31)


@shared_task
def compile_biennial_report() -> int | None:
    """The scheduled report for the last biennium, in each configured language."""
    start, end = last_biennium(timezone.localdate())
    last_id = None
    with acting_as("task:reports.compile_biennial_report"):
        for language in getattr(settings, "REPORT_SCHEDULE_LANGUAGES", ("en", "zh-hans")):
            run, _created = services.request_report_run(
                ReportRun(period_start=start, period_end=end, language=language),
                acting_user=SYSTEM,
            )
            last_id = run.pk
    return last_id


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def edition_job(self, edition_id: int, token: str) -> str:
    """An edition's job (its figures, or its issue): see reports.editions.run_job."""
    from reports import editions

    with acting_as("task:reports.edition_job"):
        return editions.run_job(edition_id, token)
