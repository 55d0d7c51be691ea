"""Who read what: one access-log entry per read of a sensitive record (a named appraisal, an
underperformance case, a disciplinary record, a conflict-of-interest declaration), written by the
record's detail page and API, anchored in the change history.

Views call `record_read(request, obj)`; lists of aggregates call nothing."""

from django.db import connection, transaction
from django.utils import timezone

from core import history
from core.context import current_actor
from operations.models import AccessRecord

# model label -> (kind, the attribute naming the person concerned)
SENSITIVE = {
    "performance.appraisal": (AccessRecord.Kind.APPRAISAL, "staff"),
    "performance.underperformancecase": (AccessRecord.Kind.UNDERPERFORMANCE, "appraisal.staff"),
    "performance.disciplinarycase": (AccessRecord.Kind.DISCIPLINARY, "person"),
    "risk.interestdeclaration": (AccessRecord.Kind.DECLARATION, "person"),
}

# The fields the history entry keeps, and verify_access_log compares.
FIELDS = (
    "at",
    "user",
    "reader",
    "kind",
    "object_type",
    "object_id",
    "subject",
    "channel",
    "request_id",
)


def _subject_id(obj, path: str):
    *parents, last = path.split(".")
    for name in parents:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def _with_shown_parts(user, objects):
    """The records, and the sensitive records their page shows with them (an appraisal's
    underperformance case, when the reader may see it)."""
    for obj in objects:
        if obj is None:
            continue
        yield obj
        if obj._meta.label_lower == "performance.appraisal":
            from performance.models import UnderperformanceCase

            case = UnderperformanceCase.objects.restrict(user, "view").filter(appraisal=obj)
            yield from case.select_related("appraisal")


def record_read(request, *objects, listed: bool = False) -> list[AccessRecord]:
    """One entry for each sensitive record `request`'s user has just been shown, written in one
    bulk insert with one history append: a fixed number of queries whatever the count. A list
    (`listed`) shows its rows only, not the parts a record's own page adds."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    actor = current_actor()
    channel = (
        AccessRecord.Channel.API if request.path.startswith("/api/") else AccessRecord.Channel.WEB
    )
    request_id = getattr(request, "request_id", "") or actor.request_id
    now = timezone.now()
    hidden = {}  # model label -> fields the reader is not shown, asked once per kind
    made = []
    shown = (obj for obj in objects if obj is not None) if listed else None
    for obj in shown or _with_shown_parts(user, objects):
        label = obj._meta.label_lower
        if label not in SENSITIVE:
            raise ValueError(f"{label} is not a sensitive record kind")
        kind, subject_path = SENSITIVE[label]
        if label not in hidden:
            hidden[label] = type(obj).objects.hidden_fields(user)
        if subject_path.split(".")[0] in hidden[label]:
            continue  # the reader was not shown whose record it is: not a named read
        made.append(
            AccessRecord(
                at=now,
                user=user,
                reader=user.get_username()[:150],
                kind=kind,
                object_type=label,
                object_id=str(obj.pk),
                subject_id=_subject_id(obj, subject_path),
                channel=channel,
                request_id=request_id,
            )
        )
    if not made:
        return []
    if connection.vendor == "postgresql":
        _write_pending(made)
    else:
        # SQLite serialises its writers anyway: records and entries in one short transaction,
        # linked at once.
        with transaction.atomic():
            made = AccessRecord.objects.bulk_create(made)
            history.append(_entries(made))
    return made


def _entries(made: list[AccessRecord]) -> list:
    who = history._who()
    return [
        history.new_entry(entry, "create", history.created_changes(history.snapshot(entry)), who)
        for entry in made
    ]


def _write_pending(made: list[AccessRecord]) -> None:
    """The records and their history entries in one statement (both or neither), after one
    that numbers the records: two round trips whatever the count. The entries are written
    pending and linked by the worker (core.history.link_soon), so a page that shows named
    records never waits for the chain's lock; a read is not a change, and until the link the
    entries are in the table like any committed pending entry (verify_audit_trail and every
    writer's link take them too)."""
    table = AccessRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(made)],
        )
        for record, (pk,) in zip(made, cursor.fetchall(), strict=True):
            record.pk = pk
            record._state.adding = False
        # One parameter a column (history.rows_from_json): a short statement whatever the count.
        fields = AccessRecord._meta.concrete_fields
        source, select, records_params = history.rows_from_json(
            AccessRecord,
            [f.column for f in fields],
            ([f.get_db_prep_save(getattr(r, f.attname), connection) for r in made] for f in fields),
        )
        records_sql = (
            f"INSERT INTO {connection.ops.quote_name(table)} "
            f"({', '.join(connection.ops.quote_name(f.column) for f in fields)}) "
            f"SELECT {select} FROM {source}"
        )
        entries = _entries(made)
        for entry in entries:
            entry.at = made[0].at  # as history.append dates what it appends: when it was read
        entries_sql, entries_params = history.pending_insert(entries)
        cursor.execute(
            f"WITH logged AS ({records_sql}) {entries_sql}", [*records_params, *entries_params]
        )
        history.numbered(entries, (row[0] for row in cursor.fetchall()))
    transaction.on_commit(history.link_soon)


def anchored_values(entry: AccessRecord) -> dict:
    return {k: v for k, v in history.snapshot(entry).items() if v is not None and k != "id"}


def verify_access_log() -> list[str]:
    """Problems found comparing the access log with its history entries: a row edited, removed
    or added outside record_read. Empty when the two agree."""
    from core.models import HistoryEntry

    problems = []
    kept = {}
    for entry in HistoryEntry.objects.filter(object_type="operations.accessrecord").iterator():
        changes = {k: v[1] for k, v in entry.changes.items()}
        kept[entry.object_id] = changes
    seen = set()
    for row in AccessRecord.objects.order_by("id").iterator():
        key = str(row.pk)
        seen.add(key)
        anchored = kept.get(key)
        if anchored is None:
            problems.append(f"access log entry {key} has no history entry")
            continue
        values = anchored_values(row)
        anchored = {k: v for k, v in anchored.items() if v is not None and k != "id"}
        if values != anchored:
            changed = sorted(
                k for k in values.keys() | anchored.keys() if values.get(k) != anchored.get(k)
            )
            problems.append(
                f"access log entry {key} differs from its history: {', '.join(changed)}"
            )
    for key in sorted(set(kept) - seen, key=int):
        problems.append(f"access log entry {key} was removed")
    return problems
