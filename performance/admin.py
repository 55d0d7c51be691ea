from django.contrib import admin

from core.admin import TrackedModelAdmin
from performance import models


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
    raw_id_fields = ["compact"]


@admin.register(models.BoardFinding)
class BoardFindingAdmin(TrackedModelAdmin):
    list_display = ["finding", "compact", "status", "due_on", "closed_on"]
    list_filter = ["status"]
    raw_id_fields = ["compact"]


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
