from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import actions
from core.api.serializers import expected_version
from core.api.viewsets import LeanListMixin
from core.models import StaleVersion
from reports import editions
from reports.api.edition_serializers import (
    EditionSectionSerializer,
    EditionSerializer,
    EmptySerializer,
    SectionCommentSerializer,
    SectionTextSerializer,
)
from reports.choices import ReportLanguage
from reports.edition_views import edition_file_response
from reports.models import EditionFile, EditionSection, ReportEdition, SectionComment

WORKFLOW = {
    "submit": editions.submit_edition,
    "approve": editions.approve_edition,
    "reopen": editions.reopen_edition,
    "issue": editions.issue_edition,
    "refresh": editions.refresh_figures,
}


class ReportEditionViewSet(
    LeanListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Editions of the Secretary-General's report. Every change is an action of
    reports.editions: create (POST), document data (PATCH, drafts only), a section's text
    (PUT sections/{key}/{language}/), comments, and the workflow steps submit, approve, reopen,
    issue and refresh (POST {id}/<step>/). An issued edition answers every change with 400."""

    queryset = ReportEdition.objects.all()
    serializer_class = EditionSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    ordering = ["-id"]

    def get_queryset(self):
        queryset = ReportEdition.objects.restrict(self.request.user, "view")
        queryset = queryset.select_related(
            "created_by", "submitted_by", "approved_by", "issued_by"
        ).prefetch_related("files")
        if self.action not in ("sections",):
            queryset = queryset.defer("snapshots")
        return queryset.order_by("-id")

    def _versioned(self, edition: ReportEdition) -> ReportEdition:
        expected = expected_version(self.request, self.request.data)
        if expected is not None:
            if expected != edition.version:
                raise StaleVersion(edition, expected)
            edition.version = expected
        return edition

    def _answer(self, edition: ReportEdition, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=edition.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        """Create a draft edition (administrators and report authors); its figures are compiled
        by a job (`job`, `job_status`)."""
        if not actions.may(request.user, "add", ReportEdition):
            raise exceptions.PermissionDenied(str(editions.AUTHORS_ONLY))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        edition = editions.create_edition(
            ReportEdition(**serializer.validated_data), acting_user=request.user
        )
        return self._answer(edition, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Change a draft's document data (the fields sent)."""
        edition = self.get_object()
        actions.require(request.user, "edit", edition)
        serializer = self.get_serializer(edition, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        edition = editions.update_edition(
            self._versioned(edition),
            acting_user=request.user,
            changes=dict(serializer.validated_data),
        )
        return self._answer(edition)

    def update(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed(request.method)

    @extend_schema(
        operation_id="reports_editions_workflow",
        request=EmptySerializer,
        responses=EditionSerializer,
        parameters=[
            OpenApiParameter(
                "step",
                str,
                OpenApiParameter.PATH,
                enum=["submit", "approve", "reopen", "issue", "refresh"],
            )
        ],
    )
    @action(
        detail=True, methods=["post"], url_path=r"(?P<step>submit|approve|reopen|issue|refresh)"
    )
    def workflow(self, request, pk=None, step=None):
        """A workflow step: submit (draft -> in review), approve (in review -> approved: an
        administrator other than the submitter, no unknown figure reference, no open comment),
        reopen (back to draft), issue (approved -> issued, by a job), refresh (the figures)."""
        edition = self.get_object()
        function = WORKFLOW[step]
        actions.require(request.user, function.action.permission, edition)
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        edition = function(self._versioned(edition), acting_user=request.user)
        return self._answer(
            edition, status.HTTP_202_ACCEPTED if step in ("issue", "refresh") else 200
        )

    @extend_schema(responses=EditionSectionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def sections(self, request, pk=None):
        """Every part of the edition in every language, with the problems of its references."""
        edition = self.get_object()
        sections = EditionSection.objects.restrict(request.user, "view").filter(edition=edition)
        serializer = EditionSectionSerializer(
            sections, many=True, context={"snapshots": edition.snapshots or {}}
        )
        return Response(serializer.data)

    @extend_schema(
        request=SectionTextSerializer,
        responses=EditionSectionSerializer,
        parameters=[
            OpenApiParameter("key", str, OpenApiParameter.PATH),
            OpenApiParameter("language", str, OpenApiParameter.PATH, enum=ReportLanguage.values),
        ],
    )
    @action(
        detail=True,
        methods=["put"],
        url_path=r"sections/(?P<key>[a-z_A-Z]+)/(?P<language>[a-z-]+)",
        url_name="section",
    )
    def section(self, request, pk=None, key=None, language=None):
        """Write one part in one language (drafts only): `{"text": "...", "version": n}`."""
        edition = self.get_object()
        section = get_object_or_404(
            EditionSection.objects.restrict(request.user, "view"),
            edition=edition,
            key=key,
            language=language,
        )
        data = SectionTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = editions.save_section(
            section,
            acting_user=request.user,
            text=data.validated_data["text"],
            version=expected_version(request, request.data),
        )
        snapshots = ReportEdition.objects.filter(pk=edition.pk).values_list("snapshots", flat=True)
        return Response(
            EditionSectionSerializer(saved, context={"snapshots": snapshots[0] or {}}).data
        )

    @extend_schema(request=SectionCommentSerializer, responses=SectionCommentSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        """The reviewers' comments (GET), or a new one (POST `{"section_key", "language", "text"}`)."""
        edition = self.get_object()
        if request.method == "GET":
            comments = (
                SectionComment.objects.restrict(request.user, "view")
                .filter(edition=edition)
                .select_related("author", "resolved_by")
            )
            return Response(SectionCommentSerializer(comments, many=True).data)
        actions.require(request.user, "comment", edition)
        serializer = SectionCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = editions.add_comment(
            SectionComment(edition=edition, **serializer.validated_data),
            acting_user=request.user,
        )
        return Response(SectionCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=EmptySerializer,
        responses=SectionCommentSerializer,
        parameters=[OpenApiParameter("comment_pk", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"comments/(?P<comment_pk>[0-9]+)/resolve",
        url_name="comment-resolve",
    )
    def resolve(self, request, pk=None, comment_pk=None):
        """Mark a comment resolved."""
        edition = self.get_object()
        comment = get_object_or_404(
            SectionComment.objects.restrict(request.user, "view"), edition=edition, pk=comment_pk
        )
        comment = editions.resolve_comment(comment, acting_user=request.user)
        return Response(SectionCommentSerializer(comment).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("language", str, OpenApiParameter.PATH, enum=ReportLanguage.values),
            OpenApiParameter("fmt", str, OpenApiParameter.PATH),
        ],
        responses={(200, "application/octet-stream"): bytes},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<language>[a-z-]+)/(?P<fmt>[a-z]+)",
        url_name="files",
    )
    def files(self, request, pk=None, language=None, fmt=None):
        """A file of an issued edition, with its SHA-256 in the X-Checksum-SHA256 header."""
        edition = get_object_or_404(self.get_queryset().filter(state="issued"), pk=pk)
        file = get_object_or_404(
            EditionFile.objects.restrict(request.user, "view"),
            edition=edition,
            language=language,
            format=fmt,
        )
        return edition_file_response(file)
