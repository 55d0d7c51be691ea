import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.viewsets import ActionModelViewSet, ListRowsMixin, Transition
from core.reads import ReadLoggedMixin
from org.models import OrgUnit
from performance import filtersets as f
from performance import metrics, services
from performance.api import serializers as s
from performance.imports import (
    ImportRejected,
    import_appraisals,
    import_budget_performance,
    import_completions,
)
from performance.models import (
    Appraisal,
    BoardFinding,
    BudgetPerformance,
    Compact,
    CompactObjective,
    Course,
    CourseCompletion,
    DisciplinaryCase,
    ExpectedAccomplishment,
    Indicator,
    IndicatorResult,
    Recognition,
    UnderperformanceCase,
)
from performance.querysets import COMPACT_PARTS, INDICATOR_PARTS, OBJECTIVE_PARTS


@extend_schema_view(list=extend_schema(responses=s.CompactSerializer(many=True)))
class CompactViewSet(ActionModelViewSet):
    """Senior managers' compacts: objectives, signature, the Management Performance Board's
    assessment and its findings."""

    queryset = Compact.objects.select_related("senior_manager", "unit")
    serializer_class = s.CompactSerializer
    filterset_class = f.CompactFilterSet
    search_fields = ["senior_manager__name", "senior_manager__index_number"]
    ordering_fields = ["year", "id"]
    ordering = ["-id"]
    transitions = {
        "sign": Transition(services.sign_compact, s.SignCompactSerializer),
        "assess": Transition(services.assess_compact, s.AssessCompactSerializer),
    }

    def get_queryset(self):
        # A list page reads each compact's parts in the compact's own row (with_parts), and
        # the senior manager's index number and the unit's code as columns (with_codes); one
        # compact (read, changed, moved on by an action) has its records and parts.
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset.with_parts().with_codes()
        return queryset.prefetch_related(*COMPACT_PARTS)

    def get_serializer_class(self):
        if self.action == "list":
            return s.CompactListRowSerializer
        return super().get_serializer_class()


class CompactObjectiveViewSet(ActionModelViewSet):
    queryset = CompactObjective.objects.all()
    serializer_class = s.CompactObjectiveSerializer
    filterset_class = f.CompactObjectiveFilterSet
    ordering = ["id"]

    def get_queryset(self):
        queryset = super().get_queryset()  # its parts read in its row on a list page
        if self.action == "list":
            return queryset.with_parts()
        return queryset.prefetch_related(*OBJECTIVE_PARTS)


class BoardFindingViewSet(ActionModelViewSet):
    queryset = BoardFinding.objects.select_related("compact")
    serializer_class = s.BoardFindingSerializer
    filterset_class = f.BoardFindingFilterSet
    ordering = ["id"]
    transitions = {"close": Transition(services.close_finding, s.CloseFindingSerializer)}


@extend_schema_view(list=extend_schema(responses=s.AppraisalSerializer(many=True)))
class AppraisalViewSet(ReadLoggedMixin, ListRowsMixin, ActionModelViewSet):
    """Staff performance appraisals (personal data: the unit's managers and administrators
    only). `on_time` is true when `completed_on` is on or before `due_on`."""

    queryset = Appraisal.objects.select_related("staff", "unit")
    serializer_class = s.AppraisalSerializer
    filterset_class = f.AppraisalFilterSet
    search_fields = ["staff__name", "staff__index_number"]
    ordering_fields = ["id", "due_on", "completed_on"]
    ordering = ["-id"]

    # A list page reads the staff member's index number and the unit's code as columns (two
    # records a row were loaded for them); one appraisal's answers keep the records.
    list_serializer_class = s.AppraisalListRowSerializer

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


class UnderperformanceCaseViewSet(ReadLoggedMixin, ActionModelViewSet):
    queryset = UnderperformanceCase.objects.select_related("appraisal")
    serializer_class = s.UnderperformanceCaseSerializer
    filterset_class = f.UnderperformanceCaseFilterSet
    ordering = ["-id"]


