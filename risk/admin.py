from django.contrib import admin

from risk.models import (
    ControlTest,
    InterestDeclaration,
    ProcurementCase,
    RatingScale,
    RecoveryCase,
    Risk,
)


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    """Where administrators configure the rating bands."""

    list_display = ["__str__", "medium_from", "high_from", "critical_from"]

    def has_add_permission(self, request):
        return not RatingScale.objects.exists()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Domain records change through the app's pages and API, where their rules live."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "category", "likelihood", "impact", "score", "reviewed_on"]
    list_filter = ["category"]
    list_select_related = ["unit"]
    search_fields = ["title"]


@admin.register(ControlTest)
class ControlTestAdmin(ReadOnlyAdmin):
    list_display = ["control", "tested_on", "result"]
    list_select_related = ["control"]


@admin.register(ProcurementCase)
class ProcurementCaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "unit", "value", "status"]
    list_select_related = ["unit"]
    search_fields = ["reference"]


@admin.register(InterestDeclaration)
class InterestDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["case", "person", "vendor", "declared_on"]
    list_select_related = ["case", "person"]


@admin.register(RecoveryCase)
class RecoveryCaseAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "unit", "finding", "amount_lost", "amount_recovered"]
    list_select_related = ["unit"]
