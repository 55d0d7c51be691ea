"""Bulk actions on a list's ticked rows (the table's bulk form): one named action run on every
selected row, all or nothing. The rows are read within the user's scope; a selected id the user
may not see is counted, never named; a row the action refuses is named with the reason (the
user sees it on the list), and then nothing is changed. Each row's action writes its own history
entry, as when it is done one at a time."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from core import actions
from core.models import StaleVersion

MAX_ROWS = 200


@dataclass(frozen=True)
class BulkAction:
    """What a list offers on its ticked rows: the button's label, the view's URL name, the form
    of the action's inputs (shown in the bar, prefix "bulk") and the permissions, one of which
    the user must hold on the model for the button to be offered."""

    label: Any
    url_name: str
    form_class: type[forms.Form] | None = None
    permissions: tuple[str, ...] = ("change",)


class BulkActionView(LoginRequiredMixin, View):
    model = None
    form_class: type[forms.Form] | None = None
    permission = "change"
    done_message = ""  # "%(count)s rows changed." style, ngettext pairs in done()

    def selected_ids(self) -> list[int]:
        values = self.request.POST.getlist("selected")
        return sorted({int(v) for v in values if v.isdigit() and len(v) < 19})[:MAX_ROWS]

    def back(self) -> str:
        target = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return "/"

    def get_rows(self, ids):
        return list(self.model.objects.restrict(self.request.user, "view").filter(pk__in=ids))

    def refusal(self, row, inputs) -> str | None:
        """Why this row cannot take the action (None: it can). Default: the user may not."""
        return None if row.pk in self.permitted else _("not yours to change")

    def apply(self, row, inputs) -> None:
        raise NotImplementedError

    def done(self, count: int) -> str:
        return ngettext("%(count)s record changed.", "%(count)s records changed.", count) % {
            "count": count
        }

    def post(self, request, *args, **kwargs):
        back = self.back()
        ids = self.selected_ids()
        if not ids:
            messages.warning(request, _("Tick the rows to act on first."))
            return HttpResponseRedirect(back)
        form = (
            self.form_class(request.POST, user=request.user, prefix="bulk")
            if (self.form_class)
            else None
        )
        if form is not None and not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return HttpResponseRedirect(back)
        inputs = form.cleaned_data if form is not None else {}
        rows = self.get_rows(ids)
        unseen = len(ids) - len(rows)
        if unseen:
            # Not named: the user may not know these exist.
            messages.error(
                request,
                ngettext(
                    "Nothing was changed: %(count)s of the selected records cannot be found.",
                    "Nothing was changed: %(count)s of the selected records cannot be found.",
                    unseen,
                )
                % {"count": unseen},
            )
            return HttpResponseRedirect(back)
        self.permitted = set(
            self.model.objects.restrict(request.user, self.permission)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        refused = [(row, reason) for row in rows if (reason := self.refusal(row, inputs))]
        if refused:
            listed = "; ".join(f"{row} ({reason})" for row, reason in refused[:20])
            messages.error(
                request,
                format_lazy(
                    "{} {}",
                    ngettext(
                        "Nothing was changed: %(count)s selected record cannot take this action:",
                        "Nothing was changed: %(count)s selected records cannot take this action:",
                        len(refused),
                    )
                    % {"count": len(refused)},
                    listed,
                ),
            )
            return HttpResponseRedirect(back)
        try:
            with transaction.atomic():
                for row in rows:
                    self.apply(row, inputs)
        except ValidationError as exc:
            messages.error(
                request, _("Nothing was changed: %(reason)s") % {"reason": " ".join(exc.messages)}
            )
            return HttpResponseRedirect(back)
        except (PermissionDenied, StaleVersion):
            messages.error(
                request,
                _(
                    "Nothing was changed: a selected record changed meanwhile, or is not yours to "
                    "change. Reload the list and try again."
                ),
            )
            return HttpResponseRedirect(back)
        messages.success(request, self.done(len(rows)))
        return HttpResponseRedirect(back)


def offered(user, model, bulk_actions) -> list[BulkAction]:
    return [a for a in bulk_actions if any(actions.may(user, p, model) for p in a.permissions)]
