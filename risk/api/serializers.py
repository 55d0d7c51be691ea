"""The risk API: relations by unit code, username and index number (CONTRACT.md); every write goes
through a named action (risk.services) via core's ActionModelSerializer."""

from django.db.models.manager import BaseManager
from django.utils.translation import gettext as _
from rest_framework import serializers

from accountability.models import Decision
from core.api.serializers import ActionModelSerializer, VisibleRelatedField
from org.api.serializers import (
    ParagraphNumbersField,
    PersonIndexField,
    PolicyFieldsMixin,
    UnitCodeField,
    UsernameField,
)
from risk.choices import CaseStatus, Conclusion, DeficiencyStatus, ReferralKind
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


class RiskSerializer(ActionModelSerializer):
    unit = UnitCodeField()
    owner = UsernameField(required=False, allow_null=True)
    paragraphs = ParagraphNumbersField(many=True, required=False)
    rating = serializers.SerializerMethodField()
    residual_rating = serializers.SerializerMethodField()
    controls = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

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


class TreatmentSerializer(ActionModelSerializer):
    risk = VisibleRelatedField(queryset=Risk.objects.all())
    owner = UsernameField(required=False, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

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


class ControlSerializer(ActionModelSerializer):
    unit = UnitCodeField()
    owner = UsernameField(required=False, allow_null=True)
    risks = VisibleRelatedField(many=True, queryset=Risk.objects.all(), required=False)
    paragraphs = ParagraphNumbersField(many=True, required=False)

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


class ControlTestSerializer(ActionModelSerializer):
    control = VisibleRelatedField(queryset=Control.objects.all())
    tester = UsernameField(required=False, allow_null=True)

    class Meta:
        model = ControlTest
        fields = ["id", "control", "tested_on", "tester", "result", "notes", "version"]


class DeficiencySerializer(ActionModelSerializer):
    test = VisibleRelatedField(queryset=ControlTest.objects.all())
    owner = UsernameField(required=False, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Deficiency
        fields = [
            "id",
            "test",
            "description",
            "severity",
            "remediation",
            "owner",
            "due_on",
            "status",
            "closed_on",
            "is_open",
            "version",
        ]


class CloseDeficiencySerializer(serializers.Serializer):
    """`POST /api/risk/deficiencies/{id}/close/`: the same fields as the record."""

    closed_on = serializers.DateField(required=False, allow_null=True)
    remediation = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=[DeficiencyStatus.CLOSED], required=False)
    version = serializers.IntegerField(required=False)


class SelfAssessmentSerializer(ActionModelSerializer):
    unit = UnitCodeField()
    certified_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    # Blank until certified (the schema says so: issue 12, schemathesis).
    conclusion = serializers.ChoiceField(
        choices=Conclusion.choices, read_only=True, allow_blank=True
    )

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


class CertifySerializer(serializers.Serializer):
    conclusion = serializers.ChoiceField(choices=Conclusion.choices)
    statement = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class VendorNamesField(serializers.ListField):
    """Vendors given and shown by name."""

    child = serializers.CharField(max_length=200)
    reads_rows = True  # core.api.lean hands it a list page's prefetched rows as a plain list

    def to_representation(self, value):
        rows = value.all() if isinstance(value, BaseManager) else value
        return [vendor.name for vendor in rows]


class ProcurementCaseSerializer(PolicyFieldsMixin, ActionModelSerializer):
    """GA staff read cases without their panels (ProcurementCasePolicy.hidden_fields)."""

    unit = UnitCodeField()
    vendors = VendorNamesField(required=False)
    panel = PersonIndexField("assign", many=True, required=False)
    paragraphs = ParagraphNumbersField(many=True, required=False)
    flagged = serializers.BooleanField(read_only=True)
    cleared_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

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
        action_inputs = ("vendors",)

    def validate_status(self, value):
        # `status` moves freely between open, under evaluation and cancelled; a move to
        # "awarded" is the award, a move away from it the reopening: each its own action.
        current = self.instance.status if self.instance is not None else CaseStatus.OPEN
        if value != current and CaseStatus.AWARDED in (value, current):
            name = "award" if value == CaseStatus.AWARDED else "reopen"
            raise serializers.ValidationError(
                _("This field changes only through its action: %(endpoint)s")
                % {"endpoint": self._action_url(name)}
            )
        return value


class ClearanceSerializer(serializers.Serializer):
    """`POST .../{id}/clear/`: `reason` (or `clearance_reason`, the record's field)."""

    reason = serializers.CharField(required=False)
    clearance_reason = serializers.CharField(required=False, write_only=True)
    version = serializers.IntegerField(required=False)

    def validate(self, attrs):
        reason = attrs.pop("clearance_reason", None)
        attrs["reason"] = attrs.get("reason") or reason or ""
        if not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": [_("This field is required.")]})
        return attrs


class AwardSerializer(serializers.Serializer):
    awarded_to = serializers.CharField(max_length=200)
    awarded_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=[CaseStatus.AWARDED], required=False)
    version = serializers.IntegerField(required=False)


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[CaseStatus.OPEN, CaseStatus.EVALUATION], required=False
    )
    version = serializers.IntegerField(required=False)


class InterestDeclarationSerializer(ActionModelSerializer):
    case = VisibleRelatedField(queryset=ProcurementCase.objects.all())
    person = PersonIndexField("assign")

    class Meta:
        model = InterestDeclaration
        fields = ["id", "case", "person", "vendor", "interest", "declared_on", "version"]
        validators: list = []  # the (case, person, vendor) uniqueness answers from the model's clean()


class RecoveryCaseSerializer(ActionModelSerializer):
    unit = UnitCodeField()
    decision = VisibleRelatedField(queryset=Decision.objects.all(), required=False, allow_null=True)
    paragraphs = ParagraphNumbersField(many=True, required=False)
    amount_recovered = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, min_value=0
    )
    recovery_rate = serializers.FloatField(read_only=True)

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
            "referred_for_discipline_on",
            "referred_to_authorities_on",
            "national_authority",
            "paragraphs",
            "version",
        ]
        action_inputs = ("amount_recovered",)


class ReferSerializer(serializers.Serializer):
    """`POST /api/risk/recovery-cases/{id}/refer/`: where (`to`), when, to which authority."""

    to = serializers.ChoiceField(choices=ReferralKind.choices)
    referred_on = serializers.DateField(required=False, allow_null=True)
    authority = serializers.CharField(required=False, allow_blank=True, max_length=200)
    note = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False)


class RecoveryActionSerializer(ActionModelSerializer):
    case = VisibleRelatedField(queryset=RecoveryCase.objects.all())

    class Meta:
        model = RecoveryAction
        fields = ["id", "case", "taken_on", "kind", "amount", "note", "version"]
