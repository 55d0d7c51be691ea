from celery.schedules import crontab

BEAT_SCHEDULE = {
    "accountability-commitment-reminders": {
        "task": "accountability.commitment_reminders",
        # Early morning UTC, before the working day in New York, Geneva and Nairobi.
        "schedule": crontab(minute=15, hour=5),
    },
    "accountability-delegation-expiry-reminders": {
        "task": "accountability.delegation_expiry_reminders",
        "schedule": crontab(minute=25, hour=5),
    },
}
