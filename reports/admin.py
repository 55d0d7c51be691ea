from django.contrib import admin

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
class ReportRunAdmin(admin.ModelAdmin):
    """Read-only: runs are requested and retried through the report pages and the API."""

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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "uploaded_by", "created_at"]
    readonly_fields = ["sha256", "uploaded_by", "is_active"]

    def has_add_permission(self, request):
        return False  # uploads go through /reports/templates/, which checks the file opens
