"""Declarative browser views every app reuses: scoped lists with filters, bounded pagination and
exports; scoped detail pages with a history tab; create and edit forms that refuse stale edits.

A view names its model, filterset, columns and form; the rules live in models and services.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from core.exports import csv_response, xlsx_response
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
        return self.model.objects.visible_to(self.request.user)

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

    def export_rows(self):
        columns = [c for c in self.columns if c.export]
        for obj in self.get_queryset()[: self.export_limit].iterator(chunk_size=2000):
            yield [c.value(obj) for c in columns]

    def export(self, kind):
        headers = [str(c.label) for c in self.columns if c.export]
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
        context.update(
            filter=self.filterset,
            columns=self.columns,
            rows=[
                (obj, [(c, c.value(obj)) for c in self.columns]) for obj in context["object_list"]
            ],
            querystring=query.urlencode(),
            title=self.title or self.model._meta.verbose_name_plural,
            create_url_name=self.create_url_name,
        )
        return context


class HistoryMixin:
    history_limit = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        context["history_entries"] = list(
            HistoryEntry.objects.for_object(obj)[: self.history_limit]
        )
        context["history_object"] = f"{obj._meta.label_lower}:{obj.pk}"
        return context


class ScopedDetailView(LoginRequiredMixin, HistoryMixin, DetailView):
    """One record the user may see (404 otherwise), with its change history."""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = (
            self.model.objects.editable_by(self.request.user).filter(pk=self.object.pk).exists()
        )
        return context


class StaleVersionFormMixin:
    """Saves inside a transaction, re-checks the user's right to the saved record, and shows a
    stale-version edit as a form error."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.save_form(form)
                if (
                    not self.model.objects.editable_by(self.request.user)
                    .filter(pk=self.object.pk)
                    .exists()
                ):
                    raise PermissionDenied(_("You may not save records for this unit."))
        except StaleVersion:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.get_success_url())

    def save_form(self, form):
        return form.save()


class ScopedCreateView(LoginRequiredMixin, StaleVersionFormMixin, CreateView):
    template_name = "core/object_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if getattr(self.form_class, "takes_user", False):
            kwargs["user"] = self.request.user
        return kwargs


class ScopedUpdateView(LoginRequiredMixin, StaleVersionFormMixin, UpdateView):
    """Edits what the user may change; what they may see but not change is a 403, the rest 404."""

    template_name = "core/object_form.html"

    def get_object(self, queryset=None):
        obj = super().get_object(self.model.objects.visible_to(self.request.user))
        if not self.model.objects.editable_by(self.request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied(_("You may read this record but not change it."))
        return obj

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if getattr(self.form_class, "takes_user", False):
            kwargs["user"] = self.request.user
        return kwargs


def visible_or_404(model, user, **lookup):
    obj = model.objects.visible_to(user).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj
