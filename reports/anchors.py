"""Each issued report prints the change history's entry count and head hash at compile time.
Checking an anchor: the entry with that sequence number must still carry that hash, and its own
content must still produce it. A rewrite of any earlier entry (with the chain recomputed to
hide it) changes that hash; an edit without recomputing breaks the entry's own hash."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core import history
from core.history import GENESIS, entry_hash
from core.models import HistoryEntry


@dataclass
class AnchorCheck:
    run: object
    entries: int
    head_sha256: str
    status: str  # "intact", "rewritten", "missing"
    found_sha256: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "intact"

    @property
    def message(self) -> str:
        if self.status == "intact":
            return str(_("The change history up to this report's anchor is unchanged."))
        if self.status == "missing":
            return str(_("The entry this report anchors is missing from today's change history."))
        return str(_("The change history was rewritten since this report was issued."))


def current_head() -> tuple[int, str]:
    return history.head()


def _anchor(run) -> tuple[int, str]:
    trail = (run.snapshot or {}).get("audit_trail", {})
    return int(trail.get("entries") or 0), str(trail.get("head_sha256") or "")


def check_many(runs: list) -> list[AnchorCheck]:
    anchors = [_anchor(run) for run in runs]
    seqs = {seq for seq, _sha in anchors if seq}
    entries = {e.seq: e for e in HistoryEntry.objects.filter(seq__in=seqs)}
    checks = []
    for run, (seq, sha) in zip(runs, anchors, strict=True):
        if seq == 0:
            status = "intact" if sha == GENESIS else "rewritten"
            checks.append(AnchorCheck(run, seq, sha, status, GENESIS))
            continue
        entry = entries.get(seq)
        if entry is None:
            checks.append(AnchorCheck(run, seq, sha, "missing"))
            continue
        intact = entry.sha256 == sha and entry_hash(entry) == entry.sha256
        checks.append(AnchorCheck(run, seq, sha, "intact" if intact else "rewritten", entry.sha256))
    return checks


def check(run) -> AnchorCheck:
    return check_many([run])[0]
