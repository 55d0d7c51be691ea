from django.contrib import admin

from core.admin import TrackedModelAdmin
from performance import models, services


class ServiceAdmin(TrackedModelAdmin):
    """Saves through the app's service, so the admin keeps the same rules as the pages."""

    service = None

    def save_model(self, request, obj, form, change):
        type(self).service(obj, acting_user=request.user)


@admin.register(models.Compact)
class CompactAdmin(ServiceAdmin):
    service = staticmethod(services.save_compact)
    list_display = ["year", "senior_manager", "unit", "status", "signed_on", "mpb_rating"]
    list_filter = ["status", "year", "mpb_rating"]
    search_fields = ["senior_manager__name", "senior_manager__index_number", "unit__code"]
    raw_id_fields = ["senior_manager", "unit"]
    filter_horizontal = ["paragraphs"]


@admin.register(models.CompactObjective)
class CompactObjectiveAdmin(ServiceAdmin):
    service = staticmethod(services.save_objective)
    list_display = ["title", "compact", "kind", "outcome"]
    raw_id_fields = ["compact"]


@admin.register(models.BoardFinding)
class BoardFindingAdmin(ServiceAdmin):
    service = staticmethod(services.save_finding)
    list_display = ["finding", "compact", "status", "due_on", "closed_on"]
    list_filter = ["status"]
    raw_id_fields = ["compact"]


@admin.register(models.Appraisal)
class AppraisalAdmin(ServiceAdmin):
    service = staticmethod(services.save_appraisal)
    list_display = ["staff", "unit", "cycle", "due_on", "completed_on", "rating"]
    list_filter = ["cycle", "rating"]
    search_fields = ["staff__index_number", "staff__name"]
    raw_id_fields = ["staff", "unit"]
    show_full_result_count = False


@admin.register(models.UnderperformanceCase)
class UnderperformanceCaseAdmin(ServiceAdmin):
    service = staticmethod(services.save_underperformance_case)
    list_display = ["appraisal", "plan_start", "outcome", "rebuttal", "closed_on"]
    raw_id_fields = ["appraisal"]


@admin.register(models.ExpectedAccomplishment)
class ExpectedAccomplishmentAdmin(ServiceAdmin):
    service = staticmethod(services.save_accomplishment)
    list_display = ["title", "unit"]
    raw_id_fields = ["unit"]


@admin.register(models.Indicator)
class IndicatorAdmin(ServiceAdmin):
    service = staticmethod(services.save_indicator)
    list_display = ["title", "unit", "kind", "unit_of_measure", "baseline", "target"]
    list_filter = ["kind"]
    search_fields = ["title", "unit__code"]
    raw_id_fields = ["unit", "accomplishment"]


@admin.register(models.IndicatorResult)
class IndicatorResultAdmin(ServiceAdmin):
    service = staticmethod(services.record_indicator_result)
    list_display = ["indicator", "period", "value"]
    raw_id_fields = ["indicator"]


@admin.register(models.RBMResponsibility)
class RBMResponsibilityAdmin(ServiceAdmin):
    service = staticmethod(services.assign_rbm_responsibility)
    list_display = ["senior_manager", "assigned_on", "ended_on"]
    raw_id_fields = ["senior_manager"]
