"""One log line and the metrics for every request: method, path (without its query string, which
may carry a token), view, status, duration, user id and the database queries it made."""

import logging
import time

from django.db import connections

from operations import metrics

log = logging.getLogger("tracker.request")


class _QueryCounter:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - start


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or match._func_path


class RequestLogMiddleware:
    """Placed after core.middleware.RequestContextMiddleware, so the line carries its request
    id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        counter = _QueryCounter()
        wrappers = [
            conn.execute_wrapper(counter) for conn in connections.all(initialized_only=True)
        ]
        for wrapper in wrappers:
            wrapper.__enter__()
        if not wrappers:
            wrapper = connections["default"].execute_wrapper(counter)
            wrapper.__enter__()
            wrappers = [wrapper]
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        duration = time.perf_counter() - start
        view = _view_name(request)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        status = response.status_code
        metrics.observe_request(
            view, request.method, status, duration, counter.count, counter.seconds
        )
        level = (
            logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
        )
        log.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                "method": request.method,
                "path": request.path,
                "view": view,
                "status": status,
                "duration_ms": round(duration * 1000, 1),
                "db_queries": counter.count,
                "db_ms": round(counter.seconds * 1000, 1),
                "user_id": user_id,
            },
        )
        return response
