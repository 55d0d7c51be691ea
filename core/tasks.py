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


@shared_task(ignore_result=True)
def link_history() -> int:
    """Link the change history's committed pending entries (core.history.link_soon queues it).
    Clears the queued mark first, so an append committed after this look queues another."""
    from django.core.cache import cache

    from core.history import LINK_QUEUED_KEY, link_pending

    cache.delete(LINK_QUEUED_KEY)
    return link_pending()
