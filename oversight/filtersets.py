import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.filters import UnitSubtreeFilter
from oversight.choices import CLOSED_STATUSES, OPEN_STATUSES, Priority, RecommendationStatus
from oversight.models import OversightBody, OversightReport, Recommendation


def search_recommendations(queryset, value: str):
    """`?search=` / `?q=`: the report symbol, the number and the text (CONTRACT.md)."""
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(
        Q(report__symbol__icontains=value) | Q(number__iexact=value) | Q(text__icontains=value)
    )


class RecommendationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Symbol, number or text"))
    body = django_filters.ModelChoiceFilter(
        field_name="report__body",
        queryset=OversightBody.objects.all(),
        to_field_name="code",
        label=_("Body"),
    )
    status = django_filters.ChoiceFilter(choices=RecommendationStatus.choices, label=_("Status"))
    state = django_filters.ChoiceFilter(
        method="filter_state",
        label=_("State"),
        choices=[("open", _("Still open")), ("overdue", _("Overdue")), ("closed", _("Closed"))],
    )
    priority = django_filters.ChoiceFilter(
        choices=[c for c in Priority.choices if c[0]], label=_("Priority")
    )
    unit = UnitSubtreeFilter()
    issued_from = django_filters.DateFilter(
        field_name="report__issued_on", lookup_expr="gte", label=_("Issued from")
    )
    issued_to = django_filters.DateFilter(
        field_name="report__issued_on", lookup_expr="lte", label=_("Issued to")
    )

    class Meta:
        model = Recommendation
        fields = ["q", "body", "status", "state", "priority", "unit", "issued_from", "issued_to"]

    def search(self, queryset, name, value):
        return search_recommendations(queryset, value)

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "overdue":
            return queryset.filter(status__in=OPEN_STATUSES, target_date__lt=timezone.localdate())
        if value == "closed":
            return queryset.filter(status__in=CLOSED_STATUSES)
        return queryset


class ReportFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Symbol or title"))
    body = django_filters.ModelChoiceFilter(
        queryset=OversightBody.objects.all(), to_field_name="code", label=_("Body")
    )
    paragraph = django_filters.NumberFilter(
        field_name="paragraphs__number", label=_("Cites paragraph")
    )
    issued_from = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="gte", label=_("Issued from")
    )
    issued_to = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="lte", label=_("Issued to")
    )

    class Meta:
        model = OversightReport
        fields = ["q", "body", "paragraph", "issued_from", "issued_to"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(symbol__icontains=value) | Q(title__icontains=value))


class MonitoringFilterSet(django_filters.FilterSet):
    """The Management Committee's page: a period of issue, a body, a unit subtree."""

    issued_from = django_filters.DateFilter(
        field_name="report__issued_on", lookup_expr="gte", label=_("Issued from")
    )
    issued_to = django_filters.DateFilter(
        field_name="report__issued_on", lookup_expr="lte", label=_("Issued to")
    )
    body = django_filters.ModelChoiceFilter(
        field_name="report__body",
        queryset=OversightBody.objects.all(),
        to_field_name="code",
        label=_("Body"),
    )
    unit = UnitSubtreeFilter()

    class Meta:
        model = Recommendation
        fields = ["issued_from", "issued_to", "body", "unit"]
