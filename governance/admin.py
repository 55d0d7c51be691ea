"""The admin saves through the named actions (core.admin.TrackedModelAdmin); state fields are
read-only there and move through their actions; evidence and status changes are read-only."""

from django.contrib import admin

from core.admin import TrackedModelAdmin
from governance.models import (
    AssessmentEvidence,
    CommitteeDecision,
    CommitteeMeeting,
    Consultation,
    FollowUpAction,
    FollowUpTransition,
    Lesson,
    Mandate,
    Milestone,
    ParagraphAssessment,
)


class EvidenceInline(admin.TabularInline):
    model = AssessmentEvidence
    fields = ["reference", "name", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TransitionInline(admin.TabularInline):
    model = FollowUpTransition
    fields = ["changed_on", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ParagraphAssessment)
class ParagraphAssessmentAdmin(TrackedModelAdmin):
    list_display = ["paragraph", "unit", "period_start", "period_end", "status", "state"]
    list_filter = ["status", "state"]
    list_select_related = ["paragraph", "unit"]
    inlines = [EvidenceInline]


@admin.register(Mandate)
class MandateAdmin(TrackedModelAdmin):
    list_display = ["symbol", "body", "adopted_on", "title"]
    list_filter = ["body"]
    search_fields = ["symbol", "title"]
    filter_horizontal = ["accomplishments", "indicators", "paragraphs"]


@admin.register(CommitteeMeeting)
class CommitteeMeetingAdmin(TrackedModelAdmin):
    list_display = ["held_on", "is_public"]
    list_filter = ["is_public"]


@admin.register(CommitteeDecision)
class CommitteeDecisionAdmin(TrackedModelAdmin):
    list_display = ["meeting", "number"]
    list_select_related = ["meeting"]


@admin.register(FollowUpAction)
class FollowUpActionAdmin(TrackedModelAdmin):
    list_display = ["title", "unit", "due_on", "status", "status_on"]
    list_filter = ["status"]
    list_select_related = ["unit"]
    inlines = [TransitionInline]


@admin.register(Consultation)
class ConsultationAdmin(TrackedModelAdmin):
    list_display = ["subject", "body", "held_on", "system"]
    list_filter = ["body", "system"]


@admin.register(Lesson)
class LessonAdmin(TrackedModelAdmin):
    list_display = ["title", "source_organisation", "learned_on", "applied_unit", "system"]
    list_filter = ["system"]


@admin.register(Milestone)
class MilestoneAdmin(TrackedModelAdmin):
    list_display = ["title", "system", "planned_on", "actual_on", "status"]
    list_filter = ["system", "status"]
