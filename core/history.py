"""Writing and checking the change history.

Single saves are recorded by the signal receivers in core.signals. Bulk writes (imports,
seeding) call `record_bulk` with the objects they wrote.

Appending and linking are two steps (docs/architecture.md, "Change history"). Inside a caller's
transaction on PostgreSQL, entries are written *pending*: a provisional sequence number at or
above PENDING (from the core_history_pending_seq sequence, so in the order they were appended)
and no hashes. When the transaction commits, a link is queued for the worker (`link_soon`,
core.tasks.link_history; at most one queued at a time), whose `link_pending` takes the chain's
lock for one short transaction and links every committed pending entry, in provisional order: its
final sequence number and its own hash (covering the previous one). The writing request never
waits for the lock, and one link takes the entries of every write committed meanwhile. A
transaction that stays open (an import) therefore holds no lock other writers need. Outside a
transaction (seeding, autocommit), and on SQLite (whose writers are serialised anyway), `append`
links at once in its own short transaction. Pending entries that a crash (or a stopped worker)
left behind are linked by the next link: any writer's, the worker's, the history API's,
`head()`'s before a report or a backup, `verify_audit_trail`'s.

Storage (issue 13): the hash is stored as 32 bytes; the previous entry's hash is not stored (it
is entry seq - 1's, read with the entry by `HistoryEntry.objects`); the creates `record_bulk`
writes store their values positionally against a layout of field names (core.models,
`keyed_changes`), hashed in their keyed form, so the hash covers the field names as before.
"""

import contextlib
import contextvars
import dataclasses
import datetime
import decimal
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from core.context import current_actor
from core.models import (
    _LABELS,
    _LAYOUTS,
    GENESIS_SHA256,
    PACKED,
    PENDING_SEQ,
    ActionField,
    HistoryChainHead,
    HistoryEntry,
    HistoryLabel,
    RequestIdField,
    _Item,
    keyed_changes,
    label_id,
    labels_to_keep,
    layout_id,
    pack_changes,
    remember_labels,
    remember_layouts,
)

GENESIS = GENESIS_SHA256
BATCH = 2000
PENDING = PENDING_SEQ
PENDING_SEQUENCE = "core_history_pending_seq"

logger = logging.getLogger(__name__)


def _plain(value):
    """A JSON-safe, stable form of a field value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or None
    return str(value)


def snapshot(instance) -> dict:
    """The loaded values of an instance's concrete fields, keyed by field name."""
    loaded = instance.__dict__
    values = {}
    for field in instance._meta.concrete_fields:
        if field.attname in loaded:
            values[field.name] = _plain(loaded[field.attname])
    return values


def diff(before: dict, after: dict, ignored: Iterable[str] = ()) -> dict:
    ignored = set(ignored)
    changes = {}
    for name in after.keys() | before.keys():
        if name in ignored:
            continue
        old, new = before.get(name), after.get(name)
        if old != new:
            changes[name] = [old, new]
    return changes


def _kept(values: dict, ignored: Iterable[str]) -> dict:
    ignored = set(ignored)
    # None is left out as in `diff`: its other side is empty too.
    return {k: v for k, v in values.items() if k not in ignored and v is not None}


def created_changes(after: dict, ignored: Iterable[str] = ()) -> dict:
    """A create's changes, compact: the values it set (read back as [None, value])."""
    return pack_changes(_kept(after, ignored), "+")


def deleted_changes(before: dict, ignored: Iterable[str] = ()) -> dict:
    """A delete's changes, compact: the values it removed (read back as [value, None])."""
    return pack_changes(_kept(before, ignored), "-")


# The canonical form an entry's hash covers (`entry_hash`), and the stored form of `changes`.


def _one_shot(encoder: json.JSONEncoder):
    """`encoder.encode`, the same text, without the encoder object JSONEncoder.encode builds on
    every call (half the cost of encoding a bulk entry's changes: seeds encode millions)."""
    make = json.encoder.c_make_encoder
    if make is None or encoder.indent is not None or encoder.ensure_ascii:
        return encoder.encode
    chunks = make(
        None,  # no check for circular references: entries hold plain values
        encoder.default,
        json.encoder.encode_basestring,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )
    join = "".join

    def encode(value) -> str:
        return join(chunks(value, 0))

    return encode


_canonical = _one_shot(json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True))
_compact = _one_shot(json.JSONEncoder(ensure_ascii=False, separators=(",", ":")))
# A text's canonical form (what _canonical gives a str).
_text = json.encoder.encode_basestring


