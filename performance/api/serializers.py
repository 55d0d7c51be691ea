from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accountability.models import Commitment
from core.api.serializers import VersionedModelSerializer, expected_version
from org.api.serializers import ParagraphNumbersField, PersonIndexField, UnitCodeField
from performance import services
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


class ServiceSerializer(VersionedModelSerializer):
    """Creates and updates through the app's service (rules, permissions, history), never by
    saving the model directly."""

    def _user(self):
        return self.context["request"].user

    def _save(self, instance, validated_data):
        paragraphs = validated_data.pop("paragraphs", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        kwargs = {"acting_user": self._user()}
        if any(f.name == "paragraphs" for f in instance._meta.many_to_many):
            kwargs["paragraphs"] = paragraphs
        return type(self).service(instance, **kwargs)

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        expected = expected_version(self.context.get("request"), self.initial_data)
        if expected is not None:
            instance.version = expected
        return self._save(instance, validated_data)


class CompactObjectiveSerializer(ServiceSerializer):
    service = staticmethod(services.save_objective)
    paragraphs = ParagraphNumbersField(many=True)

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
            "paragraphs",
            "version",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only the compacts and commitments the caller may see can be named.
            self.fields["compact"].queryset = Compact.objects.visible_to(request.user)
            self.fields["commitment"].queryset = Commitment.objects.visible_to(request.user)


class BoardFindingSerializer(ServiceSerializer):
    service = staticmethod(services.save_finding)

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
        request = self.context.get("request")
        if request is not None:
            self.fields["compact"].queryset = Compact.objects.visible_to(request.user)


class NestedObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompactObjective
        fields = ["id", "kind", "title", "indicator", "target", "result", "outcome", "commitment"]


class NestedFindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = BoardFinding
        fields = ["id", "finding", "action_plan", "due_on", "status", "closed_on"]


class CompactSerializer(ServiceSerializer):
    service = staticmethod(services.save_compact)
    senior_manager = PersonIndexField()
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


class AppraisalSerializer(ServiceSerializer):
    service = staticmethod(services.save_appraisal)
    staff = PersonIndexField()
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


class UnderperformanceCaseSerializer(ServiceSerializer):
    service = staticmethod(services.save_underperformance_case)
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
        request = self.context.get("request")
        if request is not None:
            # One may only attach a case to an appraisal one may see.
            self.fields["appraisal"].queryset = Appraisal.objects.visible_to(request.user)


class ExpectedAccomplishmentSerializer(ServiceSerializer):
    service = staticmethod(services.save_accomplishment)
    unit = UnitCodeField()
    paragraphs = ParagraphNumbersField(many=True)

    class Meta:
        model = ExpectedAccomplishment
        fields = ["id", "unit", "title", "paragraphs", "version"]


class ResultValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorResult
        fields = ["period", "value"]


class IndicatorSerializer(ServiceSerializer):
    service = staticmethod(services.save_indicator)
    unit = UnitCodeField()
    paragraphs = ParagraphNumbersField(many=True)
    results = ResultValueSerializer(many=True, read_only=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["accomplishment"].queryset = ExpectedAccomplishment.objects.visible_to(
                request.user
            )

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


class IndicatorResultSerializer(ServiceSerializer):
    service = staticmethod(services.record_indicator_result)
    target_met = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = IndicatorResult
        fields = ["id", "indicator", "period", "value", "target_met", "version"]
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["indicator"].queryset = Indicator.objects.visible_to(request.user)


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
