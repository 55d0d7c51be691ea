"""What the browser shows for filters and pickers: native date pickers, "All" instead of dashes,
the active filters as removable chips, and the combobox pickers (static/js/combobox.js) over a
select or a text box. Without JavaScript every one is still a plain select or text box that
works."""

import datetime

from django import forms
from django.http import QueryDict
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ChoiceIteratorMixin
from django_filters.widgets import BooleanWidget

from core.forms import DateInput

DASHES = "---------"


class Picker(forms.Select):
    """A select made searchable: type to narrow its options (WAI-ARIA combobox)."""

    template_name = "core/widgets/picker_select.html"

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-combobox": "", **(attrs or {})}, choices)


class MultiPicker(forms.SelectMultiple):
    """A multiple select shown as a search box with the chosen items as removable chips (no
    Ctrl-click); the select underneath stays the form's value."""

    template_name = "core/widgets/picker_select.html"

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-combobox": "multiple", **(attrs or {})}, choices)


class RemotePicker(forms.TextInput):
    """A text box that suggests values from a JSON endpoint scoped by the user's rights
    (core.pickers): people by name, username or index number; instruments by reference. What it
    sends is what the box held before: a username, an id."""

    kind = ""
    template_name = "core/widgets/picker_input.html"

    def __init__(self, attrs=None, kind: str = ""):
        kind = kind or self.kind
        super().__init__(
            {
                "data-combobox": "remote",
                "data-combobox-url": reverse_lazy("picker", args=[kind]),
                "autocomplete": "off",
                **(attrs or {}),
            }
        )


class PersonPicker(RemotePicker):
    kind = "people"


class DelegationPicker(RemotePicker):
    kind = "delegations"


class ParagraphPicker(RemotePicker):
    kind = "paragraphs"


def _relabel_empty(choices, label):
    return [
        (value, label if value in ("", None) and str(text) == DASHES else text)
        for value, text in choices
    ]


def prepare_filter_form(form) -> None:
    """A filterset's form as the page shows it: "All" for no choice (never dashes, never
    "Unknown"), dates as native date pickers, long selects searchable, people and instruments
    as pickers."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
            if getattr(widget, "input_type", "") != "date":
                field.widget = DateInput(attrs=widget.attrs)
        elif isinstance(widget, forms.NullBooleanSelect | BooleanWidget):
            empty = "unknown" if isinstance(widget, forms.NullBooleanSelect) else ""
            widget.choices = [(empty, _("All")), ("true", _("Yes")), ("false", _("No"))]
        elif isinstance(widget, forms.SelectMultiple) and not isinstance(
            widget, forms.CheckboxSelectMultiple
        ):
            # Several choices as chips in a search box, not a Ctrl-click list.
            widget.attrs.setdefault("data-combobox", "multiple")
        elif isinstance(field, forms.ModelChoiceField):
            # Never iterated here: its options are a query, run once when the select renders.
            if field.empty_label is not None and not isinstance(
                field, forms.ModelMultipleChoiceField
            ):
                field.empty_label = _("All")
            if type(widget) is forms.Select:
                widget.attrs.setdefault("data-combobox", "")
        elif isinstance(field, ChoiceIteratorMixin):
            # django-filter's choice fields add their empty choice as they are read.
            if field.empty_label is not None:
                field.empty_label = _("All")
                widget.choices = list(field.choices)  # the widget keeps its own copy
        elif isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            field.choices = _relabel_empty(field.choices, _("All"))
        picker = REMOTE_FILTERS.get(name) or getattr(field, "picker", None)
        if picker and isinstance(widget, forms.TextInput | forms.NumberInput):
            field.widget = picker(attrs={k: v for k, v in widget.attrs.items() if k != "type"})


# Filters named alike in every app's filtersets that take a person or an instrument.
REMOTE_FILTERS = {
    "owner": PersonPicker,
    "delegatee": PersonPicker,
    "delegator": PersonPicker,
    "decided_by": PersonPicker,
    "delegation": DelegationPicker,
    "paragraph": ParagraphPicker,
}


MULTI_HELP = _(
    "Type to search and press Enter to add; remove one with its × button. "
    "(In a plain list, hold Ctrl or ⌘ to pick several.)"
)


def prepare_model_form(form) -> None:
    """A create or edit form's selects: "Choose…" (or "None" when the field may stay empty)
    instead of dashes, and native date pickers."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
            if isinstance(widget, forms.DateInput) and getattr(widget, "input_type", "") != "date":
                field.widget = DateInput(attrs=widget.attrs)
        elif type(widget) is forms.SelectMultiple and not any(
            key.startswith("hx-") for key in widget.attrs
        ):
            # Several choices (paragraphs, risks...) as chips in a search box, not Ctrl-click.
            widget.attrs["data-combobox"] = "multiple"
            widget.template_name = MultiPicker.template_name
            if not field.help_text:
                field.help_text = MULTI_HELP
        elif isinstance(field, forms.ModelChoiceField) and not isinstance(
            field, forms.ModelMultipleChoiceField
        ):
            if field.empty_label == DASHES:
                field.empty_label = _("Choose…") if field.required else _("None")
        elif isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            field.choices = _relabel_empty(
                field.choices, _("Choose…") if field.required else _("None")
            )


def _display(field, raw: list[str], cleaned):
    """How an active filter's value reads on its chip."""
    from core.templatetags.core_tags import un_date

    if isinstance(cleaned, datetime.date):
        return un_date(cleaned)
    if isinstance(cleaned, bool):
        return _("Yes") if cleaned else _("No")
    if isinstance(field, forms.ModelChoiceField):
        if cleaned is None:
            return ", ".join(raw)
        if hasattr(cleaned, "__iter__") and not isinstance(cleaned, str):
            return ", ".join(field.label_from_instance(o) for o in cleaned)
        return field.label_from_instance(cleaned)
    if isinstance(field, forms.ChoiceField):
        labels = {str(v): label for v, label in field.choices}
        return ", ".join(str(labels.get(v, v)) for v in raw)
    return ", ".join(raw)


def active_filters(filterset) -> list[dict]:
    """The filters in force, each with the link that removes it (the list's other filters and
    sort kept, paging dropped): shown as chips above the table."""
    if filterset is None or not filterset.is_bound:
        return []
    data = filterset.data
    form = filterset.form
    cleaned = form.cleaned_data if form.is_valid() else {}
    base = QueryDict(mutable=True)
    for key in data:
        if key not in ("cursor", "page", "export", "selected"):
            base.setlist(key, data.getlist(key))
    chips = []
    for name, field in form.fields.items():
        raw = [v for v in data.getlist(name) if v not in ("", "unknown")]
        if not raw:
            continue
        query = base.copy()
        query.pop(name, None)
        chips.append(
            {
                "name": name,
                "label": field.label or name,
                "value": _display(field, raw, cleaned.get(name)),
                "remove": query.urlencode(),
            }
        )
    return chips
