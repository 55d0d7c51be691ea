from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reports import services
from reports.api.serializers import ReportRunSerializer
from reports.models import ReportFile, ReportRun
from reports.views import file_response


class ReportRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Report runs of the paragraph 33 implementation report. POST queues a run (202); an
    identical run already queued or running is answered instead of a new one."""

    serializer_class = ReportRunSerializer
    filterset_fields = ["status", "language", "period_start", "period_end"]
    ordering_fields = ["created_at", "id", "period_end"]
    ordering = ["-id"]

    def get_queryset(self):
        # The snapshot is large; the API shows only its change-history anchor.
        queryset = ReportRun.objects.visible_to(self.request.user).select_related("requested_by")
        queryset = queryset.prefetch_related(
            Prefetch("files", queryset=ReportFile.objects.order_by("format"))
        )
        return queryset.defer("snapshot").annotate(audit_anchor=F("snapshot__audit_trail"))

    @extend_schema(responses={202: ReportRunSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run, created = services.request_report_run(
            acting_user=request.user,
            period_start=data["period_start"],
            period_end=data["period_end"],
            language=data["language"],
            title=data.get("title", ""),
            agenda_item=data.get("agenda_item", ""),
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
        return file_response(run, fmt, inline=False)

    @extend_schema(request=None, responses={202: ReportRunSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        run = self.get_object()
        run = services.retry_report_run(run, acting_user=request.user)
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)
