"""Optional error tracker: any Sentry-compatible DSN (Sentry, GlitchTip...) in SENTRY_DSN. Not
initialised at all without it. No personal data is sent: no user details, cookies or bodies, and
the event's messages pass the same scrubbing as log lines."""

from operations.logging import scrub


def _before_send(event, hint):
    request = event.get("request") or {}
    for key in ("cookies", "data", "headers", "query_string", "env"):
        request.pop(key, None)
    if "user" in event:
        event["user"] = {"id": (event["user"] or {}).get("id")}
    return scrub(event)


def init(dsn: str, *, environment: str = "", release: str = "") -> bool:
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        send_default_pii=False,
        before_send=_before_send,
        traces_sample_rate=0.0,
    )
    return True
