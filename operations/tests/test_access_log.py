"""Who read what: reads of named records are logged once, aggregates not at all; the log is
visible to administrators and to the person concerned, exportable, append-only and anchored."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.models import HistoryEntry
from operations.access import verify_access_log
from operations.models import AccessRecord, AppendOnlyError
from org.tests.factories import PersonFactory, UserWithRoleFactory
from performance.tests.factories import AppraisalFactory


@pytest.fixture
def staff_member(units):
    """A staff member of DMSPC-OHR with an account of their own (no role)."""
    user = UserWithRoleFactory(username="staffer", role_kind=None)
    return PersonFactory(unit=units["ohr"], name="Sam Staffer", user=user)


@pytest.mark.django_db
def test_reading_a_named_appraisal_writes_one_entry(web, manager, units, staff_member):
    appraisal = AppraisalFactory(staff=staff_member, unit=units["ohr"])
    response = web(manager).get(f"/performance/appraisals/{appraisal.pk}/")
    assert response.status_code == 200
    [entry] = AccessRecord.objects.all()
    assert (entry.user_id, entry.reader, entry.kind) == (manager.pk, "manager", "appraisal")
    assert (entry.object_type, entry.object_id) == ("performance.appraisal", str(appraisal.pk))
    assert entry.subject_id == staff_member.pk and entry.channel == "web"
    assert entry.request_id == response["X-Request-ID"]
    # anchored: a history entry with the same values, under the same request id
    anchor = HistoryEntry.objects.get(object_type="operations.accessrecord")
    assert anchor.object_id == str(entry.pk) and anchor.request_id == entry.request_id
    assert verify_access_log() == []


@pytest.mark.django_db
def test_lists_of_aggregates_write_nothing(web, manager, units, staff_member):
    AppraisalFactory(staff=staff_member, unit=units["ohr"], on_time=True)
    client = web(manager)
    for url in (
        "/performance/appraisals/compliance/?cycle=2024",
        "/performance/appraisals/",
        "/performance/discipline/cases/",
    ):
        assert client.get(url).status_code == 200, url
    assert AccessRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_read_writes_nothing(web, manager2, units, staff_member):
    appraisal = AppraisalFactory(staff=staff_member, unit=units["ohr"])
    assert web(manager2).get(f"/performance/appraisals/{appraisal.pk}/").status_code == 404
    assert AccessRecord.objects.count() == 0


@pytest.mark.django_db
def test_the_log_is_shown_to_administrators_and_the_person_concerned(
    web, manager, manager2, admin_user, units, staff_member
):
    mine = AppraisalFactory(staff=staff_member, unit=units["ohr"])
    other = AppraisalFactory(unit=units["ohr"])
    client = web(manager)
    client.get(f"/performance/appraisals/{mine.pk}/")
    client.get(f"/performance/appraisals/{other.pk}/")
    client.get(f"/performance/appraisals/{other.pk}/")
    assert AccessRecord.objects.count() == 3

    admin_page = web(admin_user).get("/operations/access-log/")
    assert admin_page.status_code == 200 and admin_page.context["total"] == 3
    own_page = web(staff_member.user).get("/operations/access-log/")
    assert [r.object_id for r in own_page.context["records"]] == [str(mine.pk)]
    assert "Sam Staffer" in own_page.content.decode()
    assert web(manager2).get("/operations/access-log/").context["total"] == 0
    assert web(None).get("/operations/access-log/").status_code == 302

    export = web(staff_member.user).get("/operations/access-log/?export=csv")
    rows = b"".join(export.streaming_content).decode().strip().splitlines()
    assert len(rows) == 2 and "manager" in rows[1] and str(mine.pk) in rows[1]
    admin_rows = b"".join(
        web(admin_user).get("/operations/access-log/?export=csv").streaming_content
    ).decode()
    assert len(admin_rows.strip().splitlines()) == 4


@pytest.mark.django_db
def test_the_log_is_append_only_and_tampering_is_found(web, manager, units, staff_member):
    appraisal = AppraisalFactory(staff=staff_member, unit=units["ohr"])
    client = web(manager)
    client.get(f"/performance/appraisals/{appraisal.pk}/")
    client.get(f"/performance/appraisals/{appraisal.pk}/")
    first, second = AccessRecord.objects.order_by("id")
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        first.delete()
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.update(reader="x")
    call_command("verify_access_log")

    with connection.cursor() as cursor:
        table = AccessRecord._meta.db_table
        cursor.execute(f"UPDATE {table} SET reader = 'someone' WHERE id = %s", [first.pk])
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [second.pk])
    problems = verify_access_log()
    assert problems == [
        f"access log entry {first.pk} differs from its history: reader",
        f"access log entry {second.pk} was removed",
    ]
    with pytest.raises(CommandError):
        call_command("verify_access_log")


@pytest.mark.django_db
def test_a_disciplinary_record_read_is_logged(web, admin_user, units, staff_member):
    import datetime

    from core.actions import SYSTEM
    from performance.models import DisciplinaryCase
    from performance.services import save_disciplinary_case

    case = save_disciplinary_case(
        DisciplinaryCase(
            unit=units["ohr"],
            person=staff_member,
            opened_on=datetime.date(2025, 3, 1),
            category="fraud",
        ),
        acting_user=SYSTEM,
    )
    assert web(admin_user).get(f"/performance/discipline/cases/{case.pk}/").status_code == 200
    [entry] = AccessRecord.objects.all()
    assert entry.kind == "disciplinary_case" and entry.subject_id == staff_member.pk


@pytest.mark.django_db
def test_an_api_read_of_one_appraisal_is_logged_and_the_list_is_not(
    api, manager, units, staff_member
):
    appraisal = AppraisalFactory(staff=staff_member, unit=units["ohr"])
    client = api(manager)
    assert client.get("/api/performance/appraisals/").status_code == 200
    assert AccessRecord.objects.count() == 0
    response = client.get(f"/api/performance/appraisals/{appraisal.pk}/")
    assert response.status_code == 200
    [entry] = AccessRecord.objects.all()
    assert entry.channel == "api" and entry.object_id == str(appraisal.pk)
    assert entry.request_id == response["X-Request-ID"]
