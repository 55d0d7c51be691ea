from django.contrib import admin

from core.admin import TrackedModelAdmin
from reports.models import ReportFile, ReportRun, ReportTemplate


class ReportFileInline(admin.TabularInline):
    model = ReportFile
    extra = 0
    can_delete = False
    fields = ["format", "name", "sha256", "size"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportRun)
class ReportRunAdmin(TrackedModelAdmin):
    """Read-only (a run has no save action): runs are requested and retried through the report
    pages and the API."""

    list_display = [
        "id",
        "symbol",
        "period_start",
        "period_end",
        "language",
        "status",
        "requested_by",
        "created_at",
    ]
    list_filter = ["status", "language"]
    inlines = [ReportFileInline]
    exclude = ["snapshot"]


@admin.register(ReportTemplate)
class ReportTemplateAdmin(TrackedModelAdmin):
    """Read-only (no save action): templates are uploaded and chosen on /reports/templates/,
    whose actions check that the file opens as a Word document."""

    list_display = ["name", "is_active", "uploaded_by", "created_at"]
    readonly_fields = ["sha256", "uploaded_by", "is_active", "version", "created_at", "updated_at"]
