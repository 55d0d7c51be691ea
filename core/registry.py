"""Hooks through which each app contributes to project-wide pages without core knowing the app.

- `dashboard_card(fn)`: fn(user) -> list[Card]; the cards shown on `/`.
- `paragraph_evidence(fn)`: fn(user) -> dict[paragraph number, list[Evidence]]; what the tracker
  holds against each paragraph of the resolution, shown on `/resolution/`.
- `provide(name, fn)` / `provided(name)`: a named figure one app offers another.
Apps register in their AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass

_dashboard: list[Callable] = []
_evidence: list[Callable] = []


@dataclass
class Card:
    app: str  # app label, orders and groups the cards
    label: str
    value: object
    url: str = ""
    tone: str = ""  # "", "warn" or "alert": draws the eye to what needs action
    hint: str = ""


@dataclass
class Evidence:
    label: str
    count: int
    url: str = ""


def dashboard_card(fn: Callable) -> Callable:
    if fn not in _dashboard:
        _dashboard.append(fn)
    return fn


def paragraph_evidence(fn: Callable) -> Callable:
    if fn not in _evidence:
        _evidence.append(fn)
    return fn


_figures: dict[str, Callable] = {}


def provide(name: str, fn: Callable) -> Callable:
    """An app offers a named figure another app reads without importing it (e.g. performance's
    `delegation_trained_users`, which accountability's KPI on trained delegatees counts)."""
    _figures[name] = fn
    return fn


def provided(name: str) -> Callable | None:
    return _figures.get(name)


def dashboard_cards(user) -> list[Card]:
    cards: list[Card] = []
    for fn in _dashboard:
        cards.extend(fn(user))
    return cards


def evidence_by_paragraph(user) -> dict[int, list[Evidence]]:
    merged: dict[int, list[Evidence]] = {}
    for fn in _evidence:
        for number, items in fn(user).items():
            merged.setdefault(number, []).extend(items)
    return merged
