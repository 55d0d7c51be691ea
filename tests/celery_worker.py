"""A real Celery worker for the tests that need one (marked `worker`): started in its own
process group on its own queue against the test database, stopped, and waited on."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def worker_database_url() -> str:
    """The test database as a URL, for the worker's DATABASE_URL."""
    db = connection.settings_dict
    return (
        f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def worker_environment(broker: str, var_dir: Path) -> dict:
    """The environment of a worker on the test database (config.test_settings), `broker` its
    Redis, `var_dir` its files."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": broker,
        "VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TEST_DATABASE_NAME", None)
    return env


def start_worker(env: dict, queue: str, log: Path) -> subprocess.Popen:
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


def stop_worker(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(predicate, timeout: float, interval: float = 0.05):
    """The predicate's first true value within `timeout` seconds, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None
