"""The list pages' table rows and filter selects, written in Python instead of per-cell template
tags and per-option template includes (issue 13: a page of 50 rows by 9 columns spent most of
its time in the template engine). The HTML is the same, byte for byte, as the templates it
replaces write: `includes/table.html`'s row loop, and Django's `select.html`,
`select_option.html`, `attrs.html` and `input.html` (core/tests/test_list_render.py pins both
against those templates).

Each value goes through what a template does to `{{ value }}` (local time, the language's
number format, escaping unless already safe), so a cell reads as it did.
"""

import datetime
import decimal
import functools
import html
import re
from types import FunctionType

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.dispatch import receiver
from django.forms.models import (
    ModelChoiceField,
    ModelChoiceIterator,
    ModelMultipleChoiceField,
)
from django.forms.widgets import ChoiceWidget
from django.urls import (
    NoReverseMatch,
    Resolver404,
    get_script_prefix,
    get_urlconf,
    resolve,
    reverse,
)
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

from core.templatetags.core_tags import cell, is_number, static_url


def text(value) -> str:
    """`{{ value }}`: what the template engine writes for a value (render_value_in_context)."""
    if value.__class__ is str:
        return html.escape(value)  # conditional_escape's answer for a plain string
    if value.__class__ is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # localize's answer for an int without grouping
    value = localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _string(value) -> str:
    """`{{ value|stringformat:'s' }}`."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        formatted = "%s" % value  # noqa: UP031 - stringformat:"s" exactly
    except (ValueError, TypeError):
        formatted = ""
    return text(mark_safe(formatted) if isinstance(value, SafeData) else formatted)


# --- The table's rows (includes/table.html) ----------------------------------------------------


def _url(obj):
    """`obj.get_absolute_url` as a template reads it: called when callable, "" when absent."""
    url = getattr(obj, "get_absolute_url", "")
    return url() if callable(url) else url


# A model's link is most often `return reverse("app:name", args=[self.pk])`. Such a method is
# recognised by its bytecode (the same as this one's), and a page's links are then written from
# one reverse() of the name with a stand-in number, not one reverse() a row (about 15 us each).
def _plain_link(self):
    return reverse("app:name", args=[self.pk])


_STAND_IN = 918_273_645


@functools.cache
def _link_form(method) -> tuple[str, str] | None:
    """(URL name, attribute) when `method` is exactly `return reverse(<name>, args=[self.<attr>])`
    (same bytecode, argument and flags as _plain_link, its own name and attribute), else None."""
    code, plain = getattr(method, "__code__", None), _plain_link.__code__
    if code is None or method.__defaults__ or method.__kwdefaults__ or method.__closure__:
        return None
    if (
        code.co_code != plain.co_code
        or code.co_flags != plain.co_flags
        or code.co_argcount != plain.co_argcount
        or code.co_kwonlyargcount
        or code.co_varnames != plain.co_varnames
        or len(code.co_names) != 2
        or code.co_names[0] != "reverse"
        or len(code.co_consts) != len(plain.co_consts)
    ):
        return None
    name = None
    for mine, theirs in zip(code.co_consts, plain.co_consts, strict=True):
        if theirs == "app:name" and isinstance(mine, str):
            name = mine
        elif mine != theirs or type(mine) is not type(theirs):
            return None
    return None if name is None else (name, code.co_names[1])


# Django's converters that write a number n >= 0 as str(n) and accept every such number.
_NUMBER_CONVERTERS = frozenset({"int", "str", "slug", "path"})
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def _number_route(name: str, url: str) -> bool:
    """Whether `url` (reversed from `name`) comes from a path() route of one parameter, read by
    one of Django's converters that write any number n >= 0 as str(n)."""
    prefix = get_script_prefix()
    if not url.startswith(prefix):
        return False
    match = resolve("/" + url[len(prefix) :])
    route = match.route or ""
    parameters = _PARAMETER.findall(route)
    return (
        match.view_name == name
        and "(" not in route  # a re_path()'s expression: not read here
        and len(parameters) == 1
        and (parameters[0][0] or "str") in _NUMBER_CONVERTERS
    )


