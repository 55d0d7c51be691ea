from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core import actions
from core.api.viewsets import ActionModelViewSet, Transition
from reports import services
from reports.api.serializers import ReportRunSerializer, RetrySerializer
from reports.filtersets import ReportRunFilterSet
from reports.models import ReportFile, ReportRun
from reports.views import file_response


class ReportRunViewSet(ActionModelViewSet):
    """Report runs of the paragraph 33 implementation report. POST queues a run (202); an
    identical run already queued or running is answered instead of a new one. A run is never
    edited: it moves through its actions only (retry here; the worker does the rest)."""

    queryset = ReportRun.objects.all()
    serializer_class = ReportRunSerializer
    filterset_class = ReportRunFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["created_at", "id", "period_end"]
    ordering = ["-id"]
    transitions = {
        "retry": Transition(services.retry_report_run, RetrySerializer, status=202),
    }

    def get_queryset(self):
        # The snapshot is large; the API shows only its change-history anchor.
        queryset = super().get_queryset().select_related("requested_by")
        queryset = queryset.prefetch_related(
            Prefetch("files", queryset=ReportFile.objects.order_by("format"))
        )
        return queryset.defer("snapshot").annotate(audit_anchor=F("snapshot__audit_trail"))

    @extend_schema(responses={202: ReportRunSerializer})
    def create(self, request, *args, **kwargs):
        """Request a run: services.request_report_run, which answers an identical active run
        instead of a new one (202 either way)."""
        if not actions.may(request.user, "add", ReportRun):
            raise exceptions.PermissionDenied(str(services.REQUEST_REFUSED))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run, created = services.request_report_run(
            ReportRun(**serializer.validated_data), acting_user=request.user
        )
        run = self.get_queryset().get(pk=run.pk)  # the eager or quick worker may be done already
        body = self.get_serializer(run).data
        if not created:
            body = {
                **body,
                "notice": _("An identical report is already being compiled; here it is."),
            }
        response = Response(body, status=status.HTTP_202_ACCEPTED)
        response["Location"] = request.build_absolute_uri(f"{run.pk}/")
        return response

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<fmt>[a-z]+)")
    def files(self, request, pk=None, fmt=None):
        """A file of an issued run (session or token authentication), with its SHA-256 in the
        X-Checksum-SHA256 header."""
        run = get_object_or_404(self.get_queryset().done(), pk=pk)
        return file_response(run, fmt)
