"""The dashboard's figures, computed once per scope and served from the cache until a write
changes them.

Every app's cards (core.registry) are computed together, stored in the Django cache (Redis in
production) with the time they were computed, and read back by every user of the same *scope*:
the same role kind, unit and oversight body, language and day. A thousand managers of one unit
share one entry; a manager of another unit never reads it. Figures that depend on the person
themselves (instruments they issued or hold outside their unit, risks they own, procurement
panels they sit on) make the scope personal: each app's `dashboard.py` names the rows that do,
through `personal_rows`, and one query asks whether the user has any.

A save, delete or many-to-many change of any tracked record moves the cache's version on (at
once and again when its transaction commits, so figures computed in between are not kept), so
every scope recomputes on its next visit. Bulk writes (imports, seeds) send no signals: their
figures show at most MAX_AGE later, and the page says when its figures were computed.
"""

import datetime
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules

from core.models import TrackedModel
from core.registry import Card, dashboard_cards

MAX_AGE = 10 * 60  # seconds
logger = logging.getLogger(__name__)

_personal: list[Callable] = []
_scope: list[Callable] = []
_discovered = False


def scope(fn: Callable) -> Callable:
    """Register fn(user) -> list of strings naming what the figures depend on (role kind, unit,
    body), or None for someone with no dashboard. org.dashboard registers the one rule; without
    it every user is their own scope."""
    _scope[:] = [fn]
    return fn


def personal_rows(fn: Callable) -> Callable:
    """Register fn(user) -> iterable of querysets: rows that count on this user's
    dashboard only because of who they are (not their unit or body). Any such row makes the
    user's figures their own."""
    if fn not in _personal:
        _personal.append(fn)
    return fn


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("dashboard")
        _discovered = True


def _prefix() -> str:
    # The database's name keeps two databases behind one Redis (tests, benchmark) apart.
    return f"dashboard:{connection.settings_dict['NAME']}"


def _version_key() -> str:
    return f"{_prefix()}:version"


def invalidate() -> None:
    """Every scope recomputes on its next visit (bulk writers may call it when done)."""
    key = _version_key()
    try:
        if hasattr(cache, "incr_creating"):
            cache.incr_creating(key)  # Redis: one command (core.cache)
        else:
            cache.add(key, 0, None)
            cache.incr(key)
    except Exception:  # a write must never fail because the cache is away
        logger.warning("Could not move the dashboard cache on", exc_info=True)


def _on_write(sender, instance=None, **kwargs) -> None:
    # m2m_changed's sender is the through table: the record is the instance either way.
    if not isinstance(instance, TrackedModel):
        return
    invalidate()
    if connection.in_atomic_block:
        # Once per transaction: a request may have recomputed from the uncommitted state's
        # neighbours before the commit made the change visible.
        if not any(entry[1] is invalidate for entry in connection.run_on_commit):
            transaction.on_commit(invalidate)


post_save.connect(_on_write, dispatch_uid="core.dashboard.save")
post_delete.connect(_on_write, dispatch_uid="core.dashboard.delete")
m2m_changed.connect(_on_write, dispatch_uid="core.dashboard.m2m")


def _is_personal(user) -> bool:
    """One query: does any app hold rows that count for this user personally?"""
    parts, params = [], []
    for fn in _personal:
        for queryset in fn(user) or ():
            if queryset.query.is_empty():
                continue
            sql, qparams = queryset.values("pk")[:1].query.sql_with_params()
            parts.append(f"EXISTS ({sql})")
            params.extend(qparams)
    if not parts:
        return False
    # Each EXISTS a column of its own (an index probe each), not ORed: the pages' query shape
    # (tests/performance/test_query_shapes.py) has no OR over sub-selects.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return any(cursor.fetchone())


def scope_key(user) -> str | None:
    """What the figures depend on; None for someone not signed in."""
    _discover()
    if not getattr(user, "is_authenticated", False):
        return None
    parts = _scope[0](user) if _scope else [f"user-{user.pk}"]
    if parts is None:
        return None
    parts = [*parts, translation.get_language() or "-", timezone.localdate().isoformat()]
    if _scope and _is_personal(user):
        parts.append(f"user-{user.pk}")
    return ":".join(parts)


def _plain(card: Card) -> dict:
    # Translated now, in the request's language (part of the key): lazy strings do not pickle
    # into one language.
    data = dict(card.__dict__)
    for name, value in data.items():
        if value is not None and not isinstance(value, int | float | str | bool):
            data[name] = str(value)
    return data


def _card(data: dict) -> Card:
    fields = {k: data[k] for k in ("app", "label", "value", "url", "tone", "hint")}
    card = Card(**fields)
    for name, value in data.items():
        if name not in fields:
            setattr(card, name, value)
    return card


def cards_for(user) -> tuple[list[Card], datetime.datetime]:
    """The user's dashboard cards and when they were computed."""
    key = scope_key(user)
    if key is None:
        return [], timezone.now()
    try:
        version = cache.get(_version_key(), 0)
        full_key = f"{_prefix()}:{version}:{key}"
        stored = cache.get(full_key)
    except Exception:
        logger.warning("Dashboard cache unavailable; computing the figures", exc_info=True)
        return dashboard_cards(user), timezone.now()
    if stored is not None:
        return [_card(c) for c in stored["cards"]], stored["at"]
    computed_at = timezone.now()
    cards = dashboard_cards(user)
    try:
        cache.set(full_key, {"cards": [_plain(c) for c in cards], "at": computed_at}, MAX_AGE)
    except Exception:
        logger.warning("Could not store the dashboard figures", exc_info=True)
    return cards, computed_at


def cached(user, name: str, params: str, compute: Callable):
    """`compute()` for this user's scope and these parameters, from the cache while no tracked
    write has happened since (another page's figures: the monitoring page's). Returns the value
    and when it was computed."""
    key = scope_key(user)
    if key is None:
        return compute(), timezone.now()
    try:
        full_key = f"{_prefix()}:{cache.get(_version_key(), 0)}:{key}:{name}:{params}"
        stored = cache.get(full_key)
    except Exception:
        logger.warning("Figures cache unavailable; computing them", exc_info=True)
        return compute(), timezone.now()
    if stored is not None:
        return stored
    value = (compute(), timezone.now())
    try:
        cache.set(full_key, value, MAX_AGE)
    except Exception:
        logger.warning("Could not store the figures of %s", name, exc_info=True)
    return value
