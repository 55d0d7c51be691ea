"""Writing and checking the change history.

Single saves are recorded by the signal receivers in core.signals. Bulk writes (imports,
seeding) call `record_bulk` with the objects they wrote, so one locked step extends the chain
for the whole batch.
"""

import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from core.context import current_actor
from core.models import HistoryChainHead, HistoryEntry

GENESIS = "0" * 64
BATCH = 2000


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


def entry_hash(entry: HistoryEntry) -> str:
    payload = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
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
    user_id, label, request_id = who or _who()
    return HistoryEntry(
        user_id=user_id,
        actor=label,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
        request_id=request_id,
    )


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
    "prev_sha256",
    "sha256",
)


def _insert(entries: list[HistoryEntry]) -> None:
    """Write the entries: COPY on PostgreSQL (several times faster than a multi-row INSERT for
    the hundred-thousand-entry batches that imports and seeds write), bulk_create elsewhere."""
    if connection.vendor != "postgresql" or len(entries) < 50:
        HistoryEntry.objects.bulk_create(entries, batch_size=BATCH)
        return
    table = connection.ops.quote_name(HistoryEntry._meta.db_table)
    columns = ", ".join(_COPY_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for e in entries:
            copy.write_row(
                (
                    e.seq,
                    e.at,
                    e.user_id,
                    e.actor,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.object_repr,
                    json.dumps(e.changes, ensure_ascii=False),
                    e.request_id,
                    e.prev_sha256,
                    e.sha256,
                )
            )


def append(entries: list[HistoryEntry]) -> None:
    """Extend the chain with `entries`, in one step under the chain head's row lock."""
    if not entries:
        return
    with transaction.atomic():
        head = HistoryChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = HistoryChainHead.objects.create(pk=1)
        seq, prev = head.seq, head.sha256
        now = timezone.now()
        for entry in entries:
            seq += 1
            entry.seq = seq
            entry.at = now
            entry.prev_sha256 = prev
            entry.sha256 = prev = entry_hash(entry)
        _insert(entries)
        HistoryChainHead.objects.filter(pk=1).update(seq=seq, sha256=prev)


def record(instance: models.Model, action: str, changes: dict) -> None:
    append([new_entry(instance, action, changes)])


def record_bulk(instances: Iterable[models.Model], action: str = HistoryEntry.Action.CREATE) -> int:
    """Record a batch that was written with bulk_create (or bulk_update: pass action='update'
    and set `_history_before` on each instance first). Returns the number of entries."""
    entries = []
    who = _who()
    for instance in instances:
        ignored = getattr(instance, "history_ignored_fields", ())
        after = snapshot(instance)
        if action == HistoryEntry.Action.CREATE:
            changes = diff({}, after, ignored)
        else:
            changes = diff(getattr(instance, "_history_before", {}), after, ignored)
            if not changes:
                continue
        entries.append(new_entry(instance, action, changes, who))
    for start in range(0, len(entries), 50_000):
        append(entries[start : start + 50_000])
    return len(entries)


@dataclass
class ChainCheck:
    ok: bool
    entries: int
    head_sha256: str
    broken_seq: int | None = None
    reason: str = ""


def head() -> tuple[int, str]:
    """The chain's entry count and last hash, as committed now."""
    row = HistoryChainHead.objects.filter(pk=1).first()
    return (row.seq, row.sha256) if row else (0, GENESIS)


def _entries() -> Iterator[HistoryEntry]:
    return HistoryEntry.objects.order_by("seq").iterator(chunk_size=5000)


def verify_chain() -> ChainCheck:
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
        if entry.prev_sha256 != prev:
            return ChainCheck(
                False,
                expected_seq - 1,
                prev,
                entry.seq,
                "its previous hash does not match the entry before it",
            )
        if entry_hash(entry) != entry.sha256:
            return ChainCheck(
                False, expected_seq - 1, prev, entry.seq, "its content does not match its hash"
            )
        prev = entry.sha256
    head_seq, head_sha = head()
    if (head_seq, head_sha) != (expected_seq, prev):
        return ChainCheck(
            False,
            expected_seq,
            prev,
            expected_seq + 1 if head_seq > expected_seq else head_seq,
            "the chain head does not match the last entry (entries removed?)",
        )
    return ChainCheck(True, expected_seq, prev)
