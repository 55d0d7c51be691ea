"""The change history against someone who can write the database: each way of tampering with it
in SQL is named by `verify_audit_trail` (exit 1, the first broken entry or the rewind), with the
chain alone or with the checkpoints kept outside the database."""

import json

import pytest
from django.db import connection

from core import history
from core.context import acting_as
from core.models import HistoryEntry, label_id
from core.tests.history_helpers import sql, verify
from org.models import OrgUnit

pytestmark = pytest.mark.django_db


def write_entries(count: int) -> None:
    """`count` more entries: renames of a unit in each of the two units."""
    with acting_as("command:test"):
        for i in range(count):
            unit = OrgUnit.objects.get(code="DOS" if i % 2 else "DMSPC")
            unit.name = f"{unit.name.split(' #')[0]} #{i}"
            unit.save()


def renumber_after(seq: int) -> None:
    """Close the gap a deleted entry `seq` left: every later entry one number down. In two
    steps, as the unique sequence number is checked row by row and linked rows are not stored
    in sequence order."""
    sql("UPDATE core_historyentry SET seq = seq + 1000000000 WHERE seq > %s", [seq])
    sql("UPDATE core_historyentry SET seq = seq - 1000000001 WHERE seq > 1000000000")


def recompute_from(seq: int) -> None:
    """What an attacker with the database does after editing entry `seq`: recompute every hash
    from there on and the head, so the chain alone verifies."""
    entries = list(HistoryEntry.objects.filter(seq__gte=seq - 1).order_by("seq"))
    prev = entries[0].sha256 if entries[0].seq == seq - 1 else history.GENESIS
    for entry in entries:
        if entry.seq < seq:
            continue
        entry.prev_sha256 = prev
        prev = history.entry_hash(entry)
        sql(
            "UPDATE core_historyentry SET sha256 = decode(%s, 'hex') WHERE seq = %s",
            [prev, entry.seq],
        )
    last = entries[-1].seq
    sql("UPDATE core_historychainhead SET seq = %s, sha256 = %s WHERE id = 1", [last, prev])


@pytest.fixture
def chain(units):
    """A chain with two checkpoints: one in the middle, one at the head."""
    write_entries(4)
    middle = history.write_checkpoint()
    write_entries(4)
    newest = history.write_checkpoint()
    assert history.verify_chain().ok
    return middle, newest


def test_a_database_without_checkpoints_verifies_as_before(units, capsys, checkpoint_dir):
    code, out = verify(capsys)
    assert code == 0
    assert out.startswith(f"OK {HistoryEntry.objects.count()} entries")
    assert not checkpoint_dir.exists()


def test_an_intact_chain_matches_its_checkpoints(chain, capsys):
    code, out = verify(capsys)
    assert code == 0, out
    assert f"OK {HistoryEntry.objects.count()} entries" in out
    assert "2 checkpoints match" in out


def _someone_else() -> int:
    """The number of another actor's label (actors are stored as their label's number)."""
    number = label_id("user:someone-else")
    sql(
        "INSERT INTO core_historylabel (id, text) VALUES (%s, 'user:someone-else') "
        "ON CONFLICT DO NOTHING",
        [number],
    )
    return number


def test_an_entry_edited_in_sql_is_named(chain, capsys):
    sql("UPDATE core_historyentry SET actor = %s WHERE seq = 3", [_someone_else()])
    assert HistoryEntry.objects.get(seq=3).actor == "user:someone-else"
    code, out = verify(capsys)
    assert code == 1
    assert "BROKEN at entry #3: its content does not match its hash" in out


def test_a_middle_entry_deleted_in_sql_is_named(chain, capsys):
    sql("DELETE FROM core_historyentry WHERE seq = 5")
    code, out = verify(capsys)
    assert code == 1
    assert "BROKEN at entry #6: expected entry #5, found #6" in out


def test_two_entries_swapped_in_sql_are_named(chain, capsys):
    sql("UPDATE core_historyentry SET seq = 1000000 WHERE seq = 4")
    sql("UPDATE core_historyentry SET seq = 4 WHERE seq = 5")
    sql("UPDATE core_historyentry SET seq = 5 WHERE seq = 1000000")
    code, out = verify(capsys)
    assert code == 1
    assert "BROKEN at entry #4" in out


