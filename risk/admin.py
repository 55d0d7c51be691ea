"""The admin saves through the named actions (core.admin.TrackedModelAdmin); state fields are
read-only there and move through their actions."""

from django.contrib import admin

from core.admin import TrackedModelAdmin
from risk.models import (
    ContractsReview,
    ControlTest,
    CriticalRisk,
    InterestDeclaration,
    InternalControlStatement,
    ProcurementCase,
    RatingScale,
    RecoveryCase,
    Risk,
    VendorSanction,
)


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    """Where administrators configure the rating bands (reference data, no action)."""

    list_display = ["__str__", "medium_from", "high_from", "critical_from"]

    def has_add_permission(self, request):
        return not RatingScale.objects.exists()


@admin.register(Risk)
class RiskAdmin(TrackedModelAdmin):
    list_display = ["title", "unit", "category", "likelihood", "impact", "score", "reviewed_on"]
    list_filter = ["category"]
    list_select_related = ["unit"]
    search_fields = ["title"]


@admin.register(ControlTest)
class ControlTestAdmin(TrackedModelAdmin):
    list_display = ["control", "tested_on", "result"]
    list_select_related = ["control"]


@admin.register(ProcurementCase)
class ProcurementCaseAdmin(TrackedModelAdmin):
    list_display = ["reference", "unit", "value", "status"]
    list_select_related = ["unit"]
    search_fields = ["reference"]


@admin.register(InterestDeclaration)
class InterestDeclarationAdmin(TrackedModelAdmin):
    list_display = ["case", "person", "vendor", "declared_on"]
    list_select_related = ["case", "person"]


@admin.register(RecoveryCase)
class RecoveryCaseAdmin(TrackedModelAdmin):
    list_display = ["__str__", "unit", "finding", "amount_lost", "amount_recovered"]
    list_select_related = ["unit"]


@admin.register(InternalControlStatement)
class InternalControlStatementAdmin(TrackedModelAdmin):
    list_display = ["year", "status", "issued_on"]
    list_filter = ["status"]


@admin.register(CriticalRisk)
class CriticalRiskAdmin(TrackedModelAdmin):
    list_display = ["risk", "owner_unit", "accountable_manager", "flagged_on", "withdrawn_on"]
    list_select_related = ["risk", "owner_unit", "accountable_manager"]
    raw_id_fields = ["risk", "accountable_manager"]


@admin.register(VendorSanction)
class VendorSanctionAdmin(TrackedModelAdmin):
    list_display = ["vendor", "measure", "sanctioned_from", "sanctioned_to"]
    list_filter = ["measure"]
    search_fields = ["vendor"]


@admin.register(ContractsReview)
class ContractsReviewAdmin(TrackedModelAdmin):
    list_display = ["case", "reviewed_on", "outcome"]
    list_select_related = ["case"]
    raw_id_fields = ["case"]
