import logging

from celery import shared_task

from operations.retention import apply_retention

log = logging.getLogger("tracker.retention")


@shared_task(name="operations.apply_retention", ignore_result=True)
def apply_retention_task() -> dict:
    """The nightly retention job (operations/schedule.py): anonymise what has expired."""
    result = apply_retention()
    counts = {kind: len(ids) for kind, ids in result.changed.items()}
    log.info("retention applied", extra={"anonymised": counts})
    return counts