def entry_hash(entry: HistoryEntry) -> str:
    payload = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        # A positional entry's changes are hashed in their keyed form (core.models), so the
        # hash covers the field names its layout gives them.
        "changes": keyed_changes(entry.stored_changes, entry.object_id),
        "request_id": entry.request_id,
        "prev": entry.prev_sha256,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _who() -> tuple[int | None, str, str]:
    actor = current_actor()
    user = actor.resolved_user()
    return (user.pk if user is not None else None, actor.resolved_label()[:150], actor.request_id)


def new_entry(instance: models.Model, action: str, changes: dict, who=None) -> HistoryEntry:
    """A new (unsaved) entry. Built directly rather than through Model.__init__, whose
    per-field work was the largest single cost of a bulk write's history (seeds write millions
    of entries); the result is the same unsaved instance, every concrete field set."""
    user_id, label, request_id = who or _who()
    entry = HistoryEntry.__new__(HistoryEntry)
    entry._state = ModelState()
    entry.__dict__.update(
        seq=None,
        at=None,
        user_id=user_id,
        actor=label,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
        request_id=request_id,
        sha256="",
    )
    return entry


_COPY_COLUMNS = (
    "seq",
    "at",
    "user_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "request_id",
    "sha256",
)


# Fewer entries than this are written with INSERT (a COPY's own round trips cost more).
_COPY_MIN = 50


_ACTION_CODES = ActionField.CODES


def _stored(e: HistoryEntry) -> tuple:
    """An entry's columns from `at` to `request_id` (_COPY_COLUMNS) as the table stores them."""
    return (
        e.at,
        e.user_id,
        label_id(e.actor),
        _ACTION_CODES.get(e.action, e.action),
        label_id(e.object_type),
        e.object_id,
        e.object_repr,
        # Without the spaces json.dumps puts after separators by default (one byte a value).
        _compact(e.stored_changes),
        RequestIdField.encode(e.request_id),
    )


def _labels(entries: list[HistoryEntry]) -> set:
    """The labels entries cite: their record types and their actors."""
    texts = {e.object_type for e in entries}
    texts.update(e.actor for e in entries)
    return texts


def _insert(entries: list[HistoryEntry]) -> None:
    """Write the entries: COPY on PostgreSQL (several times faster than a multi-row INSERT for
    the hundred-thousand-entry batches that imports and seeds write), bulk_create elsewhere."""
    remember_labels(_labels(entries))
    if connection.vendor != "postgresql" or len(entries) < _COPY_MIN:
        HistoryEntry.objects.bulk_create(entries, batch_size=BATCH)
        return
    table = connection.ops.quote_name(HistoryEntry._meta.db_table)
    columns = ", ".join(_COPY_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for e in entries:
            copy.write_row((e.seq, *_stored(e), bytes.fromhex(e.sha256) if e.sha256 else None))


# Whoever extends the chain holds this PostgreSQL advisory lock (to the end of its transaction)
# before reading the head. Unlike a row lock it writes nothing, so a link that finds nothing to
# link commits without a disk flush and releases it at once.
CHAIN_LOCK = 0x636F72652E686973  # "core.his"


def _lock_head() -> HistoryChainHead:
    if _pg():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        head = HistoryChainHead.objects.filter(pk=1).first()
    else:
        head = HistoryChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = HistoryChainHead.objects.create(pk=1)
    return head


def _chain(entries: list[HistoryEntry], seq: int, prev: str) -> tuple[int, str]:
    """Give `entries`, in order, the sequence numbers and hashes that follow (seq, prev)."""
    sha256 = hashlib.sha256
    at, at_text = None, ""
    for entry in entries:
        seq += 1
        state = entry.__dict__
        parts = state.pop("_canonical_parts", None)
        if parts is None:
            entry.seq = seq
            entry.prev_sha256 = prev
            entry.sha256 = prev = entry_hash(entry)
            continue
        # A bulk create's canonical form, written around what only the chain gives it (its
        # number, its time, the previous hash): the same text `entry_hash` writes.
        if state["at"] is not at:
            at = state["at"]
            at_text = _canonical(at.isoformat())
        head, middle, tail = parts
        text = f"{head}{at_text}{middle}{prev}{tail}{seq}}}"
        state["seq"] = seq
        state["_prev_sha256"] = prev
        state["sha256"] = prev = sha256(text.encode("utf-8")).hexdigest()
    return seq, prev


def _pg() -> bool:
    return connection.vendor == "postgresql"


# Set by a single bulk writer with the database to itself (seed_scale): entries written inside
# its transactions are linked at once, holding the chain's lock to the end of each, instead of
# being written pending and rewritten by the link at commit (twice the writes, and dead rows
# left in the table and its indexes).
_LINK_AT_ONCE: contextvars.ContextVar[bool] = contextvars.ContextVar("link_at_once", default=False)


@contextlib.contextmanager
def linking_at_once():
    token = _LINK_AT_ONCE.set(True)
    try:
        yield
    finally:
        _LINK_AT_ONCE.reset(token)


def append(entries: list[HistoryEntry]) -> None:
    """Add `entries` to the history: pending, linked by the worker once the caller's transaction
    commits, or linked now when there is no such transaction (see the module's docstring)."""
    if not entries:
        return
    now = timezone.now()
    for entry in entries:
        entry.at = now
    if _pg() and connection.in_atomic_block and not _LINK_AT_ONCE.get():
        _append_pending(entries)
        _link_when_committed()
        return
    with transaction.atomic():
        head = _lock_head()
        # Entries a crash left pending come first: they were committed before these.
        seq, prev = _link_locked(head)
        seq, prev = _chain(entries, seq, prev)
        _insert(entries)
        HistoryChainHead.objects.filter(pk=1).update(seq=seq, sha256=prev)


def _append_pending(entries: list[HistoryEntry]) -> None:
    if len(entries) < _COPY_MIN:
        _insert_numbered(entries)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval('{PENDING_SEQUENCE}') FROM generate_series(1, %s)", [len(entries)]
        )
        numbers = sorted(row[0] for row in cursor.fetchall())
    for entry, number in zip(entries, numbers, strict=True):
        entry.seq = PENDING + number
        entry.prev_sha256 = entry.sha256 = ""
    _insert(entries)


