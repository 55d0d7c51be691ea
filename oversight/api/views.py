from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.actions import may
from core.api.viewsets import ActionModelViewSet, ListRowsMixin, Transition
from oversight import services
from oversight.api.serializers import (
    ImportErrorSerializer,
    ImportResultSerializer,
    ImportUploadSerializer,
    OversightBodySerializer,
    OversightReportListSerializer,
    OversightReportSerializer,
    RecommendationListSerializer,
    RecommendationSerializer,
    RecommendationUpdateSerializer,
    StatusSerializer,
)
from oversight.filtersets import (
    OversightBodyFilterSet,
    OversightReportFilterSet,
    RecommendationFilterSet,
)
from oversight.importer import ImportRejected
from oversight.models import OversightBody, OversightReport, Recommendation, RecommendationUpdate
from oversight.querysets import with_paragraph_numbers


class OversightBodyViewSet(ActionModelViewSet):
    """Oversight bodies (OIOS, BOA, JIU, ACABQ, IAAC, ...); administrators add more."""

    queryset = OversightBody.objects.all()
    serializer_class = OversightBodySerializer
    filterset_class = OversightBodyFilterSet
    lookup_field = "code"
    search_fields = ["code", "name", "name_zh"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]


@extend_schema_view(list=extend_schema(responses=OversightReportSerializer(many=True)))
class OversightReportViewSet(ListRowsMixin, ActionModelViewSet):
    """Reports of the oversight bodies; a body enters its own, administrators any."""

    queryset = OversightReport.objects.select_related("body").prefetch_related("paragraphs")
    serializer_class = OversightReportSerializer
    filterset_class = OversightReportFilterSet
    ordering_fields = ["issued_on", "symbol", "id"]
    ordering = ["-issued_on", "-id"]

    # A list page (always paginated: core.api.pagination) reads the body's code as a column and
    # the cited paragraphs' numbers in one query; a report's own answers keep the records.
    list_serializer_class = OversightReportListSerializer

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page and self.action == "list":
            with_paragraph_numbers(page)
        return page


@extend_schema_view(list=extend_schema(responses=RecommendationSerializer(many=True)))
class RecommendationViewSet(ListRowsMixin, ActionModelViewSet):
    """Recommendations of the oversight bodies. Bodies edit their own; managers of the addressed
    unit report progress through `POST {id}/status/`; only the issuing body (or an administrator)
    verifies and closes."""

    queryset = Recommendation.objects.select_related("report__body", "unit")
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilterSet
    ordering_fields = ["id", "target_date", "number", "status_changed_on"]
    ordering = ["-id"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    transitions = {
        "status": Transition(services.change_status, StatusSerializer, multipart=True),
    }

    # A list page reads the few related values it shows as columns (a third of its cost was
    # loading a report, a body and a unit for each row).
    list_serializer_class = RecommendationListSerializer

    @extend_schema(responses=RecommendationUpdateSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="updates")
    def updates(self, request, pk=None):
        """The recommendation's timeline, newest first."""
        rec = self.get_object()
        updates = rec.updates.prefetch_related("evidence")[:500]
        data = RecommendationUpdateSerializer(updates, many=True).data
        if not may(request.user, "author", RecommendationUpdate):
            # GA staff see what was done, never who did it (no personal data).
            for item in data:
                item["author"] = None
        return Response(data)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        parameters=[
            OpenApiParameter("dry_run", bool, description="check and count without saving")
        ],
        responses={
            200: ImportResultSerializer,
            400: inline_serializer(
                "RecommendationImportErrors", {"errors": ImportErrorSerializer(many=True)}
            ),
        },
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
                {"errors": [{"row": None, "column": "file", "error": _("No file was uploaded.")}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        try:
            result = services.import_recommendations(
                upload, acting_user=request.user, dry_run=dry_run
            )
        except ImportRejected as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response({**result.as_dict(), "dry_run": dry_run})
