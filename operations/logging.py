"""Structured log lines: every record carries the request id (the one the history keeps), the
user id and, inside a Celery task, the task's name and id; secrets and personal data are
scrubbed before a line is written.

LOG_FORMAT=json (the default without DEBUG) writes one JSON object a line; LOG_FORMAT=console
(the default under DEBUG / `make run`) a readable line."""

import datetime
import logging
import re

from pythonjsonlogger.json import JsonFormatter

from core.context import current_actor

REDACTED = "[redacted]"

# Keys (in `extra`, in dict arguments) whose value never reaches a line.
_SECRET_KEY_NAME = re.compile(
    r"pass(word|wd)?|secret|token|auth|cookie|csrf|session|api[_-]?key|credential|signature|"
    r"dsn|email|phone|birth|address",
    re.IGNORECASE,
)
# Values that look like a secret or personal data wherever they appear in a message.
_SECRET_VALUES = [
    # key=value / key: value pairs naming a secret (query strings, form bodies, reprs)
    (
        re.compile(
            r"(?i)\b((?:password\d?|passwd|secret|token|access_token|refresh_token|api[_-]?key|"
            r"csrfmiddlewaretoken|sessionid|client_secret|code)\b[\"']?\s*[=:]\s*[\"']?)"
            r"([^\s&\"',;}]+)"
        ),
        r"\1" + REDACTED,
    ),
    # Authorization headers
    (re.compile(r"(?i)\b(Token|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # e-mail addresses (personal data)
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), REDACTED),
]

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def scrub_text(text: str) -> str:
    for pattern, replacement in _SECRET_VALUES:
        text = pattern.sub(replacement, text)
    return _scrub_configured(text)


def _scrub_configured(text: str) -> str:
    """The deployment's own secrets (SECRET_KEY, the database password...) never appear."""
    for secret in _configured_secrets():
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _configured_secrets() -> list[str]:
    try:
        from django.conf import settings

        if not settings.configured:
            return []
        found = [settings.SECRET_KEY]
        found += [db.get("PASSWORD") for db in settings.DATABASES.values()]
        found.append(getattr(settings, "SENTRY_DSN", ""))
    except Exception:  # noqa: BLE001 - logging must never fail on settings
        return []
    return [s for s in found if isinstance(s, str) and len(s) >= 6]


def scrub(value, depth: int = 0):
    if depth > 4:
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            k: (
                REDACTED
                if isinstance(k, str) and _SECRET_KEY_NAME.search(k)
                else scrub(v, depth + 1)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(scrub(v, depth + 1) for v in value)
    return value


class ContextFilter(logging.Filter):
    """Adds request_id and user_id (from the actor of the request, task or command in progress)
    to every record that does not carry them already."""

    def filter(self, record):
        actor = current_actor()
        request = getattr(record, "request", None)
        if not getattr(record, "request_id", None):
            # Django logs a 4xx/5xx response after the middleware has left: the request knows
            record.request_id = getattr(request, "request_id", None) or actor.request_id or None
        if not hasattr(record, "user_id") and hasattr(request, "user"):
            user = request.user
            record.user_id = user.pk if getattr(user, "is_authenticated", False) else None
        if not hasattr(record, "user_id"):
            try:
                user = actor.resolved_user()
            except Exception:  # noqa: BLE001 - e.g. the session store is unreachable
                user = None
            record.user_id = user.pk if user is not None else None
        if not hasattr(record, "task_name") and actor.label.startswith("task:"):
            record.task_name = actor.label[5:]
            record.task_id = actor.request_id
        return True


class RedactFilter(logging.Filter):
    """Secrets, passwords, tokens and personal data never reach a line: the message is rendered
    and scrubbed, `extra` values under a sensitive key are replaced, and so is exception text."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string still logs something
            message = str(record.msg)
        record.msg = scrub_text(message)
        record.args = None
        request = record.__dict__.get("request")
        if request is not None and hasattr(request, "path"):
            # Django's loggers pass the request: its repr carries the query string
            record.request = request.path
        data = record.__dict__.get("data")
        if isinstance(data, dict) and ("args" in data or "kwargs" in data):
            # celery.app.trace: a task's arguments may carry tokens or personal data
            record.data = {**data, "args": REDACTED, "kwargs": REDACTED}
        for key, value in list(record.__dict__.items()):
            if key in _STANDARD:
                continue
            if _SECRET_KEY_NAME.search(key):
                record.__dict__[key] = REDACTED
            elif isinstance(value, str | dict | list | tuple):
                record.__dict__[key] = scrub(value)
        return True


class ScrubbingJsonFormatter(JsonFormatter):
    """JSON lines whose exception text is scrubbed too (an exception message may quote input)."""

    def formatException(self, ei):
        return scrub_text(super().formatException(ei))

    def formatTime(self, record, datefmt=None):
        return datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
            timespec="milliseconds"
        )


class ConsoleFormatter(logging.Formatter):
    """The readable line under DEBUG: time, level, logger, [request id], message, extras."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s")

    def format(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        line = super().format(record)
        extras = {
            k: v
            for k, v in record.__dict__.items()
            if k not in _STANDARD and k not in ("request_id",) and v is not None
        }
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in sorted(extras.items()))
        return line

    def formatException(self, ei):
        return scrub_text(super().formatException(ei))


def logging_config(*, fmt: str, level: str) -> dict:
    """The LOGGING dict settings.py uses."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "operations.logging.ContextFilter"},
            "redact": {"()": "operations.logging.RedactFilter"},
        },
        "formatters": {
            "json": {
                "()": "operations.logging.ScrubbingJsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "timestamp": False,
            },
            "console": {"()": "operations.logging.ConsoleFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "console" if fmt == "console" else "json",
                "filters": ["context", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # the request line is written by operations.middleware.RequestLogMiddleware
            "django.server": {"level": "WARNING"},
        },
    }
