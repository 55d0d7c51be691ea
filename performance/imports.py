"""Bulk imports (CSV or XLSX): appraisals from the HR system, course completions from the
learning system, budget performance from the finance system. The whole file is checked
before anything is written: one bad row rejects the import and nothing is saved. Rows are
matched on a natural key (appraisals on (staff, cycle)), so a second import of the same file
changes nothing."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from core import history
from core.actions import action, may
from core.imports import ImportRejected, read_table
from org.models import OrgUnit, Person
from performance.choices import Rating
from performance.models import (
    Appraisal,
    BudgetPerformance,
    Course,
    CourseCompletion,
    default_due_on,
)
from performance.policies import managed_unit_ids

COLUMNS = ["staff", "cycle", "due_on", "completed_on", "rating", "unit"]
REQUIRED = ["staff", "cycle"]
CHUNK = 5000
COMPARED = ("unit_id", "due_on", "completed_on", "rating")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def read_rows(
    upload, columns: list[str] = COLUMNS, required: list[str] = REQUIRED
) -> Iterator[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {column: text}) for every non-empty data row, read by the shared
    reader (core.imports); a column this import does not know is refused."""
    table = read_table(upload)
    yield from _with_header(table.header, table.rows, columns, required)


def _with_header(header, rows, columns=COLUMNS, required=REQUIRED):
    if not header:
        raise ImportRejected([{"row": 1, "column": "", "error": _("The file has no header row.")}])
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    unknown = [n for n in names if n and n not in columns]
    errors = [
        {"row": 1, "column": c, "error": _("The column %(column)s is missing.") % {"column": c}}
        for c in missing
    ] + [
        {
            "row": 1,
            "column": n,
            "error": _("Unknown column %(column)s. Columns: %(columns)s.")
            % {"column": n, "columns": ", ".join(columns)},
        }
        for n in unknown
    ]
    if errors:
        raise ImportRejected(errors)
    yield from rows


def _date(value: str):
    return datetime.date.fromisoformat(value) if value else None


@dataclass
class _Row:
    number: int
    index: str
    cycle: int
    due_on: datetime.date | None
    completed_on: datetime.date | None
    rating: str
    unit_code: str


def _parse(number: int, raw: dict[str, str], errors: list[dict]) -> _Row | None:
    def fail(column, message):
        errors.append({"row": number, "column": column, "error": str(message)})

    bad = False
    index = raw.get("staff", "")
    if not index:
        fail("staff", _("Give the staff member's index number."))
        bad = True
    cycle = None
    try:
        cycle = int(raw.get("cycle", ""))
    except ValueError:
        fail("cycle", _("The cycle is a start year such as 2025."))
        bad = True
    dates = {}
    for column in ("due_on", "completed_on"):
        try:
            dates[column] = _date(raw.get(column, ""))
        except ValueError:
            fail(column, _("%(value)s is not a date (YYYY-MM-DD).") % {"value": raw[column]})
            bad = True
    rating = raw.get("rating", "").lower()
    if rating not in Rating.values:
        fail(
            "rating",
            _("%(value)s is not a rating. Use one of: %(choices)s.")
            % {"value": raw.get("rating"), "choices": ", ".join(v for v in Rating.values if v)},
        )
        bad = True
    if bad:
        return None
    return _Row(
        number, index, cycle, dates["due_on"], dates["completed_on"], rating, raw.get("unit", "")
    )


def _people(indexes: list[str], acting_user) -> dict[str, tuple[int, int, str]]:
    """The staff members the user may name (org.policies "assign": a manager their units'
    people), by index number: anyone else is "no staff member" to them (issue 12)."""
    found = {}
    people = Person.objects.restrict(acting_user, "assign")
    for start in range(0, len(indexes), CHUNK):
        chunk = indexes[start : start + CHUNK]
        for pk, index, unit_id, name in people.filter(index_number__in=chunk).values_list(
            "pk", "index_number", "unit_id", "name"
        ):
            found[index] = (pk, unit_id, name)
    return found


def _existing(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], tuple]:
    """(staff_id, cycle) -> (pk, unit_id, due_on, completed_on, rating) of what is stored: plain
    values, so comparing a whole unchanged cycle builds no model instances."""
    found = {}
    by_cycle: dict[int, list[int]] = {}
    for staff_id, cycle in pairs:
        by_cycle.setdefault(cycle, []).append(staff_id)
    for cycle, staff_ids in by_cycle.items():
        for start in range(0, len(staff_ids), CHUNK):
            chunk = staff_ids[start : start + CHUNK]
            rows = Appraisal.objects.filter(cycle=cycle, staff_id__in=chunk).values_list(
                "staff_id", "pk", *COMPARED
            )
            for staff_id, *stored in rows:
                found[(staff_id, cycle)] = tuple(stored)
    return found


