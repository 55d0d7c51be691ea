"""The list pages' table rows and filter selects, written in Python instead of per-cell template
tags and per-option template includes (issue 13: a page of 50 rows by 9 columns spent most of
its time in the template engine). The HTML is the same, byte for byte, as the templates it
replaces write: `includes/table.html`'s row loop, and Django's `select.html`,
`select_option.html`, `attrs.html` and `input.html` (core/tests/test_list_render.py pins both
against those templates).

Each value goes through what a template does to `{{ value }}` (local time, the language's
number format, escaping unless already safe), so a cell reads as it did.
"""

from django.templatetags.static import static
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from core.templatetags.core_tags import cell, is_number


def text(value) -> str:
    """`{{ value }}`: what the template engine writes for a value (render_value_in_context)."""
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


def render_rows(rows, selectable: bool) -> SafeString:
    """The table's rows, as `{% for obj, cells in rows %}` in includes/table.html wrote them.
    `rows` is the view's [(obj, [(column, value), ...]), ...]. The column labels and which
    columns link are worked out once for the page, not once a cell."""
    if not rows:
        return SafeString("")
    columns = [column for column, _value in rows[0][1]]
    labels = [text(column.label) for column in columns]
    links = [bool(column.link) for column in columns]
    linked = any(links)
    select = gettext("Select %(row)s") if selectable else ""
    yes_no = {True: text(cell(True)), False: text(cell(False))}
    out = []
    for obj, cells in rows:
        url = _url(obj) if linked else ""
        href = text(url) if url else ""
        out.append(
            f'\n    <tr class="{conditional_escape(getattr(obj, "row_class", ""))}">\n      '
        )
        if selectable:
            first = cells[0][1] if cells else ""
            label = select % {"row": text(cell(first))}
            out.append(
                f'<td class="select"><input type="checkbox" name="selected" '
                f'value="{text(obj.pk)}" aria-label="{label}"></td>'
            )
        out.append("\n      ")
        for index, (_column, value) in enumerate(cells):
            shown = yes_no[value] if value.__class__ is bool else text(cell(value))
            if links[index] and url:
                shown = f'<a href="{href}">{shown}</a>'
            number = ' class="num"' if is_number(value) else ""
            out.append(f'\n      <td data-label="{labels[index]}"{number}>{shown}</td>\n      ')
        out.append("\n    </tr>\n  ")
    return SafeString("".join(out))


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
    for group_name, options, _index in widget["optgroups"]:
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
    return f'<script src="{conditional_escape(static("js/combobox.js"))}" defer></script>\n'


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
    """Render this form's selects and inputs in Python (same HTML)."""
    if not isinstance(form.renderer, FastWidgetRenderer):
        form.renderer = FastWidgetRenderer(form.renderer)
