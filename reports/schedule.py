"""Periodic jobs of the reports app (gathered by config/celery.py).

The biennial report is compiled on a configurable day: REPORT_SCHEDULE_MONTH and
REPORT_SCHEDULE_DAY in the environment (default 15 January, after the biennium closed)."""

import os

from celery.schedules import crontab


def _env_int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    value = int(raw)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}; got {value}")
    return value


BEAT_SCHEDULE = {
    "reports-biennial": {
        "task": "reports.tasks.compile_biennial_report",
        "schedule": crontab(
            minute=0,
            hour=2,
            day_of_month=_env_int("REPORT_SCHEDULE_DAY", 15, 1, 28),
            month_of_year=_env_int("REPORT_SCHEDULE_MONTH", 1, 1, 12),
        ),
    },
    "reports-fail-stuck": {
        "task": "reports.tasks.fail_stuck_reports",
        "schedule": crontab(minute="*/5"),
    },
    # The dashboard's live figures beside the latest report's (every app's metrics: seconds).
    "reports-live-figures": {
        "task": "reports.tasks.refresh_live_figures",
        "schedule": crontab(minute="*/5"),
    },
}
