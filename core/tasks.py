"""Celery tasks of the core app."""

from celery import shared_task

from core.imports import run_import  # noqa: F401 (registers core.run_import with the worker)


@shared_task(ignore_result=True)
def checkpoint_history() -> int:
    """Record the change history's head in this database's checkpoint file (outside the
    database, HMAC-signed): config/celery.py runs it every AUDIT_CHECKPOINT_SECONDS."""
    from core.history import write_checkpoint

    checkpoint = write_checkpoint()
    return checkpoint.seq if checkpoint else 0