def test_an_entry_relinked_past_a_deleted_one_is_named(chain, capsys):
    """Delete entry 5 and renumber the rest (without recomputing): entry 6, now #5, follows
    entry 4, but its hash covered its old predecessor, so it no longer matches."""
    sql("DELETE FROM core_historyentry WHERE seq = 5")
    renumber_after(5)
    code, out = verify(capsys)
    assert code == 1
    assert "BROKEN at entry #5: its content does not match its hash" in out


def test_a_hash_edited_in_sql_is_named(chain, capsys):
    """The link itself (the stored hash) forged: the entry no longer matches it."""
    sql("UPDATE core_historyentry SET sha256 = decode(%s, 'hex') WHERE seq = 4", ["ab" * 32])
    code, out = verify(capsys)
    assert code == 1
    assert "BROKEN at entry #4: its content does not match its hash" in out


def test_a_hash_copied_from_another_entry_is_named(chain, capsys):
    """Entry 5 given entry 6's hash (and entry 6 left as it was): both the forged entry and the
    order are caught at entry 5."""
    sql(
        "UPDATE core_historyentry SET sha256 = (SELECT sha256 FROM core_historyentry "
        "WHERE seq = 6) WHERE seq = 5"
    )
    code, out = verify(capsys)
    assert code == 1
    assert "BROKEN at entry #5: its content does not match its hash" in out


def test_a_hash_removed_in_sql_is_named(chain, capsys):
    sql("UPDATE core_historyentry SET sha256 = NULL WHERE seq = 2")
    code, out = verify(capsys)
    assert code == 1
    assert "BROKEN at entry #2: its content does not match its hash" in out


def test_hashes_are_stored_as_32_bytes_and_read_as_hex(chain):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT octet_length(sha256), encode(sha256, 'hex') FROM core_historyentry "
            "WHERE seq = 3"
        )
        length, hexed = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = "
            "'core_historyentry' AND column_name = 'prev_sha256'"
        )
        assert cursor.fetchone()[0] == 0  # the previous hash is derived, not stored
    entry = HistoryEntry.objects.get(seq=3)
    assert length == 32 and entry.sha256 == hexed and len(entry.sha256) == 64
    assert HistoryEntry.objects.get(sha256=hexed).seq == 3
    assert not HistoryEntry.objects.filter(sha256="not hex").exists()
    # The previous hash reads as before: the API's field, the entry's attribute, the genesis.
    assert entry.prev_sha256 == HistoryEntry.objects.get(seq=2).sha256
    assert HistoryEntry.chain.get(seq=3).prev_sha256 == entry.prev_sha256
    assert HistoryEntry.objects.get(seq=1).prev_sha256 == history.GENESIS


def test_each_hash_covers_its_predecessor():
    """An entry is bound to the one before it: the same content after another entry hashes
    differently (dropping `prev` from the hash formula fails here)."""
    entry = HistoryEntry(
        seq=2,
        actor="user:a",
        action="update",
        object_type="org.orgunit",
        object_id="1",
        object_repr="DOS",
        changes={"name": ["a", "b"]},
        request_id="",
        prev_sha256="1" * 64,
    )
    from django.utils import timezone

    entry.at = timezone.now()
    first = history.entry_hash(entry)
    entry.prev_sha256 = "2" * 64
    assert history.entry_hash(entry) != first


def test_a_rewrite_with_recomputed_hashes_is_named_by_the_checkpoints(chain, capsys):
    middle, newest = chain
    target = middle.seq + 2
    sql("UPDATE core_historyentry SET actor = %s WHERE seq = %s", [_someone_else(), target])
    recompute_from(target)
    assert history.verify_chain().ok  # the chain alone no longer sees it
    code, out = verify(capsys)
    assert code == 1
    assert f"REWRITTEN: entry #{newest.seq} no longer carries the hash checkpointed" in out
    assert f"after #{middle.seq} and no later than #{newest.seq}" in out


