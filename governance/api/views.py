"""The governance API: one ActionModelViewSet per model; filters from governance.filtersets;
writes and transitions through the named actions of governance.services."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import actions
from core.api.viewsets import ActionModelViewSet, ListRowsMixin, Transition
from governance import filtersets, importer, services
from governance.api import serializers as s
from governance.models import (
    CommitteeDecision,
    CommitteeMeeting,
    Consultation,
    FollowUpAction,
    Lesson,
    Mandate,
    Milestone,
    ParagraphAssessment,
)
from governance.querysets import PARTS


class PartsInRowMixin:
    # No docstring: the API schema describes a viewset by the first one in its classes.
    # A list page reads each record's parts in the record's own row (the querysets'
    # with_parts); one record (read, changed, moved on by an action) has them prefetched.

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset.with_parts()
        return queryset.prefetch_related(*PARTS[queryset.model._meta.label_lower])


@extend_schema_view(list=extend_schema(responses=s.AssessmentSerializer(many=True)))
class AssessmentViewSet(ListRowsMixin, ActionModelViewSet):
    """Implementation assessments per paragraph and period. The accountable office's managers
    draft (POST, PATCH while draft or returned), file evidence with `POST {id}/evidence/`
    (`reference` "app.model:id" or a multipart `file`) and submit with `POST {id}/submit/`; an
    administrator reviews with `POST {id}/review/` (`outcome` accept or return, `comment`). A draft
    is deleted by its office (`DELETE {id}/`); a submitted one answers 400."""

    queryset = ParagraphAssessment.objects.select_related(
        "paragraph", "unit", "reviewed_by"
    ).prefetch_related("evidence")
    serializer_class = s.AssessmentSerializer
    filterset_class = filtersets.AssessmentFilterSet
    ordering_fields = ["id", "period_end", "accepted_on"]
    ordering = ["-id"]
    delete_action = services.delete_assessment
    transitions = {
        "submit": Transition(services.submit_assessment, s.AssessmentSubmitSerializer),
        "review": Transition(services.review_assessment, s.AssessmentReviewSerializer),
    }

    # A list page reads the few related values it shows as columns (the paragraph with its
    # texts in six languages, the office and the reviewer were loaded for each row); a record's
    # own answers keep the related records, which writes and transitions use.
    list_serializer_class = s.AssessmentListRowSerializer

    @extend_schema(
        request={"multipart/form-data": s.AttachEvidenceSerializer},
        responses=s.AssessmentSerializer,
    )
    @drf_action(
        detail=True,
        methods=["post"],
        url_path="evidence",
        url_name="evidence",
        parser_classes=[MultiPartParser, FormParser, *ActionModelViewSet.parser_classes],
    )
    def evidence(self, request, pk=None):
        """File evidence with a draft or returned assessment: a record or a document."""
        obj = self.get_object()
        actions.require(request.user, "attach", obj)
        form = s.AttachEvidenceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.add_evidence(obj, acting_user=request.user, **form.validated_data)
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=201)


class MandateImportSerializer(serializers.Serializer):
    file = serializers.FileField()


class MandateViewSet(PartsInRowMixin, ActionModelViewSet):
    """Mandates approved by intergovernmental bodies and the results that serve them (paras 8,
    26). `POST import/` takes a CSV or XLSX file (`?preview=1` checks without saving)."""

    queryset = Mandate.objects.all()
    serializer_class = s.MandateSerializer
    filterset_class = filtersets.MandateFilterSet
    search_fields = ["symbol", "title"]
    ordering_fields = ["id", "adopted_on", "symbol"]
    ordering = ["-id"]

    @extend_schema(request={"multipart/form-data": MandateImportSerializer})
    @drf_action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """All or nothing: 200 with what was (or would be) created, updated and left unchanged,
        or 400 with `{"errors": [{"row", "column", "error"}]}` and nothing saved."""
        if not actions.may(request.user, "add", Mandate):
            raise PermissionDenied(_("You may not create these records."))
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": [_("Attach the CSV or XLSX file as `file`.")]}, status=400)
        preview = request.query_params.get("preview", "").lower() in ("1", "true", "yes")
        try:
            result = importer.import_mandates(
                upload,
                acting_user=request.user,
                context=self.get_serializer_context(),
                preview=preview,
            )
        except importer.ImportRejected as exc:
            return Response({"errors": exc.errors}, status=400)
        return Response(result)


class MeetingViewSet(PartsInRowMixin, ActionModelViewSet):
    """Management Committee meetings (para 12)."""

    queryset = CommitteeMeeting.objects.all()
    serializer_class = s.MeetingSerializer
    filterset_class = filtersets.MeetingFilterSet
    ordering_fields = ["id", "held_on"]
    ordering = ["-held_on", "-id"]


class DecisionViewSet(PartsInRowMixin, ActionModelViewSet):
    queryset = CommitteeDecision.objects.select_related("meeting")
    serializer_class = s.CommitteeDecisionSerializer
    filterset_class = filtersets.DecisionFilterSet
    search_fields = ["text"]
    ordering = ["-id"]


class FollowUpViewSet(PartsInRowMixin, ActionModelViewSet):
    """Follow-up actions of Committee decisions, owned by a unit. Their status moves with
    `POST {id}/status/` (`status`, optional `changed_on`, `note`; a dropped action says why)."""

    queryset = FollowUpAction.objects.select_related("unit")
    serializer_class = s.FollowUpSerializer
    filterset_class = filtersets.FollowUpFilterSet
    search_fields = ["title"]
    ordering_fields = ["id", "due_on"]
    ordering = ["-id"]
    transitions = {
        "status": Transition(services.change_follow_up_status, s.FollowUpStatusSerializer)
    }


class ConsultationViewSet(PartsInRowMixin, ActionModelViewSet):
    """Consultations with the oversight bodies (para 5); each body records its own."""

    queryset = Consultation.objects.select_related("body")
    serializer_class = s.ConsultationSerializer
    filterset_class = filtersets.ConsultationFilterSet
    search_fields = ["subject", "outcome"]
    ordering_fields = ["id", "held_on"]
    ordering = ["-id"]


class LessonViewSet(PartsInRowMixin, ActionModelViewSet):
    """Lessons learned from the funds, programmes and other entities (para 9)."""

    queryset = Lesson.objects.select_related("applied_unit")
    serializer_class = s.LessonSerializer
    filterset_class = filtersets.LessonFilterSet
    search_fields = ["title", "description", "source_organisation"]
    ordering_fields = ["id", "learned_on"]
    ordering = ["-id"]


class MilestoneViewSet(ActionModelViewSet):
    """Umoja and Inspira deployment milestones (paras 20, 28, 29)."""

    queryset = Milestone.objects.all()
    serializer_class = s.MilestoneSerializer
    filterset_class = filtersets.MilestoneFilterSet
    ordering_fields = ["id", "planned_on"]
    ordering = ["-id"]
