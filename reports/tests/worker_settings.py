"""Settings of the Celery worker the killed-worker test starts: the report rolls up a stand-in
metrics module that takes a few seconds, so the test can kill the worker mid-task."""

from config.test_settings import *  # noqa: F403

REPORT_METRIC_MODULES = {"oversight": "reports.tests.worker_metrics"}
