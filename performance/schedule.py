from celery.schedules import crontab

BEAT_SCHEDULE = {
    "performance-overdue-findings": {
        "task": "performance.remind_overdue_findings",
        "schedule": crontab(hour=6, minute=15),
    },
}