def pending_insert(entries: list[HistoryEntry]) -> tuple[str, list]:
    """The INSERT statement (SQL and parameters) that writes `entries` pending, numbered by the
    sequence as they are inserted, in the order given, returning their numbers. A caller may
    run it as the last part of a statement of its own (operations.access writes the records
    it logs and their entries in one statement)."""
    # The labels the entries cite (record types, actors: core.models.LabelField).
    remember_labels(_labels(entries))
    table = connection.ops.quote_name(HistoryEntry._meta.db_table)
    columns = ", ".join(_COPY_COLUMNS[:-1])
    for e in entries:
        e.prev_sha256 = e.sha256 = ""
    # One parameter a column, not a placeholder a value (rows_from_json): the statement's
    # text is the same whatever the count, and psycopg keeps its parse.
    source, select, params = rows_from_json(
        HistoryEntry, _COPY_COLUMNS[1:-1], zip(*(_stored(e) for e in entries), strict=True)
    )
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT %s + nextval('{PENDING_SEQUENCE}'), {select} "
        f"FROM {source} RETURNING seq"
    )
    return sql, [PENDING, *params]


def rows_from_json(model, columns, values_by_column) -> tuple[str, str, list]:
    """Rows for an INSERT ... SELECT into `model`'s table: `ROWS FROM (...) AS u(c0, ...)`, the
    select list that gives each of `columns` (names of its columns, in order) its type, and
    the parameters: one JSON array a column, in the rows' order.

    A statement with a placeholder a value is parsed again for each count (psycopg keeps the
    parse of short statements only), and psycopg quotes the elements of an array parameter in
    Python; a JSON text is made and quoted in C. A `json` column's values are JSON texts already
    and go in as they are."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    functions, selected, params = [], [], []
    for n, (name, values) in enumerate(zip(columns, values_by_column, strict=True)):
        db_type = by_column[name].db_type(connection)
        if db_type in ("json", "jsonb"):
            functions.append("json_array_elements(%s::json)")
            selected.append(f"u.c{n}::{db_type}")
            params.append(f"[{','.join('null' if v is None else v for v in values)}]")
            continue
        functions.append("json_array_elements_text(%s::json)")
        selected.append(f"u.c{n}::{db_type}")
        params.append(_json_text([_as_json_value(v) for v in values]))
    names = ", ".join(f"c{n}" for n in range(len(functions)))
    return f"ROWS FROM ({', '.join(functions)}) AS u({names})", ", ".join(selected), params


_json_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _as_json_value(value):
    """A column's value as JSON text that PostgreSQL's input function reads back exactly."""
    if value is None or value.__class__ in (str, int, bool):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return "\\x" + bytes(value).hex()
    return str(value)


def numbered(entries: list[HistoryEntry], numbers: Iterable[int]) -> None:
    """Give `entries` the pending numbers `pending_insert`'s statement returned."""
    for entry, number in zip(entries, sorted(numbers), strict=True):
        entry.seq = number


