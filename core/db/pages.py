"""A list page of a unit subtree read unit by unit (issue 13, the department manager's lists).

A manager whose subtree holds many rows of a big table is scoped by `unit_id IN (...)`
(org.permissions: ids only when few). For a page in the list's order, PostgreSQL then walks the
order's index over the whole table and drops every row of another unit until it has a page: fast
when the subtree's rows are spread through the order, and slow when they are not. Two units of the
factor-1 database holding 2,923 older decisions made the first page walk past 306,683 decisions
(845 ms); at ten million decisions a department's page took 12.9 s.

Each unit's own rows come in the list's order from its `(unit, first sort key)` index, so the page
is the first rows of the units' first rows: one small ordered read a unit, in the same statement,

    WHERE ... AND id IN (SELECT id FROM ((unit 1's first page) UNION ALL (unit 2's) ...)
      ORDER BY <the list's order> LIMIT <page>)

whatever the size of the table and wherever the subtree's rows sit in it. A scope that is
`unit_id IN (...) OR <another test>` (a manager's subtree, or what was decided under instruments
they issued) adds the other test's first page by UNION. Only for models whose policy says their
subtrees may hold many rows (`page_by_unit`), in the API's and the pages' keyset pagination;
every other list reads as before."""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, OrderBy
from django.db.models.expressions import Col, RawSQL
from django.db.models.lookups import In
from django.db.models.sql.where import OR, WhereNode

# A subtree of more units is read as before: each unit is one index read of up to a page.
MAX_UNITS = 64
_NO_UNIT = -2_147_480_001  # the compiled branch's unit (no id is negative), replaced by each unit


def page_queryset(queryset, limit: int):
    """`queryset` narrowed to the ids of its first `limit` rows read unit by unit, or `queryset`
    itself when it is not a unit subtree's list that an index serves so (see the module)."""
    if connection.vendor != "postgresql":
        return queryset
    plan = _plan(queryset)
    if plan is None:
        return queryset
    keys, unit_field, position, units, others = plan
    # Compiled once, for a unit no table holds; each unit's branch is that statement with its
    # own unit as the parameter (a literal value: the planner reads that unit's statistics,
    # where a lateral join's `unit_id = u.unit` is planned for the average unit and sorted
    # every row of a large one).
    # The scope's test is replaced by the unit's, not ANDed with it: with both, the planner
    # multiplies their selectivities, expects one row a unit, and at ten million decisions read
    # each unit's rows by the bare foreign key's index and sorted them all.
    one_unit = _with_child(queryset, position, []).filter(**{unit_field.attname: _NO_UNIT})
    try:
        branch_sql, branch_params = _first_rows_sql(one_unit, keys, limit)
    except EmptyResultSet:  # the list can hold no row: the plain query says so itself
        return queryset
    others_sql, others_params = None, []
    if others is not None:
        try:
            others_sql, others_params = _first_rows_sql(others, keys, limit)
        except EmptyResultSet:  # the OR's other side holds no row (`id = ANY('{}')`)
            pass
    at = [n for n, value in enumerate(branch_params) if type(value) is int and value == _NO_UNIT]
    if len(at) != 1:
        return queryset
    parts, params = [], []
    for unit in units:
        parts.append(f"({branch_sql})")
        params += [*branch_params[: at[0]], unit, *branch_params[at[0] + 1 :]]
    if others_sql is not None:
        parts.append(f"({others_sql})")
        params += others_params
    columns = ", ".join(f"c{n}" for n in range(len(keys) + 1))
    order = ", ".join(
        f"c{n + 1} {'DESC' if descending else 'ASC'}" for n, (_name, descending) in enumerate(keys)
    )
    # UNION ALL: the units' rows are apart; UNION when a row of the subtree may also be one the
    # other test finds.
    union = " UNION " if others_sql is not None else " UNION ALL "
    sql = (
        f"SELECT c0 FROM ({union.join(parts)}) AS page_by_unit ({columns}) "
        f"ORDER BY {order} LIMIT {int(limit):d}"
    )
    return queryset.filter(pk__in=RawSQL(sql, params))