def _load_for_update(changes: dict[int, Appraisal], now) -> list[Appraisal]:
    """The stored appraisals that change, with the new values applied (their snapshot taken on
    load keeps the 'before' for the history)."""
    updated = []
    pks = list(changes)
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        for old in Appraisal.objects.filter(pk__in=chunk).select_related("staff"):
            new = changes[old.pk]
            for f in COMPARED:
                setattr(old, f, getattr(new, f))
            old.version += 1
            old.updated_at = now
            updated.append(old)
    return updated


@action(Appraisal, "import", check=False)
def import_appraisals(upload, *, acting_user) -> ImportResult:
    """Check every row, then create or update the appraisals in bulk (history included), in one
    transaction: all rows or none. Each row's unit must be one the user may add appraisals to."""
    if not may(acting_user, "import", Appraisal):
        raise PermissionDenied(_("Only administrators and unit managers import appraisals."))
    errors: list[dict] = []
    rows = [r for number, raw in read_rows(upload) if (r := _parse(number, raw, errors))]
    people = _people(sorted({r.index for r in rows}), acting_user)
    units = dict(OrgUnit.objects.values_list("code", "pk"))
    manageable = managed_unit_ids(acting_user)
    seen: dict[tuple[int, int], int] = {}
    planned: list[tuple[_Row, Appraisal]] = []
    for row in rows:
        person = people.get(row.index)
        if person is None:
            errors.append(
                {
                    "row": row.number,
                    "column": "staff",
                    "error": _("No staff member has index number %(index)s.")
                    % {"index": row.index},
                }
            )
            continue
        staff_id, staff_unit, name = person
        unit_id = staff_unit
        if row.unit_code:
            unit_id = units.get(row.unit_code)
            if unit_id is None:
                errors.append(
                    {
                        "row": row.number,
                        "column": "unit",
                        "error": _("No org unit has the code %(code)s.") % {"code": row.unit_code},
                    }
                )
                continue
        if manageable is not None and unit_id not in manageable:
            errors.append(
                {
                    "row": row.number,
                    "column": "unit" if row.unit_code else "staff",
                    "error": _("You may not import appraisals for that unit."),
                }
            )
            continue
        key = (staff_id, row.cycle)
        if key in seen:
            errors.append(
                {
                    "row": row.number,
                    "column": "staff",
                    "error": _(
                        "Row %(other)s already gives this staff member's appraisal for this cycle."
                    )
                    % {"other": seen[key]},
                }
            )
            continue
        seen[key] = row.number
        appraisal = Appraisal(
            # A light Person: the history entry names the staff member without a query.
            staff=Person(pk=staff_id, unit_id=staff_unit, name=name),
            unit_id=unit_id,
            cycle=row.cycle,
            due_on=row.due_on or default_due_on(row.cycle),
            completed_on=row.completed_on,
            rating=row.rating,
        )
        for column, message in appraisal.field_errors().items():
            errors.append({"row": row.number, "column": column, "error": str(message)})
        planned.append((row, appraisal))
    existing = _existing(set(seen))
    to_create: list[Appraisal] = []
    changes: dict[int, Appraisal] = {}
    result = ImportResult()
    for row, new in planned:
        stored = existing.get((new.staff_id, new.cycle))
        if stored is None:
            to_create.append(new)
            continue
        pk, *values = stored
        if manageable is not None and values[0] not in manageable:
            errors.append(
                {
                    "row": row.number,
                    "column": "staff",
                    "error": _("This appraisal is recorded in a unit you do not manage."),
                }
            )
            continue
        if tuple(values) == tuple(getattr(new, f) for f in COMPARED):
            result.unchanged += 1
            continue
        changes[pk] = new
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ImportRejected(errors)
    to_update = _load_for_update(changes, timezone.now())
    Appraisal.objects.bulk_create(to_create, batch_size=CHUNK)
    Appraisal.objects.bulk_update(to_update, [*COMPARED, "version", "updated_at"], batch_size=CHUNK)
    history.record_bulk(to_create)
    history.record_bulk(to_update, action="update")
    result.created, result.updated = len(to_create), len(to_update)
    return result


