"""Settings of the Celery worker the killed-worker test starts: the report rolls up a stand-in
metrics module that takes a few seconds, so the test can kill the worker mid-task; and the
worker looks for tasks whose worker vanished every second instead of every 100 seconds."""

from config.test_settings import *  # noqa: F403

REPORT_METRIC_MODULES = {"oversight": "reports.tests.worker_metrics"}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
