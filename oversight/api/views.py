import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api.viewsets import ScopedModelViewSet
from org.access import access_for
from org.filters import UnitSubtreeFilter
from oversight import services
from oversight.api.serializers import (
    ImportErrorSerializer,
    ImportResultSerializer,
    ImportUploadSerializer,
    OversightBodySerializer,
    OversightReportSerializer,
    RecommendationSerializer,
    RecommendationUpdateSerializer,
    StatusChangeSerializer,
)
from oversight.choices import OPEN_STATUSES, Priority, RecommendationStatus
from oversight.filtersets import search_recommendations
from oversight.importer import ImportRejected, import_recommendations
from oversight.models import OversightBody, OversightReport, Recommendation


class OversightBodyViewSet(ScopedModelViewSet):
    """Oversight bodies (OIOS, BOA, JIU, ACABQ, IAAC, ...); administrators add more."""

    queryset = OversightBody.objects.all()
    serializer_class = OversightBodySerializer
    lookup_field = "code"
    filterset_fields = ["code", "is_active"]
    search_fields = ["code", "name", "name_zh"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def perform_create(self, serializer):
        if not access_for(self.request.user).is_admin:
            raise exceptions.PermissionDenied(_("Only administrators add oversight bodies."))
        super().perform_create(serializer)


class OversightReportFilterSet(django_filters.FilterSet):
    body = django_filters.CharFilter(field_name="body__code")
    issued_after = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")
    paragraph = django_filters.NumberFilter(field_name="paragraphs__number")

    class Meta:
        model = OversightReport
        fields = ["body", "symbol", "issued_on", "issued_after", "issued_before", "paragraph"]


class OversightReportViewSet(ScopedModelViewSet):
    """Reports of the oversight bodies; a body enters its own, administrators any."""

    queryset = OversightReport.objects.select_related("body").prefetch_related("paragraphs")
    serializer_class = OversightReportSerializer
    filterset_class = OversightReportFilterSet
    search_fields = ["symbol", "title"]
    ordering_fields = ["issued_on", "symbol", "id"]
    ordering = ["-issued_on", "-id"]

    def perform_create(self, serializer):
        if not (
            access_for(self.request.user).is_admin or access_for(self.request.user).is_oversight
        ):
            raise exceptions.PermissionDenied(
                _("Only oversight bodies and administrators enter reports.")
            )
        super().perform_create(serializer)


class RecommendationFilterSet(django_filters.FilterSet):
    body = django_filters.CharFilter(field_name="report__body__code")
    unit = django_filters.CharFilter(field_name="unit__code")
    within = UnitSubtreeFilter(to_field_name="code", label="subtree of unit code")
    report_symbol = django_filters.CharFilter(field_name="report__symbol")
    status = django_filters.MultipleChoiceFilter(choices=RecommendationStatus.choices)
    priority = django_filters.ChoiceFilter(choices=[c for c in Priority.choices if c[0]])
    is_overdue = django_filters.BooleanFilter(method="filter_overdue")
    target_before = django_filters.DateFilter(field_name="target_date", lookup_expr="lte")
    target_after = django_filters.DateFilter(field_name="target_date", lookup_expr="gte")
    issued_after = django_filters.DateFilter(field_name="report__issued_on", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="report__issued_on", lookup_expr="lte")

    class Meta:
        model = Recommendation
        fields = [
            "report",
            "body",
            "unit",
            "within",
            "report_symbol",
            "number",
            "status",
            "priority",
            "accepted",
            "is_overdue",
            "target_date",
            "target_before",
            "target_after",
            "issued_after",
            "issued_before",
        ]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status__in": OPEN_STATUSES, "target_date__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class RecommendationSearch:
    """`?search=` matches the report symbol, the number and the text (CONTRACT.md)."""

    def filter_queryset(self, request, queryset, view):
        return search_recommendations(queryset, request.query_params.get("search", ""))

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "search",
                "required": False,
                "in": "query",
                "schema": {"type": "string"},
                "description": "report symbol, number or text",
            }
        ]


class RecommendationViewSet(ScopedModelViewSet):
    """Recommendations of the oversight bodies. Bodies edit their own; managers of the addressed
    unit report progress through `POST {id}/status/`; only the issuing body (or an administrator)
    verifies and closes."""

    queryset = Recommendation.objects.select_related("report__body", "unit")
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilterSet
    ordering_fields = ["id", "target_date", "number", "status_changed_on"]
    ordering = ["-id"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return RecommendationSearch().filter_queryset(self.request, queryset, self)

    def perform_create(self, serializer):
        if not (
            access_for(self.request.user).is_admin or access_for(self.request.user).is_oversight
        ):
            raise exceptions.PermissionDenied(
                _("Only oversight bodies and administrators enter recommendations.")
            )
        super().perform_create(serializer)

    def perform_destroy(self, instance):
        if not access_for(self.request.user).is_admin:
            raise exceptions.PermissionDenied(_("Recommendations are closed, not deleted."))
        instance.delete()

    def _visible(self, pk) -> Recommendation:
        rec = (
            Recommendation.objects.visible_to(self.request.user)
            .select_related("report__body", "unit")
            .filter(pk=pk)
            .first()
        )
        if rec is None:
            raise Http404
        return rec

    @extend_schema(request=StatusChangeSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        """Move the recommendation in its workflow, with a note and evidence files (multipart
        `evidence`); the update is added to its timeline."""
        rec = self._visible(pk)
        form = StatusChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        files = request.FILES.getlist("evidence") if hasattr(request, "FILES") else []
        expected = form.validated_data.get("version")
        if expected is None and request.headers.get("If-Match"):
            from core.api.serializers import expected_version

            expected = expected_version(request, None)
        services.change_status(
            rec,
            acting_user=request.user,
            to_status=form.validated_data["status"],
            note=form.validated_data["note"],
            evidence_files=files,
            expected_version=expected,
        )
        rec.refresh_from_db()
        return Response(RecommendationSerializer(rec, context=self.get_serializer_context()).data)

    @extend_schema(responses=RecommendationUpdateSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="updates")
    def updates(self, request, pk=None):
        """The recommendation's timeline, newest first."""
        rec = self._visible(pk)
        updates = rec.updates.prefetch_related("evidence")[:500]
        data = RecommendationUpdateSerializer(updates, many=True).data
        if access_for(request.user).is_ga_staff:
            # GA staff see what was done, never who did it (no personal data).
            for item in data:
                item["author"] = None
        return Response(data)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        parameters=[
            OpenApiParameter("dry_run", bool, description="check and count without saving")
        ],
        responses={200: ImportResultSerializer, 400: ImportErrorSerializer(many=True)},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """Bulk import (CSV or XLSX), all or nothing: `{"created", "updated", "unchanged"}`, or 400
        with `{"errors": [{"row", "column", "error"}]}` and nothing saved."""
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {
                    "file": [_("Attach the CSV or XLSX file as `file`.")],
                    "errors": [{"row": None, "column": None, "error": _("No file was uploaded.")}],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        try:
            result = import_recommendations(upload, acting_user=request.user, dry_run=dry_run)
        except ImportRejected as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response({**result.as_dict(), "dry_run": dry_run})
