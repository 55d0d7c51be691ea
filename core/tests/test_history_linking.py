"""Reads that build no history snapshot, and history writes that do not hold the chain for the
length of a transaction: entries appended pending inside it, linked in one short locked step when
it commits (core.history). The chain stays one contiguous, verifiable sequence."""

import json
import threading
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction

from core import history
from core.context import acting_as
from core.models import HistoryChainHead, HistoryEntry
from org.models import OrgUnit
from risk.models import InternalControlStatement

needs_postgres = pytest.mark.skipif(
    not settings.IS_POSTGRES, reason="pending entries and concurrent writers need PostgreSQL"
)


def _entries(obj):
    return list(HistoryEntry.objects.for_object(obj).order_by("seq"))


def _two_departments():
    """UN > DMSPC, UN > DOS, committed (for the tests whose writers run in other threads)."""
    root = OrgUnit.objects.create(code="UN", name="United Nations Secretariat")
    dmspc = OrgUnit.objects.create(code="DMSPC", name="Management Strategy", parent=root)
    dos = OrgUnit.objects.create(code="DOS", name="Operational Support", parent=root)
    return dmspc, dos


# --- Reads build no snapshot; a write's "before" is the row as loaded --------------------------


@pytest.mark.django_db
def test_loading_rows_builds_no_history_snapshot(units):
    loaded = list(OrgUnit.objects.all())
    assert len(loaded) == 5
    assert not any("_history_before_values" in unit.__dict__ for unit in loaded)


@pytest.mark.django_db
def test_an_edit_then_save_records_the_value_as_loaded_not_as_edited(units):
    unit = OrgUnit.objects.get(code="DOS")
    unit.name = "Department of Operational Support (renamed)"
    # What services read to decide whether a field changed: still the loaded value.
    assert unit._history_before["name"] == "Department of Operational Support"
    unit.name = "Department of Operational Support (renamed twice)"
    unit.save()
    assert _entries(unit)[-1].changes == {
        "name": [
            "Department of Operational Support",
            "Department of Operational Support (renamed twice)",
        ]
    }
    # The next save is diffed against what the last one wrote.
    unit.name = "DOS"
    unit.save()
    assert _entries(unit)[-1].changes == {
        "name": ["Department of Operational Support (renamed twice)", "DOS"]
    }


@pytest.mark.django_db
def test_a_json_value_edited_in_place_shows_its_old_content(units):
    InternalControlStatement.objects.create(year=2024, rollup={"units": 2, "deficient": ["DOS"]})
    statement = InternalControlStatement.objects.get(year=2024)
    statement.rollup["deficient"].append("DMSPC")
    statement.rollup["units"] = 3
    statement.save()
    assert _entries(statement)[-1].changes == {
        "rollup": [
            {"units": 2, "deficient": ["DOS"]},
            {"units": 3, "deficient": ["DOS", "DMSPC"]},
        ]
    }


@pytest.mark.django_db
def test_a_deferred_field_loaded_later_is_not_reported_as_changed(units):
    unit = OrgUnit.objects.only("pk", "code", "version").get(code="DMSPC-OHR")
    unit.name = f"{unit.name} Management"  # loads the deferred name, then edits it
    unit.save()
    assert _entries(unit)[-1].changes == {
        "name": ["Office of Human Resources", "Office of Human Resources Management"]
    }


@pytest.mark.django_db
def test_after_a_refresh_the_before_is_the_refreshed_row(units):
    mine = OrgUnit.objects.get(code="DOS-PD")
    theirs = OrgUnit.objects.get(code="DOS-PD")
    theirs.name = "Procurement Division (theirs)"
    theirs.save()
    mine.refresh_from_db()
    mine.name = "Procurement Division (mine)"
    mine.save()
    # Not ["Procurement Division", ...]: that was no longer the row when this edit was made.
    assert _entries(mine)[-1].changes == {
        "name": ["Procurement Division (theirs)", "Procurement Division (mine)"]
    }


# --- Pending inside a transaction, linked at commit -------------------------------------------


