"""The change history as people read it (the History section of every record's page): field labels
in the reader's language (the model's verbose names), names instead of ids (units, people, bodies,
paragraphs, any related record), values written as on the page (choices' labels, yes/no, UN style
dates, grouped amounts), and the actor's name instead of "user:manager".

It reads only what entries expose (core.models.HistoryEntry: `at`, `user_id`, `actor`, `action`,
`object_type`, `changes` as {field: [before, after]}, `seq`, `sha256`). Related ids are resolved
for the whole page at once: one query per related model and one for the actors, whatever the
number of entries. A related record the reader may not see (its model's `restrict`) is not named.
"""

import datetime
import decimal
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _own_un_date(value) -> str:
    """UN style, "20 November 2026" / "2026年11月20日" (with the time for a datetime)."""
    time = ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        time = value.strftime("%H:%M")
    chinese = (get_language() or "").startswith("zh")
    if chinese:
        text = f"{value.year}年{value.month}月{value.day}日"
        return f"{text} {time}" if time else text
    text = f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    return f"{text}, {time}" if time else text


def un_date(value) -> str:
    """The project's one date style (core_tags.un_date once it is there, this module's twin
    until then)."""
    try:
        from core.templatetags.core_tags import un_date as shared
    except ImportError:
        return _own_un_date(value)
    return shared(value)


@dataclass
class Change:
    name: str
    label: str
    before: str
    after: str
    hidden: bool = False


@dataclass
class ReadableEntry:
    entry: Any
    action: str
    actor: str
    at: datetime.datetime
    at_text: str
    changes: list[Change] = field(default_factory=list)

    @property
    def seq(self):
        return self.entry.seq

    @property
    def sha256(self) -> str:
        return self.entry.sha256


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _related_model(f):
    if f is not None and (f.many_to_one or f.one_to_one or f.many_to_many) and f.related_model:
        return f.related_model
    return None


def _ids(value) -> list:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [v for v in value if v is not None]
    return [value]


class _Names:
    """Names of related records and of actors, fetched once for the whole page."""

    def __init__(self, reader):
        self.reader = reader
        self.wanted: dict[Any, set] = defaultdict(set)
        self.found: dict[Any, dict] = {}

    def want(self, model, ids) -> None:
        for pk in ids:
            self.wanted[model].add(str(pk))

    def resolve(self) -> None:
        user_model = get_user_model()
        for model, ids in self.wanted.items():
            if model is user_model:
                self.found[model] = self._people(ids)
                continue
            queryset = model._default_manager.all()
            restrict = getattr(queryset, "restrict", None)
            if restrict is not None and getattr(model, "policy", None) is not None:
                queryset = restrict(self.reader, "view")
            pks = _typed_pks(model, ids)
            rows = queryset.filter(pk__in=pks).select_related() if pks else []
            self.found[model] = {str(obj.pk): _name_of(obj) for obj in rows}

    def _people(self, ids) -> dict:
        """Accounts by the name of their staff member when the reader may see that person,
        otherwise by username (never for GA staff, who read no personal data)."""
        from org.access import access_for
        from org.models import Person

        pks = [int(i) for i in ids if str(i).isdigit()]
        if not pks:
            return {}
        names = dict(
            Person.objects.restrict(self.reader, "view")
            .filter(user_id__in=pks)
            .values_list("user_id", "name")
        )
        own = getattr(self.reader, "pk", None)
        if own in pks and own not in names:
            names[own] = self.reader.get_username()  # the reader may always read their own name
        if access_for(self.reader).is_ga_staff:
            return {str(pk): name for pk, name in names.items()}
        usernames = dict(
            get_user_model()
            .objects.filter(pk__in=[pk for pk in pks if pk not in names])
            .values_list("pk", "username")
        )
        return {
            str(pk): names.get(pk) or usernames.get(pk)
            for pk in pks
            if pk in names or pk in usernames
        }

    def name(self, model, pk) -> str:
        found = self.found.get(model, {}).get(str(pk))
        # A record or account the reader may not see is not named, nor numbered.
        return found if found else _("(not shown)")


