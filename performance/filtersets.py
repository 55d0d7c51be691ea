import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from org.filters import UnitSubtreeFilter
from performance.choices import CompactStatus, IndicatorKind, MPBRating, Rating
from performance.models import Appraisal, Compact, Indicator, IndicatorResult


class CompactFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Senior manager"))
    unit = UnitSubtreeFilter()
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(choices=CompactStatus.choices, label=_("Status"))
    mpb_rating = django_filters.ChoiceFilter(choices=MPBRating.choices[1:], label=_("Board rating"))

    class Meta:
        model = Compact
        fields = ["q", "unit", "year", "status", "mpb_rating"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(senior_manager__name__icontains=value) | Q(senior_manager__index_number=value)
        )


class AppraisalFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or index number"))
    unit = UnitSubtreeFilter()
    cycle = django_filters.NumberFilter(label=_("Cycle"))
    rating = django_filters.ChoiceFilter(
        choices=Rating.choices[1:], label=_("Rating"), empty_label=_("Any")
    )
    on_time = django_filters.BooleanFilter(method="filter_on_time", label=_("On time"))

    class Meta:
        model = Appraisal
        fields = ["q", "unit", "cycle", "rating", "on_time"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(staff__name__icontains=value) | Q(staff__index_number=value))

    def filter_on_time(self, queryset, name, value):
        on_time = Q(completed_on__isnull=False, completed_on__lte=F("due_on"))
        return queryset.filter(on_time) if value else queryset.exclude(on_time)


class IndicatorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Indicator"))
    unit = UnitSubtreeFilter()
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices, label=_("Kind"))
    paragraph = django_filters.NumberFilter(method="filter_paragraph", label=_("Paragraph"))

    class Meta:
        model = Indicator
        fields = ["q", "unit", "kind", "paragraph"]

    def filter_paragraph(self, queryset, name, value):
        # A subquery, not a join: no duplicate rows, so the list needs no DISTINCT.
        cites = Indicator.paragraphs.through.objects.filter(paragraph__number=value)
        return queryset.filter(pk__in=cites.values("indicator_id"))


# --- API filter sets: relations by code, index number or number, as CONTRACT.md says -------


class CompactAPIFilterSet(django_filters.FilterSet):
    unit = UnitSubtreeFilter(to_field_name="code")
    senior_manager = django_filters.CharFilter(field_name="senior_manager__index_number")

    class Meta:
        model = Compact
        fields = ["unit", "senior_manager", "year", "status", "mpb_rating"]


class AppraisalAPIFilterSet(django_filters.FilterSet):
    unit = UnitSubtreeFilter(to_field_name="code")
    staff = django_filters.CharFilter(field_name="staff__index_number")
    on_time = django_filters.BooleanFilter(method="filter_on_time")
    rating = django_filters.ChoiceFilter(choices=Rating.choices)

    class Meta:
        model = Appraisal
        fields = {
            "unit": ["exact"],
            "staff": ["exact"],
            "cycle": ["exact", "gte", "lte"],
            "rating": ["exact"],
            "due_on": ["gte", "lte"],
            "completed_on": ["gte", "lte", "isnull"],
        }

    filter_on_time = AppraisalFilterSet.filter_on_time


class IndicatorAPIFilterSet(django_filters.FilterSet):
    unit = UnitSubtreeFilter(to_field_name="code")
    paragraphs = django_filters.NumberFilter(field_name="paragraphs__number")

    class Meta:
        model = Indicator
        fields = ["unit", "kind", "direction", "paragraphs"]


class IndicatorResultAPIFilterSet(django_filters.FilterSet):
    unit = UnitSubtreeFilter(to_field_name="code", unit_field="indicator__unit")

    class Meta:
        model = IndicatorResult
        fields = {
            "indicator": ["exact"],
            "period": ["exact"],
            "start_year": ["exact", "gte", "lte"],
        }