@needs_postgres
@pytest.mark.django_db
def test_inside_a_transaction_entries_wait_unlinked_and_the_head_is_not_locked(units):
    head_before = HistoryChainHead.objects.get(pk=1).seq
    with acting_as("command:test"):
        units["dos"].name = "Renamed"
        units["dos"].save()
    entry = _entries(units["dos"])[-1]
    assert entry.seq >= history.PENDING and entry.sha256 == "" and entry.prev_sha256 == ""
    assert HistoryChainHead.objects.get(pk=1).seq == head_before
    # This transaction holds neither the chain's lock nor the head row: a writer elsewhere
    # can link meanwhile.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.locktype, l.mode FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = pg_backend_pid() AND (l.locktype = 'advisory' OR "
            "(c.relname = %s AND l.mode <> 'AccessShareLock'))",
            [HistoryChainHead._meta.db_table],
        )
        assert cursor.fetchall() == []


@needs_postgres
@pytest.mark.django_db
def test_a_transaction_registers_one_link_however_many_entries_it_writes(units):
    for n in range(6):
        OrgUnit.objects.create(
            code=f"L{n}", name=f"Link {n}", parent=units["dmspc" if n % 2 else "dos"]
        )
    links = [f for _sids, f, _robust in connection.run_on_commit if f is history._link_after_commit]
    assert len(links) == 1  # for the 5 units of the fixture and these 6
    assert history.pending_count() == 11


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_committed_entries_are_linked_in_the_order_they_were_written():
    dmspc, dos = _two_departments()
    with transaction.atomic():
        a = OrgUnit.objects.create(code="DMSPC-A", name="A", parent=dmspc)
        with pytest.raises(RuntimeError), transaction.atomic():
            OrgUnit.objects.create(code="DOS-GONE", name="Rolled back", parent=dos)
            raise RuntimeError
        b = OrgUnit.objects.create(code="DOS-B", name="B", parent=dos)
        a.name = "A renamed"
        a.save()
    result = history.verify_chain()
    assert result.ok, result.reason
    assert result.pending == 0
    # 3 departments + A created, B created, A renamed; the rolled-back unit left nothing.
    assert result.entries == HistoryEntry.objects.count() == 6
    assert [(e.object_repr.split(" ")[0], e.action) for e in HistoryEntry.objects.order_by("seq")][
        3:
    ] == [("DMSPC-A", "create"), ("DOS-B", "create"), ("DMSPC-A", "update")]
    assert not HistoryEntry.objects.filter(object_repr__startswith="DOS-GONE").exists()
    assert b.pk and history.head() == (6, HistoryEntry.objects.get(seq=6).sha256)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_make_one_contiguous_valid_chain():
    dmspc, dos = _two_departments()
    errors = []
    start = threading.Barrier(8)

    def writer(n):
        parent = dmspc if n % 2 else dos
        try:
            start.wait()
            for i in range(25):
                # Each write in its own transaction, as a named action does.
                with transaction.atomic():
                    OrgUnit.objects.create(
                        code=f"{parent.code}-{n}-{i}", name=f"Writer {n} #{i}", parent=parent
                    )
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert errors == []
    result = history.verify_chain()
    assert result.ok, result.reason
    assert result.pending == 0
    assert result.entries == HistoryEntry.objects.count() == 3 + 8 * 25
    assert list(HistoryEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 204)
    )
    # Each writer's own entries keep its order.
    for n in range(8):
        code = f"{'DMSPC' if n % 2 else 'DOS'}-{n}-"
        mine = [
            int(e.object_repr.split(" ")[0].rsplit("-", 1)[1])
            for e in HistoryEntry.objects.filter(object_repr__startswith=code).order_by("seq")
        ]
        assert mine == list(range(25))
    assert (
        OrgUnit.objects.filter(parent=dmspc).count()
        == OrgUnit.objects.filter(parent=dos).count()
        == 100
    )


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_does_not_hold_up_a_short_writer():
    """The import case: a transaction that has written history stays open. A short writer
    elsewhere commits and is linked meanwhile; the long one is linked after it, when it commits.
    (Under the single locked head, the short writer waited for the long one's commit, which here
    waits for the short writer: the wait below would time out.)"""
    dmspc, dos = _two_departments()
    long_has_written, short_done = threading.Event(), threading.Event()
    seen = {}

    def long_writer():
        try:
            with transaction.atomic():
                OrgUnit.objects.create(code="DMSPC-IMPORT", name="Imported", parent=dmspc)
                long_has_written.set()
                seen["short_finished_first"] = short_done.wait(timeout=20)
        finally:
            connection.close()

    def short_writer():
        try:
            assert long_has_written.wait(timeout=20)
            started = time.perf_counter()
            with transaction.atomic():
                OrgUnit.objects.create(code="DOS-QUICK", name="Quick", parent=dos)
            seen["short_seconds"] = time.perf_counter() - started
            seen["short_linked"] = HistoryEntry.objects.get(object_repr__startswith="DOS-QUICK").seq
            short_done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=long_writer), threading.Thread(target=short_writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert seen["short_finished_first"] is True
    print(f"short write during the long transaction: {seen['short_seconds'] * 1000:.0f} ms")
    # Linked while the long transaction was open (entry 4), the long one's entry after it.
    assert seen["short_linked"] == 4
    assert HistoryEntry.objects.get(object_repr__startswith="DMSPC-IMPORT").seq == 5
    result = history.verify_chain()
    assert result.ok and result.entries == 5 and result.pending == 0


# --- A crash between the commit and the link ---------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_entries_a_crash_left_unlinked_are_linked_first_by_the_next_writer(monkeypatch):
    dmspc, dos = _two_departments()
    # The process dies after its commit, before its link ran.
    monkeypatch.setattr(history, "_link_after_commit", lambda: None)
    with transaction.atomic():
        lost = OrgUnit.objects.create(
            code="DMSPC-CRASH", name="Committed, never linked", parent=dmspc
        )
    monkeypatch.undo()
    check = history.verify_chain()
    assert check.ok and check.entries == 3 and check.pending == 1  # seen, not lost
    with transaction.atomic():
        later = OrgUnit.objects.create(code="DOS-LATER", name="Next write", parent=dos)
    assert _entries(lost)[0].seq == 4 and _entries(later)[0].seq == 5
    result = history.verify_chain()
    assert result.ok and result.entries == 5 and result.pending == 0


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_verify_audit_trail_links_what_a_crash_left_and_says_so(monkeypatch, capsys):
    dmspc, _dos = _two_departments()
    monkeypatch.setattr(history, "_link_after_commit", lambda: None)
    with transaction.atomic():
        OrgUnit.objects.create(code="DMSPC-CRASH", name="Committed, never linked", parent=dmspc)
        OrgUnit.objects.create(code="DMSPC-CRASH2", name="Also", parent=dmspc)
    monkeypatch.undo()
    call_command("verify_audit_trail")
    captured = capsys.readouterr()
    assert captured.out.startswith("OK 5 entries")
    assert "Linked 2 entries that were committed but not yet linked" in captured.err
    assert history.pending_count() == 0


@needs_postgres
@pytest.mark.django_db
def test_a_linked_entry_moved_among_the_pending_ones_is_named(units, capsys):
    """Hiding an entry as 'not yet linked' leaves a gap; linking it again at the end does not
    close it."""
    history.link_pending()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_historyentry SET seq = %s WHERE seq = 3", [history.PENDING + 10**9]
        )
    with pytest.raises(SystemExit):
        call_command("verify_audit_trail")
    assert "BROKEN at entry #4: expected entry #3, found #4" in capsys.readouterr().err


