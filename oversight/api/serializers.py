from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import ActionModelSerializer
from org.api.serializers import ParagraphNumbersField, UnitCodeField
from oversight.choices import RecommendationStatus
from oversight.models import (
    Evidence,
    OversightBody,
    OversightReport,
    Recommendation,
    RecommendationUpdate,
)


class OversightBodySerializer(ActionModelSerializer):
    class Meta:
        model = OversightBody
        fields = ["code", "name", "name_zh", "is_active", "version"]


class BodyCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", OversightBody.objects.all())
        super().__init__(**kwargs)


class OversightReportSerializer(ActionModelSerializer):
    body = BodyCodeField()
    paragraphs = ParagraphNumbersField(many=True)

    class Meta:
        model = OversightReport
        fields = ["id", "body", "symbol", "title", "issued_on", "paragraphs", "version"]

    def validate_body(self, body):
        # Choice narrowing by the policy: the bodies whose reports this user enters.
        authors = OversightBody.objects.restrict(self.acting_user, "author")
        if not authors.filter(pk=body.pk).exists():
            raise serializers.ValidationError(_("You may enter reports of your own body only."))
        return body


class OversightReportListSerializer(OversightReportSerializer):
    """A list's rows: the same fields, the body's code and the paragraphs' numbers read from
    OversightReportQuerySet.with_codes and querysets.with_paragraph_numbers (no body or
    paragraph record loaded). Read only: every write goes through OversightReportSerializer."""

    body = serializers.CharField(source="body_code", read_only=True)
    paragraphs = serializers.ListField(
        child=serializers.IntegerField(), source="paragraph_numbers", read_only=True
    )


class RecommendationSerializer(ActionModelSerializer):
    report = serializers.PrimaryKeyRelatedField(queryset=OversightReport.objects.all())
    body = serializers.CharField(source="report.body.code", read_only=True)
    report_symbol = serializers.CharField(source="report.symbol", read_only=True)
    unit = UnitCodeField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "report",
            "body",
            "report_symbol",
            "number",
            "text",
            "priority",
            "unit",
            "accepted",
            "acceptance_comment",
            "target_date",
            "amount_identified",
            "amount_realised",
            "status",
            "status_changed_on",
            "implemented_on",
            "is_overdue",
            "version",
        ]
        read_only_fields = ["status", "status_changed_on", "implemented_on"]

    @extend_schema_field(serializers.BooleanField())
    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue

    def validate_report(self, report):
        # Choice narrowing by the policy: the reports whose recommendations this user enters.
        if not OversightReport.objects.restrict(self.acting_user, "change").filter(pk=report.pk):
            raise serializers.ValidationError(
                _("You may add recommendations to your own body's reports only.")
            )
        return report

    def state_field_errors(self, data) -> dict:
        errors = super().state_field_errors(data)
        if self.instance is None and "status" in errors:
            # A new recommendation starts open, or not accepted when management declined it.
            accepted = serializers.BooleanField().to_internal_value(data.get("accepted", True))
            if data.get("status") == Recommendation(accepted=accepted).initial_status():
                del errors["status"]
        return errors


class RecommendationListSerializer(RecommendationSerializer):
    """A list's rows: the same fields, the report's symbol and the body's and unit's codes read
    from the columns of RecommendationQuerySet.with_codes (the records themselves are not
    loaded). Read only: every write goes through RecommendationSerializer."""

    body = serializers.CharField(source="body_code", read_only=True)
    report_symbol = serializers.CharField(read_only=True)
    unit = serializers.CharField(source="unit_code", read_only=True)


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "url"]

    def get_url(self, obj) -> str:
        return reverse("oversight:evidence_download", args=[obj.pk])


class RecommendationUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_label", read_only=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = RecommendationUpdate
        fields = [
            "id",
            "at",
            "effective_on",
            "author",
            "from_status",
            "to_status",
            "target_date",
            "amount_realised",
            "note",
            "evidence",
        ]


class StatusSerializer(serializers.Serializer):
    """The inputs of `POST /api/oversight/recommendations/{id}/status/` (services.change_status):
    the new status, a note, evidence files (multipart), the date of implementation (default
    today) and the version the move is based on."""

    status = serializers.ChoiceField(choices=RecommendationStatus.choices)
    note = serializers.CharField(allow_blank=True)
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    implemented_on = serializers.DateField(required=False, allow_null=True, default=None)
    effective_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "The date the change took effect: today by default; the issuing body or an "
            "administrator may give an earlier date (from the report's issue date)."
        ),
    )
    version = serializers.IntegerField(required=False)


StatusChangeSerializer = StatusSerializer


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, required=False)
    column = serializers.CharField(allow_null=True, required=False)
    error = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    reports_created = serializers.IntegerField()
    reports_updated = serializers.IntegerField()


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
