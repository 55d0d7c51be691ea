"""One filterset per model, shared by the pages and the API (`/api/oversight/...`). Units are
given by code or id: `unit` is that unit, `within` the unit and every unit below it. A page shows
the filters it names with `FilterSet.page(...)`; every filter works on both."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.filters import ParagraphFilter, UnitFilter
from oversight.choices import CLOSED_STATUSES, OPEN_STATUSES, Priority, RecommendationStatus
from oversight.models import OversightBody, OversightReport, Recommendation


class PageFilters:
    @classmethod
    def page(cls, *names: str):
        """The same filterset showing only `names` in a page's filter form."""
        narrowed = type(cls.__name__, (cls,), {})
        narrowed.base_filters = {n: f for n, f in cls.base_filters.items() if n in names}
        return narrowed


def body_filter(field_name: str):
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=OversightBody.objects.all(),
        to_field_name="code",
        label=_("Body"),
    )


class OversightBodyFilterSet(django_filters.FilterSet):
    class Meta:
        model = OversightBody
        fields = ["code", "is_active"]


class OversightReportFilterSet(PageFilters, django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Symbol or title"))
    body = body_filter("body")
    paragraph = ParagraphFilter(label=_("Cites paragraph"))
    issued_from = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="gte", label=_("Issued from")
    )
    issued_to = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="lte", label=_("Issued to")
    )
    # The API's names for the same dates.
    issued_after = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = OversightReport
        fields = ["search", "body", "symbol", "issued_on", "paragraph"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(symbol__icontains=value) | Q(title__icontains=value))


class RecommendationFilterSet(PageFilters, django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Symbol, number or text"))
    body = body_filter("report__body")
    report_symbol = django_filters.CharFilter(field_name="report__symbol", label=_("Report"))
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    status = django_filters.MultipleChoiceFilter(
        choices=RecommendationStatus.choices, label=_("Status")
    )
    state = django_filters.ChoiceFilter(
        method="filter_state",
        label=_("State"),
        choices=[("open", _("Still open")), ("overdue", _("Overdue")), ("closed", _("Closed"))],
    )
    priority = django_filters.ChoiceFilter(
        choices=[c for c in Priority.choices if c[0]], label=_("Priority")
    )
    is_overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    target_before = django_filters.DateFilter(field_name="target_date", lookup_expr="lte")
    target_after = django_filters.DateFilter(field_name="target_date", lookup_expr="gte")
    issued_from = django_filters.DateFilter(
        field_name="report__issued_on", lookup_expr="gte", label=_("Issued from")
    )
    issued_to = django_filters.DateFilter(
        field_name="report__issued_on", lookup_expr="lte", label=_("Issued to")
    )
    # The API's names for the same dates.
    issued_after = django_filters.DateFilter(field_name="report__issued_on", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="report__issued_on", lookup_expr="lte")

    class Meta:
        model = Recommendation
        fields = ["report", "number", "accepted", "target_date"]

    def filter_search(self, queryset, name, value):
        """`?search=`: the report symbol, the number and the text (CONTRACT.md)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(report__symbol__icontains=value) | Q(number__iexact=value) | Q(text__icontains=value)
        )

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "overdue":
            return queryset.overdue()
        if value == "closed":
            return queryset.filter(status__in=CLOSED_STATUSES)
        return queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.overdue() if value else queryset.not_overdue()


def not_in_future(value) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."))


class MonitoringForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("as_at") or timezone.localdate()
        if start and start > end:
            self.add_error(
                "period_from", _("The period starts after the date its figures are as at.")
            )
        return data


class MonitoringFilterSet(RecommendationFilterSet):
    """The monitoring page's filters, plus the date its figures are as at (default today)."""

    class Meta(RecommendationFilterSet.Meta):
        form = MonitoringForm

    as_at = django_filters.DateFilter(
        method="keep", label=_("Status as at"), validators=[not_in_future]
    )
    # The period whose prior-period and in-period blocks the page shows (it ends on `as_at`).
    period_from = django_filters.DateFilter(
        method="keep", label=_("Period from"), validators=[not_in_future]
    )

    def keep(self, queryset, name, value):
        return queryset  # read by the page (metrics.monitoring), not a filter of the rows
