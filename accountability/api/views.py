from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accountability import importer, services
from accountability.api.serializers import (
    AcceptanceSerializer,
    AttachmentUploadSerializer,
    CommitmentSerializer,
    CommitmentStatusSerializer,
    DecisionListSerializer,
    DecisionSerializer,
    DelegationListSerializer,
    DelegationSerializer,
    ReviewSerializer,
    ReviseReviewSerializer,
    RevocationSerializer,
)
from accountability.filtersets import CommitmentFilterSet, DecisionFilterSet, DelegationFilterSet
from accountability.models import Commitment, Decision, Delegation
from core import actions
from core.api.lean import prefetched
from core.api.viewsets import ActionModelViewSet, ListRowsMixin, Transition


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()


def _import(viewset, request, model, function):
    """All or nothing: 200 with what was (or, with `?preview=1`, would be) created, or 400 with
    `{"errors": [{"row", "column", "error"}]}` and nothing saved."""
    if not actions.may(request.user, "add", model):
        raise PermissionDenied(_("You may not create these records."))
    upload = request.FILES.get("file")
    if upload is None:
        return Response({"file": [_("Attach the CSV or XLSX file as `file`.")]}, status=400)
    preview = request.query_params.get("preview", "").lower() in ("1", "true", "yes")
    try:
        result = function(
            upload,
            acting_user=request.user,
            context=viewset.get_serializer_context(),
            preview=preview,
        )
    except importer.ImportRejected as exc:
        return Response({"errors": exc.errors}, status=400)
    return Response(result)


# --- Delegations, decisions, commitments --------------------------------------------------------


class ListColumnsMixin:
    """A list page reads only the columns its rows print (issue 13: the decision list selected
    every column of six tables, passwords included, and six language texts of each paragraph to
    print its number). `list_select` and `list_prefetch` (a relation and the columns read of its
    rows) replace the queryset's own for the list. A record's detail and every write keep whole
    rows, as the model's save() and its history expect."""

    list_select: tuple[str, ...] = ()
    list_prefetch: dict[str, tuple[str, ...]] = {}

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        queryset = queryset.select_related(None).select_related(*self.list_select)
        meta = queryset.model._meta
        prefetches = [
            Prefetch(name, meta.get_field(name).related_model._default_manager.only(*columns))
            if columns
            else name
            for name, columns in self.list_prefetch.items()
        ]
        return queryset.prefetch_related(None).prefetch_related(*prefetches)


@extend_schema_view(list=extend_schema(responses=DelegationSerializer(many=True)))
class DelegationViewSet(ListRowsMixin, ActionModelViewSet):
    """Instruments of delegation of authority (paragraph 21). The delegatee accepts with
    `POST {id}/accept/ {"accepted_on"}` (an administrator may record an earlier acceptance). Revoke with
    `POST {id}/revoke/ {"reason", "revoked_on"}`; instruments are never deleted."""

    queryset = Delegation.objects.select_related(
        "unit", "delegator", "delegatee", "revoked_by", "accepted_by"
    )
    serializer_class = DelegationSerializer
    # A list page reads the unit's code, the usernames and the area of authority's code as
    # columns (DelegationQuerySet.with_codes): five related records a row were most of its cost.
    list_serializer_class = DelegationListSerializer
    filterset_class = DelegationFilterSet
    search_fields = ["reference", "scope"]
    # Keyset pagination needs non-null sort keys: nullable ones (valid_to, limit_amount) would
    # silently drop rows from later pages.
    ordering_fields = ["valid_from", "id"]
    ordering = ["-valid_from", "-id"]
    transitions = {
        "accept": Transition(services.accept_delegation, AcceptanceSerializer),
        "revoke": Transition(services.revoke_delegation, RevocationSerializer),
    }

    @extend_schema(request={"multipart/form-data": ImportSerializer})
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """Import instruments from CSV or XLSX (`?preview=1` checks without saving)."""
        return _import(self, request, Delegation, importer.import_delegations)


def _list_parts(decisions: list) -> None:
    """Without PostgreSQL's sub-selects (DecisionQuerySet.with_codes on SQLite), each decision's
    paragraphs' numbers and attachments as the list's row reads them, from their prefetches."""
    if not decisions or "paragraph_numbers" in decisions[0].__dict__:
        return
    for decision in decisions:
        decision.paragraph_numbers = [p.number for p in prefetched(decision, "paragraphs")]
        rows = [[a.pk, a.name] for a in prefetched(decision, "attachments")]
        decision.attachment_rows = rows or None


@extend_schema_view(list=extend_schema(responses=DecisionSerializer(many=True)))
class DecisionViewSet(ListRowsMixin, ActionModelViewSet):
    """The decision log. `within_authority` is computed (CONTRACT.md's rule); record the review of
    a decision outside authority with `POST {id}/review/`, and a later change of that finding with
    `POST {id}/revise-review/` (with its reason). Decisions are never deleted."""

    queryset = Decision.objects.select_related(
        "unit", "decided_by", "reviewed_by", "delegation__parent"
    ).prefetch_related("paragraphs", "attachments")
    serializer_class = DecisionSerializer
    # A list page is one query (DecisionQuerySet.with_codes): the codes, the paragraphs'
    # numbers and the attachments in each row; the cited instrument joined, for
    # authority_problems.
    list_serializer_class = DecisionListSerializer
    filterset_class = DecisionFilterSet
    search_fields = ["reference", "title", "rationale"]
    ordering_fields = ["decided_on", "id"]  # non-null keys only (keyset pagination)
    ordering = ["-decided_on", "-id"]
    transitions = {
        "review": Transition(services.review_decision, ReviewSerializer),
        "revise-review": Transition(services.revise_review, ReviseReviewSerializer),
    }

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page and self.action == "list":
            _list_parts(page)
        return page

    @extend_schema(request={"multipart/form-data": ImportSerializer})
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """Import decisions from CSV or XLSX (`?preview=1` checks without saving); a decision
        outside authority is imported and flagged, never refused."""
        return _import(self, request, Decision, importer.import_decisions)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer}, responses=DecisionSerializer
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        """File evidence with a decision (multipart `file`): the named action "attach"."""
        decision = self.get_object()
        form = AttachmentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.add_attachment(
            decision, acting_user=request.user, upload=form.validated_data["file"]
        )
        decision = self.get_queryset().get(pk=decision.pk)
        return Response(self.get_serializer(decision).data, status=201)


class CommitmentViewSet(ListColumnsMixin, ActionModelViewSet):
    """Commitments (paragraph 8). `status` and `honoured_on` change through
    `POST {id}/status/`, which keeps each transition; commitments are cancelled, never deleted."""

    queryset = Commitment.objects.select_related("unit", "owner").prefetch_related("paragraphs")
    serializer_class = CommitmentSerializer
    list_select = ("unit", "owner")
    list_prefetch = {"paragraphs": ("id", "number")}
    filterset_class = CommitmentFilterSet
    search_fields = ["title", "deliverable"]
    ordering_fields = ["due_on", "id"]
    ordering = ["due_on", "id"]
    transitions = {
        "status": Transition(services.change_commitment_status, CommitmentStatusSerializer)
    }