def _first_rows_sql(queryset, keys, limit: int):
    rows = queryset.values_list("pk", *(name for name, _descending in keys))[:limit]
    sql, params = rows.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def _plan(queryset):
    """(sort keys, the unit field, the scope's place among the top-level tests, the units, the
    queryset of the scope's other test or None), or None."""
    query = queryset.query
    if query.is_sliced or query.combinator or query.distinct or query.group_by:
        return None
    unit_field = _unit_field(queryset.model)
    if unit_field is None:
        return None
    keys = _sort_keys(queryset)
    if keys is None or not _served_by_index(queryset.model, unit_field, keys[0][0]):
        return None
    where, base = query.where, query.base_table
    if where.connector != "AND" or where.negated:
        return None
    for position, child in enumerate(where.children):
        units = _units_in(child, unit_field, base)
        if units is not None:
            return keys, unit_field, position, units, None
        if isinstance(child, WhereNode) and child.connector == OR and not child.negated:
            inside = [_units_in(grandchild, unit_field, base) for grandchild in child.children]
            found = [n for n, units in enumerate(inside) if units is not None]
            if len(found) != 1:
                continue
            units = inside[found[0]]
            others = [c for n, c in enumerate(child.children) if n != found[0]]
            return keys, unit_field, position, units, _with_child(queryset, position, others)
    return None


def _unit_field(model):
    """The model's unit column as its policy names it, when it is the model's own foreign key
    and the policy says its subtrees may hold many rows (`page_by_unit`)."""
    policy = getattr(model, "policy", None)
    if not getattr(policy, "page_by_unit", False):
        return None
    name = getattr(policy, "unit_field", None)
    if not name or "__" in name:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a policy naming no field of its own: not this path
        return None
    return field if field.concrete and field.many_to_one else None


def _units_in(node, unit_field, base_alias: str):
    """The units of `unit_id IN (...)` on the listed table when `node` is that test (2 to
    MAX_UNITS of them)."""
    if not isinstance(node, In) or not isinstance(node.lhs, Col):
        return None
    if node.lhs.target != unit_field or node.lhs.alias != base_alias:
        return None
    values = node.rhs
    if not isinstance(values, (list, tuple, set, frozenset)):
        return None
    units = sorted({v for v in values if v is not None})
    if not 2 <= len(units) <= MAX_UNITS or not all(type(v) is int for v in units):
        return None
    return units


def _sort_keys(queryset) -> list[tuple[str, bool]] | None:
    """The order as (the model's own non-null column, descending), ending with the primary key
    (so it is a total order the outer ORDER BY repeats), or None."""
    query = queryset.query
    model = queryset.model
    order = list(query.order_by) or (list(model._meta.ordering) if query.default_ordering else [])
    keys = []
    for item in order:
        if isinstance(item, str):
            name, descending = item.lstrip("-+"), item.startswith("-")
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            if item.nulls_first or item.nulls_last:
                return None
            name, descending = item.expression.name, item.descending
        else:
            return None
        annotation = query.annotations.get(name)
        if annotation is not None:
            if not isinstance(annotation, F):
                return None
            name = annotation.name
        if name == "pk":
            name = model._meta.pk.name
        if "__" in name:
            # Through a relation (appraisals by staff name): each unit's rows would be joined and
            # sorted whole; with the planner's default costs it hashed every staff record a unit
            # (factor 1: 30-40 ms where the walk took 16), so such an order reads as before.
            return None
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - an expression: not this path
            return None
        if not field.concrete or field.null or field.is_relation:
            return None
        keys.append((field.name, descending))
        if field.primary_key:
            return keys
    return None


def _served_by_index(model, unit_field, first_key: str) -> bool:
    """Whether an index reads one unit's rows in the order's first key."""
    for index in model._meta.indexes:
        fields = [name.lstrip("-") for name in index.fields]
        if len(fields) >= 2 and fields[0] == unit_field.name and fields[1] == first_key:
            return True
    return False


def _with_child(queryset, position: int, others: list):
    """`queryset` with its top-level test at `position` (an OR) narrowed to `others`, or left out
    when there are none."""
    clone = queryset.all()
    where = clone.query.where
    if not others:
        replacement = []
    elif len(others) == 1:
        replacement = [others[0]]
    else:
        replacement = [WhereNode(others, connector=OR)]
    where.children = [*where.children[:position], *replacement, *where.children[position + 1 :]]
    return clone
