"""Declarative browser views every app reuses: scoped lists with filters, bounded pagination and
exports; scoped detail pages with a history tab; create and edit forms that refuse stale edits.

A view names its model, filterset, columns and form; the rules live in models and services.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from core import actions
from core.exports import csv_response, xlsx_response
from core.forms import VersionedModelForm
from core.models import HistoryEntry, StaleVersion


@dataclass
class Column:
    label: Any
    accessor: str  # dotted attribute path, "get_status_display" style methods allowed
    link: bool = False  # link the cell to the row's get_absolute_url
    export: bool = True

    def value(self, obj):
        value = obj
        for part in self.accessor.split("."):
            if value is None:
                return None
            value = getattr(value, part)
            if callable(value):
                value = value()
        return value


class ScopedListView(LoginRequiredMixin, ListView):
    """A list of what the user may see, narrowed by a django-filter FilterSet.

    Pages by offset but never counts the whole table: it fetches one row more than a page to
    know whether there is a next one, so the page costs the same at 10 rows and at a million.
    `?export=csv` or `?export=xlsx` downloads what the filter shows.
    """

    filterset_class = None
    columns: list[Column] = []
    paginate_by = 50
    export_name = "export"
    export_limit = 200_000
    template_name = "core/object_list.html"
    title = ""
    create_url_name = ""

    def base_queryset(self):
        return self.model.objects.restrict(self.request.user, "view")

    def get_queryset(self):
        queryset = self.base_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset=queryset, request=self.request
            )
            queryset = (
                self.filterset.qs
                if self.filterset.is_bound and self.filterset.is_valid()
                else queryset
            )
            if self.filterset.is_bound and not self.filterset.is_valid():
                queryset = queryset.none()
        return queryset

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("export")
        if kind in ("csv", "xlsx"):
            return self.export(kind)
        return super().get(request, *args, **kwargs)

    def visible_columns(self) -> list[Column]:
        """The columns less those reading a field the model's policy hides from this user (GA
        staff see who cleared a procurement case nowhere, not even as a column header)."""
        hidden_of = getattr(self.model._default_manager, "hidden_fields", None)
        hidden = hidden_of(self.request.user) if hidden_of else ()
        return [c for c in self.columns if c.accessor.split(".")[0] not in hidden]

    def export_rows(self):
        columns = [c for c in self.visible_columns() if c.export]
        for obj in self.get_queryset()[: self.export_limit].iterator(chunk_size=2000):
            yield [c.value(obj) for c in columns]

    def export(self, kind):
        headers = [str(c.label) for c in self.visible_columns() if c.export]
        if kind == "csv":
            return csv_response(self.export_name, headers, self.export_rows())
        return xlsx_response(self.export_name, [(self.export_name, headers, self.export_rows())])

    def paginate_queryset(self, queryset, page_size):
        try:
            page = max(1, int(self.request.GET.get("page", "1")))
        except ValueError:
            page = 1
        start = (page - 1) * page_size
        rows = list(queryset[start : start + page_size + 1])
        has_next = len(rows) > page_size
        return (
            None,
            {"number": page, "has_next": has_next, "has_previous": page > 1},
            rows[:page_size],
            True,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        columns = self.visible_columns()
        context.update(
            filter=self.filterset,
            columns=columns,
            rows=[(obj, [(c, c.value(obj)) for c in columns]) for obj in context["object_list"]],
            querystring=query.urlencode(),
            title=self.title or self.model._meta.verbose_name_plural,
            # The "Add" button only for whoever may add (GA staff read; they never see it).
            create_url_name=self.create_url_name
            if actions.may(self.request.user, "add", self.model)
            else "",
        )
        return context


class HistoryMixin:
    history_limit = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        entries = list(HistoryEntry.objects.for_object(obj)[: self.history_limit])
        hidden_of = getattr(type(obj)._default_manager, "hidden_fields", None)
        hidden = hidden_of(self.request.user) if hidden_of else ()
        for entry in entries:
            # Redacted as in the object's own page and API: the field changed, its values are not
            # the reader's to see. (Only in memory: entries are never saved again.)
            entry.changes = {
                name: ([None, None] if name in hidden else values)
                for name, values in entry.changes.items()
            }
        context["history_entries"] = entries
        context["history_object"] = f"{obj._meta.label_lower}:{obj.pk}"
        return context


class ScopedDetailView(LoginRequiredMixin, HistoryMixin, DetailView):
    """One record the user may see (404 otherwise), with its change history."""

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, "view")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = actions.allowed(self.request.user, "change", self.object)
        return context


def add_errors(form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form: each message beside its field when the form
    has it, at the top otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            messages_ = [m for e in errors for m in e.messages]
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, exc.messages)


class ActionFormMixin:
    """Create and edit forms whose save is the model's named action (core.actions). The form
    collects input; the action decides. Many-to-many fields and the form's `action_inputs` are
    handed to the action as keyword arguments. A refusal lands on the form (nothing is saved),
    a stale version too."""

    action: Callable | None = None
    success_message = _("Saved.")

    def get_action(self) -> Callable:
        if self.action is not None:
            return type(self).action
        found = actions.get(self.model, "save")
        if found is None:
            raise ImproperlyConfigured(f"{self.model.__name__} has no save action")
        return found

    def action_inputs(self, form) -> dict:
        names = {f.name for f in self.model._meta.many_to_many} | set(
            getattr(form, "action_inputs", ())
        )
        return {n: form.cleaned_data[n] for n in names if n in form.cleaned_data}

    def form_valid(self, form):
        instance = form.instance
        expected = form.cleaned_data.get("version")
        if instance.pk and expected is not None:
            instance.version = expected
        try:
            self.object = self.get_action()(
                instance, acting_user=self.request.user, **self.action_inputs(form)
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except StaleVersion:
            form.add_error(None, form.stale_message)
            return self.form_invalid(form)
        if self.object is None:
            self.object = instance
        self.after_action(form)
        return HttpResponseRedirect(self.get_success_url())

    def after_action(self, form) -> None:
        messages.success(self.request, self.success_message)


class ScopedCreateView(LoginRequiredMixin, ActionFormMixin, CreateView):
    """A new record through the model's save action; who may not add any gets 403 at once."""

    template_name = "core/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not actions.may(request.user, "add", self.model):
            raise PermissionDenied(_("You may not create these records."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if getattr(self.form_class, "takes_user", False):
            kwargs["user"] = self.request.user
        return kwargs


class ScopedUpdateView(LoginRequiredMixin, ActionFormMixin, UpdateView):
    """Edits what the user may change; what they may see but not change is a 403, the rest 404."""

    template_name = "core/object_form.html"

    def get_object(self, queryset=None):
        obj = super().get_object(self.model.objects.restrict(self.request.user, "view"))
        actions.require(self.request.user, "change", obj)
        return obj

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if getattr(self.form_class, "takes_user", False):
            kwargs["user"] = self.request.user
        return kwargs


class TransitionView(LoginRequiredMixin, FormView):
    """One named action on one record (sign, review, revoke, close...): the form collects its
    inputs and the action runs with them as keyword arguments. 404 for a record the user may not
    see, 403 for one they may not act on, before the form is even shown."""

    model = None
    action: Callable | None = None
    permission = ""  # the policy action checked; default: the action's declared permission
    template_name = "core/object_form.html"
    success_message = _("Saved.")
    lookup = "pk"

    def get_permission(self) -> str:
        return self.permission or type(self).action.action.permission or "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = get_object_or_404(
                self.model.objects.restrict(request.user, "view"),
                **{self.lookup: kwargs[self.lookup]},
            )
            actions.require(request.user, self.get_permission(), self.object)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if getattr(self.form_class, "takes_object", False):
            kwargs["obj"] = self.object
        if getattr(self.form_class, "takes_user", False):
            kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        return context

    def form_valid(self, form):
        inputs = dict(form.cleaned_data)
        expected = inputs.pop("version", None)
        if expected is not None:
            self.object.version = expected
        try:
            type(self).action(self.object, acting_user=self.request.user, **inputs)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except StaleVersion:
            form.add_error(None, VersionedModelForm.stale_message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return self.object.get_absolute_url()


def visible_or_404(model, user, **lookup):
    obj = model.objects.restrict(user, "view").filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj
