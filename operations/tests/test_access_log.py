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
        "/performance/discipline/cases/",  # administrators only: no row for a manager
    ):
        assert client.get(url).status_code == 200, url
    assert AccessRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_page_or_export_of_named_rows_logs_each_row_shown(
    web, manager, manager2, admin_user, units, staff_member
):
    """The browser's list of named appraisals logs each row it shows, as the API's list does;
    an export logs each row of the file; a reader who sees no row logs nothing."""
    import datetime

    from core.actions import SYSTEM
    from performance.models import DisciplinaryCase
    from performance.services import save_disciplinary_case

    other = PersonFactory(unit=units["pd"], name="Pat Procurement")
    mine = AppraisalFactory(staff=staff_member, unit=units["ohr"])
    theirs = AppraisalFactory(staff=other, unit=units["pd"])
    assert web(manager).get("/performance/appraisals/").status_code == 200
    logged = list(AccessRecord.objects.values_list("object_id", "subject_id", "channel"))
    assert logged == [(str(mine.pk), staff_member.pk, "web")]  # not DOS's appraisal
    assert verify_access_log() == []

    before = AccessRecord.objects.count()
    export = web(admin_user).get("/performance/appraisals/", {"export": "csv"})
    assert export.status_code == 200
    if export.streaming:
        b"".join(export.streaming_content)
    added = set(AccessRecord.objects.order_by("pk")[before:].values_list("object_id", flat=True))
    assert added == {str(mine.pk), str(theirs.pk)}

    save_disciplinary_case(
        DisciplinaryCase(
            unit=units["pd"], person=other, opened_on=datetime.date(2025, 3, 1), category="fraud"
        ),
        acting_user=SYSTEM,
    )
    before = AccessRecord.objects.count()
    assert web(admin_user).get("/performance/discipline/cases/").status_code == 200
    assert AccessRecord.objects.count() == before + 1
    assert AccessRecord.objects.order_by("-pk").first().kind == "disciplinary_case"


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
def test_an_api_read_of_one_appraisal_is_logged_once(api, manager, units, staff_member):
    appraisal = AppraisalFactory(staff=staff_member, unit=units["ohr"])
    client = api(manager)
    response = client.get(f"/api/performance/appraisals/{appraisal.pk}/")
    assert response.status_code == 200
    [entry] = AccessRecord.objects.all()
    assert entry.channel == "api" and entry.object_id == str(appraisal.pk)
    assert entry.request_id == response["X-Request-ID"]


def _appraisals(units, count):
    """`count` named appraisals: half in DMSPC-OHR, half in DOS-PD."""
    made = []
    for i in range(count):
        unit = units["ohr"] if i % 2 == 0 else units["pd"]
        made.append(AppraisalFactory(staff=PersonFactory(unit=unit), unit=unit))
    return made


def _list_queries(client, url):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(conn) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response, len(queries)


@pytest.mark.django_db
def test_an_api_list_of_named_appraisals_logs_each_row_in_one_insert(
    api, admin_user, manager, units, django_assert_max_num_queries
):
    client = api(admin_user)
    client.get("/api/performance/appraisals/")  # the process's first request fills its caches
    small = _appraisals(units, 2)
    response, few = _list_queries(client, "/api/performance/appraisals/?page_size=50")
    assert len(response.json()["results"]) == 2
    assert sorted(int(r.object_id) for r in AccessRecord.objects.all()) == sorted(
        a.pk for a in small
    )
    assert {r.channel for r in AccessRecord.objects.all()} == {"api"}

    many = small + _appraisals(units, 18)
    response, more = _list_queries(client, "/api/performance/appraisals/?page_size=50")
    assert len(response.json()["results"]) == 20
    # the same number of queries for 20 rows as for 2: one insert for the log, one history append
    assert more == few
    with django_assert_max_num_queries(few):
        client.get("/api/performance/appraisals/?page_size=50")
    assert AccessRecord.objects.count() == 2 + 20 + 20
    latest = AccessRecord.objects.filter(request_id=AccessRecord.objects.first().request_id)
    assert sorted(int(r.object_id) for r in latest) == sorted(a.pk for a in many)
    assert {r.subject_id for r in latest} == {a.staff_id for a in many}
    # a page logs only the rows it returned
    client.get("/api/performance/appraisals/?page_size=5")
    assert AccessRecord.objects.count() == 42 + 5
    assert verify_access_log() == []

    # the DMSPC manager lists only the unit's appraisals, and only those are logged
    before = AccessRecord.objects.count()
    rows = api(manager).get("/api/performance/appraisals/?page_size=50").json()["results"]
    mine = AccessRecord.objects.filter(user=manager)
    assert mine.count() == len(rows) == 10 and AccessRecord.objects.count() == before + 10
    assert {r.subject.unit_id for r in mine.select_related("subject")} == {units["ohr"].pk}


