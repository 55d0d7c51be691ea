from django.contrib import admin

from accountability.models import (
    AuthorityItem,
    AuthorityLimit,
    Commitment,
    CommitmentTransition,
    Decision,
    Delegation,
)
from core.admin import TrackedModelAdmin


class NoDeleteMixin:
    """Decisions, instruments and commitments are never deleted: they are revoked, reviewed or
    cancelled, so the record of what was done stays whole."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuthorityItem)
class AuthorityItemAdmin(TrackedModelAdmin):
    list_display = ["code", "name", "group", "reserved"]
    list_filter = ["group", "reserved"]
    search_fields = ["code", "name", "name_zh"]


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(TrackedModelAdmin):
    list_display = ["item", "currency", "max_amount"]
    list_filter = ["currency"]


@admin.register(Delegation)
class DelegationAdmin(NoDeleteMixin, TrackedModelAdmin):
    list_display = [
        "reference",
        "area",
        "unit",
        "delegator",
        "delegatee",
        "limit_amount",
        "valid_from",
        "valid_to",
        "revoked_on",
    ]
    list_filter = ["area"]
    search_fields = ["reference", "scope"]
    autocomplete_fields = ["unit", "delegator", "delegatee"]
    raw_id_fields = ["parent", "authority"]
    readonly_fields = [
        *TrackedModelAdmin.readonly_fields,
        "accepted_on",
        "accepted_by",
        "revoked_on",
        "revocation_reason",
        "revoked_by",
    ]
    show_full_result_count = False


@admin.register(Decision)
class DecisionAdmin(NoDeleteMixin, TrackedModelAdmin):
    list_display = [
        "title",
        "decided_on",
        "unit",
        "decided_by",
        "area",
        "amount",
        "within_authority",
        "review_outcome",
    ]
    list_filter = ["within_authority", "area", "review_outcome"]
    search_fields = ["title"]
    autocomplete_fields = ["unit", "decided_by"]
    raw_id_fields = ["delegation"]
    filter_horizontal = ["paragraphs"]
    readonly_fields = [
        *TrackedModelAdmin.readonly_fields,
        "within_authority",
        "review_outcome",
        "review_action",
        "reviewed_by",
        "reviewed_on",
    ]
    show_full_result_count = False


class CommitmentTransitionInline(admin.TabularInline):
    model = CommitmentTransition
    fields = ["from_status", "to_status", "changed_by", "actor", "note", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(NoDeleteMixin, TrackedModelAdmin):
    list_display = ["title", "unit", "owner", "due_on", "status", "honoured_on"]
    list_filter = ["status"]
    search_fields = ["title"]
    autocomplete_fields = ["unit", "owner"]
    filter_horizontal = ["paragraphs"]
    readonly_fields = [*TrackedModelAdmin.readonly_fields, "status", "honoured_on"]
    inlines = [CommitmentTransitionInline]
    show_full_result_count = False
