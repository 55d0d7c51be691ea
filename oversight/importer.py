"""Recommendation import (CONTRACT.md, "Recommendation import").

The whole file is read and checked before anything is written: every bad cell is reported with
its row and column, and one bad row rejects the file. Rows are matched on (body, report symbol,
number), so importing the same file twice changes nothing. Lookups are a handful of queries for
the whole file and writes go in bulk, so 16,000 rows take seconds, not minutes.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import history
from core.actions import action, may
from core.exports import FORMULA_PREFIXES
from core.imports import ErrorList, ImportRejected, read_table
from core.models import HistoryEntry
from org.models import OrgUnit
from oversight.choices import Priority, RecommendationStatus
from oversight.models import OversightBody, OversightReport, Recommendation, RecommendationUpdate

COLUMNS = [
    "body",
    "report_symbol",
    "report_title",
    "issued_on",
    "number",
    "text",
    "priority",
    "unit",
    "accepted",
    "target_date",
    "status",
    "implemented_on",
]
# Optional columns (CONTRACT.md): the date the row's status took effect, and the financial
# implications in US dollars. A file without an amount column leaves the amounts as they are.
OPTIONAL_COLUMNS = ["status_on", "amount_identified", "amount_realised"]
ALL_COLUMNS = [*COLUMNS, *OPTIONAL_COLUMNS]
REC_FIELDS = ["text", "priority", "unit_id", "accepted", "target_date", "status", "implemented_on"]
AMOUNT_FIELDS = ["amount_identified", "amount_realised"]
S = RecommendationStatus
# The bodies' own wording of a status (BOA, OIOS, JIU reports), as CONTRACT.md maps it, besides
# the codes themselves and our own labels. "Not implemented" is the Board's "no action yet".
STATUS_WORDS = {
    "implemented": S.IMPLEMENTED,
    "under implementation": S.IN_PROGRESS,
    "not implemented": S.OPEN,
    "no action yet": S.OPEN,
    "overtaken by events": S.OVERTAKEN,
    "not accepted": S.NOT_ACCEPTED,
    "pending verification": S.PENDING_VERIFICATION,
    "closed, not implemented": S.NOT_IMPLEMENTED,
    "open": S.OPEN,
}
AMOUNT_MAX = Decimal("99999999999999.99")
MAX_ERRORS = 500
MAX_ROWS = 250_000
PREVIEW_ROWS = 300
CHUNK = 900  # below SQLite's bound-parameter limit
BATCH = 2000
UPDATE_BATCH = 100
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reports_created: int = 0
    reports_updated: int = 0
    rows: int = 0
    preview: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "reports_created": self.reports_created,
            "reports_updated": self.reports_updated,
        }


def _parse_date(text: str):
    return datetime.date.fromisoformat(text) if len(text) == 10 else None


class _Row:
    __slots__ = ("number_in_file", "values")

    def __init__(self, number_in_file: int, values: dict):
        self.number_in_file = number_in_file
        self.values = values


def _read_rows(upload, errors: ErrorList) -> list[_Row]:
    """The file's rows by the shared reader (core.imports): the contract's columns, an optional
    column that is absent read as None (its value stays as it is)."""
    try:
        table = read_table(upload, required=COLUMNS, max_rows=MAX_ROWS)
    except ImportRejected as exc:
        errors.extend(exc.errors)
        return []
    present = [name for name in ALL_COLUMNS if name in table.header]
    rows = []
    for number, cells in table.rows:
        values = {name: cells.get(name, "") for name in present}
        for name in OPTIONAL_COLUMNS:
            if name not in table.header:
                values[name] = None
        rows.append(_Row(number, values))
    return rows


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_row(row: _Row, errors: ErrorList, bodies: dict, units: dict, authors) -> dict | None:
    v = row.values
    n = row.number_in_file
    for name in ("report_symbol", "report_title", "number", "text"):
        # Our own CSV exports write formula-looking text inert with a leading apostrophe.
        if v[name][:1] == "'" and v[name][1:].startswith(FORMULA_PREFIXES):
            v[name] = v[name][1:]
    ok = True

    def fail(column, message):
        nonlocal ok
        ok = False
        errors.add(n, column, message)

    def date_of(column, required=False):
        value = v[column]
        if isinstance(value, datetime.date):
            return value
        if not value:
            if required:
                fail(column, _("A date is required here."))
            return None
        try:
            parsed = _parse_date(value)
        except ValueError:
            parsed = None
        if parsed is None:
            fail(column, _("%(value)s is not a date (YYYY-MM-DD).") % {"value": value[:40]})
        return parsed

    body_code = v["body"].upper()
    body = bodies.get(body_code)
    if not body_code:
        fail("body", _("The body is required."))
    elif body is None:
        fail("body", _("Unknown oversight body code %(code)s.") % {"code": v["body"][:40]})
    elif body_code not in authors:
        fail(
            "body",
            _("You may import only %(own)s recommendations, not %(code)s.")
            % {"own": ", ".join(sorted(authors)), "code": body_code},
        )
    symbol = v["report_symbol"]
    if not symbol:
        fail("report_symbol", _("The report symbol is required."))
    elif len(symbol) > 100:
        fail("report_symbol", _("At most %(n)d characters.") % {"n": 100})
    if len(v["report_title"]) > 500:
        fail("report_title", _("At most %(n)d characters.") % {"n": 500})
    issued_on = date_of("issued_on", required=True)
    number = v["number"]
    if not number:
        fail("number", _("The recommendation number is required."))
    elif len(number) > 30:
        fail("number", _("At most %(n)d characters.") % {"n": 30})
    if not v["text"]:
        fail("text", _("The recommendation text is required."))

    priority = v["priority"].lower()
    if priority not in Priority.values:
        fail(
            "priority",
            _("Unknown priority %(value)s: use critical, important or leave empty.")
            % {"value": v["priority"][:40]},
        )
    unit_code = v["unit"]
    unit_id = units.get(unit_code)
    if not unit_code:
        fail("unit", _("The unit is required."))
    elif unit_id is None:
        fail("unit", _("Unknown org unit code %(code)s.") % {"code": unit_code[:40]})
    status = _status_of(v["status"])
    if status is None:
        fail("status", _("Unknown status %(value)s.") % {"value": v["status"][:40]})
        status = ""
    accepted_text = v["accepted"].lower()
    if accepted_text in YES:
        accepted = True
    elif accepted_text in NO:
        accepted = False
    elif not accepted_text:
        accepted = status != RecommendationStatus.NOT_ACCEPTED
    else:
        fail("accepted", _("Write yes or no, not %(value)s.") % {"value": v["accepted"][:40]})
        accepted = None
    if accepted is True and status == RecommendationStatus.NOT_ACCEPTED:
        fail("accepted", _("A recommendation with status not_accepted cannot be accepted."))
    if (
        accepted is False
        and status in RecommendationStatus.values
        and status != RecommendationStatus.NOT_ACCEPTED
    ):
        fail("status", _("A recommendation that was not accepted has status not_accepted."))
    target_date = date_of("target_date")
    implemented_on = date_of("implemented_on")
    status_on = date_of("status_on") if v.get("status_on") is not None else None
    today = timezone.localdate()
    if status_on and issued_on and not issued_on <= status_on <= today:
        fail(
            "status_on",
            _("The status must take effect between %(issued)s (issue) and %(today)s (today).")
            % {"issued": issued_on.isoformat(), "today": today.isoformat()},
        )
    if implemented_on and implemented_on > today:
        fail("implemented_on", _("This date is in the future."))
    amounts = {}
    for name in AMOUNT_FIELDS:
        text = v.get(name)
        if text is None:
            continue  # the column is absent
        amounts[name] = _amount_of(text, lambda message, name=name: fail(name, message))
    if (
        amounts.get("amount_identified") is not None
        and amounts.get("amount_realised") is not None
        and amounts["amount_realised"] > amounts["amount_identified"]
    ):
        fail("amount_realised", _("The amount realised cannot exceed the amount identified."))
    if (
        implemented_on
        and status in RecommendationStatus.values
        and status != RecommendationStatus.IMPLEMENTED
    ):
        fail("implemented_on", _("Only an implemented recommendation has an implementation date."))
    if not ok:
        return None
    return {
        "row": n,
        "body": body,
        "symbol": symbol,
        "title": v["report_title"],
        "issued_on": issued_on,
        "number": number,
        "text": v["text"],
        "priority": priority,
        "unit_id": unit_id,
        "accepted": accepted,
        "target_date": target_date,
        "status": status,
        "implemented_on": implemented_on,
        "status_on": status_on,
        "amounts": amounts,
    }


def _status_of(text: str) -> str | None:
    """A status code from the cell: a code, or the bodies' own wording, whatever the case."""
    words = " ".join(str(text).replace("\u00a0", " ").split()).lower()
    if words in RecommendationStatus.values:
        return words
    return STATUS_WORDS.get(words)


