"""Figure references in an edition's narrative: `{{ C.by_body.OIOS.implementation_rate }}` is
replaced by that figure of the edition's snapshot, written in the edition's language, so the words
of the report and its figures can never drift apart.

A reference is a dotted path. Its first part names where to look:
- a section code of the resolution (`A` to `K`, `R`): that section's metrics
  (`C.by_body.BOA.overdue`, `D.appraisal_compliance_rate`, `K.amount_recovered`);
- `headline`: the report's headline figures by key (`headline.implementation_rate`);
- `previous`: the same headline figures for the previous period of the same length;
- `period`: `period.start` and `period.end`, written as dates.
The following parts walk into the figures; a number picks an item of a list
(`C.critical_past_due.0.days_past_due`). A reference must end on one figure (a number, an amount,
a word), not on a table. `problems()` lists every reference that does not: an edition with any
cannot be approved, and the editor's preview shows them.
"""

import datetime
import re

from django.utils import translation
from django.utils.translation import gettext as _

from reports.gadoc import date_label
from reports.layout import display
from reports.un_style import per_cent

REFERENCE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
PATH = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")
_MISSING = object()


class UnknownReference(LookupError):
    """A reference that names no figure of the snapshot; its message says why."""


def references(text: str) -> list[str]:
    """The references of a text as written (stripped), in order."""
    return [match.group(1).strip() for match in REFERENCE.finditer(text or "")]


def _root(snapshot: dict, name: str):
    if name == "headline":
        return {item["key"]: item["value"] for item in snapshot.get("headline", [])}
    if name == "previous":
        return dict((snapshot.get("previous_period") or {}).get("headline") or {})
    if name == "period":
        return dict(snapshot.get("period") or {})
    for section in snapshot.get("sections", []):
        if section.get("code") == name:
            return section.get("metrics") or {}
    return _MISSING


def resolve(path: str, snapshot: dict):
    """The value `path` names in the snapshot, or UnknownReference."""
    if not PATH.match(path):
        raise UnknownReference(
            _("“%(reference)s” is not a figure reference: write parts joined by dots.")
            % {"reference": path}
        )
    parts = path.split(".")
    value = _root(snapshot, parts[0])
    if value is _MISSING:
        raise UnknownReference(
            _(
                "“%(reference)s”: “%(part)s” is neither a section of the resolution (A to K, R) "
                "nor headline, previous or period."
            )
            % {"reference": path, "part": parts[0]}
        )
    for depth, part in enumerate(parts[1:], start=1):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise UnknownReference(
                _("“%(reference)s”: there is no figure “%(part)s” under “%(parent)s”.")
                % {"reference": path, "part": part, "parent": ".".join(parts[:depth])}
            )
    if isinstance(value, dict | list):
        raise UnknownReference(
            _("“%(reference)s” names a table of figures, not one figure: add the figure's name.")
            % {"reference": path}
        )
    return value


def format_value(path: str, value, language: str) -> str:
    """A figure as the report's text writes it in `language`: thousands separated, rates as
    "45.3 per cent" (UN English style), "45.3 pour cent", "45.3%", dates as the report writes
    them."""
    key = path.rsplit(".", 1)[-1]
    with translation.override(language):
        if path.startswith("period.") and isinstance(value, str):
            try:
                return date_label(datetime.date.fromisoformat(value), language)
            except ValueError:
                return value
        text = display(key, value)
        if value is not None and isinstance(value, int | float) and key.endswith("rate"):
            return per_cent(text, language)
        return text


def fill(text: str, snapshot: dict) -> str:
    """The text with every reference replaced by its figure, in the snapshot's language. An
    unknown reference is left as written (problems() reports it; approval is refused on it)."""
    language = snapshot.get("language", "en")

    def replace(match: re.Match) -> str:
        path = match.group(1).strip()
        try:
            value = resolve(path, snapshot)
        except UnknownReference:
            return match.group(0)
        return format_value(path, value, language)

    return REFERENCE.sub(replace, text or "")


def problems(text: str, snapshot: dict) -> list[str]:
    """A message for each reference of the text that names no figure of the snapshot."""
    found = []
    for path in references(text):
        try:
            resolve(path, snapshot)
        except UnknownReference as exc:
            found.append(str(exc))
    return found
