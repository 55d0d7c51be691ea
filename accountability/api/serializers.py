from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accountability.choices import CommitmentStatus, ReviewOutcome
from accountability.models import Commitment, Decision, Delegation
from core.api.serializers import VersionedModelSerializer, expected_version
from org.api.serializers import ParagraphNumbersField, UnitCodeField, UsernameField

# --- Delegations, decisions, commitments --------------------------------------------------------


class ServiceSaveMixin:
    """Creates and updates go through accountability.services (one write path); the service's
    Django ValidationError becomes a 400 `{field: [message]}` (core.api.errors)."""

    m2m_fields: tuple[str, ...] = ()

    def _instance(self, instance, validated_data):
        m2m = {name: validated_data.pop(name) for name in self.m2m_fields if name in validated_data}
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return instance, m2m

    def create(self, validated_data):
        instance, m2m = self._instance(self.Meta.model(), validated_data)
        return self.save_with_service(instance, m2m)

    def update(self, instance, validated_data):
        expected = expected_version(self.context.get("request"), self.initial_data)
        if expected is not None:
            instance.version = expected
        instance, m2m = self._instance(instance, validated_data)
        return self.save_with_service(instance, m2m)

    @property
    def acting_user(self):
        return self.context["request"].user


class DelegationSerializer(ServiceSaveMixin, VersionedModelSerializer):
    delegator = UsernameField()
    delegatee = UsernameField()
    unit = UnitCodeField()
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Delegation.objects.all(), required=False, allow_null=True
    )
    revoked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    state = serializers.CharField(read_only=True)

    class Meta:
        model = Delegation
        fields = [
            "id",
            "reference",
            "delegator",
            "delegatee",
            "unit",
            "area",
            "scope",
            "limit_amount",
            "valid_from",
            "valid_to",
            "parent",
            "revoked_on",
            "revocation_reason",
            "revoked_by",
            "state",
            "version",
        ]
        read_only_fields = ["revoked_on", "revocation_reason"]

    def save_with_service(self, instance, m2m):
        from accountability import services

        return services.save_delegation(instance, acting_user=self.acting_user)


class RevocationSerializer(serializers.Serializer):
    reason = serializers.CharField()
    revoked_on = serializers.DateField(required=False, allow_null=True)


class DecisionSerializer(ServiceSaveMixin, VersionedModelSerializer):
    m2m_fields = ("paragraphs",)

    unit = UnitCodeField()
    decided_by = UsernameField(required=False)
    delegation = serializers.PrimaryKeyRelatedField(
        queryset=Delegation.objects.all(), required=False, allow_null=True
    )
    paragraphs = ParagraphNumbersField(many=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "title",
            "rationale",
            "unit",
            "decided_by",
            "decided_on",
            "area",
            "amount",
            "delegation",
            "paragraphs",
            "within_authority",
            "review_outcome",
            "review_action",
            "reviewed_by",
            "reviewed_on",
            "attachments",
            "version",
        ]
        read_only_fields = [
            "within_authority",
            "review_outcome",
            "review_action",
            "reviewed_on",
        ]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "url": {"type": "string"}},
            },
        }
    )
    def get_attachments(self, decision) -> list[dict]:
        return [
            {
                "name": a.name,
                "url": reverse("accountability:decision_attachment", args=[decision.pk, a.pk]),
            }
            for a in decision.attachments.all()
        ]

    def save_with_service(self, instance, m2m):
        from accountability import services

        return services.save_decision(
            instance, acting_user=self.acting_user, paragraphs=m2m.get("paragraphs")
        )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    action_taken = serializers.CharField(required=False, allow_blank=True, default="")
    reviewed_on = serializers.DateField(required=False, allow_null=True)


class CommitmentSerializer(ServiceSaveMixin, VersionedModelSerializer):
    """`status` is set on creation to planned; a PATCH of `status` (with `honoured_on` for an
    honoured one) goes through the status service and keeps the transition."""

    m2m_fields = ("paragraphs",)

    unit = UnitCodeField()
    owner = UsernameField(required=False)
    paragraphs = ParagraphNumbersField(many=True)
    status = serializers.ChoiceField(choices=CommitmentStatus.choices, required=False)
    honoured_on = serializers.DateField(required=False, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "title",
            "deliverable",
            "unit",
            "owner",
            "due_on",
            "status",
            "honoured_on",
            "is_overdue",
            "paragraphs",
            "version",
        ]

    def save_with_service(self, instance, m2m):
        from accountability import services

        status = self._status_change
        instance.status = self._loaded_status
        instance.honoured_on = self._loaded_honoured_on
        if instance.pk is None and not instance.owner_id:
            instance.owner = self.acting_user
        services.save_commitment(
            instance, acting_user=self.acting_user, paragraphs=m2m.get("paragraphs")
        )
        if status is not None:
            target, honoured_on = status
            services.change_commitment_status(
                instance, acting_user=self.acting_user, status=target, honoured_on=honoured_on
            )
        return instance

    def _split_status(self, instance, validated_data):
        status = validated_data.pop("status", None)
        honoured_on = validated_data.pop("honoured_on", None)
        self._loaded_status = instance.status if instance else CommitmentStatus.PLANNED
        self._loaded_honoured_on = instance.honoured_on if instance else None
        current = self._loaded_status
        if status is not None and status != current:
            self._status_change = (status, honoured_on)
        elif honoured_on is not None and honoured_on != self._loaded_honoured_on:
            raise serializers.ValidationError(
                {"honoured_on": [_("Change the status to honoured to give this date.")]}
            )
        else:
            self._status_change = None

    def create(self, validated_data):
        self._split_status(None, validated_data)
        return super().create(validated_data)

    def update(self, instance, validated_data):
        self._split_status(instance, validated_data)
        return super().update(instance, validated_data)
