"""Model constraints decided without a query where the record's own values decide them.

Django validates a CheckConstraint, and the condition of a conditional UniqueConstraint, by
sending the condition to the database with the record's values (`Q.check`): a statement, and
inside a transaction a savepoint before and after it. A decision's save paid six round trips
for two conditions that its own fields answer (`amount >= 0 or null`; `reference <> ''`).
`decide` answers such a condition in Python, with SQL's three-valued logic, and says
"undecided" for anything else (a join, a transform, a function, a text ordering, mixed
types), which then goes to the database as before. The same answers, checked against the
database's on a table of cases (core/tests/test_constraints.py).
"""

import datetime
import decimal
import operator

from django.db.models import CheckConstraint, F, Q, UniqueConstraint, Value


class Undecided(Exception):
    """The condition needs the database."""


_COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_NUMBERS = (int, float, decimal.Decimal)


def _plain(value, against: dict):
    if isinstance(value, F):
        if value.name not in against:
            raise Undecided
        value = against[value.name]
    if isinstance(value, Value):
        value = value.value
    if hasattr(value, "resolve_expression"):
        raise Undecided
    return value


def _comparable(a, b, op: str) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b)
    if isinstance(a, _NUMBERS) and isinstance(b, _NUMBERS):
        return True
    if isinstance(a, datetime.datetime) or isinstance(b, datetime.datetime):
        # An aware and a naive datetime do not compare; the database would convert.
        return (
            type(a) is type(b)
            and (a.tzinfo is None) == (b.tzinfo is None)
            and isinstance(a, datetime.datetime)
        )
    if isinstance(a, str):
        # Text orders by the database's collation, not by code point: equality only.
        return isinstance(b, str) and op == "exact"
    return type(a) is type(b) and isinstance(a, datetime.date | int)


def _lookup(lookup: str, wanted, against: dict):
    name, _, op = lookup.partition("__")
    op = op or "exact"
    if name not in against:
        raise Undecided  # an excluded field, a relation, or a transform: Django decides
    have = _plain(against[name], against)
    wanted = _plain(wanted, against)
    if op == "isnull" and isinstance(wanted, bool):
        return (have is None) is wanted
    if op == "exact" and wanted is None:
        return have is None
    if op not in _COMPARE:
        raise Undecided
    if have is None or wanted is None:
        return None  # SQL's unknown
    if not _comparable(have, wanted, op):
        raise Undecided
    return bool(_COMPARE[op](have, wanted))


def decide(condition: Q, against: dict) -> bool | None:
    """The condition's value for these values (`Model._get_field_expression_map`): True,
    False, or None for SQL's unknown. Raises Undecided where the database must say."""
    if not isinstance(condition, Q):
        raise Undecided
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(decide(child, against))
        elif isinstance(child, tuple) and len(child) == 2:
            results.append(_lookup(child[0], child[1], against))
        else:
            raise Undecided
    if condition.connector == Q.AND:
        value = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        value = True if True in results else (None if None in results else False)
    else:
        raise Undecided
    if condition.negated and value is not None:
        value = not value
    return value


def settled_without_query(constraint, model, instance, exclude) -> bool:
    """Whether `constraint` is validated for `instance` here, with no query: True when it holds
    (a check whose condition is true or unknown; a conditional unique constraint whose
    condition is false, so it does not apply); False when the database must be asked, which
    also decides every violation."""
    if isinstance(constraint, CheckConstraint):
        condition = constraint.condition
    elif isinstance(constraint, UniqueConstraint) and constraint.condition is not None:
        condition = constraint.condition
    else:
        return False
    against = instance._get_field_expression_map(meta=model._meta, exclude=exclude)
    try:
        value = decide(condition, against)
    except (Undecided, TypeError):
        return False
    if isinstance(constraint, CheckConstraint):
        return value is not False  # as the database's COALESCE(condition, true)
    return value is False


def loaded_relations(instance, exclude) -> list:
    """The foreign keys of `instance` whose existence check needs no query: the related record
    is attached to the instance as loaded from the database (a serializer's or form's choice,
    the acting user), its key is the one the field holds, and the field has no
    `limit_choices_to` (which only a query can judge). Django's ForeignKey.validate would send
    `SELECT 1 ... WHERE id = %s` for each: two of a decision's save. The database's foreign key
    still refuses a record deleted in between, as it would after Django's query."""
    found = []
    for field in instance._meta.concrete_fields:
        if (
            not field.many_to_one
            or field.name in exclude
            or field.remote_field.parent_link
            or not field.is_cached(instance)
            or field.get_limit_choices_to()
        ):
            continue
        related = field.get_cached_value(instance)
        value = getattr(instance, field.attname)
        if (
            related is None
            or value is None
            or related._state.adding
            or related._state.db is None
            or getattr(related, field.target_field.attname) != value
        ):
            continue
        found.append(field)
    return found
