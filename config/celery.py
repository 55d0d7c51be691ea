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
    schedule.update(_recovery_schedule())
    sender.conf.beat_schedule = schedule


def _recovery_schedule() -> dict:
    """The jobs that bound recovery and anchor the history, on intervals the settings give (so a
    test or a deployment tunes them without editing an app): the report-run sweep, which queues
    again (or fails) a run whose worker stopped beating, and the history checkpoint."""
    from django.conf import settings

    return {
        "reports-fail-stuck": {
            "task": "reports.tasks.fail_stuck_reports",
            "schedule": float(settings.REPORT_SWEEP_SECONDS),
        },
        "core-history-checkpoint": {
            "task": "core.tasks.checkpoint_history",
            "schedule": float(getattr(settings, "AUDIT_CHECKPOINT_SECONDS", 3600)),
        },
    }
