from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.template import loader

from core.context import current_actor
from operations import metrics


def metrics_view(request):
    """The Prometheus scrape endpoint: 404 unless METRICS_ENABLED, 403 to an address outside
    METRICS_ALLOWED_IPS."""
    if not getattr(settings, "METRICS_ENABLED", False):
        raise Http404
    if not metrics.client_allowed(
        request.META.get("REMOTE_ADDR", ""), settings.METRICS_ALLOWED_IPS
    ):
        return HttpResponseForbidden("Forbidden", content_type="text/plain")
    return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE_LATEST)


def server_error(request, *args, **kwargs):
    """The plain error page, with the request id to quote (the same as on the log line)."""
    request_id = getattr(request, "request_id", "") or current_actor().request_id
    try:
        # without the request's context processors: they may need the database that just failed
        page = loader.get_template("500.html").render({"request_id": request_id})
        return HttpResponse(page, status=500)
    except Exception:  # noqa: BLE001 - the error page must not fail in turn
        return HttpResponse(
            f"Server error. Request id: {request_id}", status=500, content_type="text/plain"
        )