# --- Course completions (paragraph 6) ---------------------------------------------------------

COMPLETION_COLUMNS = ["index_number", "course_code", "completed_on"]


def _error(errors: list[dict], number: int, column: str, message) -> None:
    errors.append({"row": number, "column": column, "error": str(message)})


def _write(model, to_create: list, to_update: list, fields: list[str], now) -> None:
    """Write checked rows in bulk, each with its history entry."""
    for obj in to_update:
        obj.version += 1
        obj.updated_at = now
    model.objects.bulk_create(to_create, batch_size=CHUNK)
    model.objects.bulk_update(to_update, [*fields, "version", "updated_at"], batch_size=CHUNK)
    history.record_bulk(to_create)
    history.record_bulk(to_update, action="update")


@action(CourseCompletion, "import", check=False)
def import_completions(upload, *, acting_user, dry_run: bool = False) -> ImportResult:
    """Completions from the learning system: index_number, course_code, completed_on. Matched on
    (person, course): a second import of the same file changes nothing, a corrected date
    updates. Every row is checked first; any error rejects the whole file. `dry_run` checks and
    counts (the preview) and writes nothing."""
    if not may(acting_user, "import", CourseCompletion):
        raise PermissionDenied(_("Only administrators and unit managers import completions."))
    errors: list[dict] = []
    parsed = []
    for number, raw in read_rows(upload, COMPLETION_COLUMNS, COMPLETION_COLUMNS):
        index, code = raw.get("index_number", ""), raw.get("course_code", "")
        try:
            day = _date(raw.get("completed_on", ""))
        except ValueError:
            _error(
                errors,
                number,
                "completed_on",
                _("%(value)s is not a date (YYYY-MM-DD).") % {"value": raw["completed_on"]},
            )
            continue
        if not index:
            _error(errors, number, "index_number", _("Give the staff member's index number."))
        if not code:
            _error(errors, number, "course_code", _("Give the course code."))
        if day is None:
            _error(errors, number, "completed_on", _("Give the completion date."))
        if index and code and day:
            parsed.append((number, index, code, day))
    people = _people(sorted({p[1] for p in parsed}), acting_user)
    courses = dict(Course.objects.values_list("code", "pk"))
    seen: dict[tuple[int, int], int] = {}
    planned: list[tuple[int, CourseCompletion]] = []
    for number, index, code, day in parsed:
        person = people.get(index)
        if person is None:
            # Anyone the caller may not name is "no staff member" to them (issue 12).
            _error(
                errors,
                number,
                "index_number",
                _("No staff member in your units has index number %(index)s.") % {"index": index},
            )
            continue
        course_id = courses.get(code)
        if course_id is None:
            _error(
                errors,
                number,
                "course_code",
                _("No course has the code %(code)s.") % {"code": code},
            )
            continue
        key = (person[0], course_id)
        if key in seen:
            _error(
                errors,
                number,
                "course_code",
                _("Row %(other)s already gives this staff member's completion of this course.")
                % {"other": seen[key]},
            )
            continue
        seen[key] = number
        completion = CourseCompletion(
            person=Person(pk=person[0], unit_id=person[1], name=person[2]),
            course_id=course_id,
            completed_on=day,
        )
        for column, message in completion.field_errors().items():
            _error(errors, number, column, message)
        planned.append((number, completion))
    # Completions of the people named, read once; the pairs of the file are picked from them.
    stored = {}
    person_ids = sorted({person_id for person_id, _course in seen})
    for start in range(0, len(person_ids), CHUNK):
        rows = CourseCompletion.objects.filter(
            person_id__in=person_ids[start : start + CHUNK]
        ).values_list("pk", "person_id", "course_id", "completed_on")
        for pk, person_id, course_id, day in rows:
            stored[(person_id, course_id)] = (pk, day)
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ImportRejected(errors)
    result = ImportResult()
    to_create, changes = [], {}
    for _number, new in planned:
        found = stored.get((new.person_id, new.course_id))
        if found is None:
            to_create.append(new)
        elif found[1] == new.completed_on:
            result.unchanged += 1
        else:
            changes[found[0]] = new.completed_on
    result.created, result.updated = len(to_create), len(changes)
    if dry_run:
        return result
    to_update = []
    for old in CourseCompletion.objects.filter(pk__in=list(changes)).select_related(
        "person", "course"
    ):
        old.completed_on = changes[old.pk]
        to_update.append(old)
    _write(CourseCompletion, to_create, to_update, ["completed_on"], timezone.now())
    return result


