"""The risk API: relations by unit code, username and index number (CONTRACT.md); every write goes
through risk.services."""

from rest_framework import serializers

from accountability.models import Decision
from core.api.serializers import VersionedModelSerializer, expected_version
from org.access import access_for
from org.api.serializers import (
    ParagraphNumbersField,
    PersonIndexField,
    UnitCodeField,
    UsernameField,
)
from org.models import Person
from risk import services
from risk.choices import Conclusion
from risk.models import (
    Control,
    ControlTest,
    Deficiency,
    InterestDeclaration,
    ProcurementCase,
    RatingScale,
    RecoveryAction,
    RecoveryCase,
    Risk,
    SelfAssessment,
    Treatment,
)


class ServiceSerializer(VersionedModelSerializer):
    """Creates and updates by calling the app's service with the acting user; m2m fields listed in
    `service_m2m` are handed to the service rather than set by DRF."""

    service_m2m: tuple[str, ...] = ()
    scoped_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        for name in self.scoped_fields:
            field = self.fields[name]
            target = getattr(field, "child_relation", field)
            # What the caller may not see does not exist for them: a 400, not a leak.
            target.queryset = (
                target.queryset.visible_to(request.user) if request else target.queryset.none()
            )

    def _user(self):
        return self.context["request"].user

    def _split(self, validated_data):
        extra = {
            name: validated_data.pop(name) for name in self.service_m2m if name in validated_data
        }
        return validated_data, extra

    def create(self, validated_data):
        data, extra = self._split(validated_data)
        instance = self.Meta.model(**data)
        return self.save_through(instance, **extra)

    def update(self, instance, validated_data):
        expected = expected_version(self.context.get("request"), self.initial_data)
        if expected is not None:
            instance.version = expected
        data, extra = self._split(validated_data)
        for name, value in data.items():
            setattr(instance, name, value)
        return self.save_through(instance, **extra)

    def save_through(self, instance, **extra):
        raise NotImplementedError


class RiskSerializer(ServiceSerializer):
    unit = UnitCodeField()
    owner = UsernameField(required=False, allow_null=True)
    paragraphs = ParagraphNumbersField(many=True, required=False)
    rating = serializers.SerializerMethodField()
    residual_rating = serializers.SerializerMethodField()
    controls = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    service_m2m = ("paragraphs",)

    class Meta:
        model = Risk
        fields = [
            "id",
            "title",
            "description",
            "cause",
            "effect",
            "unit",
            "owner",
            "category",
            "likelihood",
            "impact",
            "score",
            "rating",
            "residual_likelihood",
            "residual_impact",
            "residual_score",
            "residual_rating",
            "response",
            "identified_on",
            "reviewed_on",
            "closed_on",
            "controls",
            "paragraphs",
            "version",
        ]
        read_only_fields = ["score", "residual_score"]

    def _scale(self):
        if "scale" not in self.context:
            self.context["scale"] = RatingScale.current()
        return self.context["scale"]

    def get_rating(self, risk) -> str:
        return (
            risk.rating(self._scale()) if "rating_band" not in risk.__dict__ else risk.rating_band
        )

    def get_residual_rating(self, risk) -> str:
        return (
            risk.residual_rating(self._scale())
            if "residual_band" not in risk.__dict__
            else risk.residual_band
        )

    def save_through(self, instance, paragraphs=None):
        return services.save_risk(instance, acting_user=self._user(), paragraphs=paragraphs)


class TreatmentSerializer(ServiceSerializer):
    risk = serializers.PrimaryKeyRelatedField(queryset=Risk.objects.all())
    owner = UsernameField(required=False, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)
    scoped_fields = ("risk",)

    class Meta:
        model = Treatment
        fields = [
            "id",
            "risk",
            "title",
            "owner",
            "due_on",
            "status",
            "completed_on",
            "is_overdue",
            "version",
        ]

    def save_through(self, instance):
        return services.save_treatment(instance, acting_user=self._user())


class ControlSerializer(ServiceSerializer):
    unit = UnitCodeField()
    owner = UsernameField(required=False, allow_null=True)
    risks = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Risk.objects.all(), required=False
    )
    paragraphs = ParagraphNumbersField(many=True, required=False)
    service_m2m = ("risks", "paragraphs")
    scoped_fields = ("risks",)

    class Meta:
        model = Control
        fields = [
            "id",
            "title",
            "objective",
            "unit",
            "owner",
            "kind",
            "frequency",
            "risks",
            "paragraphs",
            "version",
        ]

    def save_through(self, instance, risks=None, paragraphs=None):
        return services.save_control(
            instance, acting_user=self._user(), risks=risks, paragraphs=paragraphs
        )


class ControlTestSerializer(ServiceSerializer):
    control = serializers.PrimaryKeyRelatedField(queryset=Control.objects.all())
    tester = UsernameField(required=False, allow_null=True)
    scoped_fields = ("control",)

    class Meta:
        model = ControlTest
        fields = ["id", "control", "tested_on", "tester", "result", "notes", "version"]

    def save_through(self, instance):
        return services.record_control_test(instance, acting_user=self._user())


