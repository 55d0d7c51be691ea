from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accountability.models import Commitment
from core.api.serializers import ActionModelSerializer, LeanModelSerializer
from org.api.serializers import (
    ParagraphNumbersField,
    PersonIndexField,
    PolicyFieldsMixin,
    UnitCodeField,
)
from performance.choices import CompactStatus, FindingStatus, MPBRating
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


def _visible(serializer, field: str, model) -> None:
    """Only the records the caller may see can be named in `field`."""
    request = serializer.context.get("request")
    if request is not None:
        serializer.fields[field].queryset = model.objects.restrict(request.user, "view")


class CompactObjectiveSerializer(ActionModelSerializer):
    paragraphs = ParagraphNumbersField(many=True)
    indicators = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Indicator.objects.all(),
        help_text=_("Ids of the results-based management indicators that measure the objective."),
    )

    class Meta:
        model = CompactObjective
        fields = [
            "id",
            "compact",
            "kind",
            "title",
            "indicator",
            "target",
            "result",
            "outcome",
            "commitment",
            "indicators",
            "paragraphs",
            "version",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _visible(self, "compact", Compact)
        _visible(self, "commitment", Commitment)
        request = self.context.get("request")
        if request is not None:
            self.fields["indicators"].child_relation.queryset = Indicator.objects.restrict(
                request.user, "view"
            )


class BoardFindingSerializer(ActionModelSerializer):
    class Meta:
        model = BoardFinding
        fields = [
            "id",
            "compact",
            "finding",
            "action_plan",
            "due_on",
            "status",
            "closed_on",
            "version",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _visible(self, "compact", Compact)


class NestedObjectiveSerializer(LeanModelSerializer):
    class Meta:
        model = CompactObjective
        fields = [
            "id",
            "kind",
            "title",
            "indicator",
            "target",
            "result",
            "outcome",
            "commitment",
            "indicators",
        ]


class NestedFindingSerializer(LeanModelSerializer):
    class Meta:
        model = BoardFinding
        fields = ["id", "finding", "action_plan", "due_on", "status", "closed_on"]


class CompactSerializer(ActionModelSerializer):
    senior_manager = PersonIndexField("assign")
    unit = UnitCodeField(required=False)
    paragraphs = ParagraphNumbersField(many=True)
    objectives = NestedObjectiveSerializer(many=True, read_only=True)
    findings = NestedFindingSerializer(many=True, read_only=True)

    class Meta:
        model = Compact
        fields = [
            "id",
            "senior_manager",
            "unit",
            "year",
            "status",
            "signed_on",
            "assessed_on",
            "mpb_rating",
            "mpb_assessment",
            "paragraphs",
            "objectives",
            "findings",
            "version",
        ]
        validators: list = []  # the model's clean() says it in the users' words


class AppraisalSerializer(ActionModelSerializer):
    staff = PersonIndexField("assign")
    unit = UnitCodeField(required=False)
    due_on = serializers.DateField(required=False)
    on_time = serializers.BooleanField(read_only=True)

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "staff",
            "unit",
            "cycle",
            "due_on",
            "completed_on",
            "rating",
            "on_time",
            "version",
        ]
        validators: list = []


class UnderperformanceCaseSerializer(ActionModelSerializer):
    appraisal = serializers.PrimaryKeyRelatedField(queryset=Appraisal.objects.all())

    class Meta:
        model = UnderperformanceCase
        fields = [
            "id",
            "appraisal",
            "improvement_plan",
            "plan_start",
            "plan_end",
            "outcome",
            "rebuttal",
            "closed_on",
            "version",
        ]
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _visible(self, "appraisal", Appraisal)


class ExpectedAccomplishmentSerializer(ActionModelSerializer):
    unit = UnitCodeField()
    paragraphs = ParagraphNumbersField(many=True)

    class Meta:
        model = ExpectedAccomplishment
        fields = ["id", "unit", "title", "paragraphs", "version"]


class ResultValueSerializer(LeanModelSerializer):
    class Meta:
        model = IndicatorResult
        fields = ["period", "value"]


class IndicatorSerializer(ActionModelSerializer):
    unit = UnitCodeField()
    paragraphs = ParagraphNumbersField(many=True)
    results = ResultValueSerializer(many=True, read_only=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _visible(self, "accomplishment", ExpectedAccomplishment)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "unit",
            "accomplishment",
            "kind",
            "title",
            "unit_of_measure",
            "baseline",
            "target",
            "direction",
            "paragraphs",
            "results",
            "version",
        ]


class IndicatorResultSerializer(ActionModelSerializer):
    target_met = serializers.BooleanField(read_only=True, allow_null=True)
    cost_per_output = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = IndicatorResult
        fields = [
            "id",
            "indicator",
            "period",
            "value",
            "cost",
            "outputs",
            "cost_per_output",
            "target_met",
            "version",
        ]
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _visible(self, "indicator", Indicator)


# --- Transitions: the inputs of each named action ---------------------------------------------


class TransitionSerializer(serializers.Serializer):
    """Inputs of a named action. `version` (the record's, for the stale check) and a redundant
    `status` (the status the action leads to) are accepted and not passed on."""

    version = serializers.IntegerField(required=False)
    leads_to = ""

    def validate(self, attrs):
        status = attrs.pop("status", None)
        if status not in (None, "", self.leads_to):
            raise serializers.ValidationError(
                {
                    "status": [
                        _("This action sets the status to %(status)s.") % {"status": self.leads_to}
                    ]
                }
            )
        return attrs


class SignCompactSerializer(TransitionSerializer):
    leads_to = CompactStatus.SIGNED
    signed_on = serializers.DateField(default=timezone.localdate)
    status = serializers.CharField(required=False, allow_blank=True)


class AssessCompactSerializer(TransitionSerializer):
    leads_to = CompactStatus.ASSESSED
    assessed_on = serializers.DateField(default=timezone.localdate)
    mpb_rating = serializers.ChoiceField(choices=MPBRating.choices[1:])
    mpb_assessment = serializers.CharField()
    status = serializers.CharField(required=False, allow_blank=True)


class CloseFindingSerializer(TransitionSerializer):
    leads_to = FindingStatus.CLOSED
    closed_on = serializers.DateField(default=timezone.localdate)
    action_plan = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, allow_blank=True)