# --- Budget performance (paragraphs 10 and 11) ------------------------------------------------

BUDGET_COLUMNS = ["unit", "period", "appropriation", "expenditure", "currency"]
BUDGET_REQUIRED = ["unit", "period", "appropriation", "expenditure"]
BUDGET_COMPARED = ("appropriation", "expenditure", "currency")


def _amount(value: str):
    try:
        amount = Decimal(value.replace(",", ""))
    except (InvalidOperation, AttributeError):
        return None
    return amount if amount.is_finite() and abs(amount) < Decimal("1e14") else None


@action(BudgetPerformance, "import", check=False)
def import_budget_performance(upload, *, acting_user, dry_run: bool = False) -> ImportResult:
    """Appropriation and expenditure per unit and budget period, from the finance system:
    unit, period, appropriation, expenditure, currency (default USD). Matched on (unit, period):
    a re-import of corrected figures updates them. All rows or none; `dry_run` is the preview."""
    if not may(acting_user, "import", BudgetPerformance):
        raise PermissionDenied(_("Only administrators and unit managers import budget figures."))
    errors: list[dict] = []
    units = dict(OrgUnit.objects.values_list("code", "pk"))
    manageable = managed_unit_ids(acting_user)
    seen: dict[tuple[int, str], int] = {}
    planned: list[BudgetPerformance] = []
    for number, raw in read_rows(upload, BUDGET_COLUMNS, BUDGET_REQUIRED):
        code = raw.get("unit", "")
        unit_id = units.get(code)
        if unit_id is None:
            _error(errors, number, "unit", _("No org unit has the code %(code)s.") % {"code": code})
            continue
        if manageable is not None and unit_id not in manageable:
            _error(errors, number, "unit", _("You may not import budget figures for that unit."))
            continue
        amounts = {}
        for column in ("appropriation", "expenditure"):
            amounts[column] = _amount(raw.get(column, ""))
            if amounts[column] is None:
                _error(
                    errors,
                    number,
                    column,
                    _("%(value)s is not an amount.") % {"value": raw.get(column, "")},
                )
        if None in amounts.values():
            continue
        record = BudgetPerformance(
            unit_id=unit_id,
            period=raw.get("period", ""),
            currency=raw.get("currency", "") or "USD",
            **amounts,
        )
        problems = record.field_errors()
        for column, message in problems.items():
            _error(errors, number, column, message)
        if problems:
            continue
        key = (unit_id, record.period)
        if key in seen:
            _error(
                errors,
                number,
                "period",
                _("Row %(other)s already gives this unit's figures for this period.")
                % {"other": seen[key]},
            )
            continue
        seen[key] = number
        planned.append(record)
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ImportRejected(errors)
    stored = {
        (b.unit_id, b.period): b
        for b in BudgetPerformance.objects.filter(
            unit_id__in={u for u, _p in seen}, period__in={p for _u, p in seen}
        ).select_related("unit")
    }
    result = ImportResult()
    to_create, to_update = [], []
    for new in planned:
        old = stored.get((new.unit_id, new.period))
        if old is None:
            to_create.append(new)
        elif tuple(getattr(old, f) for f in BUDGET_COMPARED) == tuple(
            getattr(new, f) for f in BUDGET_COMPARED
        ):
            result.unchanged += 1
        else:
            for f in BUDGET_COMPARED:
                setattr(old, f, getattr(new, f))
            to_update.append(old)
    result.created, result.updated = len(to_create), len(to_update)
    if not dry_run:
        _write(BudgetPerformance, to_create, to_update, list(BUDGET_COMPARED), timezone.now())
    return result


def _page_summary(result: ImportResult) -> dict:
    return {**result.as_dict(), "rows": []}


def appraisals_for_page(upload, *, acting_user, dry_run: bool) -> dict:
    """The appraisal import as the shared import page reads it (core.imports.ImportView); its
    preview runs the import and rolls it back."""
    from core.imports import rolled_back

    if dry_run:
        return _page_summary(rolled_back(import_appraisals, upload, acting_user=acting_user))
    return _page_summary(import_appraisals(upload, acting_user=acting_user))


def completions_for_page(upload, *, acting_user, dry_run: bool) -> dict:
    return _page_summary(import_completions(upload, acting_user=acting_user, dry_run=dry_run))


def budget_for_page(upload, *, acting_user, dry_run: bool) -> dict:
    return _page_summary(
        import_budget_performance(upload, acting_user=acting_user, dry_run=dry_run)
    )