def _insert_numbered(entries: list[HistoryEntry]) -> None:
    """A few pending entries (a single write's) in one statement, numbered by the sequence as
    they are inserted, in the order given (one round trip fewer than numbering them first); the
    labels they cite kept by the same statement."""
    table = connection.ops.quote_name(HistoryEntry._meta.db_table)
    columns = ", ".join(_COPY_COLUMNS[:-1])
    row = f"(%s + nextval('{PENDING_SEQUENCE}'), %s, %s, %s, %s, %s, %s, %s, %s::json, %s)"
    params = []
    kept = labels_to_keep(_labels(entries))
    labels = ""
    if kept:
        labels = (
            f"WITH labels AS (INSERT INTO {HistoryLabel._meta.db_table} (id, text) VALUES "
            f"{', '.join(['(%s, %s)'] * len(kept))} ON CONFLICT (id) DO NOTHING) "
        )
        for number, text in kept:
            params += [number, text]
    for e in entries:
        e.prev_sha256 = e.sha256 = ""
        params += [PENDING, *_stored(e)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"{labels}INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(entries))} "
            "RETURNING seq",
            params,
        )
        numbers = sorted(r[0] for r in cursor.fetchall())
    for entry, number in zip(entries, numbers, strict=True):
        entry.seq = number


def _link_when_committed() -> None:
    # The worker links (link_soon): the request that wrote never waits for the chain's lock,
    # and one link takes the entries of every write committed meanwhile. One per transaction
    # is enough: Django drops the callbacks of a savepoint that rolls back, so finding ours
    # still registered means it will run for these entries too.
    if any(func is _link_after_commit for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_link_after_commit, robust=True)


def _link_after_commit() -> None:
    # A failure here loses nothing: the entries are committed, pending, and the next link
    # (any writer's, the checkpoint task's, the history API's, verify_audit_trail's) takes them.
    link_soon()


# Set while a link is queued and has not started: later appends need not queue another.
LINK_QUEUED_KEY = "core:history:link-queued"

# A queued link waits this long before it starts, so that it takes the entries of every write
# committed meanwhile. Started at once, each link took the entries of one or two writes, and the
# worker's cost of a task (about 3 ms of CPU) was paid almost once a write: 8 API writers spent
# 3.8 ms of the worker's CPU a write, a fifth of the machine (bench/RESULTS.md, session 10).
# Entries wait pending that much longer; whoever needs them linked (verification, the history
# pages) links them first.
LINK_DELAY_SECONDS = 0.25


def link_soon() -> None:
    """Have the worker link the committed pending entries (core.tasks.link_history), instead of
    this request: for appends that are not a change of a domain record (the access log's reads),
    whose requests should not take the chain's lock. At most one link is queued at a time; the
    task clears the mark before it looks, so whatever commits after it started queues the next.
    If the queue cannot be reached the entries stay pending, and the next link takes them."""
    from django.conf import settings
    from django.core.cache import cache

    from core.tasks import link_history

    queue = getattr(settings, "HISTORY_LINK_QUEUE", None)  # a test's own worker
    try:
        if cache.add(LINK_QUEUED_KEY, 1, timeout=60):
            options = {"queue": queue} if queue else {}
            link_history.apply_async(countdown=LINK_DELAY_SECONDS, **options)
    except Exception:
        # The mark expires by itself if the cache is what failed.
        with contextlib.suppress(Exception):
            cache.delete(LINK_QUEUED_KEY)
        logger.warning("Could not queue the history link; the next link takes them", exc_info=True)


def link_pending() -> int:
    """Link every committed pending entry (and, inside a transaction, this transaction's own),
    in provisional order. Each step links at most _LINK_BATCH entries under the chain's lock
    and commits (when not inside a caller's transaction), so a big import's link lets other
    writers' links in between its steps. Returns how many were linked."""
    if not _pg():
        return 0
    total = 0
    while True:
        # Unlocked look first: most calls find nothing and take no lock. (Ordered by seq so
        # that the planner walks the pending index, even with statistics that predate them.)
        if not _pending().values_list("seq", flat=True)[:1]:
            return total
        with transaction.atomic():
            head = _lock_head()
            seq, prev, linked = _link_batch(head.seq, head.sha256, move_head=True)
        total += linked
        if linked < _LINK_BATCH:
            return total


