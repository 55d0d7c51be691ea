"""Who read what: one access-log entry per read of a sensitive record (a named appraisal, an
underperformance case, a disciplinary record, a conflict-of-interest declaration), written by the
record's detail page and API, anchored in the change history.

Views call `record_read(request, obj)`; lists of aggregates call nothing."""

import datetime
import functools
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from core import history
from core.context import current_actor
from core.models import HistoryEntry, RequestIdField, label_id
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


def record_read(request, *objects, listed: bool = False) -> int:
    """One entry for each sensitive record `request`'s user has just been shown, written with its
    history entry in one statement: a fixed number of queries whatever the count. A list
    (`listed`) shows its rows only, not the parts a record's own page adds. Returns how many
    reads were logged."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    hidden = {}  # model label -> fields the reader is not shown, asked once per kind
    reads = []  # (kind, label, object id, subject id)
    shown = (obj for obj in objects if obj is not None) if listed else None
    for obj in shown or _with_shown_parts(user, objects):
        label = obj._meta.label_lower
        sensitive = SENSITIVE.get(label)
        if sensitive is None:
            raise ValueError(f"{label} is not a sensitive record kind")
        kind, subject_path = sensitive
        if label not in hidden:
            hidden[label] = type(obj).objects.hidden_fields(user)
        if subject_path.split(".")[0] in hidden[label]:
            continue  # the reader was not shown whose record it is: not a named read
        reads.append((kind, label, str(obj.pk), _subject_id(obj, subject_path)))
    if not reads:
        return 0
    actor = current_actor()
    read = _Read(
        at=timezone.now(),
        user_id=user.pk,
        reader=user.get_username()[:150],
        channel=(
            AccessRecord.Channel.API
            if request.path.startswith("/api/")
            else AccessRecord.Channel.WEB
        ),
        request_id=getattr(request, "request_id", "") or actor.request_id,
    )
    if connection.vendor == "postgresql":
        _write_pending(read, reads)
    else:
        # SQLite serialises its writers anyway: records and entries in one short transaction,
        # linked at once.
        with transaction.atomic():
            made = AccessRecord.objects.bulk_create([read.record(*r) for r in reads])
            history.append(_entries(made))
    return len(reads)


@dataclass(frozen=True)
class _Read:
    """What every record of one call to record_read shares."""

    at: datetime.datetime
    user_id: int
    reader: str
    channel: str
    request_id: str

    def record(self, kind, label, object_id, subject_id) -> AccessRecord:
        return AccessRecord(
            at=self.at,
            user_id=self.user_id,
            reader=self.reader,
            kind=kind,
            object_type=label,
            object_id=object_id,
            subject_id=subject_id,
            channel=self.channel,
            request_id=self.request_id,
        )


def _entries(made: list[AccessRecord]) -> list:
    who = history._who()
    return [
        history.new_entry(entry, "create", history.created_changes(history.snapshot(entry)), who)
        for entry in made
    ]


def _write_pending(read: _Read, reads: list[tuple]) -> None:
    """The records and their history entries in one statement (both or neither): one round trip
    whatever the count. The entries are written pending and linked by the worker
    (core.history.link_soon), so a page that shows named records never waits for the chain's
    lock; a read is not a change, and until the link the entries are in the table like any
    committed pending entry (verify_audit_trail and every writer's link take them too).

    The entries hold what history.new_entry, created_changes and snapshot would make of each
    record, byte for byte (the test compares the two): the statement numbers the records, and
    each entry's `changes` is the compact JSON text made here around the record's number, so
    Python builds no record nor entry for a page of rows."""
    user_id, actor, entry_request_id = history._who()
    history.remember_labels({LABEL, actor})
    # `changes` in the order of the record's fields, None left out (history.created_changes):
    # {"~":"+","id":<id>,"at":..,"user":..,"reader":..,"kind":..,"object_type":..,
    # "object_id":..,"subject":..,"channel":..,"request_id":..}
    encode = history._text
    shared = (
        f',"at":{encode(read.at.isoformat())},"user":{_json_value(read.user_id)},'
        f'"reader":{encode(read.reader)}'
    )
    tail = f',"channel":{encode(read.channel)},"request_id":{encode(read.request_id)}}}'
    kinds, labels, object_ids, subject_ids, middles = [], [], [], [], []
    starts = {}  # label -> the text of its kind and type, up to the record's id
    for kind, label, object_id, subject_id in reads:
        kinds.append(kind)
        labels.append(label)
        object_ids.append(object_id)
        subject_ids.append(subject_id)
        start = starts.get(label)
        if start is None:
            start = starts[label] = (
                f',"kind":{encode(kind)},"object_type":{encode(label)},"object_id":'
            )
        if subject_id is None:
            middles.append(f"{start}{encode(object_id)}")
        else:
            middles.append(f'{start}{encode(object_id)},"subject":{_json_value(subject_id)}')
    as_json = history._json_text
    with connection.cursor() as cursor:
        cursor.execute(
            _statement(),
            [
                *(as_json(values) for values in (kinds, labels, object_ids, subject_ids, middles)),
                read.at,
                read.user_id,
                read.reader,
                read.channel,
                read.request_id,
                history.PENDING,
                read.at,
                user_id,
                label_id(actor),
                label_id(LABEL),
                read.reader,
                shared,
                tail,
                RequestIdField.encode(entry_request_id),
            ],
        )
    transaction.on_commit(history.link_soon)


LABEL = AccessRecord._meta.label_lower


def _json_value(key) -> str:
    """A record's key as created_changes writes it (history._plain, then compact JSON)."""
    return str(key) if key.__class__ is int else history._compact(history._plain(key))


@functools.cache
def _statement() -> str:
    records = connection.ops.quote_name(AccessRecord._meta.db_table)
    entries = connection.ops.quote_name(HistoryEntry._meta.db_table)
    # The read rows are numbered first, in the order given (a CTE used twice is evaluated
    # once), so the records and their entries share their numbers and the entries are pending
    # in the records' order, as history.pending_insert numbers them.
    return (
        "WITH shown AS ("
        f"SELECT nextval(pg_get_serial_sequence('{AccessRecord._meta.db_table}', 'id')) AS id, "
        "u.kind, u.object_type, u.object_id, u.subject_id::bigint AS subject_id, u.middle "
        "FROM ROWS FROM (json_array_elements_text(%s::json), json_array_elements_text(%s::json), "
        "json_array_elements_text(%s::json), json_array_elements_text(%s::json), "
        "json_array_elements_text(%s::json)) WITH ORDINALITY "
        "AS u(kind, object_type, object_id, subject_id, middle, n) ORDER BY u.n), "
        f"logged AS (INSERT INTO {records} "
        "(id, at, user_id, reader, kind, object_type, object_id, subject_id, channel, request_id) "
        "SELECT id, %s::timestamptz, %s, %s, kind, object_type, object_id, subject_id, %s, %s "
        "FROM shown) "
        f"INSERT INTO {entries} "
        "(seq, at, user_id, actor, action, object_type, object_id, object_repr, changes, "
        "request_id) "
        f"SELECT %s + nextval('{history.PENDING_SEQUENCE}'), %s::timestamptz, %s, %s, 'c', %s, "
        "id::text, left(%s || ' read ' || object_type || ' ' || object_id, 200), "
        """('{"~":"+","id":' || id || %s || middle || %s)::json, %s FROM shown ORDER BY shown.id"""
    )


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
