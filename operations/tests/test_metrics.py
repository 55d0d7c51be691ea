"""The Prometheus endpoint: only when enabled, only to allowed addresses, and it counts."""

import datetime
import re

import pytest
from django.test import Client

from core import history
from reports.models import ReportRun


def _value(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if series.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "::1"]


def _scrape(address="10.1.2.3"):
    return Client(REMOTE_ADDR=address).get("/metrics/")


@pytest.mark.django_db
def test_the_endpoint_is_off_unless_enabled(settings):
    settings.METRICS_ENABLED = False
    assert _scrape().status_code == 404


@pytest.mark.django_db
def test_only_allowed_addresses_are_answered(metrics_on):
    assert _scrape("127.0.0.1").status_code == 403
    assert _scrape("192.168.1.5").status_code == 403
    assert b"tracker_" not in _scrape("192.168.1.5").content
    assert _scrape("10.200.0.1").status_code == 200
    assert _scrape("::1").status_code == 200


@pytest.mark.django_db
def test_a_request_is_counted_with_its_latency_and_queries(metrics_on, web, manager):
    before = _scrape().content.decode()
    labels = {"view": "performance:appraisal_list", "method": "GET", "status": "200"}
    assert web(manager).get("/performance/appraisals/").status_code == 200
    after = _scrape().content.decode()
    assert _value(after, "tracker_http_requests_total", **labels) == (
        _value(before, "tracker_http_requests_total", **labels) + 1
    )
    view = {"view": "performance:appraisal_list"}
    count = "tracker_http_request_duration_seconds_count"
    assert _value(after, count, **view) == _value(before, count, **view) + 1
    assert _value(after, "tracker_db_queries_total", **view) > _value(
        before, "tracker_db_queries_total", **view
    )


@pytest.mark.django_db
def test_report_runs_by_status_and_the_history_chain(metrics_on, manager):
    day = datetime.date(2025, 1, 1)
    for status in ("done", "done", "failed"):
        ReportRun.objects.create(
            period_start=day, period_end=day, language="en", status=status, requested_by=manager
        )
    text = _scrape().content.decode()
    assert _value(text, "tracker_report_runs", status="done") == 2
    assert _value(text, "tracker_report_runs", status="failed") == 1
    assert _value(text, "tracker_history_chain_length") == history.head()[0] > 0
    assert "tracker_history_checkpoint_age_seconds" in text


_WORKER = """
import sys
from operations.metrics import observe_request
for _ in range(int(sys.argv[1])):
    observe_request("api:worker-test", "GET", 200, 0.2, 4, 0.01)
"""


@pytest.mark.django_db
def test_two_worker_processes_are_summed_in_multiprocess_mode(metrics_on, tmp_path, monkeypatch):
    """Two processes (as two gunicorn workers) count into one PROMETHEUS_MULTIPROC_DIR; the
    endpoint answers their sum, and the gunicorn hook marks an exited worker dead."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from operations import gunicorn_conf

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for count in (2, 3):
        worker = subprocess.run(
            [sys.executable, "-c", _WORKER, str(count)], cwd=root, env=env, capture_output=True
        )
        assert worker.returncode == 0, worker.stderr.decode()
    assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    text = _scrape().content.decode()
    labels = {"view": "api:worker-test", "method": "GET", "status": "200"}
    assert _value(text, "tracker_http_requests_total", **labels) == 5
    assert _value(text, "tracker_db_queries_total", view="api:worker-test") == 20
    assert _value(text, "tracker_http_request_duration_seconds_count", view="api:worker-test") == 5
    # the database figures are still there
    assert "tracker_history_chain_length" in text

    class _Worker:
        pid = 999999

    gunicorn_conf.child_exit(None, _Worker())  # an exited worker: its counters stay summed
    text = _scrape().content.decode()
    assert _value(text, "tracker_http_requests_total", **labels) == 5
    gunicorn_conf.on_starting(None)  # a new master starts from zero
    assert not list(tmp_path.glob("*.db"))
    assert _value(_scrape().content.decode(), "tracker_http_requests_total", **labels) == 0
