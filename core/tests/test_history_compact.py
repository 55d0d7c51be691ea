"""History storage (issue 13): bulk creates stored positionally against a layout, hashes as 32
bytes, the previous hash derived. Reading is unchanged ({field: [before, after]}, hex hashes),
and tampering with an entry's values, its layout, its hash or the order is named by
verify_audit_trail."""

import json

import pytest

from core import history
from core.models import HistoryEntry, HistoryLayout, keyed_changes, layout_id
from core.tests.history_helpers import sql, verify
from org.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulk(units):
    """60 units in each of the two departments written in bulk (the COPY path), linked."""
    batch = [
        OrgUnit(code=f"{parent.code}-B{n}", name=f"Bulk {n}", parent=parent)
        for parent in (units["dmspc"], units["dos"])
        for n in range(60)
    ]
    for unit in batch:
        unit.path = unit.compute_path()
    OrgUnit.objects.bulk_create(batch)
    assert history.record_bulk(batch) == 120
    history.link_pending()
    return batch


def _stored(entry):
    (value,) = sql("SELECT changes FROM core_historyentry WHERE seq = %s", [entry.pk])[0]
    return json.loads(value) if isinstance(value, str) else value


def _names(layout):
    return [item if isinstance(item, str) else item["name"] for item in layout.fields]


def test_bulk_creates_store_values_only_and_read_as_before_and_after(bulk, units):
    entry = HistoryEntry.objects.for_object(bulk[61]).get()
    stored = _stored(entry)
    layout = HistoryLayout.objects.get(number=stored[0])
    assert layout.pk == layout_id(layout.fields)
    # The values each entry stores: the key is the record id, and the values all 120 units
    # share (their kind, their empty Chinese name) are in the layout once.
    positional = [item for item in layout.fields if isinstance(item, str)]
    assert "code" in positional and "name" in positional and "parent" in positional
    assert {"name": "id", "pk": "int"} in layout.fields
    assert {"name": "kind", "value": bulk[0].kind} in layout.fields
    assert {"name": "name_zh", "value": ""} in layout.fields
    assert stored[1:][positional.index("code")] == "DOS-B1"
    assert stored[1:][positional.index("name")] == "Bulk 1"
    assert len(stored) == 1 + len(positional)
    # Read exactly as a keyed entry: {field: [None, value]}, in the fields' order.
    assert entry.changes["code"] == [None, "DOS-B1"]
    assert entry.changes["parent"] == [None, units["dos"].pk]
    assert entry.changes["name"] == [None, "Bulk 1"]
    assert entry.changes["id"] == [None, bulk[61].pk]
    assert list(entry.changes) == _names(layout)
    # One layout for the 120 entries, not 120 copies of the names.
    assert _stored(HistoryEntry.objects.for_object(bulk[1]).get())[0] == stored[0]
    assert len(json.dumps(stored)) < len(json.dumps(keyed_changes(stored, entry.object_id)))


def test_a_small_batch_shares_no_values(units):
    """Fewer creates than a shared layout pays for: every value stored but the key."""
    batch = [OrgUnit(code=f"DOS-S{n}", name=f"Small {n}", parent=units["dos"]) for n in range(3)]
    for unit in batch:
        unit.path = unit.compute_path()
    OrgUnit.objects.bulk_create(batch)
    history.record_bulk(batch)
    history.link_pending()
    entry = HistoryEntry.objects.for_object(batch[2]).get()
    layout = HistoryLayout.objects.get(number=_stored(entry)[0])
    assert [item for item in layout.fields if not isinstance(item, str)] == [
        {"name": "id", "pk": "int"}
    ]
    assert entry.changes["parent"] == [None, units["dos"].pk]
    assert entry.changes["id"] == [None, batch[2].pk]


def test_a_positional_entry_hashes_like_its_keyed_form(bulk):
    entry = HistoryEntry.objects.for_object(bulk[3]).get()
    keyed = HistoryEntry(**{f.attname: getattr(entry, f.attname) for f in entry._meta.fields})
    keyed.changes = keyed_changes(entry.stored_changes, entry.object_id)
    keyed.prev_sha256 = entry.prev_sha256
    assert history.entry_hash(keyed) == history.entry_hash(entry) == entry.sha256


