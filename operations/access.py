"""Who read what: one access-log entry per read of a sensitive record (a named appraisal, an
underperformance case, a disciplinary record, a conflict-of-interest declaration), written by the
record's detail page and API, anchored in the change history.

Views call `record_read(request, obj)`; lists of aggregates call nothing."""

import contextlib

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
    # Outside a caller's transaction (an API or page read), the entries are linked into the
    # chain in this short transaction, under the chain's lock for its last three statements,
    # instead of being written pending and rewritten by a second transaction after the commit
    # (12 statements a logged list page -> 7, and no second write of each entry). Inside a
    # caller's transaction they stay pending: the lock must not be held for its length.
    linking = contextlib.nullcontext() if connection.in_atomic_block else history.linking_at_once()
    with transaction.atomic(), linking:
        made = AccessRecord.objects.bulk_create(made)
        who = history._who()
        history.append(
            [
                history.new_entry(
                    entry, "create", history.created_changes(history.snapshot(entry)), who=who
                )
                for entry in made
            ]
        )
    return made


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