def _typed_pks(model, ids) -> list:
    pk_field = model._meta.pk
    typed = []
    for value in ids:
        try:
            typed.append(pk_field.to_python(value))
        except Exception:  # noqa: BLE001 (a malformed stored id is shown as stored)
            continue
    return typed


def _name_of(obj) -> str:
    if hasattr(obj, "display_name") and hasattr(obj, "code"):
        return f"{obj.code} – {obj.display_name}"
    return str(obj)


def _parse_date(value, with_time: bool):
    if not isinstance(value, str):
        return None
    try:
        if with_time:
            return datetime.datetime.fromisoformat(value)
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _format(f, value, names: _Names) -> str:
    """One stored value as the record's page writes it."""
    if value is None or value == "" or value == []:
        return "—"
    related = _related_model(f)
    if related is not None:
        return ", ".join(names.name(related, pk) for pk in _ids(value)) or "—"
    if f is None:
        return str(value)
    if getattr(f, "flatchoices", None):
        labels = {str(k): v for k, v in f.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(f, models.BooleanField):
        return _("yes") if value in (True, "True", "true") else _("no")
    if isinstance(f, models.DateTimeField):
        parsed = _parse_date(value, with_time=True)
        return un_date(parsed) if parsed else str(value)
    if isinstance(f, models.DateField):
        parsed = _parse_date(value, with_time=False)
        return un_date(parsed) if parsed else str(value)
    if isinstance(f, models.DecimalField | models.FloatField):
        try:
            number = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            return str(value)
        places = getattr(f, "decimal_places", None)
        # Grouped with commas in every language, as the pages write amounts (Django's Chinese
        # formats leave the grouping out).
        return f"{number:,.{places}f}" if places is not None else f"{number:,}"
    return str(value)


def _actor_label(entry, names: _Names) -> str:
    user_model = get_user_model()
    if entry.user_id is not None:
        found = names.found.get(user_model, {}).get(str(entry.user_id))
        if found:
            return found
    label = entry.actor or ""
    kind, _sep, rest = label.partition(":")
    if kind == "user" and rest:
        return rest
    if kind == "command":
        return _("System (command %(name)s)") % {"name": rest}
    if kind == "task":
        return _("System (scheduled job)")
    if label == "system":
        return _("System")
    return label


def readable(entries, reader) -> list[ReadableEntry]:
    """The page's history entries, readable: every related id and every actor resolved in one
    query per model for all of them."""
    entries = list(entries)
    names = _Names(reader)
    user_model = get_user_model()
    plans = []
    for entry in entries:
        model = _model(entry.object_type)
        changes = entry.changes or {}
        fields = {}
        for name, values in changes.items():
            f = _field(model, name)
            fields[name] = f
            related = _related_model(f)
            if related is not None and isinstance(values, list | tuple) and len(values) == 2:
                names.want(related, [*_ids(values[0]), *_ids(values[1])])
        if entry.user_id is not None:
            names.want(user_model, [entry.user_id])
        plans.append((entry, model, fields))
    names.resolve()
    result = []
    for entry, _model_class, fields in plans:
        changes = []
        for name, values in (entry.changes or {}).items():
            f = fields[name]
            if name == "id" and entry.action == "create":
                continue  # the record's own number: the page is the record
            label = (
                capfirst(str(f.verbose_name))
                if f is not None and hasattr(f, "verbose_name")
                else name
            )
            if not isinstance(values, list | tuple) or len(values) != 2:
                changes.append(Change(name, label, "—", str(values)))
                continue
            before, after = values
            if before is None and after is None:
                # Redacted for this reader (core.generic.HistoryMixin): it changed, values hidden.
                # (No entry stores None on both sides: a create or delete keeps one side only.)
                changes.append(Change(name, label, "", "", hidden=True))
                continue
            before_text, after_text = _format(f, before, names), _format(f, after, names)
            if before_text == after_text == "—":
                continue  # a create's empty field ("" stored): nothing to read
            changes.append(Change(name, label, before_text, after_text))
        result.append(
            ReadableEntry(
                entry=entry,
                action=capfirst(str(entry.get_action_display())),
                actor=_actor_label(entry, names),
                at=entry.at,
                at_text=un_date(entry.at),
                changes=changes,
            )
        )
    return result
