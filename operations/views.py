from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.template import loader
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.context import current_actor
from core.exports import csv_response
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


# --- The access log: administrators see all of it, everyone else the reads of their own records


def visible_access_records(user):
    from operations.models import AccessRecord
    from org.access import access_for

    records = AccessRecord.objects.all()
    if access_for(user).is_admin:
        return records
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        return records.none()
    return records.filter(subject_id=person.pk)


class AccessLogView(LoginRequiredMixin, TemplateView):
    """Who read which sensitive record: the whole log for administrators, the reads of one's own
    records for everyone else; `?export=csv` downloads the same rows."""

    template_name = "operations/access_log.html"
    page_size = 200

    def get(self, request, *args, **kwargs):
        records = visible_access_records(request.user).select_related("subject")
        if request.GET.get("export") == "csv":
            return csv_response(
                "access-log",
                [
                    _("Read at"),
                    _("Reader"),
                    _("Kind"),
                    _("Record type"),
                    _("Record id"),
                    _("Person concerned"),
                    _("Channel"),
                    _("Request id"),
                ],
                (
                    [
                        r.at,
                        r.reader,
                        r.get_kind_display(),
                        r.object_type,
                        r.object_id,
                        r.subject.name if r.subject else "",
                        r.get_channel_display(),
                        r.request_id,
                    ]
                    for r in records.iterator()
                ),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from org.access import access_for

        context = super().get_context_data(**kwargs)
        records = visible_access_records(self.request.user).select_related("subject")
        context.update(
            records=list(records[: self.page_size]),
            total=records.count(),
            page_size=self.page_size,
            everyone=access_for(self.request.user).is_admin,
        )
        return context