def _link_template(name: str) -> tuple[str, str] | None:
    """What reverse(name, args=[n]) writes before and after n, for any n >= 0: found with a
    stand-in number and checked with two others (0, 7), under the current URL configuration,
    script prefix and language; None when the name does not reverse so."""
    key = (name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())
    found = _LINK_TEMPLATES.get(key, _NOT_FOUND)
    if found is not _NOT_FOUND:
        return found
    found = None
    try:
        url = reverse(name, args=[_STAND_IN])
        stand_in = str(_STAND_IN)
        if url.count(stand_in) == 1 and _number_route(name, url):
            before, after = url.split(stand_in)
            if all(reverse(name, args=[n]) == f"{before}{n}{after}" for n in (0, 7)):
                found = (before, after)
    except (NoReverseMatch, Resolver404):
        found = None
    if len(_LINK_TEMPLATES) > 1000:
        _LINK_TEMPLATES.clear()
    _LINK_TEMPLATES[key] = found
    return found


_LINK_TEMPLATES: dict = {}
_NOT_FOUND = object()


def _links(model):
    """A function giving a row's link as `_url` does, written from the model's link template when
    its get_absolute_url is the plain `reverse(<name>, args=[self.<attr>])` (and reverse is
    Django's), for rows of exactly that model whose attribute is a number >= 0; `_url` else."""
    method = getattr(model, "get_absolute_url", None)
    form = _link_form(method) if isinstance(method, FunctionType) else None
    if form is None or method.__globals__.get("reverse") is not reverse:
        return _url
    name, attribute = form
    template = _link_template(name)
    if template is None:
        return _url
    before, after = template

    def link(obj):
        if type(obj) is model:
            value = getattr(obj, attribute)
            if type(value) is int and value >= 0:
                return f"{before}{value}{after}"
        return _url(obj)

    return link


def render_rows(rows, selectable: bool) -> SafeString:
    """The table's rows, as `{% for obj, cells in rows %}` in includes/table.html wrote them.
    `rows` is the view's [(obj, [(column, value), ...]), ...]. The column labels and which
    columns link are worked out once for the page, not once a cell, and a value that repeats
    (a date, an amount, yes or no) is formatted once."""
    if not rows:
        return SafeString("")
    columns = [column for column, _value in rows[0][1]]
    labels = [text(column.label) for column in columns]
    links = [bool(column.link) for column in columns]
    linked = any(links)
    select = gettext("Select %(row)s") if selectable else ""
    shown_once: dict = {}  # (type, value) -> the cell's HTML, for values that repeat

    language = get_language()

    def shown(value) -> str:
        kind = value.__class__
        if kind is str:
            # A plain string (not SafeString): escaped as conditional_escape does.
            return html.escape(value) if value else "—"
        if value is None:
            return "—"
        if kind is datetime.date:
            key = (language, value)
            found = _DATE_CELLS.get(key)
            if found is None:
                if len(_DATE_CELLS) > 20_000:
                    _DATE_CELLS.clear()
                found = _DATE_CELLS[key] = text(cell(value))
            return found
        if kind in _FORMATTED:
            key = (kind, value)
            found = shown_once.get(key)
            if found is None:
                found = shown_once[key] = text(cell(value))
            return found
        if isinstance(value, Promise):
            # A translated label (a choice's, a state's): the same object on many rows, read
            # in the page's language once. Kept by the rows, so its id stands for it.
            key = (Promise, id(value))
            found = shown_once.get(key)
            if found is None:
                found = shown_once[key] = text(cell(value))
            return found
        return text(cell(value))

    link = _links(type(rows[0][0])) if linked else _url
    out = []
    for obj, cells in rows:
        url = link(obj) if linked else ""
        href = text(url) if url else ""
        out.append(
            f'\n    <tr class="{conditional_escape(getattr(obj, "row_class", ""))}">\n      '
        )
        if selectable:
            label = select % {"row": shown(cells[0][1] if cells else "")}
            out.append(
                f'<td class="select"><input type="checkbox" name="selected" '
                f'value="{text(obj.pk)}" aria-label="{label}"></td>'
            )
        out.append("\n      ")
        for index, (_column, value) in enumerate(cells):
            html_ = shown(value)
            if links[index] and url:
                html_ = f'<a href="{href}">{html_}</a>'
            number = ' class="num"' if is_number(value) else ""
            out.append(f'\n      <td data-label="{labels[index]}"{number}>{html_}</td>\n      ')
        out.append("\n    </tr>\n  ")
    return SafeString("".join(out))


