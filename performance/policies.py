"""Who may do what in performance, each rule written once (docs/architecture.md).

Compacts and their parts, indicators and their results belong to an org unit: administrators,
oversight bodies and GA staff read them all; a manager reads and changes the unit subtree.
Appraisals and underperformance cases are personal data: administrators and the unit's managers
read them by name; everyone else (oversight bodies and GA staff included) reads only aggregates,
with small groups suppressed (performance.metrics).
"""

import time

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL

from core.db.lookups import EqualsAny, array_parameter
from org import access as org_access
from org import permissions
from org.access import access_for
from org.permissions import AdminPolicy, PersonalPolicy, ReferencePolicy, UnitPolicy

# A manager's subtree found to hold few rows of a table (permissions.FEW_ROWS) when last counted:
# (label, unit field, limit, subtree) -> (generation of org.access, monotonic time). A large one
# is kept by org.permissions.known_large.
_SUBTREE_IS_SMALL: dict[tuple, tuple[int, float]] = {}
# (label, unit field) -> the text of the sub-select reading a subtree's ids (_subtree_ids).
_SUBTREE_IDS_SQL: dict[tuple, str] = {}
SUBTREE_SIZE_SECONDS = 300.0


class CompactPolicy(UnitPolicy):
    """Whoever may change a compact (an administrator, a manager of its unit) signs it. The
    assessment is the Management Performance Board's, recorded by an administrator: a senior
    manager never assesses their own compact."""

    unit_field = "unit"
    as_change = ("add", "delete", "sign")

    def assess(self, queryset, access):
        return queryset if access.is_admin else queryset.none()


class CompactPartPolicy(UnitPolicy):
    """Objectives and findings follow their compact's unit."""

    unit_field = "compact__unit"


class BoardFindingPolicy(CompactPartPolicy):
    """Closing a finding is open to whoever may change it (the compact's unit managers)."""

    as_change = ("add", "delete", "close", "remind")


class AppraisalPolicy(PersonalPolicy):
    """Named appraisals: administrators and the unit's managers only. Oversight bodies and GA
    staff read every other record, but not these.

    A manager's list is narrowed as UnitPolicy.by_ids_when_few narrows it (by the rows' ids
    while the subtree holds few), but the count is kept (`keeps_subtree_size`): once counted,
    a small subtree's ids are read inside the page's own statement, `id = ANY(ARRAY(SELECT id
    ... WHERE unit_id = ANY(subtree)))`, until any write through the ORM in this process
    (org.access's generation) or SUBTREE_SIZE_SECONDS; a large one is narrowed by its units,
    kept as UnitPolicy keeps it (org.permissions.known_large). Either form reads the same rows:
    a count out of date costs speed, never a row."""

    unit_field = "unit"
    as_change = ("add", "delete", "import")
    by_ids_when_few = True  # 370,000 appraisals at factor 1
    keeps_subtree_size = True

    def view(self, queryset, access):
        if access.is_admin:
            return queryset
        if access.is_manager:
            return self.viewable_in_subtree(queryset, access)
        return queryset.none()

    def viewable_in_subtree(self, queryset, access):
        if not self.keeps_subtree_size or connection.vendor != "postgresql":
            return super().viewable_in_subtree(queryset, access)
        model, subtree = queryset.model, access.subtree_ids()
        if not subtree:
            return queryset.none()
        key = (model._meta.label_lower, self.unit_field, permissions.FEW_ROWS, subtree)
        if permissions.known_large(key):  # the verdict UnitPolicy keeps too
            return self.in_subtree(queryset, access)
        kept = _SUBTREE_IS_SMALL.get(key)
        now = time.monotonic()
        generation = org_access.generation()
        if kept is None or kept[0] != generation or now - kept[1] > SUBTREE_SIZE_SECONDS:
            rows = self.in_subtree(model._base_manager.all(), access)
            ids = permissions.ids_when_few({"units": rows}, limit=permissions.FEW_ROWS)["units"]
            if ids is None:
                permissions.remember_large(key)
                return self.in_subtree(queryset, access)
            _SUBTREE_IS_SMALL[key] = (generation, now)
            return queryset.filter(pk__any_of=ids)
        return queryset.filter(EqualsAny(F("pk"), self._subtree_ids(model, subtree)))

    def _subtree_ids(self, model, subtree) -> RawSQL:
        """`ARRAY(SELECT id FROM <table> ... WHERE <unit> = ANY('{<subtree>}'))`: compiled once
        per model and unit field, the subtree's ids written in the text. A page builds and
        compiles no query for it, and its statement has the same text for a manager's every
        request, with no parameter of its own: once psycopg prepares it (DB_PREPARE_THRESHOLD),
        PostgreSQL plans it once (as a parameter, the subtree left the generic plan ~7 times
        dearer than the custom one, so every request was planned again: 0.2-0.3 ms)."""
        key = (model._meta.label_lower, self.unit_field)
        sql = _SUBTREE_IDS_SQL.get(key)
        if sql is None:
            ids = model._base_manager.filter(**{f"{self.unit_field}__any_of": subtree})
            compiled, params = ids.order_by().values("pk").query.sql_with_params()
            if list(params) != [array_parameter(list(subtree))] or compiled.count("%s") != 1:
                raise ImproperlyConfigured(f"{key}: the subtree is not the one parameter")
            sql = _SUBTREE_IDS_SQL[key] = f"ARRAY({compiled.replace('%s', '%(ids)s')})"
        # Integers only (unit ids), written as the array's literal.
        ids = "'{" + ",".join(str(int(pk)) for pk in subtree) + "}'"
        return RawSQL(sql % {"ids": ids}, ())