def test_the_history_api_reads_bulk_entries_as_before(bulk, admin_user, api):
    unit = bulk[0]
    answer = api(admin_user).get(f"/api/history/?object=org.orgunit:{unit.pk}")
    assert answer.status_code == 200, answer.content
    (created,) = answer.json()["results"]
    assert created["changes"]["code"] == [None, unit.code]
    assert len(created["sha256"]) == 64
    assert created["prev_sha256"] == HistoryEntry.objects.get(seq=created["seq"] - 1).sha256


def test_an_intact_bulk_chain_verifies(bulk, capsys):
    code, out = verify(capsys)
    assert code == 0, out
    assert out.startswith(f"OK {HistoryEntry.objects.count()} entries")


def test_a_value_edited_in_a_positional_entry_is_named(bulk, capsys):
    target = HistoryEntry.objects.for_object(bulk[10]).get()
    stored = _stored(target)
    forged = [stored[0], *("forged" if v == "Bulk 10" else v for v in stored[1:])]
    assert forged != stored
    sql("UPDATE core_historyentry SET changes = %s WHERE seq = %s", [json.dumps(forged), target.pk])
    code, out = verify(capsys)
    assert code == 1
    assert f"BROKEN at entry #{target.seq}: its content does not match its hash" in out


def test_a_layout_edited_in_sql_is_named(bulk, capsys):
    """Swapping two field names in the layout would move values between fields: the first
    entry that uses it is named."""
    first = HistoryEntry.objects.for_object(bulk[0]).get()
    number = _stored(first)[0]
    fields = HistoryLayout.objects.get(number=number).fields
    swapped = [fields[1], fields[0], *fields[2:]]
    sql(
        "UPDATE core_historylayout SET fields = %s WHERE number = %s",
        [json.dumps(swapped), number],
    )
    code, out = verify(capsys)
    assert code == 1
    assert f"BROKEN at entry #{first.seq}: its content does not match its hash" in out


def test_a_layout_removed_in_sql_is_named(bulk, capsys):
    first = HistoryEntry.objects.for_object(bulk[0]).get()
    sql("DELETE FROM core_historylayout WHERE number = %s", [_stored(first)[0]])
    code, out = verify(capsys)
    assert code == 1
    assert f"BROKEN at entry #{first.seq}: its content does not match its hash" in out


def test_two_bulk_entries_swapped_are_named(bulk, capsys):
    a = HistoryEntry.objects.for_object(bulk[20]).get()
    b = HistoryEntry.objects.for_object(bulk[21]).get()
    assert b.seq == a.seq + 1
    sql("UPDATE core_historyentry SET seq = 0 WHERE seq = %s", [a.seq])
    sql("UPDATE core_historyentry SET seq = %s WHERE seq = %s", [a.seq, b.seq])
    sql("UPDATE core_historyentry SET seq = %s WHERE seq = 0", [b.seq])
    code, out = verify(capsys)
    assert code == 1
    assert f"BROKEN at entry #{a.seq}: its content does not match its hash" in out


def test_a_hash_moved_to_the_next_entry_is_named(bulk, capsys):
    """The link forged: entry n+1 given entry n's hash."""
    a = HistoryEntry.objects.for_object(bulk[30]).get()
    sql(
        "UPDATE core_historyentry SET sha256 = decode(%s, 'hex') WHERE seq = %s",
        [a.sha256, a.seq + 1],
    )
    code, out = verify(capsys)
    assert code == 1
    assert f"BROKEN at entry #{a.seq + 1}: its content does not match its hash" in out


def test_single_saves_keep_the_keyed_encoding(units):
    """Entries written one by one (the API, forms) stay keyed: `changes__has_key` finds them."""
    unit = OrgUnit.objects.create(code="DOS-K", name="Keyed", parent=units["dos"])
    assert HistoryEntry.objects.for_object(unit).filter(changes__has_key="code").exists()


def test_a_single_bulk_writer_links_inside_its_transaction(units):
    """seed_scale's mode: entries written inside a transaction are linked at once (after any
    left pending), never written pending and rewritten at commit."""
    assert history.pending_count() == 5  # the fixture's units, pending in this transaction
    with history.linking_at_once():
        unit = OrgUnit.objects.create(code="DOS-NOW", name="Linked now", parent=units["dos"])
    entry = HistoryEntry.objects.for_object(unit).get()
    assert entry.seq == 6 and len(entry.sha256) == 64
    assert history.pending_count() == 0
    assert history.verify_chain().ok
    # Outside the block, the usual pending write.
    other = OrgUnit.objects.create(code="DOS-LATER", name="Pending", parent=units["dos"])
    assert HistoryEntry.objects.for_object(other).get().seq >= history.PENDING
