"""The killed-worker case against a real Celery worker on Redis: the worker dies mid-task, the
task is delivered again to a second worker, and the run is issued exactly once."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from core.models import HistoryEntry
from reports import services
from reports.choices import RunStatus
from reports.models import ReportFile, ReportRun

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
REDIS_URL = os.environ.get("REPORTS_WORKER_REDIS_URL", "redis://127.0.0.1:6379/7")
ROOT = Path(__file__).resolve().parents[2]


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


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
        "DATABASE_URL": (
            f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
            f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
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


def _start(env, queue: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait(predicate, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


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
