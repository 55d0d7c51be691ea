import django_filters
from django.utils.translation import gettext_lazy as _

from reports.choices import ReportLanguage, RunStatus
from reports.models import ReportRun


class ReportRunFilterSet(django_filters.FilterSet):
    """The one filterset of report runs: the list page and `GET /api/reports/`."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=RunStatus.choices)
    language = django_filters.ChoiceFilter(label=_("Language"), choices=ReportLanguage.choices)
    period_start = django_filters.DateFilter(label=_("Period start"))
    period_end = django_filters.DateFilter(label=_("Period end"))
    period_end_after = django_filters.DateFilter(
        label=_("Period ends on or after"), field_name="period_end", lookup_expr="gte"
    )

    class Meta:
        model = ReportRun
        fields = ["status", "language", "period_start", "period_end"]
