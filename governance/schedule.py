from celery.schedules import crontab

BEAT_SCHEDULE = {
    "governance-follow-up-reminders": {
        "task": "governance.send_follow_up_reminders",
        "schedule": crontab(hour=6, minute=15),
    },
}
