"""gunicorn settings for the metrics of several workers (README, "Metrics"):
`gunicorn -c python:operations.gunicorn_conf config.wsgi:application`.

With PROMETHEUS_MULTIPROC_DIR set, every worker writes its counters to files in that directory
and /metrics/ sums them (operations.metrics.exposition). The directory is emptied when the
master starts (counts of an earlier run would be added again), and a worker that exits is
marked dead so that its live gauges stop counting; its counters stay in the sums."""

import os
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"


def _multiproc_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def on_starting(server):
    directory = _multiproc_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    if _multiproc_dir() is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
