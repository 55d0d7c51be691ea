"""The access log's one statement (operations.access._write_pending) writes exactly the records
and pending history entries that building them in Python wrote (AccessRecord instances,
history.new_entry / created_changes / snapshot, history.pending_insert), column for column and
byte for byte; once linked, the chain and the access log verify."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from core import history
from core.context import acting_as
from core.models import HistoryEntry
from operations import access
from operations.models import AccessRecord
from org.choices import RoleKind
from org.tests.factories import PersonFactory, UserWithRoleFactory
from performance.models import DisciplinaryCase, UnderperformanceCase
from performance.tests.factories import AppraisalFactory
from risk.models import InterestDeclaration

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement path is PostgreSQL's"
)


def _python_path(request, objects) -> None:
    """How the access log wrote a page before (issue 13, session 9): a record and an entry built
    in Python for each read, numbered by a first statement. The reference the one statement
    must match."""
    user = request.user
    now = timezone.now()
    made = []
    for obj in objects:
        kind, path = access.SENSITIVE[obj._meta.label_lower]
        made.append(
            AccessRecord(
                at=now,
                user=user,
                reader=user.get_username()[:150],
                kind=kind,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                subject_id=access._subject_id(obj, path),
                channel=AccessRecord.Channel.API,
                request_id=request.request_id,
            )
        )
    table = AccessRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(made)],
        )
        for record, (pk,) in zip(made, cursor.fetchall(), strict=True):
            record.pk = pk
            record._state.adding = False
        fields = AccessRecord._meta.concrete_fields
        source, select, records_params = history.rows_from_json(
            AccessRecord,
            [f.column for f in fields],
            ([f.get_db_prep_save(getattr(r, f.attname), connection) for r in made] for f in fields),
        )
        records_sql = (
            f"INSERT INTO {table} ({', '.join(f.column for f in fields)}) "
            f"SELECT {select} FROM {source}"
        )
        entries = access._entries(made)
        for entry in entries:
            entry.at = now
        entries_sql, entries_params = history.pending_insert(entries)
        cursor.execute(
            f"WITH logged AS ({records_sql}) {entries_sql}", [*records_params, *entries_params]
        )


def _records(ids) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, at, user_id, reader, kind, object_type, object_id, subject_id, channel, "
            "request_id FROM operations_accessrecord WHERE id = ANY(%s) ORDER BY id",
            [list(ids)],
        )
        return cursor.fetchall()


def _entries(ids) -> list[tuple]:
    """The entries of records `ids` as stored, in their pending order, the record's number taken
    out of them (the two paths number different records)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT object_id, seq, at, user_id, actor, action, object_type, object_repr, "
            "changes::text, request_id, sha256 FROM core_historyentry "
            "WHERE object_id = ANY(%s) AND object_type = %s ORDER BY seq",
            [
                [str(i) for i in ids],
                HistoryEntry._meta.get_field("object_type").get_prep_value(
                    "operations.accessrecord"
                ),
            ],
        )
        rows = cursor.fetchall()
    plain = []
    for object_id, seq, *rest in rows:
        assert seq >= history.PENDING  # pending until a link
        changes = rest[6]
        marker = f'{{"~":"+","id":{object_id},'
        assert changes.startswith(marker), changes
        rest[6] = changes[len(marker) :]
        plain.append((int(object_id), *rest))
    return plain


def _logged_after(last_id: int) -> list[int]:
    return list(
        AccessRecord.objects.filter(pk__gt=last_id).order_by("id").values_list("id", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("microsecond", [0, 123456])
def test_the_statement_writes_what_the_python_path_wrote(monkeypatch, units, microsecond):
    reader = UserWithRoleFactory(
        username="o'brien\"\\李 ✓\t", role_kind=RoleKind.ADMINISTRATOR, is_superuser=True
    )
    ohr, pd = units["ohr"], units["pd"]
    appraisals = [
        AppraisalFactory(staff=PersonFactory(unit=unit), unit=unit) for unit in (ohr, pd, ohr)
    ]
    appraisals[1].staff_id = None  # a record whose person is not known: no subject
    person = appraisals[0].staff
    # Several kinds on one page, in an order that is not the kinds' (the records' order holds).
    objects = [
        appraisals[0],
        DisciplinaryCase(pk=7_000_001, unit=pd, person_id=person.pk),
        appraisals[1],
        InterestDeclaration(pk=7_000_002, person_id=None),
        UnderperformanceCase(pk=7_000_003, appraisal=appraisals[2]),
        appraisals[2],
    ]
    fixed = datetime.datetime(2026, 3, 4, 5, 6, 7, microsecond, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    request = RequestFactory().get("/api/performance/appraisals/")
    request.user, request.request_id = reader, "req-\\'\"-李"

    last = AccessRecord.objects.order_by("id").values_list("id", flat=True).last() or 0
    with acting_as("user:o'brien\"\\李", user=reader, request_id="9" * 32):
        _python_path(request, objects)
        old = _logged_after(last)
        assert access.record_read(request, *objects, listed=True) == len(objects)
    new = _logged_after(old[-1])
    assert len(old) == len(new) == len(objects)

    old_records, new_records = _records(old), _records(new)
    assert [r[1:] for r in old_records] == [r[1:] for r in new_records]
    assert new_records[3][7] is None and new_records[2][7] is None  # no subject: NULL
    assert new_records[0][1] == fixed

    old_entries, new_entries = _entries(old), _entries(new)
    # Numbered in the records' order; every column the same once the record's number is out.
    assert [e[0] for e in old_entries] == old and [e[0] for e in new_entries] == new
    assert [e[1:] for e in old_entries] == [e[1:] for e in new_entries]

    history.link_pending()
    assert history.verify_chain().ok
    assert access.verify_access_log() == []


@pytest.mark.django_db
def test_a_page_read_once_linked_verifies_and_reads_back(api, admin_user, units):
    for unit in (units["ohr"], units["pd"]):
        for _ in range(3):
            AppraisalFactory(staff=PersonFactory(unit=unit), unit=unit)
    rows = api(admin_user).get("/api/performance/appraisals/").json()["results"]
    assert len(rows) == 6
    records = list(AccessRecord.objects.order_by("id"))
    assert len(records) == 6 and {r.reader for r in records} == {"admin"}
    assert history.pending_count() >= 6
    assert history.link_pending() >= 6
    check = history.verify_chain()
    assert check.ok, check
    assert history.pending_count() == 0
    assert access.verify_access_log() == []
    for record in records:
        entry = HistoryEntry.objects.get(object_type="operations.accessrecord", object_id=record.pk)
        assert entry.object_repr == str(record)
        assert entry.changes["object_id"] == [None, record.object_id]
        assert entry.changes["subject"] == [None, record.subject_id]
        assert entry.changes["at"] == [None, record.at.isoformat()]


@pytest.mark.django_db
def test_an_edited_record_is_still_found(api, admin_user, units):
    AppraisalFactory(staff=PersonFactory(unit=units["ohr"]), unit=units["ohr"])
    api(admin_user).get("/api/performance/appraisals/")
    [record] = AccessRecord.objects.all()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE operations_accessrecord SET reader = 'someone else' WHERE id = %s", [record.pk]
        )
    assert access.verify_access_log() == [
        f"access log entry {record.pk} differs from its history: reader"
    ]
