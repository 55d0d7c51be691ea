"""The one permission engine: every queryset of a domain record answers `restrict(user, action)`.

A model names its `policy`; a policy has one method per action ("view", "change", "delete", "add"
and each named transition: "sign", "review", "verify", ...) that narrows a queryset to the rows the
user may act on. Lists, pages, the API, forms' choices, services and the admin all ask the same
question through `restrict`, so each rule is written once. A record the user may not see answers
404; one they may see but not act on answers 403 (core.actions.require).
"""

import time

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection, models
from django.db.models import Value

from org.access import Access, access_for

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"


class Policy:
    """Who may do what to the rows of one model. Subclasses write one method per action:
    `def view(self, queryset, access) -> QuerySet`. Actions listed in `as_change` follow the
    `change` rule (most transitions are "whoever may change it")."""

    as_change: tuple[str, ...] = (ADD, DELETE)

    def rows(self, queryset: models.QuerySet, access: Access, action: str) -> models.QuerySet:
        method = getattr(self, action, None)
        if method is None and action in self.as_change:
            method = self.change
        if method is None or not callable(method):
            raise ImproperlyConfigured(
                f"{type(self).__name__} has no rule for {action!r} on {queryset.model.__name__}"
            )
        return method(queryset, access)

    def view(self, queryset, access):
        return queryset.none()

    def change(self, queryset, access):
        return queryset.none()


class ReferencePolicy(Policy):
    """Reference data: every signed-in user reads it, administrators change it."""

    def view(self, queryset, access):
        return queryset if access.authenticated else queryset.none()

    def change(self, queryset, access):
        return queryset if access.is_admin else queryset.none()


class AdminPolicy(Policy):
    def view(self, queryset, access):
        return queryset if access.is_admin else queryset.none()

    change = view


# A manager's subtree holding at most this many rows of a table read `by_ids_when_few` is read by
# the rows' ids.
FEW_ROWS = 1000

# A subtree found to hold more than the cap of a table's rows is narrowed by its units for this
# long without counting again (one round trip and a statement's compile fewer on each of a
# department manager's pages). The verdict decides only the statement's form: the units' test
# lists the same rows their ids would, so a subtree that has shrunk since is listed right.
LARGE_SECONDS = 300
_large_since: dict = {}


def known_large(key) -> bool:
    """Whether `key` (table, unit path, cap, subtree) was found large in the last LARGE_SECONDS."""
    since = _large_since.get(key)
    return since is not None and time.monotonic() - since < LARGE_SECONDS


def remember_large(key) -> None:
    _large_since[key] = time.monotonic()


def _compiled(queryset) -> tuple[str, tuple]:
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def ids_when_few(sides: dict, limit: int = FEW_ROWS) -> dict:
    """For each side `name: queryset`, the ids of the queryset's rows, or None when there are more
    than `limit` of them; one round trip for all sides.

    On PostgreSQL each side first counts up to limit + 1 rows selecting nothing but a constant (on
    a column's own index, an index-only scan: no table page read) and reads the ids only when they
    are few. Reading up to limit + 1 ids straight away visited a table page a row: 9 ms a request
    for a department manager whose five units hold 30,000 decisions, only to learn they are many."""
    found = {name: () for name in sides}
    names = [name for name, rows in sides.items() if not rows.query.is_empty()]
    if not names:
        return found
    if connection.vendor != "postgresql":
        # SQLite: no LIMIT inside a compound statement, and its tables are small: a query a side.
        for name in names:
            ids = tuple(sides[name].order_by().values_list("pk", flat=True)[: limit + 1])
            found[name] = None if len(ids) > limit else tuple(sorted(ids))
        return found

    counts, selects, params, asked, selects_params = [], [], [], [], []
    for name in names:
        rows = sides[name].order_by()
        try:
            count_sql, count_params = _compiled(
                rows.annotate(_one=Value(1)).values_list("_one")[: limit + 1]
            )
            ids_sql, ids_params = _compiled(rows.values_list("pk"))
        except EmptyResultSet:  # e.g. `unit__in=[]`: nothing to ask
            continue
        n = len(asked)
        asked.append(name)
        counts.append(f"n{n} AS MATERIALIZED (SELECT count(*) AS c FROM ({count_sql}) AS s)")
        params += count_params
        selects.append(
            (
                f"SELECT {n}, s.* FROM ({ids_sql}) AS s WHERE (SELECT c FROM n{n}) <= {limit:d} "
                f"UNION ALL SELECT {n}, NULL WHERE (SELECT c FROM n{n}) > {limit:d}"
            ),
        )
        selects_params.append(ids_params)
    if not asked:
        return found
    for more in selects_params:
        params += more
    by_side = {name: [] for name in asked}
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(counts)} {' UNION ALL '.join(selects)}", params)
        for n, pk in cursor.fetchall():
            by_side[asked[n]].append(pk)
    for name, ids in by_side.items():
        found[name] = None if None in ids else tuple(sorted(ids))
    return found


