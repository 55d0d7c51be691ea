"""One filterset per model, shared by the pages and the API. Units are given by code or id:
`unit` is that unit, `within` the unit and every unit below it; people by username (or index
number)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request

from accountability.choices import AuthorityArea, CommitmentStatus, DelegationState, ReviewOutcome
from accountability.models import Commitment, Decision, Delegation
from org.filters import YES_NO, ParagraphFilter, UnitFilter, UsernameFilter


class PageOrderedFilterSet(django_filters.FilterSet):
    """Pages sort by their column headers (`?sort=`, core.generic.ScopedListView); the API with
    its own `?ordering=` (over non-null keys only, which its keyset pagination needs). A page
    ordering filter, should one be added, is dropped for the API."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if isinstance(request, Request):
            self.filters.pop("ordering", None)


class DelegationFilterSet(PageOrderedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    state = django_filters.ChoiceFilter(
        choices=DelegationState.choices, method="filter_state", label=_("State")
    )
    area = django_filters.ChoiceFilter(choices=AuthorityArea.choices, label=_("Area"))
    delegatee = UsernameFilter(field_name="delegatee", label=_("Delegatee"))
    delegator = UsernameFilter(field_name="delegator", label=_("Delegator"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Sub-delegated from"))
    valid_on = django_filters.DateFilter(method="filter_valid_on", label=_("Valid on"))

    class Meta:
        model = Delegation
        fields = [
            "q",
            "unit",
            "within",
            "state",
            "area",
            "delegatee",
            "delegator",
            "parent",
            "valid_on",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(reference__icontains=value) | Q(scope__icontains=value))

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value)

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)


class DecisionFilterSet(PageOrderedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    decided_by = UsernameFilter(field_name="decided_by", label=_("Decided by"))
    decided_on = django_filters.DateFilter(label=_("Decided on"))
    decided_after = django_filters.DateFilter(
        field_name="decided_on", lookup_expr="gte", label=_("Decided on or after")
    )
    decided_before = django_filters.DateFilter(
        field_name="decided_on", lookup_expr="lte", label=_("Decided on or before")
    )
    area = django_filters.ChoiceFilter(choices=AuthorityArea.choices, label=_("Area"))
    within_authority = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_within_authority", label=_("Within authority")
    )
    review = django_filters.ChoiceFilter(
        choices=[("pending", _("Awaiting review")), *ReviewOutcome.choices],
        method="filter_review",
        label=_("Review"),
    )
    review_outcome = django_filters.ChoiceFilter(
        choices=ReviewOutcome.choices, label=_("Review outcome")
    )
    awaiting_review = django_filters.BooleanFilter(
        method="filter_awaiting",
        label=_("Awaiting review"),
        widget=django_filters.widgets.BooleanWidget(),
    )
    paragraph = ParagraphFilter()
    delegation = django_filters.NumberFilter(field_name="delegation_id", label=_("Delegation"))

    class Meta:
        model = Decision
        fields = [
            "q",
            "unit",
            "within",
            "decided_by",
            "decided_on",
            "decided_after",
            "decided_before",
            "area",
            "delegation",
            "within_authority",
            "review",
            "review_outcome",
            "awaiting_review",
            "paragraph",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(rationale__icontains=value))

    def filter_within_authority(self, queryset, name, value):
        return queryset.filter(within_authority=value.lower() in ("true", "1"))

    def filter_review(self, queryset, name, value):
        if value == "pending":
            return queryset.awaiting_review()
        return queryset.filter(review_outcome=value)

    def filter_awaiting(self, queryset, name, value):
        if value is None:
            return queryset
        pending = queryset.awaiting_review()
        return pending if value else queryset.exclude(pk__in=pending.values("pk"))


class CommitmentFilterSet(PageOrderedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    owner = UsernameFilter(field_name="owner", label=_("Owner"))
    status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices, label=_("Status"))
    due_on = django_filters.DateFilter(label=_("Due on"))
    due_after = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", label=_("Due on or after")
    )
    due_before = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label=_("Due on or before")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("Overdue"),
        widget=django_filters.widgets.BooleanWidget(),
    )
    paragraph = ParagraphFilter()

    class Meta:
        model = Commitment
        fields = [
            "q",
            "unit",
            "within",
            "owner",
            "status",
            "due_on",
            "due_after",
            "due_before",
            "overdue",
            "paragraph",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(deliverable__icontains=value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
