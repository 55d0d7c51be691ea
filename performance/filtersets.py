"""One filterset per model, shared by the pages and the API. `unit` is that unit and `within`
the unit and every unit below it (by code or id); people by index number."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from org.filters import IndexNumberFilter, ParagraphFilter, UnitFilter
from performance.choices import (
    CaseOutcome,
    CompactStatus,
    CourseArea,
    Direction,
    DisciplinaryCategory,
    DisciplinaryMeasure,
    FindingStatus,
    IndicatorKind,
    MPBRating,
    ObjectiveKind,
    ObjectiveOutcome,
    Rating,
    RebuttalOutcome,
    RecognitionKind,
)
from performance.models import (
    Appraisal,
    BoardFinding,
    BudgetPerformance,
    Compact,
    CompactObjective,
    Course,
    CourseCompletion,
    DisciplinaryCase,
    ExpectedAccomplishment,
    Indicator,
    IndicatorResult,
    Recognition,
    UnderperformanceCase,
)
from performance.querysets import ON_TIME


class CompactFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Senior manager"))
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    senior_manager = IndexNumberFilter(
        field_name="senior_manager", label=_("Senior manager (index number)")
    )
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(choices=CompactStatus.choices, label=_("Status"))
    mpb_rating = django_filters.ChoiceFilter(choices=MPBRating.choices[1:], label=_("Board rating"))

    class Meta:
        model = Compact
        fields = ["q", "unit", "within", "senior_manager", "year", "status", "mpb_rating"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(senior_manager__name__icontains=value) | Q(senior_manager__index_number=value)
        )


class CompactObjectiveFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ObjectiveKind.choices, label=_("Kind"))
    outcome = django_filters.ChoiceFilter(choices=ObjectiveOutcome.choices, label=_("Outcome"))

    class Meta:
        model = CompactObjective
        fields = ["compact", "kind", "outcome"]


class BoardFindingFilterSet(django_filters.FilterSet):
    unit = UnitFilter(subtree=False, unit_field="compact__unit")
    within = UnitFilter(unit_field="compact__unit")
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices, label=_("Status"))

    class Meta:
        model = BoardFinding
        fields = ["compact", "unit", "within", "status"]


class AppraisalFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or index number"))
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    staff = IndexNumberFilter(field_name="staff", label=_("Staff member (index number)"))
    rating = django_filters.ChoiceFilter(
        choices=Rating.choices[1:], label=_("Rating"), empty_label=_("Any")
    )
    on_time = django_filters.BooleanFilter(method="filter_on_time", label=_("On time"))

    class Meta:
        model = Appraisal
        fields = {
            "cycle": ["exact", "gte", "lte"],
            "due_on": ["gte", "lte"],
            "completed_on": ["gte", "lte", "isnull"],
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["cycle"].label = _("Cycle")

    def search(self, queryset, name, value):
        return queryset.filter(Q(staff__name__icontains=value) | Q(staff__index_number=value))

    def filter_on_time(self, queryset, name, value):
        return queryset.filter(ON_TIME) if value else queryset.exclude(ON_TIME)


class UnderperformanceCaseFilterSet(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(choices=CaseOutcome.choices, label=_("Outcome"))
    rebuttal = django_filters.ChoiceFilter(choices=RebuttalOutcome.choices, label=_("Rebuttal"))

    class Meta:
        model = UnderperformanceCase
        fields = ["appraisal", "outcome", "rebuttal"]


class ExpectedAccomplishmentFilterSet(django_filters.FilterSet):
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    # The first release's API name for `unit`, kept for its callers.
    unit__code = UnitFilter(subtree=False, label=_("Unit"))

    class Meta:
        model = ExpectedAccomplishment
        fields = ["unit", "within", "unit__code"]


class IndicatorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Indicator"))
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices, label=_("Kind"))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("Direction"))
    paragraph = django_filters.NumberFilter(method="filter_paragraph", label=_("Paragraph"))
    # The API's name for the same filter.
    paragraphs = django_filters.NumberFilter(method="filter_paragraph", label=_("Paragraph"))

    class Meta:
        model = Indicator
        fields = ["q", "unit", "within", "kind", "direction", "paragraph", "paragraphs"]

    def filter_paragraph(self, queryset, name, value):
        # A subquery, not a join: no duplicate rows, so the list needs no DISTINCT.
        return ParagraphFilter().filter(queryset, value)


class IndicatorResultFilterSet(django_filters.FilterSet):
    unit = UnitFilter(subtree=False, unit_field="indicator__unit")
    within = UnitFilter(unit_field="indicator__unit")

    class Meta:
        model = IndicatorResult
        fields = {
            "indicator": ["exact"],
            "period": ["exact"],
            "start_year": ["exact", "gte", "lte"],
        }


# --- Learning, discipline, recognition, budget performance ------------------------------------


class CourseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Code or title"))
    area = django_filters.ChoiceFilter(choices=CourseArea.choices, label=_("Area"))
    mandatory = django_filters.BooleanFilter(label=_("Mandatory"))

    class Meta:
        model = Course
        fields = ["q", "area", "mandatory"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__iexact=value) | Q(title__icontains=value))


class CourseCompletionFilterSet(django_filters.FilterSet):
    unit = UnitFilter(subtree=False, unit_field="person__unit")
    within = UnitFilter(unit_field="person__unit")
    person = django_filters.CharFilter(
        field_name="person__index_number", label=_("Staff member (index number)")
    )
    course = django_filters.CharFilter(field_name="course__code", label=_("Course code"))
    mandatory = django_filters.BooleanFilter(field_name="course__mandatory", label=_("Mandatory"))

    class Meta:
        model = CourseCompletion
        fields = {"completed_on": ["gte", "lte"]}


class DisciplinaryCaseFilterSet(django_filters.FilterSet):
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    category = django_filters.ChoiceFilter(
        choices=DisciplinaryCategory.choices, label=_("Category")
    )
    measure = django_filters.ChoiceFilter(
        choices=DisciplinaryMeasure.choices[1:], label=_("Measure")
    )
    pending = django_filters.BooleanFilter(
        field_name="measure", lookup_expr="exact", method="filter_pending", label=_("Pending")
    )

    class Meta:
        model = DisciplinaryCase
        fields = {
            "opened_on": ["gte", "lte"],
            "measure_on": ["gte", "lte"],
            "referred_to_national_authorities": ["exact"],
        }

    def filter_pending(self, queryset, name, value):
        return queryset.filter(measure="") if value else queryset.exclude(measure="")


class RecognitionFilterSet(django_filters.FilterSet):
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    kind = django_filters.ChoiceFilter(choices=RecognitionKind.choices, label=_("Kind"))

    class Meta:
        model = Recognition
        fields = {"awarded_on": ["gte", "lte"]}


class BudgetPerformanceFilterSet(django_filters.FilterSet):
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    period = django_filters.CharFilter(label=_("Budget period"))
    currency = django_filters.CharFilter(label=_("Currency"))

    class Meta:
        model = BudgetPerformance
        fields = {"start_year": ["exact", "gte", "lte"]}
