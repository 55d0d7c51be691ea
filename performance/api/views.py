from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.viewsets import ActionModelViewSet, Transition
from org.models import OrgUnit
from performance import filtersets as f
from performance import metrics, services
from performance.api import serializers as s
from performance.imports import ImportRejected, import_appraisals
from performance.models import (
    Appraisal,
    BoardFinding,
    Compact,
    CompactObjective,
    ExpectedAccomplishment,
    Indicator,
    IndicatorResult,
    UnderperformanceCase,
)


class CompactViewSet(ActionModelViewSet):
    """Senior managers' compacts: objectives, signature, the Management Performance Board's
    assessment and its findings."""

    queryset = Compact.objects.select_related("senior_manager", "unit").prefetch_related(
        "paragraphs", "objectives", "findings"
    )
    serializer_class = s.CompactSerializer
    filterset_class = f.CompactFilterSet
    search_fields = ["senior_manager__name", "senior_manager__index_number"]
    ordering_fields = ["year", "id"]
    ordering = ["-id"]
    transitions = {
        "sign": Transition(services.sign_compact, s.SignCompactSerializer),
        "assess": Transition(services.assess_compact, s.AssessCompactSerializer),
    }


class CompactObjectiveViewSet(ActionModelViewSet):
    queryset = CompactObjective.objects.select_related("compact").prefetch_related("paragraphs")
    serializer_class = s.CompactObjectiveSerializer
    filterset_class = f.CompactObjectiveFilterSet
    ordering = ["id"]


class BoardFindingViewSet(ActionModelViewSet):
    queryset = BoardFinding.objects.select_related("compact")
    serializer_class = s.BoardFindingSerializer
    filterset_class = f.BoardFindingFilterSet
    ordering = ["id"]
    transitions = {"close": Transition(services.close_finding, s.CloseFindingSerializer)}


class AppraisalViewSet(ActionModelViewSet):
    """Staff performance appraisals (personal data: the unit's managers and administrators
    only). `on_time` is true when `completed_on` is on or before `due_on`."""

    queryset = Appraisal.objects.select_related("staff", "unit")
    serializer_class = s.AppraisalSerializer
    filterset_class = f.AppraisalFilterSet
    search_fields = ["staff__name", "staff__index_number"]
    ordering_fields = ["id", "due_on", "completed_on"]
    ordering = ["-id"]

    @extend_schema(
        request={"multipart/form-data": s.ImportSerializer},
        responses={
            200: inline_serializer(
                "AppraisalImportResult",
                {
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                },
            )
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """Bulk import from the HR system (the named action performance.imports.import_appraisals):
        all rows or none; matched on (staff, cycle)."""
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DjangoValidationError(_("Attach the CSV or XLSX file as 'file'."))
            result = import_appraisals(upload, acting_user=request.user)
        except ImportRejected as rejected:
            return Response({"errors": rejected.errors}, status=status.HTTP_400_BAD_REQUEST)
        except DjangoValidationError as exc:
            # The file itself is refused (type, size, encoding): no row to point at.
            messages = [str(m) for m in exc.messages]
            return Response(
                {
                    "file": messages,
                    "errors": [{"row": None, "column": "", "error": m} for m in messages],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(result.as_dict())


class UnderperformanceCaseViewSet(ActionModelViewSet):
    queryset = UnderperformanceCase.objects.select_related("appraisal")
    serializer_class = s.UnderperformanceCaseSerializer
    filterset_class = f.UnderperformanceCaseFilterSet
    ordering = ["-id"]


class ExpectedAccomplishmentViewSet(ActionModelViewSet):
    """Expected accomplishments of a unit's programme of work; indicators measure them."""

    queryset = ExpectedAccomplishment.objects.select_related("unit").prefetch_related("paragraphs")
    serializer_class = s.ExpectedAccomplishmentSerializer
    filterset_class = f.ExpectedAccomplishmentFilterSet
    search_fields = ["title"]
    ordering = ["id"]


class IndicatorViewSet(ActionModelViewSet):
    """Results-based management indicators (and efficiency measures), with their results per
    budget period."""

    queryset = Indicator.objects.select_related("unit").prefetch_related("paragraphs", "results")
    serializer_class = s.IndicatorSerializer
    filterset_class = f.IndicatorFilterSet
    search_fields = ["title"]
    ordering_fields = ["id", "title"]
    ordering = ["id"]


class IndicatorResultViewSet(ActionModelViewSet):
    """An indicator's value for an annual ('2024') or biennial ('2024-2025') budget period."""

    queryset = IndicatorResult.objects.select_related("indicator")
    serializer_class = s.IndicatorResultSerializer
    filterset_class = f.IndicatorResultFilterSet
    ordering_fields = ["id", "start_year"]
    ordering = ["id"]


class ComplianceView(APIView):
    """Appraisal compliance by unit for a cycle: appraisals completed on time over those due,
    and the rating distribution. Groups under 5 people are suppressed for whoever does not
    manage the unit."""

    @extend_schema(
        parameters=[
            OpenApiParameter("cycle", int, required=True),
            OpenApiParameter("unit", str, description="unit code: that unit and the units below"),
        ],
        responses=inline_serializer(
            "ComplianceList",
            {
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": s.ComplianceRowSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        try:
            cycle = int(request.query_params.get("cycle", ""))
        except ValueError:
            raise exceptions.ValidationError(
                {"cycle": [_("Give the cycle as a start year, such as 2025.")]}
            ) from None
        within = None
        code = request.query_params.get("unit")
        if code:
            within = OrgUnit.objects.filter(code=code).first()
            if within is None:
                raise exceptions.ValidationError(
                    {"unit": [_("No org unit has the code %(code)s.") % {"code": code}]}
                )
        rows = metrics.compliance_by_unit(request.user, cycle=cycle, within=within)
        # One row per unit (about a hundred): the whole answer, in the shape of a list page.
        data = s.ComplianceRowSerializer(rows, many=True).data
        return Response({"next": None, "previous": None, "results": data})