def _amount_of(text, fail) -> Decimal | None:
    """An amount in US dollars: empty, or a non-negative number with at most two decimals
    (thousands separators and a leading "USD" or "$" are tolerated)."""
    if isinstance(text, Decimal):
        value = text
    else:
        cleaned = str(text).strip().replace(",", "").replace(" ", "")
        for prefix in ("USD", "US$", "$"):
            if cleaned.upper().startswith(prefix):
                cleaned = cleaned[len(prefix) :]
        if not cleaned:
            return None
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            fail(_("%(value)s is not an amount in US dollars.") % {"value": str(text)[:40]})
            return None
    if not value.is_finite() or value < 0 or value > AMOUNT_MAX:
        fail(_("An amount is a number from 0 to %(max)s.") % {"max": AMOUNT_MAX})
        return None
    if value != value.quantize(Decimal("0.01")):
        fail(_("An amount has at most two decimals."))
        return None
    return value.quantize(Decimal("0.01"))


@action(Recommendation, "import", check=False)
def import_recommendations(upload, *, acting_user, dry_run: bool = False) -> ImportResult:
    """Check the whole file, then (unless `dry_run`) write it all in one transaction.

    The rows of a body are imported by those who enter that body's recommendations
    (OversightBodyPolicy.author: the body's own users, administrators). Raises PermissionDenied
    for users who may import no body's rows, ImportRejected with every error when any row is bad
    (nothing saved)."""
    if not may(acting_user, "add", Recommendation):
        raise PermissionDenied(
            _("Only oversight bodies and administrators import recommendations.")
        )
    authors = {
        code.upper()
        for code in OversightBody.objects.restrict(acting_user, "author").values_list(
            "code", flat=True
        )
    }
    errors = ErrorList()
    rows = _read_rows(upload, errors)
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected(
            [{"row": 2, "column": None, "error": _("The file holds no recommendations.")}]
        )

    bodies = {b.code.upper(): b for b in OversightBody.objects.all()}
    unit_codes = sorted({r.values["unit"] for r in rows if r.values["unit"]})
    units: dict[str, int] = {}
    for chunk in _chunks(unit_codes):
        units.update(OrgUnit.objects.filter(code__in=chunk).values_list("code", "pk"))

    parsed: list[dict] = []
    seen: dict[tuple, int] = {}
    reports_in_file: dict[tuple, dict] = {}
    for row in rows:
        item = _check_row(row, errors, bodies, units, authors)
        if errors.full:
            break
        if item is None:
            continue
        key = (item["body"].code, item["symbol"], item["number"])
        if key in seen:
            errors.add(
                item["row"],
                "number",
                _("Recommendation %(number)s of %(symbol)s is already on row %(row)d.")
                % {"number": item["number"], "symbol": item["symbol"], "row": seen[key]},
            )
            continue
        seen[key] = item["row"]
        report_key = (item["body"].code, item["symbol"])
        first = reports_in_file.get(report_key)
        if first is None:
            reports_in_file[report_key] = {
                "row": item["row"],
                "body": item["body"],
                "symbol": item["symbol"],
                "title": item["title"],
                "issued_on": item["issued_on"],
            }
        else:
            if first["issued_on"] != item["issued_on"]:
                errors.add(
                    item["row"],
                    "issued_on",
                    _("Differs from row %(row)d for the same report.") % {"row": first["row"]},
                )
                continue
            if item["title"] and first["title"] and item["title"] != first["title"]:
                errors.add(
                    item["row"],
                    "report_title",
                    _("Differs from row %(row)d for the same report.") % {"row": first["row"]},
                )
                continue
            first["title"] = first["title"] or item["title"]
        parsed.append(item)
    if errors:
        raise ImportRejected(errors)

    # What is already recorded: the reports named in the file and their recommendations.
    existing_reports: dict[tuple, OversightReport] = {}
    symbols = sorted({key[1] for key in reports_in_file})
    for chunk in _chunks(symbols):
        for report in OversightReport.objects.filter(symbol__in=chunk).select_related("body"):
            existing_reports[(report.body.code, report.symbol)] = report
    existing_recs: dict[tuple, Recommendation] = {}
    reports_by_id = {r.pk: r for key, r in existing_reports.items() if key in reports_in_file}
    report_ids = list(reports_by_id)
    for chunk in _chunks(report_ids):
        queryset = Recommendation.objects.filter(report_id__in=chunk).only(
            "id", "report_id", "number", "version", *REC_FIELDS, *AMOUNT_FIELDS, "status_changed_on"
        )
        for rec in queryset:
            # Its report is already loaded; str(rec) in the history would otherwise fetch it per row.
            rec.report = reports_by_id[rec.report_id]
            existing_recs[(rec.report_id, rec.number)] = rec
    # The latest dated change of each: a new one cannot take effect before it.
    latest: dict[int, datetime.date] = {}
    rec_ids = [rec.pk for rec in existing_recs.values()]
    for chunk in _chunks(rec_ids):
        latest.update(
            RecommendationUpdate.objects.filter(recommendation_id__in=chunk)
            .order_by()
            .values("recommendation_id")
            .annotate(last=Max("effective_on"))
            .values_list("recommendation_id", "last")
        )

    result = ImportResult(rows=len(parsed))
    new_reports, changed_reports = [], []
    for key, info in reports_in_file.items():
        report = existing_reports.get(key)
        if report is None:
            new_reports.append(
                OversightReport(
                    body=info["body"],
                    symbol=info["symbol"],
                    title=info["title"] or info["symbol"],
                    issued_on=info["issued_on"],
                )
            )
        elif report.issued_on != info["issued_on"] or (
            info["title"] and info["title"] != report.title
        ):
            report.issued_on = info["issued_on"]
            report.title = info["title"] or report.title
            changed_reports.append(report)
    result.reports_created, result.reports_updated = len(new_reports), len(changed_reports)

    today = timezone.localdate()

    def status_date(item) -> datetime.date:
        """When the row's new status took effect (CONTRACT.md): status_on; else implemented_on
        for an implemented row; else the date of the import (never before the issue)."""
        if item["status_on"]:
            return item["status_on"]
        if item["status"] == S.IMPLEMENTED and item["implemented_on"]:
            return item["implemented_on"]
        return max(today, item["issued_on"])

    new_recs: list[tuple[tuple, dict]] = []
    changed_recs: list[dict] = []
    for item in parsed:
        report_key = (item["body"].code, item["symbol"])
        report = existing_reports.get(report_key)
        rec = existing_recs.get((report.pk, item["number"])) if report is not None else None
        label = f"{item['symbol']} #{item['number']}"
        if rec is None:
            initial = S.OPEN if item["accepted"] else S.NOT_ACCEPTED
            if item["status"] != initial:
                effective_on = status_date(item)
                if effective_on < item["issued_on"]:
                    errors.add(item["row"], "implemented_on", _("This date precedes the issue."))
                    continue
                item["effective_on"] = effective_on
            else:
                item["effective_on"] = None
            result.created += 1
            new_recs.append((report_key, item))
            if len(result.preview) < PREVIEW_ROWS:
                result.preview.append(
                    {"row": item["row"], "action": "create", "recommendation": label, "changes": {}}
                )
            continue
        changes = {}
        for name in REC_FIELDS:
            if getattr(rec, name) != item[name]:
                changes[name] = [getattr(rec, name), item[name]]
        for name, value in item["amounts"].items():
            if getattr(rec, name) != value:
                changes[name] = [getattr(rec, name), value]
        if not changes:
            result.unchanged += 1
            continue
        status_moved = rec.status != item["status"]
        dated = status_moved or "target_date" in changes or "amount_realised" in changes
        effective_on = None
        if dated:
            effective_on = status_date(item) if status_moved else max(today, item["issued_on"])
            column = "status_on" if item["status_on"] else "implemented_on"
            if effective_on < item["issued_on"]:
                errors.add(item["row"], column, _("This date precedes the issue."))
                continue
            last = latest.get(rec.pk)
            if last is not None and effective_on < last:
                errors.add(
                    item["row"],
                    column if status_moved else None,
                    _(
                        "The timeline already holds a change dated %(date)s; "
                        "a later change cannot take effect before it."
                    )
                    % {"date": last.isoformat()},
                )
                continue
        result.updated += 1
        change = {
            "rec": rec,
            "from_status": rec.status,
            "from_target_date": rec.target_date,
            "from_amount_realised": rec.amount_realised,
            "fields": tuple(sorted(changes)),
            "effective_on": effective_on,
        }
        for name in REC_FIELDS:
            setattr(rec, name, item[name])
        for name, value in item["amounts"].items():
            setattr(rec, name, value)
        if status_moved:
            rec.status_changed_on = effective_on
        changed_recs.append(change)
        if len(result.preview) < PREVIEW_ROWS:
            shown = {
                ("unit" if k == "unit_id" else k): [_plain(a), _plain(b)]
                for k, (a, b) in changes.items()
            }
            result.preview.append(
                {"row": item["row"], "action": "update", "recommendation": label, "changes": shown}
            )
    if errors:
        raise ImportRejected(errors)
    for change in changed_recs:
        rec = change["rec"]
        if (
            rec.amount_identified is not None
            and rec.amount_realised is not None
            and rec.amount_realised > rec.amount_identified
        ):
            errors.add(
                None,
                "amount_realised",
                _("%(rec)s: the amount realised cannot exceed the amount identified.")
                % {"rec": f"{rec.report.symbol} #{rec.number}"},
            )
    if errors:
        raise ImportRejected(errors)
    if dry_run:
        return result
    _write(
        new_reports, changed_reports, new_recs, changed_recs, existing_reports, acting_user, upload
    )
    return result