# Small, so that the planner walks the pending index whatever its statistics say, and a step
# holds the chain's lock for milliseconds.
_LINK_BATCH = 1_000


def _pending():
    return HistoryEntry.chain.filter(seq__gte=PENDING).order_by("seq")


def _link_locked(head: HistoryChainHead) -> tuple[int, str]:
    """With the chain locked: link every pending entry this transaction sees. Returns the new
    head."""
    seq, prev = head.seq, head.sha256
    if not _pg():
        return seq, prev
    while True:
        seq, prev, linked = _link_batch(seq, prev)
        if linked < _LINK_BATCH:
            return seq, prev


def _link_batch(seq: int, prev: str, move_head: bool = False) -> tuple[int, str, int]:
    """With the chain locked: link the next pending entries after (seq, prev), in provisional
    order, hashing what is stored (what verify_chain will read). The update writes the final
    sequence number and the hash (32 bytes); the previous hash is not stored."""
    batch = list(_pending()[:_LINK_BATCH])
    if not batch:
        return seq, prev, 0
    # The provisional number is the row's key (HistoryEntry.seq) until this update.
    provisional = [e.seq for e in batch]
    seq, prev = _chain(batch, seq, prev)
    table = connection.ops.quote_name(HistoryEntry._meta.db_table)
    update = (
        f"UPDATE {table} AS h SET seq = v.seq, sha256 = v.sha "
        "FROM unnest(%s::bigint[], %s::bigint[], %s::bytea[]) "
        "AS v(pending, seq, sha) WHERE h.seq = v.pending"
    )
    params = [provisional, [e.seq for e in batch], [bytes.fromhex(e.sha256) for e in batch]]
    if move_head:
        # The head moves in the same statement (one round trip fewer under the lock).
        head_table = connection.ops.quote_name(HistoryChainHead._meta.db_table)
        update = (
            f"WITH linked AS ({update} RETURNING 1) "
            f"UPDATE {head_table} SET seq = %s, sha256 = %s WHERE id = 1"
        )
        params += [seq, prev]
    with connection.cursor() as cursor:
        cursor.execute(update, params)
    return seq, prev, len(batch)


def record(instance: models.Model, action: str, changes: dict) -> None:
    append([new_entry(instance, action, changes)])


def record_bulk(instances: Iterable[models.Model], action: str = HistoryEntry.Action.CREATE) -> int:
    """Record a batch that was written with bulk_create (or bulk_update: pass action='update'
    and set `_history_before` on each instance first). Returns the number of entries."""
    who = _who()
    if action == HistoryEntry.Action.CREATE:
        entries = _bulk_created(instances, who)
    else:
        entries = []
        for instance in instances:
            ignored = getattr(instance, "history_ignored_fields", ())
            changes = diff(getattr(instance, "_history_before", {}), snapshot(instance), ignored)
            if changes:
                entries.append(new_entry(instance, action, changes, who))
    for start in range(0, len(entries), 50_000):
        append(entries[start : start + 50_000])
    return len(entries)


# What _plain gives the commonest values, by their exact class: one lookup instead of its tests.
_FAST_PLAIN = {
    decimal.Decimal: str,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
}

# A group of creates this large shares one layout that holds the values every entry of the group
# has (stored once instead of in each entry); below it, a layout row would cost more than the
# values it saves.
_SHARED_MIN = 50
_SCALARS = (str, int, bool)


