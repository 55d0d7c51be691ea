"""Declarative browser views every app reuses: scoped lists with filters, bounded pagination and
exports; scoped detail pages with a history tab; create and edit forms that refuse stale edits.

A view names its model, filterset, columns and form; the rules live in models and services.
"""

import base64
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import (
    FieldDoesNotExist,
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import (
    DecimalField,
    F,
    FloatField,
    IntegerField,
    Model,
    Q,
    Subquery,
    UniqueConstraint,
)
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from core import actions, bulk, history, imports
from core.db.pages import page_queryset
from core.exports import csv_response, xlsx_response
from core.forms import VersionedModelForm
from core.models import HistoryEntry, StaleVersion
from core.saved_views import saved_views_for
from core.tables import fast_widgets
from core.widgets import prepare_model_form


@dataclass
class Column:
    label: Any
    accessor: str  # dotted attribute path, "get_status_display" style methods allowed
    link: bool = False  # link the cell to the row's get_absolute_url
    export: bool = True
    # The field the header sorts by: None to find it (the list's own indexed field the column
    # reads, see sortable_fields), "" for a column that never sorts.
    sort: str | None = None

    @functools.cached_property
    def parts(self) -> list[str]:
        return self.accessor.split(".")

    def reader(self, model):
        """`value` for rows of `model`, with what it looks up worked out once (for a page of
        rows): a choice's labels in the current language, whether the attribute is Django's
        `get_<field>_display`. Gives what `value` gives."""
        if len(self.parts) != 1:
            return self.value
        name = self.parts[0]
        field = display_field(model, name)
        if field is not None:
            labels, attname = display_labels(field), field.attname

            def read_label(obj):
                if type(obj) is not model:
                    return self.value(obj)
                value = getattr(obj, attname)
                label = labels.get(make_hashable(value), _MISSING)
                return force_str(value, strings_only=True) if label is _MISSING else label

            return read_label

        def read(obj):
            if type(obj) is not model:
                return self.value(obj)
            value = getattr(obj, name)
            return value() if callable(value) else value

        return read

    @property
    def field_name(self) -> str:
        """The model field the column reads, when it reads one of the list's own fields."""
        name = self.accessor
        if name.startswith("get_") and name.endswith("_display"):
            name = name[4:-8]
        return "" if "." in name else name

    def value(self, obj):
        value = obj
        for part in self.parts:
            if value is None:
                return None
            field = display_field(type(value), part)
            if field is not None:
                # get_<field>_display as Django writes it, its labels read once a language.
                value = display_label(field, getattr(value, field.attname))
                continue
            value = getattr(value, part)
            if callable(value):
                value = value()
        return value


@functools.cache
def display_field(model, name: str):
    """The field whose choices `name` reads when it is the `get_<field>_display` Django adds
    to a model (None for any other attribute, or one the model writes itself)."""
    if not (name.startswith("get_") and name.endswith("_display")):
        return None
    for klass in model.__mro__:
        if name in vars(klass):
            method = vars(klass)[name]
            break
    else:
        return None
    if not isinstance(method, functools.partialmethod):
        return None
    if method.func is not Model._get_FIELD_display or method.args:
        return None
    field = method.keywords.get("field")
    if field is None or not isinstance(field.choices, list | tuple):
        return None  # callable choices may change: read them each time
    return field


_LABELS: dict = {}
_MISSING = object()


def display_labels(field) -> dict:
    """{choice: label} of the field's choices in the current language, translated once."""
    key = (field, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = {
            make_hashable(choice): force_str(label, strings_only=True)
            for choice, label in make_hashable(field.flatchoices)
        }
        _LABELS[key] = labels
    return labels


def display_label(field, value):
    """What `get_<field>_display()` returns for `value` (Model._get_FIELD_display), from the
    field's choices translated once a language rather than once a cell."""
    label = display_labels(field).get(make_hashable(value), _MISSING)
    return force_str(value, strings_only=True) if label is _MISSING else label


class ScopedListView(LoginRequiredMixin, ListView):
    """A list of what the user may see, narrowed by a django-filter FilterSet.

    Pages by keyset (a cursor over the list's order and the primary key), never by offset, and
    counts at most `count_cap` rows: a page costs the same at 10 rows and at a million, page 1
    or page 5,000.
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
    # Rows carry a checkbox: the selection exports, and feeds the list's bulk actions.
    selectable = True
    # core.bulk.BulkAction: actions on the ticked rows, each a POST to its own view
    # (core.bulk.BulkActionView), offered to a user who holds one of its permissions.
    bulk_actions: list = []

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
        selected = self.selected_ids()
        if selected is not None:
            queryset = queryset.filter(pk__in=selected)
        # `?import=<token>`: the rows the user's import just created or changed (core.imports).
        imported = imports.imported_ids(self.request, self.model)
        if imported is not None:
            queryset = queryset.filter(pk__in=imported)
        self.sort = self.current_sort()
        if self.sort is not None:
            name, descending = self.sort
            queryset = queryset.order_by(f"{'-' if descending else ''}{name}")
        return queryset

    def selected_ids(self) -> list[int] | None:
        """The ticked rows' ids (`selected`, for an export): None when none are given. Read
        within the user's scope like every row, so an id the user may not see selects nothing."""
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        if "selected" not in data:
            return None
        return [int(v) for v in data.getlist("selected") if v.isdigit() and len(v) < 19][:5000]

    def sortable_fields(self) -> dict[str, str]:
        """{sort key: field path} of the visible columns a header may sort by: a column naming
        its `sort`, or reading one of the list's own fields that an index leads with (a
        primary key, a unique or indexed field, the first field of an index), so a sorted page
        costs what the default one does. A column reading a related record (`unit.code`) or a
        computed value does not sort."""
        indexed = indexed_fields(self.model)
        fields = {}
        for column in self.visible_columns():
            if column.sort:
                fields[column.sort.replace("__", ".")] = column.sort
            elif column.sort is None and column.field_name in indexed:
                fields[column.field_name] = column.field_name
        return fields

    def current_sort(self) -> tuple[str, bool] | None:
        """(field path, descending) the user chose with `?sort=` (or the older `?ordering=`);
        None for none, or one the list does not sort by (ignored, never an error)."""
        raw = self.request.GET.get("sort") or self.request.GET.get("ordering") or ""
        key = raw.strip().lstrip("-")
        path = self.sortable_fields().get(key)
        if path is None:
            return None
        return path, raw.strip().startswith("-")

    def default_sort(self, queryset) -> tuple[str, bool] | None:
        names = _ordering_names(queryset) or []
        if not names:
            return None
        return names[0].lstrip("-+"), names[0].startswith("-")

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("export")
        if kind in ("csv", "xlsx"):
            return self.export(kind)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        """The selected rows' export (the table's bulk form: a POST, so the ids and the CSRF
        token stay out of the address); nothing else is posted to a list."""
        kind = request.POST.get("export")
        if kind not in ("csv", "xlsx"):
            return HttpResponseNotAllowed(["GET"])
        if not self.selected_ids():
            messages.warning(request, _("Tick the rows to export first."))
            return HttpResponseRedirect(request.get_full_path())
        return self.export(kind)

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
        """Keyset pages: `?cursor=` carries the sort keys of the row a page starts after (or,
        going back, before), so page 5,000 costs what page 1 does; no OFFSET. `?page=` only
        numbers the page for the reader. A cursor that does not decode, or a bare `?page=` from
        an old link, opens the first page."""
        keys = keyset_ordering(queryset)
        if keys is None:
            return self.paginate_by_offset(queryset, page_size)
        # Counted without the sort keys' annotations: a key read through a relation
        # (a report's date, a staff member's name) would join that table into the count.
        counted = queryset
        queryset = queryset.order_by(*(key.order_by() for key in keys)).annotate(
            **{key.alias: F(key.path) for key in keys}
        )
        cursor = decode_cursor(self.request.GET.get("cursor", ""), keys)
        backwards = cursor is not None and cursor[0] == "p"
        try:
            number = max(1, int(self.request.GET.get("page", "1"))) if cursor else 1
        except ValueError:
            number = 1
        if cursor is None:
            rows = self.read_rows(queryset, counted, keys, None, True, page_size + 1)
            more = len(rows) > page_size
            rows = rows[:page_size]
            has_next, has_previous = more, False
        elif backwards:
            before = queryset.order_by(*(key.order_by(reverse=True) for key in keys))
            rows = self.read_rows(before, counted, keys, cursor[1], False, page_size + 1)
            more = len(rows) > page_size
            rows = rows[:page_size][::-1]
            has_next, has_previous = True, more
            number = max(1, number) if more else 1
        else:
            rows = self.read_rows(queryset, counted, keys, cursor[1], True, page_size + 1)
            more = len(rows) > page_size
            rows = rows[:page_size]
            has_next, has_previous = more, True
        page = {
            "number": number,
            "has_next": has_next and bool(rows),
            "has_previous": has_previous and bool(rows),
            "next_cursor": encode_cursor("n", keys, rows[-1]) if rows else "",
            "previous_cursor": encode_cursor("p", keys, rows[0]) if rows else "",
        }
        page.update(self.total(counted, rows, page))
        return (None, page, rows, True)

    # A list whose order leads with a key of few values (an appraisal's cycle, then the staff
    # member's name) reads a page one value of that key at a time: with the key's value fixed,
    # the rest of the order can come from an index (the names'), where over a range of values
    # the database sorts every row of the first one (37,000 appraisals a cycle at factor 1).
    split_first_key = False

    def read_rows(self, queryset, counted, keys, values, after: bool, limit: int) -> list:
        """Up to `limit` rows of `queryset` (ordered in the direction read) after the cursor's
        `values` (None: from the start), or before them when not `after`."""
        first = keys[0]
        user_sort = getattr(self, "sort", None)  # None: the list's own order
        if not self.split_first_key or user_sort is not None or first.nullable or len(keys) < 2:
            if values is not None:
                queryset = queryset.filter(keyset_q(keys, values, after=after))
            return list(page_queryset(queryset, limit)[:limit])
        if values is None:
            # The first page: the first key's first value, asked in the same query.
            start = Subquery(counted.order_by(first.order_by()).values(first.path)[:1])
            same = queryset.filter(**{first.path: start})
        else:
            start = values[0]
            same = queryset.filter(**{first.path: start}).filter(
                keyset_q(keys, values, after=after)
            )
            second = keys[1]
            if values[1] is not None and not second.nullable:
                # The second key's bound on its own, so its index starts from the cursor.
                larger = second.descending != after
                same = same.filter(**{f"{second.path}__{'gte' if larger else 'lte'}": values[1]})
        rows = list(page_queryset(same, limit)[:limit])
        if len(rows) < limit:
            # The page runs on into the key's next values (in the order read).
            larger = first.descending != after
            beyond = queryset.filter(**{f"{first.path}__{'gt' if larger else 'lt'}": start})
            rows += list(page_queryset(beyond, limit - len(rows))[: limit - len(rows)])
        return rows

    def paginate_by_offset(self, queryset, page_size):
        """For a list sorted by an expression a cursor cannot carry: numbered pages."""
        try:
            number = max(1, int(self.request.GET.get("page", "1")))
        except ValueError:
            number = 1
        start = (number - 1) * page_size
        rows = list(queryset[start : start + page_size + 1])
        page = {
            "number": number,
            "has_next": len(rows) > page_size,
            "has_previous": number > 1,
            "next_cursor": "",
            "previous_cursor": "",
        }
        rows = rows[:page_size]
        page.update(self.total(queryset, rows, page))
        return (None, page, rows, True)

    # Lists are counted up to this many rows; beyond it the page says "more than".
    count_cap = 10_000

    def total(self, queryset, rows, page) -> dict:
        """The list's size where it is cheap to know: exact up to `count_cap` rows (one capped
        count, which stops reading at the cap), "more than" beyond it. Counted on every page,
        even one that shows all the rows, so a list runs the same queries at 10 rows and at a
        million."""
        count = queryset.order_by().values("pk")[: self.count_cap + 1].count()
        capped = count > self.count_cap
        pages = None if capped else max(1, -(-count // self.paginate_by))
        return {"count": min(count, self.count_cap), "count_capped": capped, "num_pages": pages}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("cursor", None)
        query.pop("export", None)
        columns = self.visible_columns()
        objects = context["object_list"]
        model = type(objects[0]) if objects else self.model
        readers = [(c, c.reader(model)) for c in columns]
        rows = [(obj, [(c, read(obj)) for c, read in readers]) for obj in objects]
        context.update(
            filter=self.filterset,
            columns=columns,
            headers=self.headers(columns, rows),
            rows=rows,
            selectable=self.selectable,
            bulk_actions=self.offered_bulk_actions(),
            saved_views=saved_views_for(self.request),
            querystring=query.urlencode(),
            title=self.title or self.model._meta.verbose_name_plural,
            # The "Add" button only for whoever may add (GA staff read; they never see it).
            create_url_name=self.create_url_name
            if actions.may(self.request.user, "add", self.model)
            else "",
        )
        return context

    def headers(self, columns, rows) -> list[dict]:
        """Each column's header: its label, the sort link and state (for aria-sort), and
        whether it holds numbers (right-aligned, tabular figures)."""
        sortable = {path: key for key, path in self.sortable_fields().items()}
        current = self.sort or self.default_sort(self.object_list)
        numeric_fields = numeric_field_names(self.model)
        headers = []
        for index, column in enumerate(columns):
            path = column.sort or (column.field_name if column.sort is None else "")
            key = sortable.get(path)
            direction = ""
            if key is not None and current is not None and current[0] == path:
                direction = "descending" if current[1] else "ascending"
            numeric = column.field_name in numeric_fields or any(
                isinstance(cells[index][1], int | float | Decimal)
                and not isinstance(cells[index][1], bool)
                for _, cells in rows
            )
            headers.append(
                {
                    "column": column,
                    "label": column.label,
                    "sort_key": key,
                    "aria_sort": direction,
                    # A click sorts ascending, or reverses the current sort.
                    "next_sort": (f"-{key}" if direction == "ascending" else key) if key else "",
                    "numeric": numeric,
                }
            )
        return headers

    def offered_bulk_actions(self) -> list[dict]:
        """The list's bulk actions this user may take on some of its rows (core.bulk), each
        with its inputs' form."""
        if not self.selectable or not self.bulk_actions:
            return []
        offered = []
        for action in bulk.offered(self.request.user, self.model, self.bulk_actions):
            form = None
            if action.form_class:
                form = action.form_class(user=self.request.user, prefix="bulk")
                fast_widgets(form)  # its selects written in Python, the same HTML
            offered.append({"label": action.label, "url": reverse(action.url_name), "form": form})
        return offered


@functools.cache
def indexed_fields(model) -> frozenset[str]:
    """The model's own fields an index leads with (so ORDER BY on them reads the index). Read
    from the model's options, which do not change once the apps are loaded: once a model."""
    names = {
        f.name
        for f in model._meta.concrete_fields
        if (f.primary_key or f.unique or f.db_index) and not f.is_relation
    }
    for index in model._meta.indexes:
        if index.fields and getattr(index, "condition", None) is None:
            names.add(index.fields[0].lstrip("-"))
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if isinstance(constraint, UniqueConstraint) and fields and constraint.condition is None:
            names.add(fields[0])
    for together in model._meta.unique_together:
        names.add(together[0])
    relations = {f.name for f in model._meta.concrete_fields if f.is_relation}
    return frozenset(names - relations)


@functools.cache
def numeric_field_names(model) -> frozenset[str]:
    return frozenset(
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, DecimalField | IntegerField | FloatField)
        and not f.choices
        and not f.primary_key
        and not f.is_relation
    )


@dataclass
class SortKey:
    """One column of a list's order: its path (`decided_on`, `report__symbol`), its direction,
    the field that reads and parses its values, and whether it may be null (nulls sort last)."""

    path: str
    descending: bool
    field: Any
    position: int

    @property
    def alias(self) -> str:
        return f"keyset_{self.position}"

    @property
    def nullable(self) -> bool:
        return bool(getattr(self.field, "null", False))

    def order_by(self, reverse: bool = False):
        descending = self.descending != reverse
        expression = F(self.path)
        if not self.nullable:
            # Plain, so an index in the list's order serves it.
            return expression.desc() if descending else expression.asc()
        # A null sorts above every value (PostgreSQL's own default), said outright so SQLite
        # sorts alike and the cursor's conditions (keyset_q) match the order.
        return expression.desc(nulls_first=True) if descending else expression.asc(nulls_last=True)


def _ordering_names(queryset) -> list[str] | None:
    query = queryset.query
    names = list(query.order_by) or (
        list(query.get_meta().ordering or []) if query.default_ordering else []
    )
    if not all(isinstance(name, str) for name in names):
        return None
    return names


def _expand(model, name: str, depth: int = 0) -> list[tuple[str, bool, Any]]:
    """`name` ("-report__issued_on") as (path, descending, field) tuples; a relation at the end
    stands for its model's own ordering, as Django sorts it."""
    descending = name.startswith("-")
    path = name.lstrip("-+")
    if path == "pk":
        return [(model._meta.pk.name, descending, model._meta.pk)]
    current, parts = model, path.split("__")
    field = None
    for index, part in enumerate(parts):
        field = current._meta.get_field("id" if part == "pk" else part)
        if field.is_relation and index < len(parts) - 1:
            current = field.related_model
    if field.is_relation:
        if depth > 3:
            raise FieldDoesNotExist(path)
        related = field.related_model
        expanded = []
        for inner in related._meta.ordering or [related._meta.pk.name]:
            for sub, inner_desc, sub_field in _expand(related, inner, depth + 1):
                expanded.append((f"{path}__{sub}", inner_desc != descending, sub_field))
        return expanded
    return [(path, descending, field)]


def keyset_ordering(queryset) -> list[SortKey] | None:
    """The list's order (the user's sort, else the model's) as sort keys, ending with the
    primary key so every row has its own place (the tie-breaker a cursor needs). None for an
    order by expressions, which a cursor cannot carry."""
    model = queryset.model
    names = _ordering_names(queryset)
    if names is None:
        return None
    expanded = []
    for name in names:
        bare = name.lstrip("-+")
        if bare in queryset.query.annotations:
            field = queryset.query.annotations[bare].output_field
            expanded.append((bare, name.startswith("-"), field))
            continue
        try:
            expanded.extend(_expand(model, name))
        except FieldDoesNotExist:
            continue
    pk_name = model._meta.pk.name
    seen, keys = set(), []
    for path, descending, field in expanded:
        if path not in seen:
            seen.add(path)
            keys.append(SortKey(path, descending, field, len(keys)))
        if path == pk_name:
            return keys  # the rest cannot change the order
    last_descending = keys[-1].descending if keys else True
    keys.append(SortKey(pk_name, last_descending, model._meta.pk, len(keys)))
    return keys


def encode_cursor(direction: str, keys: list[SortKey], row) -> str:
    values = [getattr(row, key.alias) for key in keys]
    raw = json.dumps([direction, values], cls=DjangoJSONEncoder, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str, keys: list[SortKey]):
    """(direction, values) from a cursor, or None for none or one that does not fit this list's
    order (edited by hand, or from a link made under another sort)."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        direction, values = json.loads(raw)
        if direction not in ("n", "p") or len(values) != len(keys):
            return None
        parsed = [
            None if value is None else key.field.to_python(value)
            for key, value in zip(keys, values, strict=True)
        ]
    except (ValueError, TypeError, ValidationError, UnicodeDecodeError):
        return None
    if parsed[-1] is None:
        return None  # the primary key is never null
    return direction, parsed


def keyset_q(keys: list[SortKey], values: list, after: bool) -> Q:
    """The rows after (or before) the row whose sort keys are `values`, in the order of `keys`
    (a null above every value): the lexicographic comparison written out, plus the first key's
    bound on its own so the database starts from it in an index."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        # Moving forward in an ascending key (or back in a descending one) means larger values.
        larger = key.descending != after
        if value is None:
            # Nothing is above a null; everything not null is below it.
            step = None if larger else Q(**{f"{key.path}__isnull": False})
            same = Q(**{f"{key.path}__isnull": True})
        else:
            step = Q(**{f"{key.path}__{'gt' if larger else 'lt'}": value})
            if larger and key.nullable:
                step |= Q(**{f"{key.path}__isnull": True})
            same = Q(**{key.path: value})
        if step is not None:
            condition |= equal & step
        equal &= same
    first, value = keys[0], values[0]
    if value is not None and not first.nullable:
        larger = first.descending != after
        condition &= Q(**{f"{first.path}__{'gte' if larger else 'lte'}": value})
    return condition


class HistoryMixin:
    history_limit = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        entries = list(HistoryEntry.objects.for_object(obj)[: self.history_limit])
        if any(entry.seq >= history.PENDING for entry in entries):
            # Committed but not linked yet (normally none: each writer links at its commit):
            # linked first, so every entry shows its number and hash (core.history).
            history.link_pending()
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

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        prepare_model_form(form)
        return form

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

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        prepare_model_form(form)
        return form

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
