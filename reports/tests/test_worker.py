"""The killed-worker case against a real Celery worker on Redis: the worker dies mid-task, the
task is delivered again to a second worker, and the run is issued exactly once."""

import os
import signal
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core.models import HistoryEntry
from reports import services
from reports.choices import RunStatus
from reports.models import ReportFile, ReportRun
from tests.celery_worker import ROOT, redis_answers, worker_database_url  # noqa: F401
from tests.celery_worker import start_worker as _start
from tests.celery_worker import stop_worker as _stop
from tests.celery_worker import wait_for as _wait

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
REDIS_URL = os.environ.get("REPORTS_WORKER_REDIS_URL", "redis://127.0.0.1:6379/7")


def _redis_answers() -> bool:
    return redis_answers(REDIS_URL)


@pytest.fixture
def worker_env(media):
    if not settings.IS_POSTGRES:
        pytest.skip("the worker test needs PostgreSQL (DATABASE_URL=postgres://...)")
    if not _redis_answers():
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reports.tests.worker_settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(media),
        # A task whose worker vanished goes back on the queue after this many seconds.
        "CELERY_VISIBILITY_TIMEOUT": "10",
        "PYTHONUNBUFFERED": "1",
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    env.pop("TEST_DATABASE_NAME", None)
    return env


def test_a_worker_killed_mid_run_leaves_nothing_half_done_and_the_run_completes_once(
    resolution, worker_env, tmp_path
):
    from kombu import Connection

    from config.celery import app
    from reports.tasks import compile_report

    queue = f"reports-test-{uuid.uuid4().hex[:8]}"
    run = ReportRun.objects.create(
        period_start="2024-01-01", period_end="2025-12-31", language="zh-hans", symbol="A/81/R.test"
    )
    first = _start(worker_env, queue, tmp_path / "worker1.log")
    second = None
    app.conf.task_always_eager = False
    try:
        with Connection(REDIS_URL) as broker:
            compile_report.apply_async((run.pk,), queue=queue, connection=broker)

        def running():
            return ReportRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).exists()

        assert _wait(running, 90), (tmp_path / "worker1.log").read_text()
        _stop(first, signal.SIGKILL)  # the whole worker dies, mid-task
        time.sleep(0.5)
        run.refresh_from_db()
        assert run.status == RunStatus.RUNNING and run.attempts == 1
        assert not ReportFile.objects.filter(run=run).exists()  # nothing half-written is visible

        second = _start(worker_env, queue, tmp_path / "worker2.log")

        def done():
            return ReportRun.objects.filter(
                pk=run.pk, status__in=[RunStatus.DONE, RunStatus.FAILED]
            ).first()

        finished = _wait(done, 120, interval=0.5)
        assert finished is not None, (tmp_path / "worker2.log").read_text()
        assert finished.status == RunStatus.DONE, finished.error
        # The redelivered task takes the run over (more attempts only on a starved machine,
        # where the 10 s visibility timeout hands the live task out again; it still issues once).
        assert finished.attempts >= 2
        assert ReportFile.objects.filter(run=run).count() == 5
        assert all(
            services.verify_file(finished, f) for f in ("json", "html", "pdf", "docx", "xlsx")
        )
        issued = [
            e
            for e in HistoryEntry.objects.for_object(finished)
            if e.changes.get("status", [None, None])[1] == "done"
        ]
        assert len(issued) == 1
        assert finished.snapshot["sections"][2]["metrics"]["by_body"]["OIOS"]["total"] == 2
        # Only the issued attempt's files remain in storage.
        run_dir = Path(worker_env["MEDIA_ROOT"]) / "reports" / "runs" / str(run.pk)
        stored = [p for p in run_dir.rglob("*") if p.is_file()]
        assert sorted(p.name for p in stored) == sorted(
            f"report-{run.pk}.{f}" for f in ("docx", "html", "json", "pdf", "xlsx")
        )
    finally:
        app.conf.task_always_eager = True
        _stop(first, signal.SIGKILL)
        if second is not None:
            _stop(second)
        with Connection(REDIS_URL) as broker:
            broker.default_channel.queue_purge(queue)
            broker.default_channel.queue_delete(queue)