class UnderperformancePolicy(AppraisalPolicy):
    unit_field = "appraisal__unit"


class AccomplishmentPolicy(UnitPolicy):
    unit_field = "unit"


class IndicatorPolicy(UnitPolicy):
    unit_field = "unit"


class IndicatorResultPolicy(UnitPolicy):
    unit_field = "indicator__unit"


class RBMPolicy(ReferencePolicy):
    """Secretariat-wide: every signed-in user reads it, administrators assign it."""


class CoursePolicy(ReferencePolicy):
    """The course catalogue is reference data: everyone reads it, administrators keep it."""


class CourseCompletionPolicy(AppraisalPolicy):
    """Who completed which course is personal data, kept like appraisals: administrators and the
    managers of the person's unit read it by name; everyone else reads the completion rates."""

    unit_field = "person__unit"
    keeps_subtree_size = False  # counted on every request, as UnitPolicy does


class DisciplinaryCasePolicy(AdminPolicy):
    """Disciplinary cases name staff members: administrators (the Office of Human Resources)
    record and read them; everyone else reads the published aggregates only, as the
    Secretary-General's annual report on the practice in disciplinary matters publishes them."""


class RecognitionPolicy(UnitPolicy):
    """Awards follow their unit; the person recognised is not shown to GA staff."""

    unit_field = "unit"

    def hidden_fields(self, access) -> frozenset[str]:
        return frozenset({"person"}) if access.is_ga_staff else frozenset()


class BudgetPerformancePolicy(UnitPolicy):
    """Appropriation and expenditure of a unit: read as any unit record; the unit's managers and
    administrators record and import them."""

    unit_field = "unit"
    as_change = ("add", "delete", "import")


# --- Questions the aggregate pages ask (no queryset to narrow) ------------------------------


def reads_aggregates(user) -> bool:
    """Appraisal aggregates are for every role (the figures of small groups suppressed)."""
    access = access_for(user)
    return access.can_read_all or access.is_manager


def manages(user, unit_id: int | None) -> bool:
    """Whether the user answers for the unit (and so reads its figures unsuppressed)."""
    return access_for(user).manages_unit(unit_id)


def manages_all(user) -> bool:
    return access_for(user).is_admin


def managed_unit_ids(user) -> set[int] | None:
    """The units whose records the user may add or change: None means every unit."""
    access = access_for(user)
    if access.is_admin:
        return None
    return set(access.subtree_ids())


def own_unit_id(user) -> int | None:
    """A manager's own unit: the dashboards open on it."""
    access = access_for(user)
    return access.unit_id if access.is_manager else None
