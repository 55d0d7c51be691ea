from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import VersionedModelSerializer
from org.access import access_for
from org.api.serializers import ParagraphNumbersField, UnitCodeField
from oversight.choices import RecommendationStatus
from oversight.models import (
    Evidence,
    OversightBody,
    OversightReport,
    Recommendation,
    RecommendationUpdate,
)


class OversightBodySerializer(VersionedModelSerializer):
    class Meta:
        model = OversightBody
        fields = ["code", "name", "name_zh", "is_active", "version"]


class BodyCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", OversightBody.objects.all())
        super().__init__(**kwargs)


class OversightReportSerializer(VersionedModelSerializer):
    body = BodyCodeField()
    paragraphs = ParagraphNumbersField(many=True)

    class Meta:
        model = OversightReport
        fields = ["id", "body", "symbol", "title", "issued_on", "paragraphs", "version"]

    def validate_body(self, body):
        access = access_for(self.context["request"].user)
        if not access.is_admin and body.code != access.body_code:
            raise serializers.ValidationError(_("You may enter reports of your own body only."))
        return body


class RecommendationSerializer(VersionedModelSerializer):
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
        if (
            not OversightReport.objects.editable_by(self.context["request"].user)
            .filter(pk=report.pk)
            .exists()
        ):
            raise serializers.ValidationError(
                _("You may add recommendations to your own body's reports only.")
            )
        return report

    def validate(self, attrs):
        wanted = self.initial_data.get("status") if hasattr(self.initial_data, "get") else None
        current = self.instance.status if self.instance else RecommendationStatus.OPEN
        if wanted not in (None, "", current):
            # Status moves are dated updates with a note, checked by the workflow; never a bare edit.
            raise serializers.ValidationError(
                {
                    "status": [
                        _(
                            "Change the status with POST /api/oversight/recommendations/{id}/status/ and a note."
                        )
                    ]
                }
            )
        accepted = attrs.get("accepted", self.instance.accepted if self.instance else True)
        comment = attrs.get(
            "acceptance_comment", self.instance.acceptance_comment if self.instance else ""
        )
        # A scratch copy: the rule lives on the model, the instance changes only on save.
        probe = Recommendation(status=current)
        try:
            probe.apply_acceptance(accepted, comment)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        if probe.status != current:
            attrs["status"] = probe.status
        return attrs

    def update(self, instance, validated_data):
        from oversight import services

        from_status = instance.status
        instance = super().update(instance, validated_data)
        services.record_acceptance_change(
            instance, acting_user=self.context["request"].user, from_status=from_status
        )
        return instance


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "url"]

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("oversight:evidence_download", args=[obj.pk])


class RecommendationUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_label", read_only=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = RecommendationUpdate
        fields = ["id", "at", "author", "from_status", "to_status", "note", "evidence"]


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RecommendationStatus.choices)
    note = serializers.CharField()
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    version = serializers.IntegerField(required=False)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    error = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    reports_created = serializers.IntegerField()
    reports_updated = serializers.IntegerField()


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
