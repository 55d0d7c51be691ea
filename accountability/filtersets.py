import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accountability.choices import AuthorityArea, CommitmentStatus, DelegationState, ReviewOutcome
from accountability.models import Commitment, Decision, Delegation
from org.filters import YES_NO, ParagraphFilter, UnitSubtreeFilter, UsernameFilter


class DelegationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    unit = UnitSubtreeFilter()
    state = django_filters.ChoiceFilter(
        choices=DelegationState.choices, method="filter_state", label=_("State")
    )
    area = django_filters.ChoiceFilter(choices=AuthorityArea.choices, label=_("Area"))
    delegatee = UsernameFilter(field_name="delegatee", label=_("Delegatee"))
    delegator = UsernameFilter(field_name="delegator", label=_("Delegator"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("valid_from", "valid_from"),
            ("valid_to", "valid_to"),
            ("limit_amount", "limit_amount"),
        ),
        label=_("Order by"),
    )

    class Meta:
        model = Delegation
        fields = ["q", "unit", "state", "area", "delegatee", "delegator"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(reference__icontains=value) | Q(scope__icontains=value))

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value)


class DecisionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    unit = UnitSubtreeFilter()
    decided_by = UsernameFilter(field_name="decided_by", label=_("Decided by"))
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
    paragraph = ParagraphFilter()
    delegation = django_filters.NumberFilter(field_name="delegation_id", label=_("Delegation"))
    ordering = django_filters.OrderingFilter(
        fields=(("decided_on", "decided_on"), ("amount", "amount"), ("title", "title")),
        label=_("Order by"),
    )

    class Meta:
        model = Decision
        fields = [
            "q",
            "unit",
            "decided_by",
            "decided_after",
            "decided_before",
            "area",
            "within_authority",
            "review",
            "paragraph",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(rationale__icontains=value))

    def filter_within_authority(self, queryset, name, value):
        return queryset.filter(within_authority=value == "true")

    def filter_review(self, queryset, name, value):
        if value == "pending":
            return queryset.awaiting_review()
        return queryset.filter(review_outcome=value)


class CommitmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    unit = UnitSubtreeFilter()
    owner = UsernameFilter(field_name="owner", label=_("Owner"))
    status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices, label=_("Status"))
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
    ordering = django_filters.OrderingFilter(
        fields=(("due_on", "due_on"), ("title", "title")), label=_("Order by")
    )

    class Meta:
        model = Commitment
        fields = ["q", "unit", "owner", "status", "due_after", "due_before", "paragraph"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(deliverable__icontains=value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