class DeficiencySerializer(ServiceSerializer):
    test = serializers.PrimaryKeyRelatedField(queryset=ControlTest.objects.all())
    owner = UsernameField(required=False, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)
    scoped_fields = ("test",)

    class Meta:
        model = Deficiency
        fields = [
            "id",
            "test",
            "description",
            "remediation",
            "owner",
            "due_on",
            "closed_on",
            "is_open",
            "version",
        ]

    def save_through(self, instance):
        return services.save_deficiency(instance, acting_user=self._user())


class SelfAssessmentSerializer(ServiceSerializer):
    unit = UnitCodeField()
    certified_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SelfAssessment
        fields = [
            "id",
            "unit",
            "year",
            "statement",
            "conclusion",
            "certified_by",
            "certified_on",
            "version",
        ]
        read_only_fields = ["conclusion", "certified_on"]

    def save_through(self, instance):
        return services.save_self_assessment(instance, acting_user=self._user())


class VendorNamesField(serializers.ListField):
    """Vendors given and shown by name."""

    child = serializers.CharField(max_length=200)

    def to_representation(self, value):
        return [vendor.name for vendor in value.all()]


class ProcurementCaseSerializer(ServiceSerializer):
    unit = UnitCodeField()
    vendors = VendorNamesField(required=False)
    panel = PersonIndexField(many=True, required=False, queryset=Person.objects.all())
    paragraphs = ParagraphNumbersField(many=True, required=False)
    flagged = serializers.SerializerMethodField()
    cleared_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    service_m2m = ("vendors", "panel", "paragraphs")

    class Meta:
        model = ProcurementCase
        fields = [
            "id",
            "reference",
            "title",
            "unit",
            "vendors",
            "value",
            "opened_on",
            "status",
            "panel",
            "flagged",
            "awarded_to",
            "awarded_on",
            "cleared_by",
            "cleared_on",
            "clearance_reason",
            "paragraphs",
            "version",
        ]
        read_only_fields = ["cleared_on", "clearance_reason"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and access_for(request.user).is_ga_staff:
            data["panel"] = []  # who sits on a panel is personal data, which GA staff do not read
        return data

    def get_flagged(self, case) -> bool:
        return case.flagged

    def save_through(self, instance, vendors=None, panel=None, paragraphs=None):
        case = services.save_procurement_case(
            instance, acting_user=self._user(), vendors=vendors, panel=panel, paragraphs=paragraphs
        )
        return ProcurementCase.objects.with_flag().get(pk=case.pk)


class CertifySerializer(serializers.Serializer):
    conclusion = serializers.ChoiceField(choices=Conclusion.choices)
    statement = serializers.CharField(required=False, allow_blank=True, default="")


class ClearanceSerializer(serializers.Serializer):
    reason = serializers.CharField()


class InterestDeclarationSerializer(ServiceSerializer):
    case = serializers.PrimaryKeyRelatedField(queryset=ProcurementCase.objects.all())
    person = PersonIndexField()
    scoped_fields = ("case",)

    class Meta:
        model = InterestDeclaration
        fields = ["id", "case", "person", "vendor", "interest", "declared_on", "version"]
        validators: list = []  # the (case, person, vendor) uniqueness answers from the model's clean()

    def save_through(self, instance):
        return services.save_declaration(instance, acting_user=self._user())


class RecoveryCaseSerializer(ServiceSerializer):
    unit = UnitCodeField()
    decision = serializers.PrimaryKeyRelatedField(
        queryset=Decision.objects.all(), required=False, allow_null=True
    )
    paragraphs = ParagraphNumbersField(many=True, required=False)
    amount_recovered = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, min_value=0
    )
    recovery_rate = serializers.FloatField(read_only=True)
    service_m2m = ("paragraphs", "amount_recovered")
    scoped_fields = ("decision",)

    class Meta:
        model = RecoveryCase
        fields = [
            "id",
            "reference",
            "title",
            "unit",
            "finding",
            "description",
            "decision",
            "amount_lost",
            "amount_recovered",
            "recovery_rate",
            "opened_on",
            "closed_on",
            "paragraphs",
            "version",
        ]

    def save_through(self, instance, paragraphs=None, amount_recovered=None):
        return services.save_recovery_case(
            instance,
            acting_user=self._user(),
            amount_recovered=amount_recovered,
            paragraphs=paragraphs,
        )


class RecoveryActionSerializer(ServiceSerializer):
    case = serializers.PrimaryKeyRelatedField(queryset=RecoveryCase.objects.all())
    scoped_fields = ("case",)

    class Meta:
        model = RecoveryAction
        fields = ["id", "case", "taken_on", "kind", "amount", "note", "version"]

    def save_through(self, instance):
        return services.add_recovery_action(instance, acting_user=self._user())