class ExpectedAccomplishmentViewSet(ActionModelViewSet):
    """Expected accomplishments of a unit's programme of work; indicators measure them."""

    queryset = ExpectedAccomplishment.objects.select_related("unit")
    serializer_class = s.ExpectedAccomplishmentSerializer
    filterset_class = f.ExpectedAccomplishmentFilterSet
    search_fields = ["title"]
    ordering = ["id"]

    def get_queryset(self):
        queryset = super().get_queryset()  # its paragraphs read in its row on a list page
        if self.action == "list":
            return queryset.with_parts()
        return queryset.prefetch_related("paragraphs")


class IndicatorViewSet(ActionModelViewSet):
    """Results-based management indicators (and efficiency measures), with their results per
    budget period."""

    queryset = Indicator.objects.select_related("unit")
    serializer_class = s.IndicatorSerializer
    filterset_class = f.IndicatorFilterSet
    search_fields = ["title"]
    ordering_fields = ["id", "title"]
    ordering = ["id"]

    def get_queryset(self):
        queryset = super().get_queryset()  # its parts read in its row on a list page
        if self.action == "list":
            return queryset.with_parts()
        return queryset.prefetch_related(*INDICATOR_PARTS)


class IndicatorResultViewSet(ActionModelViewSet):
    """An indicator's value for an annual ('2024') or biennial ('2024-2025') budget period.
    Efficiency measures carry `cost` (US dollars spent on the outputs measured) and `outputs`
    (delivered in the period); `cost_per_output` = cost / outputs, to the cent."""

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


# --- Learning, discipline, recognition, budget performance ------------------------------------

IMPORT_RESULT = inline_serializer(
    "SpreadsheetImportResult",
    {
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "dry_run": serializers.BooleanField(),
    },
)
DRY_RUN = OpenApiParameter(
    "dry_run", bool, description="check the whole file and count, without saving (the preview)"
)


