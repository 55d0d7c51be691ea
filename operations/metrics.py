"""Prometheus metrics (prometheus-client): requests and their latency by view, database queries,
Celery tasks, imported rows, and, read from the database at scrape time, report runs by status,
the history chain's length and the age of its last checkpoint.

Served at /metrics/ only when METRICS_ENABLED is set, and only to METRICS_ALLOWED_IPS (the
direct peer address: a proxy in front must be listed itself). Counters live in the process:
behind several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (see the README)."""

import functools
import ipaddress
import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("tracker_http_requests", "HTTP requests answered", ["view", "method", "status"])
LATENCY = Histogram(
    "tracker_http_request_duration_seconds",
    "Time to answer a request",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DB_QUERIES = Counter("tracker_db_queries", "Database queries made by requests", ["view"])
DB_SECONDS = Counter("tracker_db_query_seconds", "Time spent in database queries", ["view"])
TASKS = Counter("tracker_celery_tasks", "Celery tasks finished", ["task", "outcome"])
TASK_SECONDS = Histogram(
    "tracker_celery_task_duration_seconds",
    "Celery task duration",
    ["task"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)
TASK_FAILURES = Counter("tracker_celery_task_failures", "Celery tasks that raised", ["task"])
IMPORT_ROWS = Counter("tracker_import_rows", "Rows saved by confirmed imports", ["model"])


def observe_request(view, method, status, seconds, queries, query_seconds):
    REQUESTS.labels(view, method, str(status)).inc()
    LATENCY.labels(view).observe(seconds)
    DB_QUERIES.labels(view).inc(queries)
    DB_SECONDS.labels(view).inc(query_seconds)


def observe_task(name, outcome, seconds):
    TASKS.labels(name, outcome).inc()
    TASK_SECONDS.labels(name).observe(seconds)
    if outcome == "failure":
        TASK_FAILURES.labels(name).inc()


def count_imports(run):
    """Wraps core.imports.run so that a confirmed import's saved rows are counted by model."""

    @functools.wraps(run)
    def counted(*args, **kwargs):
        outcome = run(*args, **kwargs)
        for model, ids in ((outcome or {}).get("imported") or {}).items():
            IMPORT_ROWS.labels(model).inc(len(ids))
        return outcome

    counted.__wrapped_by_operations__ = True
    return counted


class DatabaseCollector:
    """Figures read at scrape time: report runs by status, the history chain, its checkpoint."""

    def collect(self):
        from django.db.models import Count

        from core import history
        from reports.models import ReportRun

        runs = GaugeMetricFamily("tracker_report_runs", "Report runs by status", labels=["status"])
        for row in ReportRun.objects.values("status").annotate(n=Count("id")).order_by("status"):
            runs.add_metric([row["status"]], row["n"])
        yield runs
        seq, _ = history.head()
        yield GaugeMetricFamily(
            "tracker_history_chain_length", "Linked entries in the history chain", value=seq
        )
        yield GaugeMetricFamily(
            "tracker_history_pending_entries",
            "History entries not yet linked into the chain",
            value=history.pending_count(),
        )
        try:
            checkpoints = history.read_checkpoints()
        except Exception:  # noqa: BLE001 - an unreadable file reads as no checkpoint
            checkpoints = []
        age = GaugeMetricFamily(
            "tracker_history_checkpoint_age_seconds",
            "Seconds since the last history checkpoint was written (-1: none)",
        )
        if checkpoints:
            age.add_metric([], time.time() - checkpoint_time(checkpoints[-1]))
        else:
            age.add_metric([], -1)
        yield age


def checkpoint_time(checkpoint) -> float:
    from django.utils.dateparse import parse_datetime

    when = parse_datetime(checkpoint.written_at or checkpoint.at)
    return when.timestamp() if when else 0.0


def client_allowed(address: str, allowed: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(DatabaseCollector())
        return generate_latest(registry)
    registry = CollectorRegistry()
    registry.register(_Default())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class _Default:
    def collect(self):
        yield from REGISTRY.collect()


__all__ = ["CONTENT_TYPE_LATEST", "exposition", "client_allowed"]
