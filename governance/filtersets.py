"""One filterset per model, shared by the pages and the API. Units by code or id (`unit`: that
unit, `within`: the unit and the units below it); paragraphs by number; bodies by code."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.choices import (
    FollowUpStatus,
    ImplementationStatus,
    MandatingBody,
    MilestoneStatus,
    ReviewState,
    System,
)
from governance.models import (
    CommitteeDecision,
    CommitteeMeeting,
    Consultation,
    FollowUpAction,
    Lesson,
    Mandate,
    Milestone,
    ParagraphAssessment,
)
from governance.querysets import overdue_condition
from org.filters import ParagraphFilter, UnitFilter


class AssessmentFilterSet(django_filters.FilterSet):
    paragraph = django_filters.NumberFilter(field_name="paragraph__number", label=_("Paragraph"))
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    status = django_filters.ChoiceFilter(
        choices=ImplementationStatus.choices, label=_("Implementation status")
    )
    state = django_filters.ChoiceFilter(choices=ReviewState.choices, label=_("Review state"))
    period_end_after = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", label=_("Period ends on or after")
    )

    class Meta:
        model = ParagraphAssessment
        fields = ["paragraph", "unit", "within", "status", "state", "period_end_after"]


class MandateFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Symbol or title"))
    body = django_filters.ChoiceFilter(choices=MandatingBody.choices, label=_("Body"))
    paragraph = ParagraphFilter()
    adopted_after = django_filters.DateFilter(
        field_name="adopted_on", lookup_expr="gte", label=_("Adopted on or after")
    )

    class Meta:
        model = Mandate
        fields = ["q", "body", "paragraph", "adopted_after"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(symbol__icontains=value) | Q(title__icontains=value))


class MeetingFilterSet(django_filters.FilterSet):
    held_after = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label=_("Held on or after")
    )
    held_before = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label=_("Held on or before")
    )
    is_public = django_filters.BooleanFilter(label=_("Published"))

    class Meta:
        model = CommitteeMeeting
        fields = ["held_after", "held_before", "is_public"]


class DecisionFilterSet(django_filters.FilterSet):
    meeting = django_filters.NumberFilter(field_name="meeting_id", label=_("Meeting"))
    paragraph = ParagraphFilter()

    class Meta:
        model = CommitteeDecision
        fields = ["meeting", "paragraph"]


class FollowUpFilterSet(django_filters.FilterSet):
    unit = UnitFilter(subtree=False)
    within = UnitFilter()
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices, label=_("Status"))
    decision = django_filters.NumberFilter(field_name="decision_id", label=_("Decision"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = FollowUpAction
        fields = ["unit", "within", "status", "decision", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = overdue_condition(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class ConsultationFilterSet(django_filters.FilterSet):
    body = django_filters.CharFilter(field_name="body__code", label=_("Oversight body"))
    system = django_filters.ChoiceFilter(choices=System.choices, label=_("Enterprise system"))
    held_after = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label=_("Held on or after")
    )
    paragraph = ParagraphFilter()

    class Meta:
        model = Consultation
        fields = ["body", "system", "held_after", "paragraph"]


class LessonFilterSet(django_filters.FilterSet):
    source_organisation = django_filters.CharFilter(
        lookup_expr="iexact", label=_("Source organisation")
    )
    unit = UnitFilter(unit_field="applied_unit", subtree=False)
    within = UnitFilter(unit_field="applied_unit")
    system = django_filters.ChoiceFilter(choices=System.choices, label=_("Enterprise system"))

    class Meta:
        model = Lesson
        fields = ["source_organisation", "unit", "within", "system"]


class MilestoneFilterSet(django_filters.FilterSet):
    system = django_filters.ChoiceFilter(choices=System.choices, label=_("System"))
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices, label=_("Status"))

    class Meta:
        model = Milestone
        fields = ["system", "status"]
