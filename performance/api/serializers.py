from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api.lean import LeanListSerializer
from core.api.serializers import ActionModelSerializer, LeanModelSerializer, VisibleRelatedField
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


class _Written(list):
    """Rows (or keys) the list query read already as the API writes them."""


class ReadInRowList(LeanListSerializer):
    """A record's nested rows (a compact's objectives, an indicator's results): on a list page
    the rows the queryset's `with_parts` read in the record's own row (`Meta.read_as` of the
    nested serializer), each a JSON object of the fields' values, put in the serializer's field
    order; otherwise the relation, written field by field (test_perf13c_parts_in_row checks the
    two agree)."""

    def get_attribute(self, instance):
        rows = instance.__dict__.get(self.child.Meta.read_as)
        if rows is None:
            return super().get_attribute(instance)
        names = self.child.Meta.fields
        return _Written([{name: row[name] for name in names} for row in rows])

    def to_representation(self, data):
        if isinstance(data, _Written):
            return list(data)
        return super().to_representation(data)


class ReadInRowField(serializers.ManyRelatedField):
    """A to-many field written as keys (paragraph numbers, indicator ids): on a list page the
    keys the queryset's `with_parts` read in the record's own row (`read_as`), otherwise the
    relation's. Input is read by the child field, as ever."""

    def __init__(self, read_as: str, **kwargs):
        self.read_as = read_as
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        keys = instance.__dict__.get(self.read_as)
        return super().get_attribute(instance) if keys is None else _Written(keys)

    def to_representation(self, iterable):
        if isinstance(iterable, _Written):
            return list(iterable)
        return super().to_representation(iterable)


def cited_paragraphs() -> ReadInRowField:
    """`paragraphs` by number, as ParagraphNumbersField(many=True) reads and writes them."""
    return ReadInRowField(
        "paragraph_numbers", child_relation=ParagraphNumbersField(required=False), required=False
    )


INDICATORS_HELP = _("Ids of the results-based management indicators that measure the objective.")


class CompactObjectiveSerializer(ActionModelSerializer):
    serializer_related_field = VisibleRelatedField  # the compact, the commitment
    paragraphs = cited_paragraphs()
    indicators = ReadInRowField(
        "indicator_ids",
        child_relation=VisibleRelatedField(
            required=False, queryset=Indicator.objects.all(), help_text=INDICATORS_HELP
        ),
        required=False,
        help_text=INDICATORS_HELP,
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


class BoardFindingSerializer(ActionModelSerializer):
    serializer_related_field = VisibleRelatedField  # the compact

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


class NestedObjectiveSerializer(LeanModelSerializer):
    class Meta:
        model = CompactObjective
        list_serializer_class = ReadInRowList
        read_as = "objective_rows"
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
        list_serializer_class = ReadInRowList
        read_as = "finding_rows"
        fields = ["id", "finding", "action_plan", "due_on", "status", "closed_on"]


class CompactSerializer(ActionModelSerializer):
    senior_manager = PersonIndexField("assign")
    unit = UnitCodeField(required=False)
    paragraphs = cited_paragraphs()
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


class CompactListRowSerializer(CompactSerializer):
    """A list's rows: the same fields, the senior manager's index number and the unit's code
    read from the columns of CompactQuerySet.with_codes (the records themselves are not
    loaded). Read only: every write goes through CompactSerializer."""

    senior_manager = serializers.CharField(source="senior_manager_index", read_only=True)
    unit = serializers.CharField(source="unit_code", read_only=True, allow_null=True)


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


class AppraisalListRowSerializer(AppraisalSerializer):
    """A list's rows: the same fields, the staff member's index number and the unit's code read
    from the columns of AppraisalQuerySet.with_codes (the records themselves are not loaded).
    Read only: every write goes through AppraisalSerializer."""

    staff = serializers.CharField(source="staff_index", read_only=True)
    unit = serializers.CharField(source="unit_code", read_only=True, allow_null=True)


class UnderperformanceCaseSerializer(ActionModelSerializer):
    appraisal = VisibleRelatedField(queryset=Appraisal.objects.all())

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


class ExpectedAccomplishmentSerializer(ActionModelSerializer):
    unit = UnitCodeField()
    paragraphs = cited_paragraphs()

    class Meta:
        model = ExpectedAccomplishment
        fields = ["id", "unit", "title", "paragraphs", "version"]


class ResultValueSerializer(LeanModelSerializer):
    class Meta:
        model = IndicatorResult
        list_serializer_class = ReadInRowList
        read_as = "result_rows"
        fields = ["period", "value"]


class IndicatorSerializer(ActionModelSerializer):
    serializer_related_field = VisibleRelatedField  # the expected accomplishment
    unit = UnitCodeField()
    paragraphs = cited_paragraphs()
    results = ResultValueSerializer(many=True, read_only=True)

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
    serializer_related_field = VisibleRelatedField  # the indicator
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
