from django import forms
from django.contrib import admin

from oversight import services
from oversight.forms import AcceptanceFormMixin
from oversight.models import (
    Evidence,
    OversightBody,
    OversightReport,
    Recommendation,
    RecommendationUpdate,
)


@admin.register(OversightBody)
class OversightBodyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name", "name_zh"]


@admin.register(OversightReport)
class OversightReportAdmin(admin.ModelAdmin):
    list_display = ["symbol", "body", "title", "issued_on"]
    list_filter = ["body"]
    search_fields = ["symbol", "title"]
    date_hierarchy = "issued_on"
    filter_horizontal = ["paragraphs"]
    list_select_related = ["body"]


class RecommendationUpdateInline(admin.TabularInline):
    """The timeline is written by services.change_status only."""

    model = RecommendationUpdate
    fields = ["created_at", "author_label", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RecommendationAdminForm(AcceptanceFormMixin, forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = [
            "report",
            "number",
            "text",
            "priority",
            "unit",
            "accepted",
            "acceptance_comment",
            "target_date",
        ]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    form = RecommendationAdminForm
    list_display = ["__str__", "unit", "priority", "status", "target_date"]
    list_filter = ["status", "priority", "report__body"]
    search_fields = ["report__symbol", "number", "text"]
    raw_id_fields = ["report", "unit"]
    # Status moves go through the workflow (services.change_status), never a bare edit.
    readonly_fields = ["status", "status_changed_on", "implemented_on"]
    list_select_related = ["report", "unit"]
    inlines = [RecommendationUpdateInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.record_acceptance_change(
            obj, acting_user=request.user, from_status=form.status_before
        )


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["name", "update"]
    raw_id_fields = ["update"]