def test_a_rewrite_from_the_first_entry_is_named_by_the_first_checkpoint(chain, capsys):
    middle, _newest = chain
    sql("UPDATE core_historyentry SET object_repr = 'forged' WHERE seq = 1")
    recompute_from(1)
    code, out = verify(capsys)
    assert code == 1
    assert f"REWRITTEN: entry #{middle.seq}" in out and "after #0" in out


def test_a_middle_entry_removed_with_the_rest_renumbered_and_recomputed_is_named(chain, capsys):
    middle, _newest = chain
    sql("DELETE FROM core_historyentry WHERE seq = 3")
    renumber_after(3)
    recompute_from(3)
    assert history.verify_chain().ok
    code, out = verify(capsys)
    assert code == 1
    assert f"REWRITTEN: entry #{middle.seq}" in out


def test_a_truncation_with_the_head_rewound_is_named_as_a_rewind(chain, capsys):
    _middle, newest = chain
    keep = newest.seq - 3
    kept = HistoryEntry.objects.get(seq=keep)
    sql("DELETE FROM core_historyentry WHERE seq > %s", [keep])
    sql("UPDATE core_historychainhead SET seq = %s, sha256 = %s WHERE id = 1", [keep, kept.sha256])
    assert history.verify_chain().ok  # the chain alone no longer sees it
    code, out = verify(capsys)
    assert code == 1
    assert f"REWOUND: the history ends at entry #{keep}, but entry #{newest.seq}" in out


def test_a_truncation_without_rewinding_the_head_is_named_by_the_chain(chain, capsys):
    _middle, newest = chain
    sql("DELETE FROM core_historyentry WHERE seq > %s", [newest.seq - 2])
    code, out = verify(capsys)
    assert code == 1
    assert "the chain head does not match the last entry" in out


def test_a_forged_checkpoint_line_is_refused(chain, capsys, checkpoint_dir):
    """Whoever rewrites the database and the checkpoint file but lacks the key is caught."""
    _middle, newest = chain
    path = history.checkpoint_path()
    lines = path.read_text().splitlines()
    forged = json.loads(lines[-1])
    forged["sha256"] = "f" * 64
    path.write_text("\n".join([*lines[:-1], json.dumps(forged)]) + "\n")
    code, out = verify(capsys)
    assert code == 1
    assert "line 2" in out and "does not carry a valid signature" in out


def test_checkpoints_are_signed_with_their_own_key_not_the_secret_key(chain, settings):
    _middle, newest = chain
    assert newest.signed
    settings.AUDIT_CHECKPOINT_KEY = settings.SECRET_KEY
    assert not newest.signed


def test_without_a_configured_key_a_per_machine_key_file_is_made(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_KEY = ""
    settings.VAR_DIR = tmp_path
    key = history.checkpoint_key()
    path = tmp_path / "audit_checkpoint_key"
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert len(key) == 64 and key != settings.SECRET_KEY.encode()
    assert history.checkpoint_key() == key  # the same key next time


def test_a_checkpoint_is_written_once_per_head_and_appended(units, checkpoint_dir):
    first = history.write_checkpoint()
    assert history.write_checkpoint() == first  # nothing new: no second line
    write_entries(1)
    second = history.write_checkpoint()
    lines = history.checkpoint_path().read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [first.seq, second.seq]
    assert second.seq == first.seq + 1 == HistoryEntry.objects.count()


def test_the_beat_task_and_the_command_write_checkpoints(units, capsys):
    from core.tasks import checkpoint_history

    assert checkpoint_history() == HistoryEntry.objects.count()
    write_entries(1)
    code, out = verify(capsys, "--checkpoint")
    assert code == 0, out
    seqs = [c.seq for c in history.read_checkpoints()]
    assert seqs == [HistoryEntry.objects.count() - 1, HistoryEntry.objects.count()]


def test_a_checkpoint_file_that_is_not_one_is_reported(units, capsys, checkpoint_dir):
    path = history.checkpoint_path()
    path.parent.mkdir(parents=True)
    path.write_text("not json\n")
    code, out = verify(capsys)
    assert code == 1 and "line 1" in out
