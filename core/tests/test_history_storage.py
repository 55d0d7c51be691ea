"""History storage (issue 13): an entry keyed by its sequence number, its record type stored as
a number and its request id as bytes, its changes as json text. Readers, filters and the API see
labels and text as before; tampering with a stored label is named by verify_audit_trail."""

import pytest

from core import history
from core.context import acting_as
from core.models import HistoryEntry, HistoryLabel, RequestIdField, label_id
from core.tests.history_helpers import sql, verify
from org.models import OrgUnit, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(units):
    """A unit and a person in each of the two departments, written one by one and in bulk."""
    single = [
        OrgUnit.objects.create(code=f"{p.code}-S", name="Single", parent=p)
        for p in (units["dmspc"], units["dos"])
    ]
    people = [
        Person(index_number=f"IX{n}", name=f"Staff {n}", unit=unit)
        for n, unit in enumerate((units["dmspc"], units["dos"]) * 30)
    ]
    Person.objects.bulk_create(people)
    history.record_bulk(people)
    history.link_pending()
    return single, people


def test_record_types_read_and_filter_as_labels(written):
    single, people = written
    entry = HistoryEntry.objects.for_object(single[1]).get()
    assert entry.object_type == "org.orgunit" and entry.changes["name"] == [None, "Single"]
    stored = sql("SELECT object_type FROM core_historyentry WHERE seq = %s", [entry.seq])[0][0]
    assert stored == label_id("org.orgunit")
    assert HistoryEntry.objects.filter(object_type="org.person").count() == 60
    both = HistoryEntry.objects.filter(object_type__in=["org.person", "org.orgunit"])
    assert both.count() == HistoryEntry.objects.filter(object_type__startswith="org.").count()
    assert not HistoryEntry.objects.filter(object_type__startswith="risk.").exists()
    assert not HistoryEntry.objects.filter(object_type="no.such").exists()
    assert set(HistoryEntry.objects.values_list("object_type", flat=True)) >= {
        "org.person",
        "org.orgunit",
    }


def test_the_api_shows_an_objects_history_as_before(written, admin_user, api):
    single, _people = written
    body = api(admin_user).get(f"/api/history/?object=org.orgunit:{single[0].pk}").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [row["action"] for row in rows] == ["create"]
    assert rows[0]["changes"]["code"] == [None, single[0].code]
    assert len(rows[0]["sha256"]) == 64


def test_actors_and_actions_read_and_filter_as_text(written, units, capsys):
    """The actor is stored as its label's number and the action as one letter; readers, filters
    (the admin's search by part of an actor) and the chain see the text as before."""
    single, people = written
    gone = str(single[1].pk)
    with acting_as("command:relabel"):
        single[0].name = "Renamed"
        single[0].save()
        single[1].delete()
    changed = HistoryEntry.objects.for_object(single[0]).first()
    deleted = HistoryEntry.objects.filter(object_type="org.orgunit", object_id=gone).first()
    assert (changed.actor, changed.action) == ("command:relabel", "update")
    assert (deleted.actor, deleted.action) == ("command:relabel", "delete")
    assert changed.changes["name"] == ["Single", "Renamed"]
    (stored,) = sql("SELECT actor, action FROM core_historyentry WHERE seq = %s", [changed.seq])
    assert stored[0] == label_id("command:relabel") and stored[1] in ("u", b"u")
    assert HistoryLabel.objects.get(pk=label_id("command:relabel")).text == "command:relabel"
    by_actor = HistoryEntry.objects.filter(actor="command:relabel")
    assert sorted(by_actor.values_list("action", flat=True)) == ["delete", "update"]
    assert set(HistoryEntry.objects.filter(actor__icontains="RELAB")) == {changed, deleted}
    assert HistoryEntry.objects.filter(action="create", object_type="org.person").count() == 60
    assert HistoryEntry.objects.filter(action__in=["update", "delete"]).count() == 2
    # Both departments' bulk entries carry the writer's actor and read back whole.
    for person in (people[0], people[1]):
        entry = HistoryEntry.objects.for_object(person).get()
        # record_bulk outside a request, task or command writes as "system" (core.context).
        assert (entry.action, entry.actor) == ("create", "system")
        assert entry.changes["unit"] == [None, person.unit_id]
        assert entry.changes["id"] == [None, person.pk]
    code, out = verify(capsys)
    assert code == 0, out


def test_a_label_of_no_installed_model_is_kept_and_an_edit_of_it_is_named(units, capsys):
    gone = HistoryEntry(
        user_id=None,
        actor="command:old",
        action="delete",
        object_type="retired.model",
        object_id="7",
        object_repr="Retired 7",
        changes={"~": "-", "name": "Retired 7"},
        request_id="",
    )
    history.append([gone])
    history.link_pending()
    assert HistoryLabel.objects.filter(pk=label_id("retired.model"), text="retired.model").exists()
    assert HistoryEntry.objects.get(object_type="retired.model").object_repr == "Retired 7"
    assert verify(capsys)[0] == 0
    sql("UPDATE core_historylabel SET text = 'org.orgunit' WHERE text = 'retired.model'")
    code, out = verify(capsys)
    assert code == 1
    seq = HistoryEntry.objects.get(actor="command:old").seq
    assert f"BROKEN at entry #{seq}: its content does not match its hash" in out


@pytest.mark.parametrize(
    "request_id",
    ["", "0123456789abcdef0123456789abcdef", "cli-run-7", "x" * 15, "Ünïcode", "ABCDEF" * 5],
)
def test_request_ids_of_every_form_read_back_and_filter(units, request_id, capsys):
    with acting_as("command:test", request_id=request_id or None):
        unit = OrgUnit.objects.create(code="DMSPC-R", name="Request", parent=units["dmspc"])
    history.link_pending()
    entry = HistoryEntry.objects.for_object(unit).get()
    if request_id:
        assert entry.request_id == request_id
        assert HistoryEntry.objects.filter(request_id=request_id).get() == entry
        assert entry in HistoryEntry.objects.filter(request_id__icontains=request_id[2:9])
    stored = bytes(
        sql("SELECT request_id FROM core_historyentry WHERE seq = %s", [entry.seq])[0][0]
    )
    assert stored == RequestIdField.encode(entry.request_id)
    if len(entry.request_id) == 32 and entry.request_id == entry.request_id.lower():
        assert len(stored) == 16
    assert verify(capsys)[0] == 0
