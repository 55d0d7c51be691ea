"""Who is acting right now: a web request, a Celery task or a management command.

The change history reads this to attribute every entry, wherever the change is made.
"""

import contextlib
import contextvars
import uuid
from dataclasses import dataclass, field


@dataclass
class Actor:
    label: str  # "user:alice", "task:reports.compile_report", "command:seed_demo"
    request: object | None = None  # the HttpRequest, whose .user is set after authentication
    user: object | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def resolved_user(self):
        user = self.user
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None

    def resolved_label(self) -> str:
        user = self.resolved_user()
        if user is not None and self.label.startswith("request"):
            return f"user:{user.get_username()}"
        return self.label


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("actor", default=None)


_SYSTEM = Actor(label="system", request_id="")


def current_actor() -> Actor:
    """The actor set by the request, task or command in progress; "system" otherwise."""
    return _current.get() or _SYSTEM


@contextlib.contextmanager
def acting_as(label: str, *, user=None, request=None, request_id: str | None = None):
    actor = Actor(label=label, user=user, request=request)
    if request_id:
        actor.request_id = request_id
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


@contextlib.contextmanager
def acting_for(user):
    """Attribute what happens inside to `user`, the acting user a service was given, keeping the
    request id of the request, task or command in progress. `core.actions.SYSTEM` (a job acting on
    no one's behalf) keeps the ambient label."""
    ambient = current_actor()
    if not getattr(user, "pk", None):
        yield ambient
        return
    actor = Actor(label=f"user:{user.get_username()}", user=user, request_id=ambient.request_id)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