def run_import(request, function):
    """One bulk import through its named action: 400 with every row's errors and nothing saved,
    or the counts (`?dry_run=1` checks and counts only)."""
    upload = request.FILES.get("file")
    dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
    try:
        if upload is None:
            raise DjangoValidationError(_("Attach the CSV or XLSX file as 'file'."))
        result = function(upload, acting_user=request.user, dry_run=dry_run)
    except ImportRejected as rejected:
        return Response({"errors": rejected.errors}, status=status.HTTP_400_BAD_REQUEST)
    except DjangoValidationError as exc:
        messages = [str(m) for m in exc.messages]
        return Response(
            {
                "file": messages,
                "errors": [{"row": None, "column": "", "error": m} for m in messages],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return Response({**result.as_dict(), "dry_run": dry_run})


class CourseViewSet(ActionModelViewSet):
    """The learning catalogue; `mandatory` courses count in the completion rates."""

    queryset = Course.objects.all()
    serializer_class = s.CourseSerializer
    filterset_class = f.CourseFilterSet
    search_fields = ["code", "title"]
    ordering = ["code"]


class CourseCompletionViewSet(ActionModelViewSet):
    """Who completed which course, when (personal data: administrators and the person's unit
    managers). Everyone with a role reads the rates at `learning-completion/`."""

    queryset = CourseCompletion.objects.select_related("person", "course")
    serializer_class = s.CourseCompletionSerializer
    filterset_class = f.CourseCompletionFilterSet
    ordering_fields = ["id", "completed_on"]
    ordering = ["-id"]

    @extend_schema(
        parameters=[DRY_RUN],
        request={"multipart/form-data": s.SpreadsheetImportSerializer},
        responses={200: IMPORT_RESULT},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """Completions from the learning system (columns index_number, course_code,
        completed_on): all rows or none; matched on (person, course)."""
        return run_import(request, import_completions)


class DisciplinaryCaseViewSet(ReadLoggedMixin, ActionModelViewSet):
    """Disciplinary cases (administrators only); everyone else reads `disciplinary-summary/`."""

    queryset = DisciplinaryCase.objects.select_related("unit", "person")
    serializer_class = s.DisciplinaryCaseSerializer
    filterset_class = f.DisciplinaryCaseFilterSet
    ordering_fields = ["id", "opened_on", "measure_on"]
    ordering = ["-id"]


class RecognitionViewSet(ActionModelViewSet):
    queryset = Recognition.objects.select_related("unit", "person")
    serializer_class = s.RecognitionSerializer
    filterset_class = f.RecognitionFilterSet
    ordering_fields = ["id", "awarded_on"]
    ordering = ["-id"]


class BudgetPerformanceViewSet(ActionModelViewSet):
    """Appropriation and expenditure per unit and budget period; `utilisation` is expenditure
    over appropriation in per cent (computed in SQL)."""

    queryset = BudgetPerformance.objects.select_related("unit").with_utilisation()
    serializer_class = s.BudgetPerformanceSerializer
    filterset_class = f.BudgetPerformanceFilterSet
    ordering_fields = ["id", "start_year"]
    ordering = ["id"]

    @extend_schema(
        parameters=[DRY_RUN],
        request={"multipart/form-data": s.SpreadsheetImportSerializer},
        responses={200: IMPORT_RESULT},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """Figures from the finance system (columns unit, period, appropriation, expenditure,
        currency): all rows or none; matched on (unit, period), a re-import updates."""
        return run_import(request, import_budget_performance)


def _date_param(request, name: str, default):
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("Give a date as YYYY-MM-DD.")]}) from None


def _unit_param(request):
    code = request.query_params.get("unit")
    if not code:
        return None
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise exceptions.ValidationError(
            {"unit": [_("No org unit has the code %(code)s.") % {"code": code}]}
        )
    return unit


class LearningCompletionView(APIView):
    """Completion of the mandatory courses by unit as at a date (default today): completions
    dated on or before it over staff x mandatory courses. Groups under 5 people are suppressed
    for whoever does not manage the unit."""

    @extend_schema(
        parameters=[
            OpenApiParameter("as_at", OpenApiTypes.DATE),
            OpenApiParameter("unit", str, description="unit code: that unit and the units below"),
        ],
        responses=inline_serializer(
            "LearningCompletionList",
            {
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": s.LearningRowSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        as_at = _date_param(request, "as_at", timezone.localdate())
        rows = metrics.learning_by_unit(request.user, as_at=as_at, within=_unit_param(request))
        data = s.LearningRowSerializer(rows, many=True).data
        return Response({"next": None, "previous": None, "results": data})


class DisciplinarySummaryView(APIView):
    """Disciplinary measures by kind and cases by category for a period (default: the current
    year), as the annual report on the practice in disciplinary matters publishes them: counts
    of 1 to 4 suppressed for every reader but administrators."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
        ],
        responses=inline_serializer(
            "DisciplinarySummary",
            {
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "cases_opened": serializers.IntegerField(),
                "measures_imposed": serializers.IntegerField(),
                "by_measure": serializers.DictField(
                    child=serializers.IntegerField(allow_null=True)
                ),
                "by_category": serializers.DictField(
                    child=serializers.IntegerField(allow_null=True)
                ),
                "referred_to_national_authorities": serializers.IntegerField(allow_null=True),
                "suppressed": serializers.BooleanField(),
            },
        ),
    )
    def get(self, request):
        today = timezone.localdate()
        start = _date_param(request, "start", datetime.date(today.year, 1, 1))
        end = _date_param(request, "end", datetime.date(today.year, 12, 31))
        if end < start:
            raise exceptions.ValidationError({"end": [_("The end cannot precede the start.")]})
        summary = metrics.discipline_summary(request.user, start=start, end=end)
        if summary is None:
            raise exceptions.PermissionDenied(_("These figures are for users with a role."))
        return Response({"start": start, "end": end, **summary})
