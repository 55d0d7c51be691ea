import pytest
from django.core.management import call_command
from django.db import connection

from core import history
from core.context import acting_as
from core.models import HistoryEntry
from org.models import OrgUnit


def _entries(obj):
    return list(HistoryEntry.objects.for_object(obj).order_by("seq"))


@pytest.mark.django_db
def test_create_update_delete_leave_entries_with_before_and_after(units):
    unit = units["ohr"]
    with acting_as("command:test"):
        unit.name = "Office of Human Resources Management"
        unit.save()
    create, update = _entries(unit)
    assert create.action == "create" and create.changes["code"] == [None, "DMSPC-OHR"]
    assert update.action == "update"
    assert update.changes == {
        "name": ["Office of Human Resources", "Office of Human Resources Management"]
    }
    assert update.actor == "command:test"
    pk = unit.pk
    unit.delete()
    deleted = HistoryEntry.objects.filter(object_type="org.orgunit", object_id=str(pk)).first()
    assert deleted.action == "delete" and deleted.changes["code"] == ["DMSPC-OHR", None]


@pytest.mark.django_db
def test_a_save_that_changes_nothing_writes_no_entry(units):
    before = HistoryEntry.objects.count()
    unit = OrgUnit.objects.get(code="DOS")
    unit.save()
    assert HistoryEntry.objects.count() == before


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_app(units):
    entry = HistoryEntry.objects.first()
    entry.actor = "someone else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        HistoryEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        HistoryEntry.objects.update(actor="x")


@pytest.mark.django_db
def test_verify_audit_trail_passes_on_an_intact_chain(units, capsys):
    call_command("verify_audit_trail")
    out = capsys.readouterr().out
    assert out.startswith(f"OK {HistoryEntry.objects.count()} entries")


@pytest.mark.django_db
def test_verify_audit_trail_names_the_first_tampered_entry(units, capsys):
    history.link_pending()  # what the commit of the fixture's transaction would have done
    target = HistoryEntry.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {HistoryEntry._meta.db_table} SET changes = %s WHERE seq = %s",
            ['{"name": [null, "forged"]}', target.pk],
        )
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_trail")
    assert exit_info.value.code == 1
    assert f"BROKEN at entry #{target.seq}" in capsys.readouterr().err


@pytest.mark.django_db
def test_verify_audit_trail_notices_a_removed_last_entry(units, capsys):
    history.link_pending()
    last = HistoryEntry.objects.order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {HistoryEntry._meta.db_table} WHERE seq = %s", [last.pk])
    with pytest.raises(SystemExit):
        call_command("verify_audit_trail")
    assert "BROKEN" in capsys.readouterr().err


@pytest.mark.django_db
def test_bulk_record_extends_the_chain_in_one_step(units, django_assert_max_num_queries):
    people = [OrgUnit(code=f"B{n}", name=f"Bulk {n}", parent=units["root"]) for n in range(200)]
    for unit in people:
        unit.path = unit.compute_path()
    OrgUnit.objects.bulk_create(people)
    with django_assert_max_num_queries(8):
        assert history.record_bulk(people) == 200
    assert history.verify_chain().ok


@pytest.mark.django_db
def test_bulk_entries_keep_awkward_text_exactly(units):
    """Batches this size take the COPY path on PostgreSQL: text must survive it byte for byte."""
    awkward = 'Bureau "X"\\n\ttab, back\\slash, 问责制\nnew line'
    batch = [OrgUnit(code=f"W{n}", name=f"{awkward} {n}", parent=units["root"]) for n in range(60)]
    for unit in batch:
        unit.path = unit.compute_path()
    OrgUnit.objects.bulk_create(batch)
    history.record_bulk(batch)
    entry = HistoryEntry.objects.for_object(batch[7]).get()
    assert entry.changes["name"] == [None, f"{awkward} 7"]
    assert history.verify_chain().ok
