import gc
import json
import re
from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCspMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import setting_changed
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.context import acting_as

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

_STARTUP_FROZEN = False


class FreezeStartupObjectsMiddleware:
    """Takes the objects a worker builds at startup (settings, apps, models, the URLconf and
    every view, serializer and filterset it imports) out of the garbage collector's reach, once
    per process, then leaves the middleware chain. They live as long as the process; left in
    the collector, every full collection walked all of them again (about 150 ms of CPU each at
    190,000 objects), and collecting took 15-18% of the API's CPU time instead of about 10%
    (bench/RESULTS.md)."""

    def __init__(self, get_response):
        global _STARTUP_FROZEN
        if not _STARTUP_FROZEN:
            from django.urls import get_resolver

            get_resolver().url_patterns  # noqa: B018 - imports every view now, not on a request
            gc.collect()
            gc.freeze()
            _STARTUP_FROZEN = True
        raise MiddlewareNotUsed


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


# --- Input no text field may carry -------------------------------------------------------------

# C0 control characters (NUL included) other than tab, line feed and carriage return, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_LIMIT = 10 * 1024 * 1024


def has_control_characters(value) -> bool:
    """Whether a string, or any string inside a list or dict, holds a NUL or control character."""
    if isinstance(value, str):
        return bool(_CONTROL.search(value))
    if isinstance(value, dict):
        return any(has_control_characters(k) or has_control_characters(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_control_characters(v) for v in value)
    return False


def control_character_fields(request) -> list[str]:
    """The names of the query, form and JSON fields that carry a control character."""
    found = [k for k, values in request.GET.lists() if has_control_characters([k, *values])]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            found += [
                k for k, values in request.POST.lists() if has_control_characters([k, *values])
            ]
        elif content_type.endswith("json") and 0 < len(request.body or b"") <= _JSON_LIMIT:
            try:
                data = json.loads(request.body)
            except ValueError:
                data = None  # the API answers the malformed body itself
            if isinstance(data, dict):
                found += [k for k, v in data.items() if has_control_characters([k, v])]
            elif has_control_characters(data):
                found.append("non_field_errors")
    return found


class RefuseControlCharactersMiddleware:
    """A NUL byte or another control character in any text field, in a page's form, a query
    string or an API body, is refused with 400 before a view, a form or the database sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = control_character_fields(request)
        if not fields:
            return self.get_response(request)
        message = _("Text may not contain NUL bytes or control characters.")
        if request.path.startswith("/api/"):
            return JsonResponse({name: [message] for name in fields}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


_NUMERIC = re.compile(r"^[0-9]{1,18}$")


class MalformedIdMiddleware:
    """A record id in a URL that is not a number (`/delegations/false/revoke/`,
    `/api/reports/null,null/files/a/`) names no record: 404, before a view turns it into a
    query that raises. Ids are the URL arguments named `pk` or ending in `_pk`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for name, value in view_kwargs.items():
            if (name == "pk" or name.endswith("_pk")) and not _NUMERIC.match(str(value)):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Not found.")}, status=404)
                raise Http404
        return None


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer once sign-in is locked: JSON for the API, the page for browsers."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": _(
                    "Too many failed sign-in attempts: signing in is paused for a while. Try "
                    "again later, or ask an administrator to unlock the account."
                )
            },
            status=429,
        )
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)


# --- Content Security Policy -------------------------------------------------------------------

# What a view may set on a response to change its policy (django-csp's decorators, the report
# pages' style hashes).
_PER_RESPONSE = tuple(
    f"_csp_{part}{suffix}" for part in ("config", "update", "replace") for suffix in ("", "_ro")
)


@cache
def _settings_policies() -> tuple:
    """Each header's policy built from the settings, with the attribute that exempts a response
    from it and the URL prefixes it leaves out."""
    policies = []
    for header, setting, exempt, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
    ):
        prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        policies.append((header, build_policy(report_only=report_only), exempt, tuple(prefixes)))
    return tuple(policies)


def _policy_settings_changed(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policies.cache_clear()


setting_changed.connect(_policy_settings_changed, dispatch_uid="core-csp-settings")


class CSPMiddleware(DjangoCspMiddleware):
    """django-csp's middleware, with the headers of the settings' policy built once per process
    instead of twice on every response. A response that changes its policy, a request whose
    nonce was used and DEBUG's error pages go through django-csp as before."""

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or (settings.DEBUG and response.status_code in (404, 500))
            or any(getattr(response, name, None) is not None for name in _PER_RESPONSE)
        ):
            return super().process_response(request, response)
        for header, policy, exempt, prefixes in _settings_policies():
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
