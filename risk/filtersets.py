"""One filterset per model, shared by the pages and the API. Units are given by code or id:
`unit` is that unit, `within` the unit and every unit below it; people by username."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from org.filters import IndexNumberFilter, UnitFilter, UsernameFilter
from risk.choices import (
    Band,
    CaseStatus,
    CommitteeOutcome,
    ControlFrequency,
    ControlKind,
    Finding,
    RecoveryKind,
    RiskCategory,
    RiskResponse,
    SanctionMeasure,
    StatementStatus,
    TestResult,
    TreatmentStatus,
    Trend,
)
from risk.models import (
    ContractsReview,
    Control,
    ControlTest,
    CriticalRisk,
    Deficiency,
    InterestDeclaration,
    InternalControlStatement,
    ProcurementCase,
    RatingScale,
    RecoveryAction,
    RecoveryCase,
    Risk,
    SelfAssessment,
    Treatment,
    VendorSanction,
)

RATINGS = [(n, str(n)) for n in range(1, 6)]


def _split(queryset, subset, value):
    """`subset` when value is true, the rest when false, everything when not given."""
    if value is None:
        return queryset
    return subset if value else queryset.exclude(pk__in=subset.values("pk"))


class RiskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Title contains")
    )
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    owner = UsernameFilter(field_name="owner", label=_("Owner"))
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
    reviewed_before = django_filters.DateFilter(
        field_name="reviewed_on", lookup_expr="lt", label=_("Reviewed before")
    )
    active = django_filters.BooleanFilter(
        field_name="closed_on", lookup_expr="isnull", label=_("Active")
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Risks I own"))

    class Meta:
        model = Risk
        fields = [
            "q",
            "unit",
            "within",
            "owner",
            "category",
            "band",
            "residual_band",
            "response",
            "likelihood",
            "impact",
            "residual_likelihood",
            "residual_impact",
            "review_due",
            "reviewed_before",
            "active",
            "mine",
        ]

    def filter_band(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.in_band(value, RatingScale.current(), residual=name == "residual_band")

    def filter_review_due(self, queryset, name, value):
        return _split(queryset, queryset.review_overdue(), value)

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(owner=self.request.user.pk)


class TreatmentFilterSet(django_filters.FilterSet):
    unit = UnitFilter(unit_field="risk__unit", subtree=False)
    within = UnitFilter(unit_field="risk__unit")
    risk = django_filters.NumberFilter(field_name="risk_id", label=_("Risk"))
    owner = UsernameFilter(field_name="owner", label=_("Owner"))
    status = django_filters.ChoiceFilter(choices=TreatmentStatus.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("My actions"))

    class Meta:
        model = Treatment
        fields = ["unit", "within", "risk", "owner", "status", "overdue", "mine"]

    def filter_overdue(self, queryset, name, value):
        return _split(queryset, queryset.overdue(), value)

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(Q(owner=self.request.user) | Q(risk__owner=self.request.user))


class ControlFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Title contains")
    )
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    owner = UsernameFilter(field_name="owner", label=_("Owner"))
    kind = django_filters.ChoiceFilter(choices=ControlKind.choices, label=_("Kind"))
    frequency = django_filters.ChoiceFilter(choices=ControlFrequency.choices, label=_("Frequency"))
    risks = django_filters.NumberFilter(field_name="risks", label=_("Risk treated"))

    class Meta:
        model = Control
        fields = ["q", "unit", "within", "owner", "kind", "frequency", "risks"]


class ControlTestFilterSet(django_filters.FilterSet):
    unit = UnitFilter(unit_field="control__unit", subtree=False)
    within = UnitFilter(unit_field="control__unit")
    control = django_filters.NumberFilter(field_name="control_id", label=_("Control"))
    result = django_filters.ChoiceFilter(choices=TestResult.choices, label=_("Result"))
    tested_on = django_filters.DateFilter(label=_("Tested on"))
    tested_from = django_filters.DateFilter(
        field_name="tested_on", lookup_expr="gte", label=_("Tested from")
    )
    tested_on__gte = django_filters.DateFilter(
        field_name="tested_on", lookup_expr="gte", label=_("Tested from")
    )
    tested_on__lte = django_filters.DateFilter(
        field_name="tested_on", lookup_expr="lte", label=_("Tested until")
    )

    class Meta:
        model = ControlTest
        fields = [
            "unit",
            "within",
            "control",
            "result",
            "tested_on",
            "tested_from",
            "tested_on__gte",
            "tested_on__lte",
        ]


class DeficiencyFilterSet(django_filters.FilterSet):
    test = django_filters.NumberFilter(field_name="test_id", label=_("Control test"))
    closed_on__isnull = django_filters.BooleanFilter(
        field_name="closed_on", lookup_expr="isnull", label=_("Open")
    )

    class Meta:
        model = Deficiency
        fields = ["test", "closed_on__isnull"]


class SelfAssessmentFilterSet(django_filters.FilterSet):
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = SelfAssessment
        fields = ["unit", "within", "year"]


class ProcurementCaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="reference", lookup_expr="icontains", label=_("Reference contains")
    )
    reference = django_filters.CharFilter(label=_("Reference"))
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("Status"))
    flagged = django_filters.BooleanFilter(method="filter_flagged", label=_("Flagged"))

    class Meta:
        model = ProcurementCase
        fields = ["q", "reference", "unit", "within", "status", "flagged"]

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.flagged(value)


class InterestDeclarationFilterSet(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id", label=_("Procurement case"))
    person__index_number = IndexNumberFilter(field_name="person", label=_("Index number"))
    vendor = django_filters.CharFilter(label=_("Vendor"))

    class Meta:
        model = InterestDeclaration
        fields = ["case", "person__index_number", "vendor"]


class RecoveryCaseFilterSet(django_filters.FilterSet):
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    unit__code = UnitFilter(subtree=False)  # the first release's name for `unit`
    finding = django_filters.ChoiceFilter(choices=Finding.choices, label=_("Finding"))
    open = django_filters.BooleanFilter(
        field_name="closed_on", lookup_expr="isnull", label=_("Open")
    )
    closed_on__isnull = django_filters.BooleanFilter(
        field_name="closed_on", lookup_expr="isnull", label=_("Open")
    )
    opened_on__gte = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="gte", label=_("Opened from")
    )
    opened_on__lte = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="lte", label=_("Opened until")
    )

    class Meta:
        model = RecoveryCase
        fields = [
            "unit",
            "within",
            "unit__code",
            "finding",
            "open",
            "closed_on__isnull",
            "opened_on__gte",
            "opened_on__lte",
        ]


class RecoveryActionFilterSet(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id", label=_("Recovery case"))
    kind = django_filters.ChoiceFilter(choices=RecoveryKind.choices, label=_("Action"))

    class Meta:
        model = RecoveryAction
        fields = ["case", "kind"]


class StatementFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(choices=StatementStatus.choices, label=_("Status"))

    class Meta:
        model = InternalControlStatement
        fields = ["year", "status"]


class CriticalRiskFilterSet(django_filters.FilterSet):
    """The register is read as at a date (`as_of`, default today): the view annotates the rating,
    band and trend as at that date (risk.metrics.with_trend), which `band` and `trend` filter."""

    as_of = django_filters.DateFilter(method="filter_as_of", label=_("As at"))
    unit = UnitFilter(unit_field="risk__unit", subtree=False)
    within = UnitFilter(unit_field="risk__unit")
    owner_unit = UnitFilter(unit_field="owner_unit", subtree=False, label=_("Owner unit"))
    accountable_manager = django_filters.CharFilter(
        field_name="accountable_manager__index_number",
        label=_("Accountable manager (index number)"),
    )
    band = django_filters.ChoiceFilter(
        choices=Band.choices, field_name="at_band", label=_("Rating")
    )
    trend = django_filters.ChoiceFilter(choices=Trend.choices, label=_("Trend"))
    category = django_filters.ChoiceFilter(
        choices=RiskCategory.choices, field_name="risk__category", label=_("Category")
    )
    active = django_filters.BooleanFilter(
        field_name="withdrawn_on", lookup_expr="isnull", label=_("On the register")
    )

    class Meta:
        model = CriticalRisk
        fields = [
            "as_of",
            "unit",
            "within",
            "owner_unit",
            "accountable_manager",
            "band",
            "trend",
            "category",
            "active",
        ]

    def filter_as_of(self, queryset, name, value):
        # Read by the view before filtering (the annotations depend on it); validated here.
        return queryset


class VendorSanctionFilterSet(django_filters.FilterSet):
    vendor = django_filters.CharFilter(lookup_expr="icontains", label=_("Vendor contains"))
    measure = django_filters.ChoiceFilter(choices=SanctionMeasure.choices, label=_("Measure"))
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", label=_("In force on"))

    class Meta:
        model = VendorSanction
        fields = ["vendor", "measure", "in_force_on"]

    def filter_in_force_on(self, queryset, name, value):
        return queryset.in_force(value) if value else queryset


class ContractsReviewFilterSet(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id", label=_("Procurement case"))
    outcome = django_filters.ChoiceFilter(choices=CommitteeOutcome.choices, label=_("Outcome"))
    unit = UnitFilter(unit_field="case__unit", subtree=False)
    within = UnitFilter(unit_field="case__unit")

    class Meta:
        model = ContractsReview
        fields = ["case", "outcome", "unit", "within"]
