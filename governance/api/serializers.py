"""The governance API: units by code, paragraphs by number, bodies by code; every write goes
through a named action (governance.services) via core's ActionModelSerializer."""

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api.lean import LeanListSerializer, prefetched
from core.api.serializers import ActionModelSerializer, LeanModelSerializer, VisibleRelatedField
from governance.choices import FollowUpStatus, ReviewOutcome
from governance.evidence import describe
from governance.models import (
    AssessmentEvidence,
    CommitteeDecision,
    CommitteeMeeting,
    Consultation,
    FollowUpAction,
    FollowUpTransition,
    Lesson,
    Mandate,
    Milestone,
    ParagraphAssessment,
)
from org.api.serializers import UnitCodeField
from org.models import Paragraph
from oversight.models import OversightBody
from performance.api.serializers import ReadInRowField, ReadInRowList, cited_paragraphs
from performance.models import ExpectedAccomplishment, Indicator


class AssessmentEvidenceSerializer(LeanModelSerializer):
    """A document's name and download URL, or a linked record's reference and, for a caller who
    may read that record, its name (`label`, "" otherwise)."""

    url = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentEvidence
        fields = ["id", "reference", "name", "label", "note", "url"]

    def get_label(self, evidence) -> str:
        if not hasattr(evidence, "label"):
            request = self.context.get("request")
            describe([evidence], request.user if request else None)
        return evidence.label

    def get_url(self, evidence) -> str | None:
        if not evidence.is_document:
            return None
        request = self.context.get("request")
        path = reverse("governance:assessment_evidence", args=[evidence.assessment_id, evidence.pk])
        return request.build_absolute_uri(path) if request else path


class AssessmentListSerializer(LeanListSerializer):
    """Reads the names of every cited record of a page of assessments in one query per kind of
    record (the list costs the same at 10 rows and at 500); the rows by the compiled plan."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        describe(
            [item for row in rows for item in prefetched(row, "evidence")],
            request.user if request else None,
        )
        return super().to_representation(rows)


class AssessmentSerializer(ActionModelSerializer):
    paragraph = serializers.SlugRelatedField(slug_field="number", queryset=Paragraph.objects.all())
    unit = UnitCodeField()
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    evidence = AssessmentEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ParagraphAssessment
        fields = [
            "id",
            "paragraph",
            "unit",
            "period_start",
            "period_end",
            "status",
            "justification",
            "state",
            "submitted_on",
            "reviewed_on",
            "reviewed_by",
            "review_comment",
            "accepted_on",
            "evidence",
            "version",
        ]
        read_only_fields = ["reviewed_by"]
        list_serializer_class = AssessmentListSerializer


class AssessmentListRowSerializer(AssessmentSerializer):
    """A list's rows: the same fields, the paragraph's number, the office's code and the
    reviewer's username read from the columns of AssessmentQuerySet.with_codes (the records
    themselves are not loaded). Read only: every write goes through AssessmentSerializer."""

    paragraph = serializers.IntegerField(source="paragraph_number", read_only=True)
    unit = serializers.CharField(source="unit_code", read_only=True)
    reviewed_by = serializers.CharField(source="reviewer_username", read_only=True, allow_null=True)


class AssessmentSubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)
    submitted_on = serializers.DateField(required=False, allow_null=True, default=None)
    state = serializers.CharField(required=False, help_text="Redundant: `submitted`.")

    def validate_state(self, value):
        if value not in ("", "submitted"):
            raise serializers.ValidationError(_("Submitting sets the state to submitted."))
        return value


class AssessmentReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    reviewed_on = serializers.DateField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False)


class AttachEvidenceSerializer(serializers.Serializer):
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text='A record of the tracker, as app.model:id ("oversight.recommendation:42").',
    )
    file = serializers.FileField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    def validate(self, attrs):
        attrs["upload"] = attrs.pop("file", None)
        if bool(attrs.get("reference")) == bool(attrs["upload"]):
            raise serializers.ValidationError(
                {"reference": [_("Give either a linked record or a document.")]}
            )
        return attrs


class MandateSerializer(ActionModelSerializer):
    # Read in the mandate's row on a list page (governance.querysets.PartsInRow).
    accomplishments = ReadInRowField(
        "accomplishment_ids",
        child_relation=VisibleRelatedField(
            required=False, queryset=ExpectedAccomplishment.objects.all()
        ),
        required=False,
    )
    indicators = ReadInRowField(
        "indicator_ids",
        child_relation=VisibleRelatedField(required=False, queryset=Indicator.objects.all()),
        required=False,
    )
    paragraphs = cited_paragraphs()

    class Meta:
        model = Mandate
        fields = [
            "id",
            "symbol",
            "body",
            "adopted_on",
            "title",
            "accomplishments",
            "indicators",
            "paragraphs",
            "version",
        ]


class MeetingSerializer(ActionModelSerializer):
    decisions = ReadInRowField(  # read in the meeting's row on a list page
        "decision_ids",
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True),
        read_only=True,
    )

    class Meta:
        model = CommitteeMeeting
        fields = ["id", "held_on", "agenda", "minutes_summary", "is_public", "decisions", "version"]


class CommitteeDecisionSerializer(ActionModelSerializer):
    meeting = VisibleRelatedField(queryset=CommitteeMeeting.objects.all())
    paragraphs = cited_paragraphs()

    class Meta:
        model = CommitteeDecision
        fields = ["id", "meeting", "number", "text", "paragraphs", "version"]


class FollowUpTransitionSerializer(LeanModelSerializer):
    class Meta:
        model = FollowUpTransition
        list_serializer_class = ReadInRowList  # read in the action's row on a list page
        read_as = "transition_rows"
        fields = ["from_status", "to_status", "changed_on", "note"]


class FollowUpSerializer(ActionModelSerializer):
    decision = VisibleRelatedField(queryset=CommitteeDecision.objects.all())
    unit = UnitCodeField()
    assigned_on = serializers.DateField(required=False)
    is_overdue = serializers.BooleanField(read_only=True)
    transitions = FollowUpTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = FollowUpAction
        fields = [
            "id",
            "decision",
            "unit",
            "title",
            "assigned_on",
            "due_on",
            "status",
            "status_on",
            "is_overdue",
            "transitions",
            "version",
        ]


class FollowUpStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FollowUpStatus.choices)
    changed_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class ConsultationSerializer(ActionModelSerializer):
    body = serializers.SlugRelatedField(slug_field="code", queryset=OversightBody.objects.all())
    paragraphs = cited_paragraphs()

    class Meta:
        model = Consultation
        fields = ["id", "body", "held_on", "subject", "outcome", "system", "paragraphs", "version"]


class LessonSerializer(ActionModelSerializer):
    applied_unit = UnitCodeField()
    paragraphs = cited_paragraphs()

    class Meta:
        model = Lesson
        fields = [
            "id",
            "source_organisation",
            "title",
            "description",
            "learned_on",
            "applied_unit",
            "applied_how",
            "system",
            "paragraphs",
            "version",
        ]


class MilestoneSerializer(ActionModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "system", "title", "planned_on", "actual_on", "status", "version"]
