import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accountability import services
from accountability.api.serializers import (
    AttachmentUploadSerializer,
    CommitmentSerializer,
    DecisionSerializer,
    DelegationSerializer,
    ReviewSerializer,
    RevocationSerializer,
)
from accountability.choices import DelegationState
from accountability.models import Commitment, Decision, Delegation
from core.api.viewsets import ScopedModelViewSet
from org.filters import ParagraphFilter, UnitSubtreeFilter

# --- Delegations, decisions, commitments --------------------------------------------------------


class DelegationFilterSet(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="unit__code")
    within = UnitSubtreeFilter(to_field_name="code", label="subtree of unit code")
    delegator = django_filters.CharFilter(field_name="delegator__username")
    delegatee = django_filters.CharFilter(field_name="delegatee__username")
    state = django_filters.ChoiceFilter(choices=DelegationState.choices, method="filter_state")
    valid_on = django_filters.DateFilter(method="filter_valid_on")

    class Meta:
        model = Delegation
        fields = ["unit", "within", "area", "delegator", "delegatee", "parent", "state"]

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value)

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)


class DelegationViewSet(ScopedModelViewSet):
    """Instruments of delegation of authority (paragraph 21). Revoke with
    `POST {id}/revoke/ {"reason", "revoked_on"}`; instruments are never deleted."""

    queryset = Delegation.objects.select_related("unit", "delegator", "delegatee", "revoked_by")
    serializer_class = DelegationSerializer
    filterset_class = DelegationFilterSet
    search_fields = ["reference", "scope"]
    # Keyset pagination needs non-null sort keys: nullable ones (valid_to, limit_amount) would
    # silently drop rows from later pages.
    ordering_fields = ["valid_from", "id"]
    ordering = ["-valid_from", "-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=RevocationSerializer, responses=DelegationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        delegation = super().get_queryset().filter(pk=pk).first()
        if delegation is None:
            raise Http404
        form = RevocationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.revoke_delegation(
            delegation,
            acting_user=request.user,
            reason=form.validated_data["reason"],
            revoked_on=form.validated_data.get("revoked_on"),
        )
        delegation.refresh_from_db()
        return Response(DelegationSerializer(delegation, context={"request": request}).data)


class DecisionFilterSet(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="unit__code")
    within = UnitSubtreeFilter(to_field_name="code", label="subtree of unit code")
    decided_by = django_filters.CharFilter(field_name="decided_by__username")
    decided_after = django_filters.DateFilter(field_name="decided_on", lookup_expr="gte")
    decided_before = django_filters.DateFilter(field_name="decided_on", lookup_expr="lte")
    paragraph = ParagraphFilter()
    review_outcome = django_filters.CharFilter()
    awaiting_review = django_filters.BooleanFilter(method="filter_awaiting")

    class Meta:
        model = Decision
        fields = [
            "unit",
            "within",
            "decided_by",
            "decided_on",
            "decided_after",
            "decided_before",
            "area",
            "delegation",
            "within_authority",
            "paragraph",
            "review_outcome",
        ]

    def filter_awaiting(self, queryset, name, value):
        if value is None:
            return queryset
        pending = queryset.awaiting_review()
        return pending if value else queryset.exclude(pk__in=pending.values("pk"))


class DecisionViewSet(ScopedModelViewSet):
    """The decision log. `within_authority` is computed (CONTRACT.md's rule); record the review of
    a decision outside authority with `POST {id}/review/`. Decisions are never deleted."""

    queryset = Decision.objects.select_related(
        "unit", "decided_by", "reviewed_by"
    ).prefetch_related("paragraphs", "attachments")
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilterSet
    search_fields = ["title", "rationale"]
    ordering_fields = ["decided_on", "id"]  # non-null keys only (keyset pagination)
    ordering = ["-decided_on", "-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=ReviewSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        decision = super().get_queryset().filter(pk=pk).first()
        if decision is None:
            raise Http404
        form = ReviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.review_decision(
            decision,
            acting_user=request.user,
            outcome=form.validated_data["outcome"],
            action_taken=form.validated_data.get("action_taken", ""),
            reviewed_on=form.validated_data.get("reviewed_on"),
        )
        decision = self.get_queryset().get(pk=decision.pk)
        return Response(DecisionSerializer(decision, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer}, responses=DecisionSerializer
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        """File evidence with a decision (multipart `file`)."""
        decision = self.get_object()
        form = AttachmentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.add_attachment(
            decision, acting_user=request.user, upload=form.validated_data["file"]
        )
        decision = self.get_queryset().get(pk=decision.pk)
        return Response(DecisionSerializer(decision, context={"request": request}).data, status=201)


class CommitmentFilterSet(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="unit__code")
    within = UnitSubtreeFilter(to_field_name="code", label="subtree of unit code")
    owner = django_filters.CharFilter(field_name="owner__username")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    paragraph = ParagraphFilter()
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Commitment
        fields = [
            "unit",
            "within",
            "owner",
            "status",
            "due_on",
            "due_after",
            "due_before",
            "paragraph",
        ]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class CommitmentViewSet(ScopedModelViewSet):
    """Commitments (paragraph 8). A change of `status` goes through the status service, which
    keeps each transition; commitments are cancelled, never deleted."""

    queryset = Commitment.objects.select_related("unit", "owner").prefetch_related("paragraphs")
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet
    search_fields = ["title", "deliverable"]
    ordering_fields = ["due_on", "id"]
    ordering = ["due_on", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