# SQL types of the columns an import may rewrite, for the VALUES list of a PostgreSQL UPDATE.
COLUMN_TYPES = {
    "text": "text",
    "priority": "varchar",
    "unit_id": "bigint",
    "accepted": "boolean",
    "target_date": "date",
    "status": "varchar",
    "implemented_on": "date",
    "amount_identified": "numeric",
    "amount_realised": "numeric",
    "status_changed_on": "date",
    "version": "integer",
    "updated_at": "timestamptz",
}


def _update_rows(recs: list[Recommendation], fields: list[str]) -> None:
    """Write `fields` of many recommendations. Django's bulk_update builds a CASE per field and row,
    which costs seconds per thousand rows; on PostgreSQL one UPDATE ... FROM (VALUES ...) per
    thousand rows does the same in milliseconds. The history is recorded by the caller."""
    if connection.vendor != "postgresql":
        Recommendation.objects.bulk_update(recs, fields, batch_size=UPDATE_BATCH)
        return
    qn = connection.ops.quote_name
    columns = [Recommendation._meta.get_field(name).column for name in fields]
    row_sql = (
        "(" + ", ".join(["%s::bigint", *(f"%s::{COLUMN_TYPES[name]}" for name in fields)]) + ")"
    )
    assignments = ", ".join(f"{qn(c)} = v.{qn(c)}" for c in columns)
    names = ", ".join(["id", *(qn(c) for c in columns)])
    with connection.cursor() as cursor:
        for batch in _chunks(recs, 1000):
            params = []
            for rec in batch:
                params.append(rec.pk)
                params.extend(getattr(rec, name) for name in fields)
            values = ", ".join([row_sql] * len(batch))
            cursor.execute(
                f"UPDATE {qn(Recommendation._meta.db_table)} AS r SET {assignments} "
                f"FROM (VALUES {values}) AS v({names}) WHERE r.id = v.id",
                params,
            )


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@transaction.atomic
def _write(
    new_reports, changed_reports, new_recs, changed_recs, existing_reports, acting_user, upload
) -> None:
    now = timezone.now()
    if new_reports:
        OversightReport.objects.bulk_create(new_reports, batch_size=BATCH)
        history.record_bulk(new_reports)
        for report in new_reports:
            existing_reports[(report.body.code, report.symbol)] = report
    if changed_reports:
        for report in changed_reports:
            report.version += 1
            report.updated_at = now
        OversightReport.objects.bulk_update(
            changed_reports, ["title", "issued_on", "version", "updated_at"]
        )
        history.record_bulk(changed_reports, action=HistoryEntry.Action.UPDATE)

    note = _("Imported from %(file)s.") % {"file": str(getattr(upload, "name", "") or "file")[:150]}
    author = {
        "author": acting_user if getattr(acting_user, "pk", None) else None,
        "author_label": acting_user.get_username(),
    }
    for batch in _chunks(new_recs, BATCH):
        objs = []
        for report_key, item in batch:
            report = existing_reports[report_key]
            objs.append(
                Recommendation(
                    report=report,
                    number=item["number"],
                    text=item["text"],
                    priority=item["priority"],
                    unit_id=item["unit_id"],
                    accepted=item["accepted"],
                    target_date=item["target_date"],
                    status=item["status"],
                    implemented_on=item["implemented_on"],
                    amount_identified=item["amounts"].get("amount_identified"),
                    amount_realised=item["amounts"].get("amount_realised"),
                    status_changed_on=item["effective_on"] or report.issued_on,
                )
            )
        Recommendation.objects.bulk_create(objs, batch_size=BATCH)
        history.record_bulk(objs)
        # A row that arrives in a later status: that status, dated, on its timeline (with the
        # amount realised it reports).
        updates = [
            RecommendationUpdate(
                recommendation=rec,
                from_status=S.OPEN,
                to_status=rec.status,
                note=note,
                effective_on=item["effective_on"],
                from_target_date=rec.target_date,
                target_date=rec.target_date,
                from_amount_realised=None,
                amount_realised=rec.amount_realised,
                **author,
            )
            for rec, (_key, item) in zip(objs, batch, strict=True)
            if item["effective_on"] is not None
        ]
        if updates:
            RecommendationUpdate.objects.bulk_create(updates, batch_size=BATCH)
            history.record_bulk(updates)

    # bulk_update writes a CASE per field over the whole batch, which grows with batch x fields:
    # write only the fields that changed, grouped by which ones, in small batches.
    by_fields: dict[tuple, list] = {}
    for change in changed_recs:
        by_fields.setdefault(change["fields"], []).append(change["rec"])
    for fields, group in by_fields.items():
        extra = ["status_changed_on"] if "status" in fields else []
        for recs in _chunks(group, UPDATE_BATCH):
            for rec in recs:
                rec.version += 1
                rec.updated_at = now
            _update_rows(recs, [*fields, *extra, "version", "updated_at"])
    history.record_bulk(
        [change["rec"] for change in changed_recs], action=HistoryEntry.Action.UPDATE
    )
    for batch in _chunks(changed_recs, BATCH):
        updates = [
            RecommendationUpdate(
                recommendation=change["rec"],
                from_status=change["from_status"],
                to_status=change["rec"].status,
                note=note,
                effective_on=change["effective_on"],
                from_target_date=change["from_target_date"],
                target_date=change["rec"].target_date,
                from_amount_realised=change["from_amount_realised"],
                amount_realised=change["rec"].amount_realised,
                **author,
            )
            for change in batch
            if change["effective_on"] is not None
        ]
        if updates:
            RecommendationUpdate.objects.bulk_create(updates, batch_size=BATCH)
            history.record_bulk(updates)


def import_for_page(upload, *, acting_user, dry_run: bool) -> dict:
    """The import as the shared import page reads it (core.imports.ImportView): the counts and the
    previewed rows; the same action as the API."""
    from oversight.services import import_recommendations as run

    result = run(upload, acting_user=acting_user, dry_run=dry_run)
    return {
        **result.as_dict(),
        "rows": [
            {
                "row": item["row"],
                "action": item["action"],
                "label": item["recommendation"],
                "changes": item["changes"],
            }
            for item in result.preview
        ],
        "rows_left_out": max(0, result.created + result.updated - len(result.preview)),
    }
