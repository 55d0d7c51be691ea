"""seed_scale's second process (issue 13, item 7): the decisions and commitments are written by a
forked process beside the other apps' seeds. The rows must be those one process writes, the
history's chain must verify, and a failure in either process must stop the run with the
indexes and keys it set aside put back."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accountability import seed as accountability_seed
from accountability.management.commands import seed_scale as command
from accountability.models import Commitment, Decision
from core import history
from core.models import HistoryEntry
from org.resolution import load_resolution

# Outside a transaction, as a real run: inside one (a test's), the seed stays in one process.
pytestmark = pytest.mark.django_db(transaction=True)

# The tables each process writes, with the columns that make their rows (keys included: every
# table's sequence is drawn by one process only, so the keys are the same too).
TABLES = {
    "accountability_decision": "id, title, unit_id, decided_by_id, decided_on, area, amount, "
    "delegation_id, within_authority, review_outcome, reviewed_on",
    "accountability_decision_paragraphs": "decision_id, paragraph_id",
    "accountability_commitment": "id, title, unit_id, owner_id, due_on, status, honoured_on",
    "accountability_commitmenttransition": "id, commitment_id, from_status, to_status",
    "accountability_delegation": "id, reference, delegator_id, delegatee_id, parent_id, "
    "limit_amount, valid_from, valid_to, revoked_on",
    "oversight_recommendation": "id, report_id, status, priority, amount_identified",
    "oversight_recommendationupdate": "id, recommendation_id, to_status, effective_on",
    "performance_appraisal": "id, staff_id, cycle, rating",
    "risk_controltest": "id, control_id, tested_on, result",
    "org_person": "id, index_number, name, unit_id, grade",
}


def fingerprint() -> dict[str, str]:
    prints = {}
    with connection.cursor() as cursor:
        for table, columns in TABLES.items():
            cursor.execute(f"SELECT ({columns})::text FROM {table} ORDER BY 1")
            rows = "\n".join(row for (row,) in cursor.fetchall())
            prints[table] = hashlib.sha256(rows.encode()).hexdigest()
    return prints


def seed(processes: int, factor: float = 0.002) -> str:
    out = io.StringIO()
    call_command("seed_scale", factor=factor, processes=processes, stdout=out)
    return out.getvalue()


def fresh_database() -> None:
    # Emptied with the sequences restarted (flush), so that a second seed draws the same keys.
    call_command("flush", interactive=False, verbosity=0)
    load_resolution()


def entries_by_type() -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry_type in HistoryEntry.objects.values_list("object_type", flat=True):
        counts[entry_type] = counts.get(entry_type, 0) + 1
    return counts


def test_two_processes_write_the_rows_one_process_writes_and_the_chain_verifies():
    fresh_database()
    schema = _schema()
    output = seed(processes=2)
    assert command._lanes_possible()
    # Each process rebuilt the indexes and keys of its own tables; nothing is left aside.
    assert "restored and checked" in output
    # The decisions' tables finished (by a thread) while the commitments were written.
    assert "of accountability_decision, accountability_decision_paragraphs restored" in output
    assert "of accountability_commitment, " in output
    assert _schema() == schema
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [command.SET_ASIDE])
        assert cursor.fetchone()[0] is None
    two = fingerprint()
    two_entries = entries_by_type()
    # The amounts follow the factor (0.002 of 1,000,000 decisions and 200,000 commitments), and
    # every row the second process wrote has its entry.
    assert Decision.objects.filter(title__startswith="Decision S-").count() == 2000
    assert Commitment.objects.filter(title__startswith="Commitment S-").count() == 400
    assert two_entries["accountability.decision"] == Decision.objects.count()
    assert two_entries["accountability.commitment"] == Commitment.objects.count()
    check = history.verify_chain()
    assert check.ok, check.reason
    assert check.entries == HistoryEntry.objects.count() and check.pending == 0
    # The second process's steps are reported with the others', where one process runs them.
    steps = output[output.index("Rows per second") :].splitlines()[1:]
    labels = [line.split("  ")[1].strip() for line in steps if line.strip()]
    at = labels.index("delegations")
    assert labels[at + 1 : at + 3] == ["decisions", "commitments"]
    assert "oversight recommendations" in labels and "appraisals" in labels
    # The counts in the apps' order, the second process's in accountability's place.
    summary = output[output.index("Done in") : output.index("Rows per second")].splitlines()[1:]
    names = [line.rsplit(None, 1)[0].strip() for line in summary]
    assert names[names.index("delegations") :][:4] == [
        "delegations",
        "decisions",
        "commitments",
        "recommendations",
    ]

    fresh_database()
    seed(processes=1)
    assert fingerprint() == two
    assert entries_by_type() == two_entries
    assert history.verify_chain().ok


def test_a_failure_in_the_second_process_stops_the_run_and_puts_the_indexes_back(monkeypatch):
    fresh_database()
    before = _schema()

    def fail(*args, **kwargs):
        raise RuntimeError("commitments failed")

    # Inherited by the forked process.
    monkeypatch.setattr(accountability_seed, "_scale_commitments", fail)
    with pytest.raises(CommandError, match="commitments failed"):
        seed(processes=2, factor=0.001)
    assert _schema() == before
    # The rows it committed before failing are linked into a valid chain; a rerun completes.
    monkeypatch.undo()
    seed(processes=2, factor=0.001)
    assert history.verify_chain().ok
    assert _schema() == before


def _schema() -> set:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid IN "
            "('accountability_decision'::regclass, 'accountability_commitment'::regclass, "
            "'core_historyentry'::regclass)"
        )
        indexes = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid IN "
            "('accountability_decision'::regclass, 'accountability_commitment'::regclass)"
        )
        return indexes | {name for (name,) in cursor.fetchall()}