@extend_schema_serializer(component_name="AppraisalImport")  # one name per import in the schema
class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("CSV or XLSX: staff, cycle, due_on, completed_on, rating, unit")
    )


class ComplianceRowSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit__code")
    cycle = serializers.IntegerField()
    staff = serializers.IntegerField(allow_null=True)
    due = serializers.IntegerField(allow_null=True)
    completed = serializers.IntegerField(allow_null=True)
    on_time = serializers.IntegerField(allow_null=True)
    compliance_rate = serializers.FloatField(allow_null=True)
    exceeds = serializers.IntegerField(allow_null=True)
    meets = serializers.IntegerField(allow_null=True)
    partially_meets = serializers.IntegerField(allow_null=True)
    does_not_meet = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


# --- Learning, discipline, recognition, budget performance ------------------------------------


class CourseSerializer(ActionModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "code", "title", "area", "mandatory", "version"]


class CourseCompletionSerializer(ActionModelSerializer):
    """Personal data: administrators and the person's unit managers only."""

    person = PersonIndexField("assign")
    course = serializers.SlugRelatedField(slug_field="code", queryset=Course.objects.all())

    class Meta:
        model = CourseCompletion
        fields = ["id", "person", "course", "completed_on", "version"]
        validators: list = []  # the action says a clash in the users' words


class DisciplinaryCaseSerializer(ActionModelSerializer):
    unit = UnitCodeField()
    person = PersonIndexField(required=False, allow_null=True)

    class Meta:
        model = DisciplinaryCase
        fields = [
            "id",
            "unit",
            "person",
            "opened_on",
            "category",
            "summary",
            "measure",
            "measure_on",
            "referred_to_national_authorities",
            "referred_on",
            "version",
        ]


class RecognitionSerializer(PolicyFieldsMixin, ActionModelSerializer):
    """GA staff read awards without the person (RecognitionPolicy.hidden_fields)."""

    unit = UnitCodeField()
    person = PersonIndexField("assign", required=False, allow_null=True)

    class Meta:
        model = Recognition
        fields = ["id", "unit", "person", "kind", "awarded_on", "reason", "version"]


class BudgetPerformanceSerializer(ActionModelSerializer):
    unit = UnitCodeField()
    utilisation = serializers.SerializerMethodField(
        help_text=_("Expenditure over appropriation, per cent, one decimal.")
    )

    class Meta:
        model = BudgetPerformance
        fields = [
            "id",
            "unit",
            "period",
            "appropriation",
            "expenditure",
            "currency",
            "utilisation",
            "version",
        ]
        validators: list = []

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_utilisation(self, obj) -> float | None:
        value = obj.utilisation_percent
        return None if value is None else float(value)


@extend_schema_serializer(component_name="SpreadsheetImport")
class SpreadsheetImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV (UTF-8, header row) or XLSX (first sheet)"))


class LearningRowSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit__code")
    staff = serializers.IntegerField(allow_null=True)
    required = serializers.IntegerField(allow_null=True)
    completions = serializers.IntegerField(allow_null=True)
    completion_rate = serializers.FloatField(allow_null=True)
    fully_trained = serializers.IntegerField(allow_null=True)
    fully_trained_rate = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()
