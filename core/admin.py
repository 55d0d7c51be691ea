from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from core import actions
from core.models import HistoryEntry


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    """The change history, read-only: the admin offers no way to add, change or delete an entry."""

    list_display = ["seq", "at", "actor", "action", "object_type", "object_id", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "object_repr", "actor", "request_id", "sha256"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TrackedModelAdmin(admin.ModelAdmin):
    """Base admin for domain records. Saves go through the model's named `save` action (so the
    rules run and the history records the administrator); a model without one is read-only here,
    and its state fields (`state_actions`) are never edited in the admin: they move through
    their actions. Bulk delete is removed because it bypasses the history."""

    readonly_fields = ["version", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        state = [f for f in getattr(self.model, "state_actions", {}) if f not in fields]
        return [*fields, *state]

    def has_add_permission(self, request):
        return actions.get(self.model, "save") is not None and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return actions.get(self.model, "save") is not None and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return actions.get(self.model, "delete") is not None and super().has_delete_permission(
            request, obj
        )

    def save_model(self, request, obj, form, change):
        actions.get(self.model, "save")(obj, acting_user=request.user)

    def delete_model(self, request, obj):
        actions.get(self.model, "delete")(obj, acting_user=request.user)

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # A rule only the action knows refused the change; the admin's transaction rolled it
            # back, so nothing was saved: say why, not a 500.
            for message in exc.messages:
                self.message_user(request, message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