def _bulk_created(instances: Iterable[models.Model], who) -> list[HistoryEntry]:
    """The entries of created records, positional (core.models, keyed_changes): their values
    against a layout per model and set of fields, written once per batch. The values are what
    `created_changes` keeps (the non-ignored fields that are not None)."""
    plans: dict[type, list] = {}
    groups: dict[tuple, list] = {}
    slots = []
    plain_types = {str, int, bool}
    for instance in instances:
        cls = instance.__class__
        plan = plans.get(cls)
        if plan is None:
            ignored = set(getattr(instance, "history_ignored_fields", ()))
            plan = plans[cls] = [
                (f.name, f.attname) for f in cls._meta.concrete_fields if f.name not in ignored
            ]
        get = instance.__dict__.get
        names, values = [], []
        for name, attname in plan:
            value = get(attname)  # None: no value, or a field not loaded
            if value is None:
                continue
            kind = value.__class__
            if kind not in plain_types:
                fast = _FAST_PLAIN.get(kind)
                if fast is not None:
                    value = fast(value)
                else:
                    value = _plain(value)
                    if value is None:
                        continue
                    if isinstance(value, str):
                        # A choice (a str subclass): stored, shared and hashed as its text.
                        value = str.__str__(value)
            names.append(name)
            values.append(value)
        key = (cls, tuple(names))
        member = (instance, values)
        members = groups.get(key)
        if members is None:
            members = groups[key] = []
        members.append(member)
        slots.append((key, member))
    layouts = {}
    for key, members in groups.items():
        layouts[key] = _group_layout(key[0], key[1], members)
    numbers = remember_layouts(spec for spec, _kept_at in layouts.values())
    ready = {key: (numbers[layout_id(spec)], kept_at) for key, (spec, kept_at) in layouts.items()}
    entries = []
    create = HistoryEntry.Action.CREATE
    user_id, actor, request_id = who
    # What every entry of the batch shares, in the canonical form of its hash (`_chain`).
    head = f'{{"action":{_canonical(create)},"actor":{_canonical(actor)},"at":'
    tail = f'","request_id":{_canonical(request_id)},"seq":'
    common = {
        "seq": None,
        "at": None,
        "user_id": user_id,
        "actor": actor,
        "action": create,
        "request_id": request_id,
        "sha256": "",
    }
    types = {cls: cls._meta.label_lower for cls in plans}
    type_texts = {cls: _text(label) for cls, label in types.items()}
    new = HistoryEntry.__new__
    for key, (instance, values) in slots:
        number, kept_at = ready[key]
        if kept_at is None:
            changes = [number, *values]
        else:
            changes = [number, *[values[i] for i in kept_at]]
        object_type = types[key[0]]
        object_id = str(instance.pk)
        object_repr = str(instance)[:200]
        keyed = dict(zip(key[1], values, strict=True))
        keyed[PACKED] = "+"
        entry = new(HistoryEntry)
        entry._state = ModelState()
        state = entry.__dict__
        state.update(common)
        state["object_type"] = object_type
        state["object_id"] = object_id
        state["object_repr"] = object_repr
        state["changes"] = changes
        state["_canonical_parts"] = (
            head,
            f',"changes":{_canonical(keyed)},"object_id":{_text(object_id)},'
            f'"object_repr":{_text(object_repr)},"object_type":{type_texts[key[0]]},'
            '"prev":"',
            tail,
        )
        entries.append(entry)
    return entries


def _group_layout(cls, names: tuple, members: list) -> tuple[tuple, list | None]:
    """The layout of a group of creates (same model, same fields) and the positions of the values
    each entry stores (None: all of them)."""
    items: list = list(names)
    pk_name = cls._meta.pk.name
    if pk_name in names:
        at = names.index(pk_name)
        kinds = {members[0][1][at].__class__}
        if kinds <= {int, str} and all(
            v[at].__class__ in kinds and str(v[at]) == str(i.pk) for i, v in members
        ):
            items[at] = {"name": pk_name, "pk": "int" if kinds == {int} else "str"}
    if len(members) >= _SHARED_MIN:
        first = members[0][1]
        for at, value in enumerate(first):
            kind = value.__class__
            if items[at].__class__ is not str or kind not in _SCALARS:
                continue
            if all(v[at].__class__ is kind and v[at] == value for _i, v in members):
                items[at] = {"name": names[at], "value": value}
    if all(item.__class__ is str for item in items):
        return tuple(items), None
    return tuple(_hashable(item) for item in items), [
        at for at, item in enumerate(items) if item.__class__ is str
    ]


def _hashable(item):
    return item if isinstance(item, str) else _Item(item)


@dataclass
class ChainCheck:
    ok: bool
    entries: int
    head_sha256: str
    broken_seq: int | None = None
    reason: str = ""
    # Entries committed but not linked yet (verify_audit_trail links them before checking).
    pending: int = 0


def head() -> tuple[int, str]:
    """The chain's entry count and last hash, with every entry committed by now linked first
    (so a report or a backup anchored on it covers them). Inside a transaction, a link it
    makes holds the head's lock until that transaction ends: call it from short ones."""
    link_pending()
    row = HistoryChainHead.objects.filter(pk=1).first()
    return (row.seq, row.sha256) if row else (0, GENESIS)


def pending_count() -> int:
    return _pending().count()


