"""Writing and checking the change history.

Single saves are recorded by the signal receivers in core.signals. Bulk writes (imports,
seeding) call `record_bulk` with the objects they wrote, so one locked step extends the chain
for the whole batch.
"""

import dataclasses
import datetime
import decimal
import hashlib
import hmac
import json
import os
import re
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

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
    entry = HistoryEntry.objects.filter(seq=seq).only("at").first()
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
        HistoryEntry.objects.filter(seq__in={c.seq for c in checkpoints}).values_list(
            "seq", "sha256"
        )
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
