from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accountability.choices import CommitmentStatus, ReviewOutcome
from accountability.models import AuthorityItem, Commitment, Decision, Delegation
from core.api.lean import prefetched
from core.api.serializers import ActionModelSerializer
from org.api.serializers import ParagraphNumbersField, UnitCodeField, UsernameField

# --- Delegations, decisions, commitments --------------------------------------------------------


class VisibleDelegationField(serializers.PrimaryKeyRelatedField):
    """An instrument the caller may see: any other id answers "does not exist", naming no one."""

    def get_queryset(self):
        request = self.context.get("request")
        return Delegation.objects.restrict(request.user if request else None, "view")


class DelegationSerializer(ActionModelSerializer):
    delegator = UsernameField()
    delegatee = UsernameField()
    unit = UnitCodeField()
    parent = VisibleDelegationField(required=False, allow_null=True)
    authority = serializers.SlugRelatedField(
        slug_field="code",
        queryset=AuthorityItem.objects.all(),
        required=False,
        allow_null=True,
        help_text="Code of the entry of the list of areas of authority.",
    )
    revoked_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    accepted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
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
            "authority",
            "scope",
            "limit_amount",
            "valid_from",
            "valid_to",
            "parent",
            "accepted_on",
            "accepted_by",
            "revoked_on",
            "revocation_reason",
            "revoked_by",
            "state",
            "version",
        ]
        read_only_fields = ["accepted_on", "revoked_on", "revocation_reason"]
        # The reference's uniqueness is the model's rule (a field message that names no other
        # instrument), not DRF's generic validator.
        extra_kwargs = {"reference": {"validators": []}}


class DelegationListSerializer(DelegationSerializer):
    """A list's rows: the same fields, the unit's code, the people's usernames and the area of
    authority's code read from the columns of DelegationQuerySet.with_codes (the records
    themselves are not loaded). Read only: every write goes through DelegationSerializer."""

    delegator = serializers.CharField(source="delegator_username", read_only=True)
    delegatee = serializers.CharField(source="delegatee_username", read_only=True)
    unit = serializers.CharField(source="unit_code", read_only=True)
    authority = serializers.CharField(source="authority_code", read_only=True)
    revoked_by = serializers.CharField(source="revoked_by_username", read_only=True)
    accepted_by = serializers.CharField(source="accepted_by_username", read_only=True)


class AcceptanceSerializer(serializers.Serializer):
    accepted_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False)


class RevocationSerializer(serializers.Serializer):
    reason = serializers.CharField()
    revoked_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False)


class DecisionSerializer(ActionModelSerializer):
    unit = UnitCodeField()
    decided_by = UsernameField(required=False)
    delegation = VisibleDelegationField(required=False, allow_null=True)
    paragraphs = ParagraphNumbersField(many=True)
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    # "" until the decision is reviewed; one of ReviewOutcome's codes after.
    review_outcome = serializers.CharField(read_only=True)
    attachments = serializers.SerializerMethodField()
    authority_problems = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "reference",
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
            "authority_problems",
            "review_outcome",
            "review_action",
            "reviewed_by",
            "reviewed_on",
            "review_revision_reason",
            "attachments",
            "version",
        ]
        read_only_fields = [
            "within_authority",
            "review_outcome",
            "review_action",
            "reviewed_on",
            "review_revision_reason",
        ]
        # (unit, reference) is checked by the model, with a field message, as on the page.
        validators = []

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_authority_problems(self, decision) -> list[str]:
        """Why the decision is outside delegated authority, in the reader's language."""
        if decision.within_authority:
            return []
        return [str(p) for p in decision.authority_problems]

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
            for a in prefetched(decision, "attachments")
        ]


class DecisionListSerializer(DecisionSerializer):
    """A list's rows: the same fields, the unit's code, the usernames, the cited paragraphs'
    numbers and the attachments read from the columns of DecisionQuerySet.with_codes (no unit,
    person, paragraph or attachment record loaded). Read only: every write goes through
    DecisionSerializer."""

    unit = serializers.CharField(source="unit_code", read_only=True)
    decided_by = serializers.CharField(source="decided_by_username", read_only=True)
    reviewed_by = serializers.CharField(source="reviewed_by_username", read_only=True)
    paragraphs = serializers.ListField(
        child=serializers.IntegerField(), source="paragraph_numbers", read_only=True
    )

    def get_attachments(self, decision) -> list[dict]:
        return [
            {
                "name": name,
                "url": reverse("accountability:decision_attachment", args=[decision.pk, key]),
            }
            for key, name in decision.attachment_rows or ()
        ]


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    action_taken = serializers.CharField(required=False, allow_blank=True, default="")
    reviewed_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False)


class ReviseReviewSerializer(ReviewSerializer):
    reason = serializers.CharField()


class CommitmentStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    honoured_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class CommitmentSerializer(ActionModelSerializer):
    """`status` and `honoured_on` change only through `POST {id}/status/`, which keeps each
    transition; a new commitment is planned."""

    unit = UnitCodeField()
    owner = UsernameField(required=False)
    paragraphs = ParagraphNumbersField(many=True)
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
        read_only_fields = ["status", "honoured_on"]
