"""Restatements: records dated on or before a closed period's end that were added or corrected
after the period's first compiled report.

The rule. The baseline is the earliest done report run of the same period (same start and end,
any language): its snapshot anchors the change history at `audit_trail.entries` entries. Every
change-history entry written after that anchor, up to the present head, is examined:

1. a record created or deleted whose *record date* (below) is on or before the period end;
2. an update of a record that sets or clears a date on or before the period end (a backdated
   status, a corrected date), or that corrects any other field of a record dated on or before the
   period end -- unless the update also sets one of its dates to after the period end, which
   makes it a later event the report's "as at the period end" rule already leaves out (a status
   change dated today, a review today).

Bookkeeping fields (version, timestamps, reminders), figures derived from other records (a
recovery case's running total of its actions), free text, and state fields that are not dates
(a status set now takes effect now; its dated twin, such as `closed_on`, is what is examined)
are not corrections. Each restatement names
the kind of record, its id, its record date, the fields changed and when: never a person.
"""

import datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from core.models import HistoryEntry

# The date that places a record in a period (a lookup from the record), by model.
RECORD_DATES = {
    "accountability.decision": "decided_on",
    "accountability.commitment": "due_on",
    "accountability.delegation": "valid_from",
    "oversight.oversightreport": "issued_on",
    "oversight.recommendation": "report__issued_on",
    "oversight.recommendationupdate": "effective_on",
    "performance.compact": "year",
    "performance.boardfinding": "compact__year",
    "performance.appraisal": "due_on",
    "performance.indicatorresult": "start_year",
    "performance.underperformancecase": "plan_start",
    "risk.risk": "identified_on",
    "risk.riskassessment": "assessed_on",
    "risk.controltest": "tested_on",
    "risk.deficiency": "test__tested_on",
    "risk.treatment": "due_on",
    "risk.procurementcase": "opened_on",
    "risk.interestdeclaration": "declared_on",
    "risk.recoverycase": "opened_on",
    "risk.recoveryaction": "taken_on",
}
IGNORED = {
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "reminded_on",
    "due_reminder_for",
    "overdue_reminder_for",
}
DERIVED = {
    "risk.recoverycase": {"amount_recovered"},
    # The date of the latest status change follows the dated timeline (its updates are
    # examined by their own `effective_on`): a change made today moves it forward.
    "oversight.recommendation": {"status_changed_on"},
}
LIMIT = 500


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value if not isinstance(value, datetime.datetime) else value.date()
    if isinstance(value, int) and 1900 <= value <= 2200:
        return datetime.date(value, 1, 1)  # a year: its first day
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def baseline_anchor(period_start: datetime.date, period_end: datetime.date) -> int | None:
    from reports.models import ReportRun

    run = (
        ReportRun.objects.done()
        .filter(period_start=period_start, period_end=period_end)
        .order_by("finished_at", "pk")
        .values_list("snapshot", flat=True)
        .first()
    )
    if not run:
        return None
    return int((run.get("audit_trail") or {}).get("entries") or 0)


def _record_dates(entries: list[HistoryEntry]) -> dict[tuple[str, str], datetime.date | None]:
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    found: dict[tuple[str, str], datetime.date | None] = {}
    for label, ids in wanted.items():
        path = RECORD_DATES[label]
        model = apps.get_model(label)
        pks = [i for i in ids if i.isdigit()]
        for pk, value in model.objects.filter(pk__in=pks).values_list("pk", path):
            found[(label, str(pk))] = _as_date(value)
    return found


def _undated_fields(label: str) -> set[str]:
    """Fields whose change is no correction of the period's figures: free text (narrative feeds
    no figure) and state fields that are not dates (a status set now takes effect now; its date,
    when it has one, is examined instead)."""
    model = apps.get_model(label)
    names = {f.name for f in model._meta.concrete_fields if isinstance(f, models.TextField)}
    for name in getattr(model, "state_actions", {}) or {}:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not isinstance(field, models.DateField):
            names.add(name)
    return names


def _restates(entry: HistoryEntry, record_date, period_end: datetime.date) -> list[str] | None:
    """The fields by which `entry` restates the period, or None."""
    changes = entry.changes or {}
    field = RECORD_DATES[entry.object_type]
    if entry.action in ("create", "delete"):
        direct = field.split("__")[0] if "__" not in field else None
        when = record_date
        if direct and direct in changes:
            pair = changes[direct]
            when = _as_date(pair[1] if entry.action == "create" else pair[0]) or when
        if when and when <= period_end:
            return sorted(changes) or [entry.action]
        return None
    ignored = IGNORED | DERIVED.get(entry.object_type, set()) | _undated_fields(entry.object_type)
    fields = [name for name in changes if name not in ignored]
    if not fields:
        return None
    dated_in, dated_after = [], False
    for name in fields:
        pair = changes[name] if isinstance(changes[name], list) else [None, changes[name]]
        before, after = (_as_date(v) for v in (pair + [None, None])[:2])
        if isinstance(pair[-1], str) and after and after > period_end:
            dated_after = True
        if (before and before <= period_end) or (after and after <= period_end):
            dated_in.append(name)
    if dated_in:
        return sorted(fields)
    if dated_after:
        return None
    if record_date and record_date <= period_end:
        return sorted(fields)
    return None


def restatements(
    period_start: datetime.date, period_end: datetime.date, head_seq: int
) -> list[dict]:
    anchor = baseline_anchor(period_start, period_end)
    if anchor is None or anchor >= head_seq:
        return []
    entries = list(
        HistoryEntry.objects.filter(
            seq__gt=anchor, seq__lte=head_seq, object_type__in=list(RECORD_DATES)
        )
        .only("seq", "at", "action", "object_type", "object_id", "changes")
        .order_by("seq")
    )
    dates = _record_dates(entries)
    found = []
    for entry in entries:
        record_date = dates.get((entry.object_type, entry.object_id))
        fields = _restates(entry, record_date, period_end)
        if fields is None:
            continue
        model = apps.get_model(entry.object_type)
        found.append(
            {
                "seq": entry.seq,
                "at": entry.at.date().isoformat(),
                "record": f"{model._meta.verbose_name} #{entry.object_id}",
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "action": entry.action,
                "action_label": {
                    "create": _("added"),
                    "update": _("corrected"),
                    "delete": _("deleted"),
                }.get(entry.action, entry.action),
                "record_date": record_date.isoformat() if record_date else None,
                "fields": fields,
            }
        )
        if len(found) >= LIMIT:
            break
    return found
