from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import TrackedModelAdmin
from performance import models, services


@admin.register(models.Compact)
class CompactAdmin(TrackedModelAdmin):
    list_display = ["year", "senior_manager", "unit", "status", "signed_on", "mpb_rating"]
    list_filter = ["status", "year", "mpb_rating"]
    search_fields = ["senior_manager__name", "senior_manager__index_number", "unit__code"]
    raw_id_fields = ["senior_manager", "unit"]
    filter_horizontal = ["paragraphs"]


@admin.register(models.CompactObjective)
class CompactObjectiveAdmin(TrackedModelAdmin):
    list_display = ["title", "compact", "kind", "outcome"]
    raw_id_fields = ["compact", "commitment", "indicators"]


@admin.register(models.BoardFinding)
class BoardFindingAdmin(TrackedModelAdmin):
    list_display = ["finding", "compact", "status", "due_on", "closed_on"]
    list_filter = ["status"]
    raw_id_fields = ["compact"]
    actions = ["close_findings"]

    @admin.action(description=_("Close the selected findings today"))
    def close_findings(self, request, queryset):
        """Closing is the "close" action (its rules run), never an edit of the status."""
        today = timezone.localdate()
        closed = 0
        for finding in queryset:
            try:
                services.close_finding(finding, acting_user=request.user, closed_on=today)
            except (ValidationError, PermissionDenied) as exc:
                for message in getattr(exc, "messages", [str(exc)]):
                    self.message_user(request, f"{finding}: {message}", level=messages.ERROR)
            else:
                closed += 1
        if closed:
            self.message_user(
                request,
                ngettext("%(n)d finding closed.", "%(n)d findings closed.", closed) % {"n": closed},
            )


@admin.register(models.Appraisal)
class AppraisalAdmin(TrackedModelAdmin):
    list_display = ["staff", "unit", "cycle", "due_on", "completed_on", "rating"]
    list_filter = ["cycle", "rating"]
    search_fields = ["staff__index_number", "staff__name"]
    raw_id_fields = ["staff", "unit"]
    show_full_result_count = False


@admin.register(models.UnderperformanceCase)
class UnderperformanceCaseAdmin(TrackedModelAdmin):
    list_display = ["appraisal", "plan_start", "outcome", "rebuttal", "closed_on"]
    raw_id_fields = ["appraisal"]


@admin.register(models.ExpectedAccomplishment)
class ExpectedAccomplishmentAdmin(TrackedModelAdmin):
    list_display = ["title", "unit"]
    raw_id_fields = ["unit"]


@admin.register(models.Indicator)
class IndicatorAdmin(TrackedModelAdmin):
    list_display = ["title", "unit", "kind", "unit_of_measure", "baseline", "target"]
    list_filter = ["kind"]
    search_fields = ["title", "unit__code"]
    raw_id_fields = ["unit", "accomplishment"]


@admin.register(models.IndicatorResult)
class IndicatorResultAdmin(TrackedModelAdmin):
    list_display = ["indicator", "period", "value"]
    raw_id_fields = ["indicator"]


@admin.register(models.RBMResponsibility)
class RBMResponsibilityAdmin(TrackedModelAdmin):
    list_display = ["senior_manager", "assigned_on", "ended_on"]
    raw_id_fields = ["senior_manager"]


@admin.register(models.Course)
class CourseAdmin(TrackedModelAdmin):
    list_display = ["code", "title", "area", "mandatory"]
    list_filter = ["area", "mandatory"]
    search_fields = ["code", "title"]


@admin.register(models.CourseCompletion)
class CourseCompletionAdmin(TrackedModelAdmin):
    list_display = ["person", "course", "completed_on"]
    list_filter = ["course"]
    search_fields = ["person__index_number", "person__name", "course__code"]
    raw_id_fields = ["person", "course"]
    show_full_result_count = False


@admin.register(models.DisciplinaryCase)
class DisciplinaryCaseAdmin(TrackedModelAdmin):
    list_display = ["pk", "unit", "opened_on", "category", "measure", "measure_on"]
    list_filter = ["category", "measure", "referred_to_national_authorities"]
    raw_id_fields = ["unit", "person"]


@admin.register(models.Recognition)
class RecognitionAdmin(TrackedModelAdmin):
    list_display = ["kind", "unit", "person", "awarded_on"]
    list_filter = ["kind"]
    raw_id_fields = ["unit", "person"]


@admin.register(models.BudgetPerformance)
class BudgetPerformanceAdmin(TrackedModelAdmin):
    list_display = ["unit", "period", "appropriation", "expenditure", "currency"]
    list_filter = ["start_year", "currency"]
    search_fields = ["unit__code"]
    raw_id_fields = ["unit"]