def _entries() -> Iterator[HistoryEntry]:
    # Pending entries have no hash to check yet; an entry moved into their range (to hide it)
    # leaves a gap in the linked sequence, which is reported below.
    return HistoryEntry.chain.filter(seq__lt=PENDING).order_by("seq").iterator(chunk_size=5000)


def verify_chain() -> ChainCheck:
    # The layouts as the database holds them now (not as this process remembers them): an
    # edited or removed layout must show in the hashes of the entries that use it.
    _LAYOUTS.clear()
    _LABELS.clear()
    expected_seq, prev = 0, GENESIS
    for entry in _entries():
        expected_seq += 1
        if entry.seq != expected_seq:
            return ChainCheck(
                False,
                expected_seq - 1,
                prev,
                entry.seq,
                f"expected entry #{expected_seq}, found #{entry.seq}",
            )
        # The previous hash is not stored: the one the walk reached is what this entry's hash
        # must cover, so an entry moved, removed or relinked breaks the next hash.
        entry.prev_sha256 = prev
        if entry_hash(entry) != entry.sha256:
            return ChainCheck(
                False, expected_seq - 1, prev, entry.seq, "its content does not match its hash"
            )
        prev = entry.sha256
    pending = pending_count()
    row = HistoryChainHead.objects.filter(pk=1).first()
    head_seq, head_sha = (row.seq, row.sha256) if row else (0, GENESIS)
    if (head_seq, head_sha) != (expected_seq, prev):
        return ChainCheck(
            False,
            expected_seq,
            prev,
            expected_seq + 1 if head_seq > expected_seq else head_seq,
            "the chain head does not match the last entry (entries removed?)",
            pending,
        )
    return ChainCheck(True, expected_seq, prev, pending=pending)


# --- Checkpoints: an anchor the database cannot rewrite ---------------------------------------
#
# The chain above proves that no entry was edited *unless* the whole chain from that entry on was
# recomputed, or its tail deleted with the head rewound -- both possible to whoever can write
# the database. A checkpoint records the head (seq, sha256, at) outside the database, in an
# append-only file per database under AUDIT_CHECKPOINT_DIR, each line signed with HMAC-SHA256
# under AUDIT_CHECKPOINT_KEY (a secret that is neither in the database nor SECRET_KEY). A
# rewritten chain no longer carries a checkpointed hash; a truncated one (or an older backup
# restored) ends before a checkpoint.


def checkpoint_key() -> bytes:
    """AUDIT_CHECKPOINT_KEY from the environment; without it, a random key kept in a file of
    this machine (VAR_DIR/audit_checkpoint_key, created on first use, readable by the owner
    only). Never SECRET_KEY, never the database."""
    from django.conf import settings

    configured = getattr(settings, "AUDIT_CHECKPOINT_KEY", "")
    if configured:
        return configured.encode("utf-8")
    path = Path(settings.VAR_DIR) / "audit_checkpoint_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def key_source() -> str:
    from django.conf import settings

    if getattr(settings, "AUDIT_CHECKPOINT_KEY", ""):
        return "AUDIT_CHECKPOINT_KEY"
    return str(Path(settings.VAR_DIR) / "audit_checkpoint_key")


def database_identity(alias: str = "default") -> str:
    """The configured database (vendor, host, port, name), as a file name: the checkpoints
    belong to the database the settings name, not to anything stored in it."""
    from django.db import connections

    db = connections[alias].settings_dict
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        name = str(db["NAME"])
        parts = [vendor, Path(name).stem, hashlib.sha256(name.encode()).hexdigest()[:12]]
    else:
        parts = [vendor, db.get("HOST") or "local", str(db.get("PORT") or ""), str(db["NAME"])]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "_".join(p for p in parts if p))


def checkpoint_path(alias: str = "default") -> Path:
    from django.conf import settings

    directory = Path(getattr(settings, "AUDIT_CHECKPOINT_DIR", Path(settings.VAR_DIR) / "audit"))
    return directory / f"{database_identity(alias)}.jsonl"


def _signature(seq: int, sha256: str, at: str) -> str:
    message = f"{seq}|{sha256}|{at}".encode()
    return hmac.new(checkpoint_key(), message, hashlib.sha256).hexdigest()


@dataclass
class Checkpoint:
    seq: int
    sha256: str
    at: str
    written_at: str = ""
    hmac: str = ""
    line: int = dataclasses.field(default=0, compare=False)

    @property
    def signed(self) -> bool:
        return hmac.compare_digest(self.hmac, _signature(self.seq, self.sha256, self.at))

    def as_line(self) -> str:
        data = {
            "seq": self.seq,
            "sha256": self.sha256,
            "at": self.at,
            "written_at": self.written_at,
            "hmac": self.hmac,
        }
        return json.dumps(data, sort_keys=True) + "\n"


