"""The Celery application. Each app keeps its tasks in `tasks.py` and its periodic jobs in
`schedule.py` (a dict named BEAT_SCHEDULE), both discovered here."""

import importlib
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _gather_beat_schedules(sender, **kwargs):
    from django.apps import apps as django_apps

    schedule = dict(sender.conf.beat_schedule or {})
    for config in django_apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.schedule":
                raise
            continue
        schedule.update(getattr(module, "BEAT_SCHEDULE", {}))
    sender.conf.beat_schedule = schedule
