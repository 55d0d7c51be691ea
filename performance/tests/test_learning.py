"""Paragraph 6: mandatory courses and their completion rates by unit as at a date (aggregates
with small groups suppressed, as appraisal figures are), named completions kept private, and
the learning system's import (preview, all or nothing, matched on index number and course)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.actions import SYSTEM
from core.models import HistoryEntry
from org.tests.factories import PersonFactory
from performance import metrics
from performance.imports import ImportRejected, import_completions
from performance.models import Course, CourseCompletion

pytestmark = pytest.mark.django_db
COMPLETIONS = "/api/performance/course-completions/"
RATES = "/api/performance/learning-completion/"
JUNE, JULY = datetime.date(2026, 6, 30), datetime.date(2026, 7, 31)


def csv_file(text: str, name: str = "completions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def courses(db):
    return {
        "ETH": Course.objects.create(code="ETH", title="Ethics", area="ethics", mandatory=True),
        "FRA": Course.objects.create(
            code="FRA", title="Fraud awareness", area="fraud_awareness", mandatory=True
        ),
        "OPT": Course.objects.create(code="OPT", title="Negotiation", area="other"),
    }


@pytest.fixture
def pd_staff(units):
    return [PersonFactory(unit=units["pd"], name=f"PD staff {n}") for n in range(3)]


@pytest.fixture
def learning(courses, ohr_staff, pd_staff):
    """Hand-counted completions (two mandatory courses, ETH and FRA; OPT is optional).

    DMSPC-OHR, 6 staff, 12 mandatory completions required:
      staff 0: ETH 2026-01-10, FRA 2026-02-01 (fully trained from February)
      staff 1: ETH 2026-03-01, FRA 2026-07-15 (fully trained only from 15 July)
      staff 2: ETH 2026-05-01
      staff 3: OPT only (does not count)
      As at 30 June 2026: 4 of 12 = 33.3 %, fully trained 1 of 6 = 16.7 %.
      As at 31 July 2026: 5 of 12 = 41.7 %, fully trained 2 of 6 = 33.3 %.
    DOS-PD, 3 staff: one ETH on 2026-04-01: 1 of 6 = 16.7 %; a group under 5.
    """

    def done(person, code, day):
        CourseCompletion.objects.create(person=person, course=courses[code], completed_on=day)

    done(ohr_staff[0], "ETH", datetime.date(2026, 1, 10))
    done(ohr_staff[0], "FRA", datetime.date(2026, 2, 1))
    done(ohr_staff[1], "ETH", datetime.date(2026, 3, 1))
    done(ohr_staff[1], "FRA", datetime.date(2026, 7, 15))
    done(ohr_staff[2], "ETH", datetime.date(2026, 5, 1))
    done(ohr_staff[3], "OPT", datetime.date(2026, 5, 1))
    done(pd_staff[0], "ETH", datetime.date(2026, 4, 1))


def by_code(rows):
    return {r["unit__code"]: r for r in rows}


def test_completion_rates_by_unit_as_at_a_date(learning, admin_user):
    june = by_code(metrics.learning_by_unit(admin_user, as_at=JUNE))
    ohr = june["DMSPC-OHR"]
    assert (ohr["staff"], ohr["required"], ohr["completions"]) == (6, 12, 4)
    assert (ohr["completion_rate"], ohr["fully_trained"], ohr["fully_trained_rate"]) == (
        33.3,
        1,
        16.7,
    )
    # Administrators answer for every unit: the three-person unit is shown to them.
    assert june["DOS-PD"]["completions"] == 1 and june["DOS-PD"]["completion_rate"] == 16.7
    july = by_code(metrics.learning_by_unit(admin_user, as_at=JULY))["DMSPC-OHR"]
    assert (july["completions"], july["completion_rate"], july["fully_trained_rate"]) == (
        5,
        41.7,
        33.3,
    )


def test_small_groups_are_suppressed_as_appraisal_figures_are(learning, manager, gastaff):
    # The manager of DMSPC reads DMSPC (1 person: the manager), DMSPC-OHR unsuppressed; the
    # three people of DOS-PD are suppressed for them.
    rows = by_code(metrics.learning_by_unit(manager, as_at=JUNE))
    assert rows["DMSPC"]["suppressed"] is False and rows["DMSPC"]["staff"] == 1
    assert rows["DMSPC-OHR"]["completion_rate"] == 33.3
    assert rows["DOS-PD"]["suppressed"] is True and rows["DOS-PD"]["completions"] is None
    # GA staff manage nothing: DMSPC (1) and DOS-PD (3) suppressed, DMSPC-OHR (6) shown.
    ga = by_code(metrics.learning_by_unit(gastaff, as_at=JUNE))
    assert [code for code, r in ga.items() if r["suppressed"]] == ["DMSPC", "DOS-PD"]
    assert ga["DMSPC-OHR"]["completions"] == 4


def test_a_lone_suppressed_unit_takes_the_next_smallest_with_it(learning, gastaff):
    # Without the manager's own record, only DOS-PD would be suppressed and could be worked
    # out from the total: DMSPC-OHR is suppressed too (the appraisal rule, reused).
    rows = by_code(metrics.learning_by_unit(gastaff, as_at=JUNE))
    assert rows["DOS-PD"]["suppressed"] and rows["DMSPC-OHR"]["suppressed"]
    assert rows["DMSPC-OHR"]["completion_rate"] is None


def test_per_course_rates_for_a_unit(learning, manager, gastaff, units):
    rows = {
        r["code"]: r for r in metrics.learning_by_course(manager, as_at=JUNE, within=units["ohr"])
    }
    assert set(rows) == {"ETH", "FRA"}  # mandatory courses only
    assert (rows["ETH"]["completed"], rows["ETH"]["completion_rate"]) == (3, 50.0)
    assert (rows["FRA"]["completed"], rows["FRA"]["completion_rate"]) == (1, 16.7)
    pd = metrics.learning_by_course(gastaff, as_at=JUNE, within=units["pd"])
    assert all(r["suppressed"] and r["completed"] is None for r in pd)


def test_the_rates_api_and_who_reads_names(api, learning, manager, manager2, gastaff, outsider):
    body = api(gastaff).get(RATES, {"as_at": "2026-06-30"}).json()
    ohr = next(r for r in body["results"] if r["unit"] == "DMSPC-OHR")
    assert ohr["completion_rate"] == 33.3 and ohr["completions"] == 4
    assert api(gastaff).get(RATES, {"as_at": "30/06/2026"}).status_code == 400
    assert api(gastaff).get(RATES, {"unit": "NOPE"}).status_code == 400
    assert api(outsider).get(RATES).json()["results"] == []
    # Names: the unit's managers, never GA staff or another department's manager.
    assert api(gastaff).get(COMPLETIONS).json()["results"] == []
    assert api(manager2).get(COMPLETIONS).json()["results"] == [
        {
            "id": c.pk,
            "person": c.person.index_number,
            "course": "ETH",
            "completed_on": "2026-04-01",
            "version": 1,
        }
        for c in CourseCompletion.objects.filter(person__unit__code="DOS-PD")
    ]
    mine = api(manager).get(COMPLETIONS, {"course": "ETH"}).json()["results"]
    assert len(mine) == 3


def test_a_manager_records_a_completion_for_their_staff_only(api, courses, manager, units):
    own = PersonFactory(unit=units["ohr"], index_number="20000001")
    PersonFactory(unit=units["pd"], index_number="20000002", name="Other Department Staff")
    ok = api(manager).post(
        COMPLETIONS,
        {"person": "20000001", "course": "ETH", "completed_on": "2026-03-03"},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    entry = HistoryEntry.objects.for_object(CourseCompletion.objects.get(person=own)).get()
    assert entry.actor == "user:manager"
    other = api(manager).post(
        COMPLETIONS,
        {"person": "20000002", "course": "ETH", "completed_on": "2026-03-03"},
        format="json",
    )
    assert other.status_code == 400 and "Other Department" not in other.content.decode()
    again = api(manager).post(
        COMPLETIONS,
        {"person": "20000001", "course": "ETH", "completed_on": "2026-04-04"},
        format="json",
    )
    assert again.status_code == 400 and "already" in again.json()["course"][0]
    future = api(manager).post(
        COMPLETIONS,
        {"person": "20000001", "course": "FRA", "completed_on": "2999-01-01"},
        format="json",
    )
    assert future.status_code == 400 and "future" in future.json()["completed_on"][0]
    assert CourseCompletion.objects.count() == 1


# --- The learning system's import -----------------------------------------------------------


def test_import_preview_then_all_or_nothing_then_idempotent(api, courses, manager, units):
    a = PersonFactory(unit=units["ohr"], index_number="30000001")
    PersonFactory(unit=units["ohr"], index_number="30000002")
    PersonFactory(unit=units["pd"], index_number="30000009", name="Elsewhere Person")
    good = (
        "index_number,course_code,completed_on\n"
        "30000001,ETH,2026-01-05\n"
        "30000001,FRA,2026-01-06\n"
        "30000002,ETH,2026-02-01\n"
    )
    preview = api(manager).post(
        COMPLETIONS + "import/?dry_run=1", {"file": csv_file(good)}, format="multipart"
    )
    assert preview.json() == {"created": 3, "updated": 0, "unchanged": 0, "dry_run": True}
    assert not CourseCompletion.objects.exists()
    done = api(manager).post(COMPLETIONS + "import/", {"file": csv_file(good)}, format="multipart")
    assert done.json() == {"created": 3, "updated": 0, "unchanged": 0, "dry_run": False}
    again = api(manager).post(COMPLETIONS + "import/", {"file": csv_file(good)}, format="multipart")
    assert again.json()["unchanged"] == 3 and CourseCompletion.objects.count() == 3
    # A corrected date updates the one row, with its history.
    corrected = good.replace("30000001,ETH,2026-01-05", "30000001,ETH,2026-01-04")
    result = import_completions(csv_file(corrected), acting_user=manager)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    row = CourseCompletion.objects.get(person=a, course__code="ETH")
    assert row.completed_on == datetime.date(2026, 1, 4) and row.version == 2
    assert HistoryEntry.objects.for_object(row).count() == 2
    # One bad row rejects the whole file, and names no one the manager may not see.
    bad = (
        "index_number,course_code,completed_on\n"
        "30000002,FRA,2026-03-01\n"
        "30000009,ETH,2026-03-01\n"
        "30000002,NOPE,2026-03-01\n"
        "30000002,OPT,03/01/2026\n"
        "30000002,FRA,2026-03-02\n"
    )
    rejected = api(manager).post(
        COMPLETIONS + "import/", {"file": csv_file(bad)}, format="multipart"
    )
    assert rejected.status_code == 400
    errors = {(e["row"], e["column"]) for e in rejected.json()["errors"]}
    assert errors == {
        (3, "index_number"),
        (4, "course_code"),
        (5, "completed_on"),
        (6, "course_code"),
    }
    assert "Elsewhere" not in rejected.content.decode()
    assert CourseCompletion.objects.count() == 3


def test_import_refusals(api, courses, gastaff, manager):
    refused = api(gastaff).post(
        COMPLETIONS + "import/", {"file": csv_file("index_number\n1\n")}, format="multipart"
    )
    assert refused.status_code == 403
    missing = api(manager).post(COMPLETIONS + "import/", {}, format="multipart")
    assert missing.status_code == 400 and missing.json()["file"]
    with pytest.raises(ImportRejected) as header:
        import_completions(csv_file("index_number,course\n1,ETH\n"), acting_user=SYSTEM)
    assert {e["column"] for e in header.value.errors} == {"course_code", "completed_on", "course"}


def test_import_pages_preview_then_confirm(web, courses, manager, units):
    PersonFactory(unit=units["ohr"], index_number="40000001")
    client = web(manager)
    upload = csv_file("index_number,course_code,completed_on\n40000001,ETH,2026-01-05\n")
    preview = client.post("/performance/completions/import/", {"file": upload})
    assert preview.status_code == 200 and 'id="to-create">1<' in preview.content.decode()
    assert not CourseCompletion.objects.exists()
    confirmed = client.post("/performance/completions/import/", {"confirm": "1"})
    assert confirmed.status_code == 302 and CourseCompletion.objects.count() == 1
    bad = client.post(
        "/performance/completions/import/",
        {"file": csv_file("index_number,course_code,completed_on\n40000001,ZZZ,2026-01-05\n")},
    )
    assert bad.status_code == 400 and "No course has the code ZZZ." in bad.content.decode()


def test_learning_page_for_ga_staff(web, learning, manager, gastaff):
    # With the manager's own record DMSPC (1 person) and DOS-PD (3) are suppressed, OHR shown.
    page = web(gastaff).get("/performance/learning/", {"as_at": "2026-06-30"})
    text = page.content.decode()
    assert page.status_code == 200 and "33.3%" in text and "Suppressed" in text
    assert web(gastaff).get("/performance/completions/").status_code == 200
    export = web(gastaff).get("/performance/learning/", {"as_at": "2026-06-30", "export": "csv"})
    assert b"DMSPC-OHR,6,12,4,33.3,1,16.7" in b"".join(export.streaming_content)


def test_totals_for_a_unit_and_for_the_report(learning, admin_user, gastaff, units):
    ohr = metrics.learning_total(admin_user, as_at=JUNE, within=units["ohr"])
    assert (ohr["staff"], ohr["completions"], ohr["completion_rate"]) == (6, 4, 33.3)
    # The Secretariat: 9 staff (6 + 3), 18 required, 5 done by 30 June (4 + 1), one fully
    # trained: 27.8 % and 11.1 %.
    everyone = metrics.learning_total(gastaff, as_at=JUNE)
    assert (everyone["staff"], everyone["required"], everyone["completions"]) == (9, 18, 5)
    assert (everyone["completion_rate"], everyone["fully_trained_rate"]) == (27.8, 11.1)
    # GA staff manage no unit: DOS-PD alone (3 people) is suppressed for them.
    assert metrics.learning_total(gastaff, as_at=JUNE, within=units["pd"])["staff"] is None
    report = metrics.report_metrics(datetime.date(2026, 1, 1), JUNE)["A"]
    assert report["learning_mandatory_completion_rate"] == 27.8
    assert report["learning_staff_fully_trained_rate"] == 11.1
    assert report["learning_mandatory_courses"] == 2
