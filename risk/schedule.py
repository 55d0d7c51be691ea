from celery.schedules import crontab

BEAT_SCHEDULE = {
    "risk-treatment-reminders": {
        "task": "risk.treatment_reminders",
        # Mondays, early morning UTC: the week's follow-up starts with the list of what is late.
        "schedule": crontab(minute=30, hour=5, day_of_week=1),
    },
}
