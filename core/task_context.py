"""Attributes every change a Celery task makes to `task:<task name>` in the change history."""

from celery.signals import task_postrun, task_prerun

from core.context import Actor, _current

_tokens: dict[str, object] = {}


@task_prerun.connect
def _enter_task(task_id=None, task=None, **kwargs):
    _tokens[task_id] = _current.set(Actor(label=f"task:{task.name}", request_id=task_id or ""))


@task_postrun.connect
def _leave_task(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)
