"""A log line and metrics for every Celery task: name, id, outcome and duration. The task's
actor (core.task_context) gives the line its request id (the task id)."""

import logging
import time

from celery.signals import task_failure, task_postrun, task_prerun, task_retry

from operations import metrics

log = logging.getLogger("tracker.task")
_started: dict[str, float] = {}


@task_prerun.connect
def _started_task(task_id=None, task=None, **kwargs):
    _started[task_id] = time.perf_counter()
    log.info("task %s started", task.name, extra={"task_name": task.name, "task_id": task_id})


@task_postrun.connect
def _finished_task(task_id=None, task=None, state=None, **kwargs):
    start = _started.pop(task_id, None)
    duration = time.perf_counter() - start if start is not None else 0.0
    outcome = (state or "unknown").lower()
    metrics.observe_task(task.name, outcome, duration)
    log.log(
        logging.ERROR if outcome == "failure" else logging.INFO,
        "task %s %s",
        task.name,
        outcome,
        extra={
            "task_name": task.name,
            "task_id": task_id,
            "request_id": task_id,  # the task's actor has already been left
            "outcome": outcome,
            "duration_ms": round(duration * 1000, 1),
        },
    )


@task_failure.connect
def _failed_task(sender=None, task_id=None, exception=None, **kwargs):
    log.error(
        "task %s raised %s",
        getattr(sender, "name", "?"),
        type(exception).__name__,
        exc_info=(type(exception), exception, exception.__traceback__) if exception else None,
        extra={"task_name": getattr(sender, "name", "?"), "task_id": task_id},
    )


@task_retry.connect
def _retried_task(sender=None, request=None, reason=None, **kwargs):
    log.warning(
        "task retried",
        extra={"task_name": getattr(sender, "name", "?"), "task_id": getattr(request, "id", None)},
    )
