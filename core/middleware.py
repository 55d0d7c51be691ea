import re

from core.context import acting_as

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Makes the request (and, once authenticated, its user) the actor of every change it causes,
    under one request id that is echoed back in the X-Request-ID header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        with acting_as(
            "request", request=request, request_id=incoming if _SAFE_ID.match(incoming) else None
        ) as actor:
            request.request_id = actor.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = actor.request_id
        return response