class CheckpointFileError(Exception):
    pass


def read_checkpoints(path: Path | None = None) -> list[Checkpoint]:
    path = path or checkpoint_path()
    if not path.exists():
        return []
    checkpoints = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            checkpoints.append(
                Checkpoint(
                    int(data["seq"]),
                    str(data["sha256"]),
                    str(data["at"]),
                    str(data.get("written_at", "")),
                    str(data["hmac"]),
                    number,
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointFileError(f"line {number} of {path} is not a checkpoint") from exc
    return checkpoints


def _append_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, "".join(lines).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def write_checkpoint() -> Checkpoint | None:
    """Append the committed head to this database's checkpoint file (nothing if the last
    checkpoint already holds it, or the chain is empty). Called by the beat task, at every
    report compile and before every backup."""
    seq, sha = head()
    if seq == 0:
        return None
    path = checkpoint_path()
    try:
        existing = read_checkpoints(path)
    except CheckpointFileError:
        existing = []
    if existing and existing[-1].seq == seq and existing[-1].sha256 == sha:
        return existing[-1]
    entry = HistoryEntry.chain.filter(seq=seq).only("at").first()
    at = entry.at.isoformat() if entry else ""
    checkpoint = Checkpoint(seq, sha, at, timezone.now().isoformat(), _signature(seq, sha, at))
    _append_lines(path, [checkpoint.as_line()])
    return checkpoint


def merge_checkpoints(source: Path, target: Path | None = None) -> int:
    """Append to `target` (this database's file) the signed checkpoints of `source` (a backup's
    copy) that it lacks: a restore never forgets a checkpoint. Returns how many were added."""
    target = target or checkpoint_path()
    have = {(c.seq, c.sha256) for c in read_checkpoints(target)}
    new = [c for c in read_checkpoints(source) if (c.seq, c.sha256) not in have and c.signed]
    if new:
        _append_lines(target, [c.as_line() for c in new])
    return len(new)


@dataclass
class AnchorReport:
    ok: bool
    message: str
    checkpoints: int = 0


def verify_checkpoints(chain: ChainCheck, path: Path | None = None) -> AnchorReport:
    """Compare an intact chain with every checkpoint of this database. A checkpoint whose entry
    carries another hash: the history was rewritten (with its hashes recomputed) at or before
    that entry. A checkpoint beyond the head: the history was truncated and its head rewound, or
    an older backup was restored."""
    path = path or checkpoint_path()
    try:
        checkpoints = read_checkpoints(path)
    except CheckpointFileError as exc:
        return AnchorReport(False, f"the checkpoint file was altered: {exc}")
    if not checkpoints:
        return AnchorReport(True, "no checkpoints yet", 0)
    for checkpoint in checkpoints:
        if not checkpoint.signed:
            return AnchorReport(
                False,
                f"checkpoint on line {checkpoint.line} of {path} does not carry a valid "
                "signature (the file was altered, or AUDIT_CHECKPOINT_KEY is not the key it "
                "was written with)",
            )
    hashes = dict(
        HistoryEntry.chain.filter(seq__in={c.seq for c in checkpoints}).values_list("seq", "sha256")
    )
    intact_up_to = 0
    for checkpoint in sorted(checkpoints, key=lambda c: c.seq):
        if checkpoint.seq > chain.entries:
            break
        if hashes.get(checkpoint.seq) != checkpoint.sha256:
            return AnchorReport(
                False,
                f"REWRITTEN: entry #{checkpoint.seq} no longer carries the hash checkpointed on "
                f"{checkpoint.written_at}; the history was rewritten (its hashes recomputed) at "
                f"an entry after #{intact_up_to} and no later than #{checkpoint.seq}",
                len(checkpoints),
            )
        intact_up_to = checkpoint.seq
    newest = max(checkpoints, key=lambda c: c.seq)
    if newest.seq > chain.entries:
        return AnchorReport(
            False,
            f"REWOUND: the history ends at entry #{chain.entries}, but entry #{newest.seq} "
            f"(at {newest.at}) was checkpointed on {newest.written_at}: the entries after "
            f"#{chain.entries} were removed and the head rewound, or an older backup was restored",
            len(checkpoints),
        )
    return AnchorReport(True, f"{len(checkpoints)} checkpoints match", len(checkpoints))
