from django.contrib import admin

from core.admin import TrackedModelAdmin
from oversight.models import (
    Evidence,
    OversightBody,
    OversightReport,
    Recommendation,
    RecommendationUpdate,
)


@admin.register(OversightBody)
class OversightBodyAdmin(TrackedModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name", "name_zh"]


@admin.register(OversightReport)
class OversightReportAdmin(TrackedModelAdmin):
    list_display = ["symbol", "body", "title", "issued_on"]
    list_filter = ["body"]
    search_fields = ["symbol", "title"]
    date_hierarchy = "issued_on"
    filter_horizontal = ["paragraphs"]
    list_select_related = ["body"]


class RecommendationUpdateInline(admin.TabularInline):
    """The timeline is written by the recommendation's actions only."""

    model = RecommendationUpdate
    fields = ["effective_on", "created_at", "author_label", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Recommendation)
class RecommendationAdmin(TrackedModelAdmin):
    """Saved through services.save_recommendation (acceptance changes go on the timeline);
    status and implementation date move only through the status action."""

    list_display = ["__str__", "unit", "priority", "status", "target_date"]
    list_filter = ["status", "priority", "report__body"]
    search_fields = ["report__symbol", "number", "text"]
    raw_id_fields = ["report", "unit"]
    readonly_fields = [*TrackedModelAdmin.readonly_fields, "status_changed_on"]
    list_select_related = ["report", "unit"]
    inlines = [RecommendationUpdateInline]


@admin.register(Evidence)
class EvidenceAdmin(TrackedModelAdmin):
    list_display = ["name", "update"]
    raw_id_fields = ["update"]
