import django_filters
from django.utils.translation import gettext_lazy as _

from org.filters import UnitSubtreeFilter
from risk.choices import (
    Band,
    CaseStatus,
    ControlKind,
    Finding,
    RiskCategory,
    RiskResponse,
    TestResult,
    TreatmentStatus,
)
from risk.models import (
    Control,
    ControlTest,
    ProcurementCase,
    RatingScale,
    RecoveryCase,
    Risk,
    SelfAssessment,
    Treatment,
)

RATINGS = [(n, str(n)) for n in range(1, 6)]


class MineFilterMixin:
    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(**{self.mine_field: self.request.user.pk})


class RiskFilterSet(MineFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Title contains")
    )
    unit = UnitSubtreeFilter()
    category = django_filters.ChoiceFilter(choices=RiskCategory.choices, label=_("Category"))
    band = django_filters.ChoiceFilter(
        choices=Band.choices, method="filter_band", label=_("Rating")
    )
    residual_band = django_filters.ChoiceFilter(
        choices=Band.choices, method="filter_band", label=_("Residual rating")
    )
    response = django_filters.ChoiceFilter(choices=RiskResponse.choices, label=_("Response"))
    likelihood = django_filters.TypedChoiceFilter(
        choices=RATINGS, coerce=int, label=_("Likelihood")
    )
    impact = django_filters.TypedChoiceFilter(choices=RATINGS, coerce=int, label=_("Impact"))
    residual_likelihood = django_filters.TypedChoiceFilter(
        choices=RATINGS, coerce=int, label=_("Residual likelihood")
    )
    residual_impact = django_filters.TypedChoiceFilter(
        choices=RATINGS, coerce=int, label=_("Residual impact")
    )
    review_due = django_filters.BooleanFilter(method="filter_review_due", label=_("Review due"))
    active = django_filters.BooleanFilter(
        field_name="closed_on", lookup_expr="isnull", label=_("Active")
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Risks I own"))
    mine_field = "owner"

    class Meta:
        model = Risk
        fields = [
            "q",
            "unit",
            "category",
            "band",
            "residual_band",
            "response",
            "likelihood",
            "impact",
            "residual_likelihood",
            "residual_impact",
            "review_due",
            "active",
            "mine",
        ]

    def filter_band(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.in_band(value, RatingScale.current(), residual=name == "residual_band")

    def filter_review_due(self, queryset, name, value):
        if value is None:
            return queryset
        due = queryset.review_overdue()
        return due if value else queryset.exclude(pk__in=due.values("pk"))


class TreatmentFilterSet(MineFilterMixin, django_filters.FilterSet):
    unit = UnitSubtreeFilter(unit_field="risk__unit")
    status = django_filters.ChoiceFilter(choices=TreatmentStatus.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("My actions"))
    mine_field = "owner"

    class Meta:
        model = Treatment
        fields = ["unit", "status", "overdue", "mine"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        from django.db.models import Q

        return queryset.filter(Q(owner=self.request.user) | Q(risk__owner=self.request.user))


class ControlFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Title contains")
    )
    unit = UnitSubtreeFilter()
    kind = django_filters.ChoiceFilter(choices=ControlKind.choices, label=_("Kind"))

    class Meta:
        model = Control
        fields = ["q", "unit", "kind"]


class ControlTestFilterSet(django_filters.FilterSet):
    unit = UnitSubtreeFilter(unit_field="control__unit")
    result = django_filters.ChoiceFilter(choices=TestResult.choices, label=_("Result"))
    tested_from = django_filters.DateFilter(
        field_name="tested_on", lookup_expr="gte", label=_("Tested from")
    )

    class Meta:
        model = ControlTest
        fields = ["unit", "result", "tested_from"]


class SelfAssessmentFilterSet(django_filters.FilterSet):
    unit = UnitSubtreeFilter()
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = SelfAssessment
        fields = ["unit", "year"]


class ProcurementCaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="reference", lookup_expr="icontains", label=_("Reference contains")
    )
    unit = UnitSubtreeFilter()
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("Status"))
    flagged = django_filters.BooleanFilter(field_name="is_flagged", label=_("Flagged"))

    class Meta:
        model = ProcurementCase
        fields = ["q", "unit", "status", "flagged"]


class RecoveryCaseFilterSet(django_filters.FilterSet):
    unit = UnitSubtreeFilter()
    finding = django_filters.ChoiceFilter(choices=Finding.choices, label=_("Finding"))
    open = django_filters.BooleanFilter(
        field_name="closed_on", lookup_expr="isnull", label=_("Open")
    )

    class Meta:
        model = RecoveryCase
        fields = ["unit", "finding", "open"]