# --- Compact entries ---------------------------------------------------------------------------


def _stored(entry) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM core_historyentry WHERE seq = %s", [entry.pk])
        value = cursor.fetchone()[0]
    return json.loads(value) if isinstance(value, str) else value


@pytest.mark.django_db
def test_creates_and_deletes_store_one_side_and_read_as_before_and_after(units):
    created = _entries(units["pd"])[0]
    assert _stored(created) == {
        "~": "+",
        "id": units["pd"].pk,
        "code": "DOS-PD",
        "name": "Procurement Division",
        "kind": units["pd"].kind,
        "path": units["pd"].path,
        "parent": units["dos"].pk,
        "name_zh": "",
        "is_active": True,
    }
    assert created.changes["code"] == [None, "DOS-PD"]
    assert created.changes["parent"] == [None, units["dos"].pk]
    assert "~" not in created.changes
    pk = units["pd"].pk
    units["pd"].delete()
    deleted = HistoryEntry.objects.filter(object_type="org.orgunit", object_id=str(pk)).first()
    assert deleted.action == "delete" and _stored(deleted)["~"] == "-"
    assert deleted.changes["name"] == ["Procurement Division", None]
    # An update stores the changed fields only, as [before, after] pairs.
    units["dos"].name = "DOS renamed"
    units["dos"].save()
    assert _stored(_entries(units["dos"])[-1]) == {
        "name": ["Department of Operational Support", "DOS renamed"]
    }


