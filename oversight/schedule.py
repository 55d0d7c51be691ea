from celery.schedules import crontab

BEAT_SCHEDULE = {
    "oversight-due-reminders": {
        "task": "oversight.send_due_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
    "oversight-verification-digest": {
        "task": "oversight.send_verification_digest",
        "schedule": crontab(day_of_week=1, hour=6, minute=30),
    },
}
