from celery.schedules import crontab

BEAT_SCHEDULE = {
    "operations-apply-retention": {
        "task": "operations.apply_retention",
        "schedule": crontab(hour=2, minute=30),
    },
}
