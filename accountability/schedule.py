from celery.schedules import crontab

BEAT_SCHEDULE = {
    "accountability-commitment-reminders": {
        "task": "accountability.commitment_reminders",
        # Early morning UTC, before the working day in New York, Geneva and Nairobi.
        "schedule": crontab(minute=15, hour=5),
    },
}