@pytest.mark.django_db
def test_the_history_api_shows_compact_entries_as_before_and_after(units, admin_user, api):
    answer = api(admin_user).get(f"/api/history/?object=org.orgunit:{units['ohr'].pk}")
    assert answer.status_code == 200
    (created,) = answer.json()["results"]
    assert created["action"] == "create"
    assert created["changes"]["code"] == [None, "DMSPC-OHR"]
    assert created["changes"]["name"] == [None, "Office of Human Resources"]
    assert "~" not in created["changes"] and len(created["sha256"]) == 64
    assert created["prev_sha256"] == HistoryEntry.objects.get(seq=created["seq"] - 1).sha256


@pytest.mark.django_db
def test_entries_in_the_earlier_encoding_still_read_and_verify(units, capsys):
    """A create written as [None, value] pairs (before the compact encoding) reads the same and
    keeps its hash; one compact and one earlier entry sit in the same chain."""
    legacy = HistoryEntry(
        user_id=None,
        actor="command:old",
        action="create",
        object_type="org.orgunit",
        object_id=str(units["dos"].pk),
        object_repr="DOS",
        changes={"code": [None, "DOS"], "name": [None, "Department of Operational Support"]},
        request_id="",
    )
    history.append([legacy])
    history.link_pending()
    stored = HistoryEntry.objects.get(actor="command:old")
    assert stored.changes == {
        "code": [None, "DOS"],
        "name": [None, "Department of Operational Support"],
    }
    assert history.entry_hash(stored) == stored.sha256
    call_command("verify_audit_trail")
    assert capsys.readouterr().out.startswith(f"OK {HistoryEntry.objects.count()} entries")


@pytest.mark.django_db
def test_a_compact_entry_edited_in_sql_is_named(units, capsys):
    history.link_pending()
    target = _entries(units["dmspc"])[0]
    forged = {**_stored(target), "name": "forged"}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_historyentry SET changes = %s WHERE seq = %s",
            [json.dumps(forged), target.pk],
        )
    with pytest.raises(SystemExit):
        call_command("verify_audit_trail")
    err = capsys.readouterr().err
    assert f"BROKEN at entry #{target.seq}: its content does not match its hash" in err


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_big_transaction_is_linked_in_steps_in_the_order_it_was_written(monkeypatch):
    dmspc, dos = _two_departments()
    monkeypatch.setattr(history, "_LINK_BATCH", 7)  # 20 entries: steps of 7, 7 and 6
    batch = [
        OrgUnit(code=f"{parent.code}-{n}", name=f"Bulk {n}", parent=parent)
        for n in range(20)
        for parent in [dmspc if n % 2 else dos]
    ]
    for unit in batch:
        unit.path = unit.compute_path()
    with transaction.atomic():
        OrgUnit.objects.bulk_create(batch)
        history.record_bulk(batch)
    result = history.verify_chain()
    assert result.ok and result.entries == 23 and result.pending == 0
    linked = HistoryEntry.objects.filter(seq__gt=3).order_by("seq")
    assert [e.object_repr.split(" ")[0] for e in linked] == [u.code for u in batch]