# A date's cell in each language (it depends on nothing else), kept across pages.
_DATE_CELLS: dict = {}


@receiver(setting_changed)
def _formats_changed(**kwargs) -> None:
    _DATE_CELLS.clear()
    _LINK_TEMPLATES.clear()
    _OPTIONS.clear()


# Values whose cell is worth formatting once a page: hashable, and read the same on every row.
_FORMATTED = {bool, int, float, decimal.Decimal, datetime.date, datetime.datetime}


# --- The filter panel's selects and inputs (Django's widget templates) ------------------------


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {text(name)}" + ("" if value is True else f'="{_string(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _select(widget: dict) -> str | None:
    """django/forms/widgets/select.html with its options (None for an option of another kind,
    which the templates render)."""
    out = [f'<select name="{text(widget["name"])}"{_attrs(widget["attrs"])}>']
    optgroups = widget["optgroups"]
    if isinstance(optgroups, _ModelOptions):
        out.extend(optgroups.html())
        out.append("\n</select>\n")
        return "".join(out)
    for group_name, options, _index in optgroups:
        if group_name:
            out.append(f'\n  <optgroup label="{text(group_name)}">')
        for option in options:
            if option.get("template_name") != "django/forms/widgets/select_option.html":
                return None
            out.append(
                f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{text(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    return (
        f'<input type="{text(widget["type"])}" name="{text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _combobox_script() -> str:
    return f'<script src="{static_url("js/combobox.js")}" defer></script>\n'


def _picker_select(widget):
    html = _select(widget)
    return None if html is None else html + _combobox_script()


def _picker_input(widget):
    return _input(widget) + _combobox_script()


FAST_TEMPLATES = {
    "django/forms/widgets/select.html": _select,
    "core/widgets/picker_select.html": _picker_select,
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/text.html": _input,
    "django/forms/widgets/number.html": _input,
    "django/forms/widgets/date.html": _input,
    "core/widgets/picker_input.html": _picker_input,
}


class FastWidgetRenderer:
    """A form's renderer that writes selects and inputs in Python (FAST_TEMPLATES) and hands
    every other template to the renderer it wraps."""

    def __init__(self, renderer):
        self.renderer = renderer

    def render(self, template_name, context, request=None):
        fast = FAST_TEMPLATES.get(template_name)
        if fast is not None and request is None and set(context) == {"widget"}:
            html = fast(context["widget"])
            if html is not None:
                # As Django's renderers: the template's output, stripped.
                return html.strip()
        return self.renderer.render(template_name, context, request=request)

    def __getattr__(self, name):
        return getattr(self.renderer, name)


def fast_widgets(form) -> None:
    """Render this form's selects and inputs in Python (same HTML), and read the records its
    selects offer once a query: the list's filters often offer the same units two or three
    times (the unit, the owner unit, within), each a server-side cursor of three round trips."""
    if not isinstance(form.renderer, FastWidgetRenderer):
        form.renderer = FastWidgetRenderer(form.renderer)
    iterators = []
    for field in form.fields.values():
        if not isinstance(field.widget, ChoiceWidget):
            # A ModelChoiceField gives every widget its choices, a text box too (the person
            # picker of 37,000 accounts): only a select writes them, so only a select reads them.
            continue
        iterator = getattr(field.widget, "choices", None)
        if not isinstance(iterator, ModelChoiceIterator) or iterator.field is not field:
            continue
        queryset = iterator.queryset
        if isinstance(queryset, QuerySet) and not queryset._prefetch_related_lookups:
            iterators.append(iterator)
    # Selects whose queries are the same (as Django compares expressions: the unit, within and
    # owner unit filters' copies of one declared queryset) share one compiled query.
    groups: list = []  # [(query, database, [iterator, ...])]
    for iterator in iterators:
        query, db = iterator.queryset.query, iterator.queryset.db
        for group in groups:
            if group[1] == db and _same_query(group[0], query):
                group[2].append(iterator)
                break
        else:
            groups.append((query, db, [iterator]))
    fetched: dict = {}
    for _query, _db, members in groups:
        queryset = members[0].queryset
        # Compiled once: the SQL tells the records of two groups apart, and is then run as it
        # is (a select of its own records compiled it to run it anyway).
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
            key = (queryset.model, queryset.db, sql, tuple(params))
            hash(key)
        except (EmptyResultSet, TypeError):
            continue
        if not sql:
            continue
        if key not in fetched:
            fetched[key] = _Rows(queryset, compiler, sql, params)
        for iterator in members:
            _read_once(iterator, fetched[key])


def _same_query(one, other) -> bool:
    """Whether two queries (neither compiled yet) ask the same: the same class and state,
    compared as Django compares expressions and where clauses (by what they are)."""
    if one is other:
        return True
    if type(one) is not type(other) or one.model is not other.model:
        return False
    try:
        return vars(one) == vars(other)
    except Exception:  # a value that cannot be compared: compiled on its own
        return False


def _read_once(iterator, rows) -> None:
    """The select's iterator walks `rows` (read once), and its options are written from them."""
    iterator.queryset = rows
    widget = iterator.field.widget
    if (
        type(iterator) is ModelChoiceIterator
        and widget.choices is iterator
        and not widget.option_inherits_attrs
        and widget.option_template_name == "django/forms/widgets/select_option.html"
        and widget.checked_attribute == {"selected": True}
        and "optgroups" not in vars(widget)
    ):
        widget.optgroups = functools.partial(_model_optgroups, widget, iterator)


def _plain(queryset, compiler) -> bool:
    """Whether `queryset` reads its model's own columns and nothing else (no related records,
    annotations, known relations or values()), so a row is one record's `from_db` values."""
    query, info = queryset.query, compiler.klass_info
    return (
        queryset._iterable_class is ModelIterable
        and queryset._fields is None
        and not queryset._known_related_objects
        and not query.select_related
        and not query.annotation_select
        and not query.extra_select
        and not query.combinator
        and info is not None
        and info["model"] is queryset.model
        and not info.get("related_klass_infos")
        and not compiler.annotation_col_map
        and list(info["select_fields"]) == list(range(compiler.col_count))
        and compiler.col_count == len(compiler.select)
    )


class _Rows:
    """A select's records read once, which a ModelChoiceIterator walks as it would a queryset
    with prefetches (as they are, without a cursor of its own). The records are made from the
    rows read (as Django's ModelIterable makes them) only when something asks for them: a select
    whose labels are known from the rows' values (_option_html) never does."""

    _prefetch_related_lookups = ("read once",)

    def __init__(self, queryset, compiler, sql, params):
        self.model, self.db = queryset.model, queryset.db
        # (the field's value and label functions) -> [(value, label)] as the options write them
        self.options: dict = {}
        self._records = None
        self.rows = None
        if _plain(queryset, compiler):
            # Run as compiled (Django's own execution, the SQL not compiled a second time).
            compiler.as_sql = lambda *args, **kwargs: (sql, params)
            self.rows = [tuple(row) for row in compiler.results_iter(compiler.execute_sql())]
            self.attnames = tuple(s[0].target.attname for s in compiler.select)
        else:
            self._records = list(queryset)

    def records(self) -> list:
        if self._records is None:
            from_db, db, attnames = self.model.from_db, self.db, self.attnames
            self._records = [from_db(db, attnames, row) for row in self.rows]
        return self._records

    def __iter__(self):
        return iter(self.records())

    def __len__(self) -> int:
        return len(self.rows if self.rows is not None else self._records)

    def count(self) -> int:
        return len(self)

    def exists(self) -> bool:
        return bool(len(self))


# --- A model select's options, written once for the selects that offer the same records ------


def _model_optgroups(widget, iterator, name, value, attrs=None):
    """`widget.optgroups` of a select over records read once (_Rows): the options as
    ChoiceWidget.optgroups gives them, on demand, and to _select as HTML written from the
    records' values and labels worked out once for every select that offers them (a list's
    filters offer the same units two or three times: unit, within, owner unit)."""
    if widget.choices is not iterator or not isinstance(iterator.queryset, _Rows):
        # The field's records changed since (a new queryset, new choices): Django's way.
        return type(widget).optgroups(widget, name, value, attrs)
    return _ModelOptions(widget, iterator, name, value, attrs)


class _ModelOptions:
    """ChoiceWidget.optgroups' answer, built only when something other than _select reads it
    (another template, `options()`): _select writes the same options from `html()`."""

    def __init__(self, widget, iterator, name, value, attrs):
        self.widget, self.iterator = widget, iterator
        self.name, self.value, self.attrs = name, value, attrs
        self._groups = None

    def groups(self) -> list:
        if self._groups is None:
            self._groups = type(self.widget).optgroups(
                self.widget, self.name, self.value, self.attrs
            )
        return self._groups

    def __iter__(self):
        return iter(self.groups())

    def __len__(self):
        return len(self.groups())

    def __getitem__(self, index):
        return self.groups()[index]

    def __bool__(self):
        return bool(self.groups())

    def html(self) -> list[str]:
        """The options as _select writes them from optgroups (select_option.html: value,
        `selected` for the first chosen option, or every chosen one when several may be)."""
        field, rows = self.iterator.field, self.iterator.queryset
        key = (
            getattr(field.label_from_instance, "__func__", field.label_from_instance),
            getattr(field.prepare_value, "__func__", field.prepare_value),
            field.to_field_name,
        )
        options = rows.options.get(key)
        if options is None:
            options = rows.options[key] = _options(self.iterator, rows, key)
        chosen = self.value
        multiple = self.widget.allow_multiple_selected
        out = []
        has_selected = False
        if field.empty_label is not None:
            # ModelChoiceIterator's first choice: ("", the empty label).
            has_selected = "" in chosen
            selected = " selected" if has_selected else ""
            out.append(f'\n  <option value=""{selected}>{text(field.empty_label)}</option>\n')
        for raw, value, label in options:
            if (not has_selected or multiple) and raw in chosen:
                has_selected = True
                out.append(f"\n  <option value={value} selected>{label}</option>\n")
            else:
                out.append(f"\n  <option value={value}>{label}</option>\n")
        return out


def _option(choice) -> tuple[str, str, str]:
    """(the value, the value as the option's quoted attribute, the label) of one
    ModelChoiceIterator choice, as select_option.html writes them."""
    value, label = choice
    return (str(value), f'"{text(str(value))}"', text(label))


def _options(iterator, rows, key) -> list[tuple[str, str, str]]:
    """Each record's option. A field whose labels read only the record's own columns and the
    language (`labels_from_own_columns`, org.filters.UnitChoiceField) keeps them across pages,
    by the row's values: a list's unit selects then make no record and format no label while
    the units stay as they are (a changed unit reads as a new row)."""
    field = iterator.field
    if rows.rows is None or not _labels_from_own_columns(field):
        return [_option(choice) for choice in map(iterator.choice, rows)]
    kept = _OPTIONS.get((rows.model, rows.db, rows.attnames, *key, get_language()))
    if kept is None:
        if len(_OPTIONS) > 100:
            _OPTIONS.clear()
        kept = _OPTIONS[(rows.model, rows.db, rows.attnames, *key, get_language())] = {}
    if len(kept) > 20_000:
        kept.clear()
    from_db, db, attnames = rows.model.from_db, rows.db, rows.attnames
    out = []
    for row in rows.rows:
        try:
            found = kept.get(row)
        except TypeError:  # a value that does not hash (a JSON column): nothing kept
            return [_option(choice) for choice in map(iterator.choice, rows)]
        if found is None:
            found = kept[row] = _option(iterator.choice(from_db(db, attnames, row)))
        out.append(found)
    return out


# (model, database, columns, label and value functions, language) -> {row: option}
_OPTIONS: dict = {}


def _labels_from_own_columns(field) -> bool:
    """Whether the class that writes the field's labels says they read only the record's own
    columns and the language, and its values are ModelChoiceField's (the primary key or the
    `to_field_name` column), neither replaced on the field itself."""
    if "label_from_instance" in vars(field) or "prepare_value" in vars(field):
        return False
    kind = type(field)
    if kind.prepare_value not in (
        ModelChoiceField.prepare_value,
        ModelMultipleChoiceField.prepare_value,
    ):
        return False
    for klass in kind.__mro__:
        if "label_from_instance" in vars(klass):
            return vars(klass).get("labels_from_own_columns") is True
    return False