@pytest.mark.django_db
def test_api_lists_of_cases_and_declarations_are_logged(api, admin_user, units, staff_member):
    import datetime

    from core.actions import SYSTEM
    from performance.models import DisciplinaryCase
    from performance.services import save_disciplinary_case
    from risk.tests.factories import DeclarationFactory

    for unit, person in (
        (units["ohr"], staff_member),
        (units["pd"], PersonFactory(unit=units["pd"])),
    ):
        save_disciplinary_case(
            DisciplinaryCase(
                unit=unit, person=person, opened_on=datetime.date(2025, 3, 1), category="fraud"
            ),
            acting_user=SYSTEM,
        )
    DeclarationFactory(person=staff_member)
    client = api(admin_user)
    assert len(client.get("/api/performance/disciplinary-cases/").json()["results"]) == 2
    assert AccessRecord.objects.filter(kind="disciplinary_case").count() == 2
    declarations = client.get("/api/risk/interest-declarations/").json()["results"]
    assert (
        AccessRecord.objects.filter(kind="interest_declaration").count() == len(declarations) >= 1
    )


@pytest.mark.django_db
def test_api_lists_of_aggregates_and_unnamed_rows_log_nothing(
    api, admin_user, manager, gastaff, units
):
    _appraisals(units, 4)
    for url in (
        "/api/performance/appraisal-compliance/?cycle=2024",
        "/api/performance/disciplinary-summary/",
    ):
        response = api(manager).get(url)
        assert response.status_code in (200, 403), url
    assert (
        api(admin_user).get("/api/performance/appraisal-compliance/?cycle=2024").status_code == 200
    )
    assert AccessRecord.objects.count() == 0
    # a reader who is not shown whose appraisal it is makes no named read
    response = api(gastaff).get("/api/performance/appraisals/")
    if response.status_code == 200:
        assert all(row.get("staff") in (None, "") for row in response.json()["results"])
    assert AccessRecord.objects.count() == 0


@pytest.mark.django_db
def test_administrators_reach_the_access_log_from_the_navigation_and_staff_from_their_profile(
    web, admin_user, manager, units, staff_member
):
    appraisal = AppraisalFactory(staff=staff_member, unit=units["ohr"])
    web(manager).get(f"/performance/appraisals/{appraisal.pk}/")

    link = 'href="/operations/access-log/"'
    nav = web(admin_user).get("/").content.decode().split('id="main-nav"', 1)[1].split("</nav>")[0]
    assert link in nav
    nav = web(manager).get("/").content.decode().split('id="main-nav"', 1)[1].split("</nav>")[0]
    assert link not in nav

    profile = web(staff_member.user).get("/accounts/profile/")
    assert profile.status_code == 200
    assert 'id="own-access-log"' in profile.content.decode()
    own = web(staff_member.user).get("/operations/access-log/")
    assert [r.object_id for r in own.context["records"]] == [str(appraisal.pk)]