class UnitPolicy(Policy):
    """Records owned by an org unit (through `unit_field`). Administrators, oversight bodies and
    GA staff read all; a manager reads and changes the unit subtree; administrators change all.

    `by_ids_when_few` (the tables of millions of rows): a manager's list is narrowed by the ids
    of the subtree's rows when there are at most FEW_ROWS of them, read by one small query. The
    planner estimates `unit_id IN (...)` from the average unit: at ten million decisions it
    expected thousands of rows for the demo manager's four units (who had seven) and walked the
    whole table by date to fill a page; `id IN (...)` it estimates exactly."""

    unit_field = "unit"
    by_ids_when_few = False

    @property
    def page_by_unit(self) -> bool:
        """Whether a page of a subtree's rows is read unit by unit (core.db.pages): the tables
        whose subtrees may hold many rows."""
        return self.by_ids_when_few

    def __init__(
        self,
        unit_field: str | None = None,
        as_change: tuple[str, ...] | None = None,
        by_ids_when_few: bool | None = None,
    ):
        if unit_field:
            self.unit_field = unit_field
        if as_change is not None:
            self.as_change = (*Policy.as_change, *as_change)
        if by_ids_when_few is not None:
            self.by_ids_when_few = by_ids_when_few

    def in_subtree(self, queryset, access: Access):
        return queryset.filter(**{f"{self.unit_field}__in": access.subtree_ids()})

    def viewable_in_subtree(self, queryset, access: Access):
        """The subtree's rows, as `in_subtree`, by their ids when few (`by_ids_when_few`)."""
        if not self.by_ids_when_few:
            return self.in_subtree(queryset, access)
        model, subtree = queryset.model, access.subtree_ids()
        large = (model._meta.label_lower, self.unit_field, FEW_ROWS, subtree)
        if known_large(large):
            return queryset.filter(**{f"{self.unit_field}__in": subtree})
        rows = self.in_subtree(model._base_manager.all(), access)
        ids = access.resolved(
            f"few:{model._meta.label_lower}:{self.unit_field}:{FEW_ROWS}",
            lambda: ids_when_few({"units": rows}, limit=FEW_ROWS)["units"],
        )
        if ids is None:
            remember_large(large)
            return queryset.filter(**{f"{self.unit_field}__in": subtree})
        return queryset.filter(pk__any_of=ids)

    def view(self, queryset, access):
        if access.can_read_all:
            return queryset
        if access.is_manager:
            return self.viewable_in_subtree(queryset, access)
        return queryset.none()

    def change(self, queryset, access):
        if access.is_admin:
            return queryset
        if access.is_manager:
            return self.in_subtree(queryset, access)
        return queryset.none()


class PersonalPolicy(UnitPolicy):
    """Records about a named person (appraisals, cases, declarations): GA staff read only
    aggregates, so they see none of the rows."""

    def view(self, queryset, access):
        if access.is_ga_staff:
            return queryset.none()
        return super().view(queryset, access)


class RestrictedQuerySet(models.QuerySet):
    """The base of every domain queryset: `restrict(user, action)` is the only way to scope."""

    def restrict(self, user, action: str = VIEW):
        policy = getattr(self.model, "policy", None)
        if policy is None:
            raise ImproperlyConfigured(f"{self.model.__name__} has no policy")
        return policy.rows(self, access_for(user), action)

    def hidden_fields(self, user) -> frozenset[str]:
        """The fields of these records the user may not read (the policy's `hidden_fields`):
        blanked alike in the API, the API history and the history tab of the pages."""
        hide = getattr(getattr(self.model, "policy", None), "hidden_fields", None)
        return frozenset(hide(access_for(user))) if hide else frozenset()
