import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import HistoryEntry
from org.tests.factories import PersonFactory
from performance.models import Appraisal, Compact, IndicatorResult, UnderperformanceCase
from performance.tests.factories import (
    AppraisalFactory,
    CompactFactory,
    IndicatorFactory,
    ObjectiveFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db
APPRAISALS = "/api/performance/appraisals/"
COMPACTS = "/api/performance/compacts/"


# --- Appraisals: the write path and its bad input -------------------------------------------


def test_a_manager_records_an_appraisal_in_a_unit_below(api, manager, units):
    staff = PersonFactory(unit=units["ohr"], index_number="10001234")
    response = api(manager).post(
        APPRAISALS,
        {"staff": "10001234", "cycle": 2024, "completed_on": "2025-05-02", "rating": "meets"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["unit"] == "DMSPC-OHR" and body["due_on"] == "2025-05-31" and body["on_time"] is True
    )
    appraisal = Appraisal.objects.get(staff=staff)
    entry = HistoryEntry.objects.for_object(appraisal).get()
    assert entry.actor == "user:manager" and entry.changes["rating"] == [None, "meets"]


def test_a_manager_cannot_record_one_for_another_department(api, manager, units):
    PersonFactory(unit=units["pd"], index_number="10005555", name="Other Department Staff")
    response = api(manager).post(APPRAISALS, {"staff": "10005555", "cycle": 2024}, format="json")
    # Another department's staff member is not found for the manager (issue 12), never named.
    assert response.status_code == 400 and "staff" in response.json()
    assert "Other Department" not in response.content.decode()
    assert not Appraisal.objects.exists()


@pytest.mark.parametrize(
    "payload, field, message",
    [
        (
            {"cycle": 2024, "completed_on": "2024-03-01", "rating": "meets"},
            "completed_on",
            "before its cycle starts (2024-04-01)",
        ),
        (
            {"cycle": 2024, "completed_on": "2025-05-01", "rating": "brilliant"},
            "rating",
            "not a valid choice",
        ),
        ({"cycle": 2024, "rating": "meets"}, "completed_on", "needs its completion date"),
        ({"cycle": 1899}, "cycle", "1899"),
    ],
)
def test_bad_appraisals_get_field_messages_and_nothing_is_saved(
    api, manager, units, payload, field, message
):
    PersonFactory(unit=units["ohr"], index_number="10001234")
    response = api(manager).post(APPRAISALS, {"staff": "10001234", **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    if field != "cycle":
        assert message in " ".join(response.json()[field])
    assert not Appraisal.objects.exists()


def test_a_second_appraisal_for_the_same_person_and_cycle_is_a_400(api, manager, units):
    existing = AppraisalFactory(unit=units["ohr"])
    response = api(manager).post(
        APPRAISALS, {"staff": existing.staff.index_number, "cycle": 2024}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "cycle": [f"{existing.staff.name} already has an appraisal for the 2024-25 cycle."]
    }
    assert Appraisal.objects.count() == 1


def test_a_stale_edit_gets_409_and_changes_nothing(api, manager, units):
    appraisal = AppraisalFactory(unit=units["ohr"])
    client = api(manager)
    ok = client.patch(
        f"{APPRAISALS}{appraisal.pk}/",
        {"completed_on": "2025-05-03", "rating": "exceeds"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(
        f"{APPRAISALS}{appraisal.pk}/", {"rating": "meets"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 409
    appraisal.refresh_from_db()
    assert appraisal.rating == "exceeds"


# --- Personal data: the permission matrix ---------------------------------------------------


@pytest.mark.parametrize(
    "persona, sees_list, detail",
    [
        ("admin_user", True, 200),
        ("manager", True, 200),  # manages DMSPC and DMSPC-OHR below it
        ("manager2", False, 404),  # another department
        ("oios", False, 404),  # oversight bodies read much, never named appraisals
        ("gastaff", False, 404),
        ("outsider", False, 404),
    ],
)
def test_named_appraisals_only_for_the_units_managers_and_administrators(
    request, api, units, persona, sees_list, detail
):
    appraisal = AppraisalFactory(unit=units["ohr"], on_time=True)
    user = request.getfixturevalue(persona)
    client = api(user)
    listed = [row["id"] for row in client.get(APPRAISALS).json()["results"]]
    assert (appraisal.pk in listed) is sees_list
    assert client.get(f"{APPRAISALS}{appraisal.pk}/").status_code == detail
    history = client.get("/api/history/", {"object": f"performance.appraisal:{appraisal.pk}"})
    assert history.status_code == (200 if detail == 200 else 404)


def test_ga_staff_get_the_aggregates_with_small_groups_suppressed(
    api, gastaff, manager2, compliance_fixture
):
    response = api(gastaff).get("/api/performance/appraisal-compliance/", {"cycle": 2024})
    assert response.status_code == 200
    rows = {r["unit"]: r for r in response.json()["results"]}
    assert rows["DOS-PD"]["suppressed"] is True and rows["DOS-PD"]["compliance_rate"] is None
    assert rows["DMSPC-OHR"]["suppressed"] is True  # else it gives DOS-PD away from the total
    managed = (
        api(manager2)
        .get("/api/performance/appraisal-compliance/", {"cycle": 2024})
        .json()["results"]
    )
    assert {r["unit"]: r["compliance_rate"] for r in managed} == {"DMSPC-OHR": 50.0, "DOS-PD": 66.7}
    assert api(gastaff).get("/api/performance/appraisal-compliance/").status_code == 400


# --- Compacts -------------------------------------------------------------------------------


def test_a_compact_for_someone_below_asg_who_heads_no_entity_is_refused(api, manager, units):
    PersonFactory(unit=units["ohr"], index_number="10009999", grade="P-5", name="Pat Five")
    response = api(manager).post(
        COMPACTS, {"senior_manager": "10009999", "year": 2026}, format="json"
    )
    assert response.status_code == 400
    assert "Pat Five is P-5 and heads no entity" in response.json()["senior_manager"][0]
    assert not Compact.objects.exists()


def test_compact_lifecycle_through_the_api(api, manager, units, resolution):
    asg = PersonFactory(unit=units["ohr"], index_number="10000042", grade="ASG")
    client = api(manager)
    created = client.post(
        COMPACTS,
        {"senior_manager": "10000042", "year": 2026, "paragraphs": [16, 18]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (
        body["unit"] == "DMSPC-OHR" and body["status"] == "draft" and body["paragraphs"] == [16, 18]
    )
    url = f"{COMPACTS}{body['id']}/"
    by_patch = client.patch(url, {"status": "signed", "signed_on": "2026-02-01"}, format="json")
    assert by_patch.status_code == 400
    assert f"POST /api/performance/compacts/{body['id']}/sign/" in by_patch.json()["status"][0]
    no_objectives = client.post(f"{url}sign/", {"signed_on": "2026-02-01"}, format="json")
    assert no_objectives.status_code == 400 and "status" in no_objectives.json()
    objective = client.post(
        "/api/performance/compact-objectives/",
        {
            "compact": body["id"],
            "kind": "management",
            "title": "Implement oversight recommendations",
            "indicator": "Share implemented on time",
            "target": "80%",
        },
        format="json",
    )
    assert objective.status_code == 201, objective.json()
    signed = client.post(
        f"{url}sign/", {"signed_on": "2026-02-01", "status": "signed"}, format="json"
    )
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "signed" and signed.json()["signed_on"] == "2026-02-01"
    assert signed.json()["objectives"][0]["target"] == "80%"
    back = client.patch(url, {"status": "draft"}, format="json")
    assert back.status_code == 400 and "status" in back.json()
    assert Compact.objects.get().senior_manager == asg


def test_compacts_are_read_across_units_but_changed_only_by_their_units(
    api, manager, manager2, oios, gastaff, units
):
    compact = CompactFactory(senior_manager__unit=units["dmspc"])
    url = f"{COMPACTS}{compact.pk}/"
    assert api(oios).get(url).status_code == 200
    assert api(gastaff).get(url).status_code == 200
    assert api(oios).patch(url, {"year": 2024}, format="json").status_code == 403
    assert api(manager2).get(url).status_code == 404
    assert api(manager).patch(url, {"year": 2024}, format="json").status_code == 200


# --- Indicators -----------------------------------------------------------------------------


def test_indicator_with_results_per_budget_period(api, manager, units, resolution):
    client = api(manager)
    created = client.post(
        "/api/performance/indicators/",
        {
            "unit": "DMSPC-OHR",
            "title": "Days to fill a vacancy",
            "unit_of_measure": "days",
            "baseline": "180",
            "target": "120",
            "direction": "decrease",
            "kind": "efficiency",
            "paragraphs": [11],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    for period, value in [("2022-2023", "150"), ("2024", "118")]:
        r = client.post(
            "/api/performance/indicator-results/",
            {"indicator": pk, "period": period, "value": value},
            format="json",
        )
        assert r.status_code == 201, r.json()
    assert r.json()["target_met"] is True
    bad = client.post(
        "/api/performance/indicator-results/",
        {"indicator": pk, "period": "2024-2026", "value": "1"},
        format="json",
    )
    assert bad.status_code == 400 and "period" in bad.json()
    again = client.post(
        "/api/performance/indicator-results/",
        {"indicator": pk, "period": "2024", "value": "1"},
        format="json",
    )
    assert again.status_code == 400 and "already has a result for 2024" in again.json()["period"][0]
    body = client.get(f"/api/performance/indicators/{pk}/").json()
    assert body["results"] == [
        {"period": "2022-2023", "value": "150.00"},
        {"period": "2024", "value": "118.00"},
    ]
    assert IndicatorResult.objects.count() == 2


def test_a_manager_cannot_add_results_to_another_departments_indicator(api, manager, units):
    indicator = IndicatorFactory(unit=units["pd"])
    response = api(manager).post(
        "/api/performance/indicator-results/",
        {"indicator": indicator.pk, "period": "2024", "value": "1"},
        format="json",
    )
    assert response.status_code == 400  # the indicator is not one they may see
    assert not IndicatorResult.objects.exists()


# --- Bulk import ----------------------------------------------------------------------------


def _csv(text: str, name="appraisals.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def ohr_people(units):
    return [PersonFactory(unit=units["ohr"], index_number=f"2000000{n}") for n in range(3)]


GOOD = (
    "staff,cycle,due_on,completed_on,rating\n"
    "20000000,2024,2025-05-31,2025-05-10,meets\n"
    "20000001,2024,,2025-06-15,exceeds\n"
    "20000002,2024,,,\n"
)


def test_import_creates_then_changes_nothing_then_updates(api, manager, ohr_people):
    client = api(manager)
    first = client.post(f"{APPRAISALS}import/", {"file": _csv(GOOD)}, format="multipart")
    assert first.status_code == 200, first.json()
    assert first.json() == {"created": 3, "updated": 0, "unchanged": 0}
    assert HistoryEntry.objects.filter(object_type="performance.appraisal").count() == 3
    again = client.post(f"{APPRAISALS}import/", {"file": _csv(GOOD)}, format="multipart")
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 3}
    edited = GOOD.replace("20000002,2024,,,", "20000002,2024,,2025-05-30,partially_meets")
    third = client.post(f"{APPRAISALS}import/", {"file": _csv(edited)}, format="multipart")
    assert third.json() == {"created": 0, "updated": 1, "unchanged": 2}
    updated = Appraisal.objects.get(staff__index_number="20000002")
    assert updated.on_time is True and updated.version == 2
    entry = HistoryEntry.objects.for_object(updated).first()
    assert entry.action == "update" and entry.changes["rating"] == ["", "partially_meets"]


def test_one_bad_row_rejects_the_whole_file(api, manager, ohr_people, units):
    PersonFactory(unit=units["pd"], index_number="30000000")
    bad = GOOD + (
        "20000000,2024,,,\n"  # a second row for the same person and cycle
        "99999999,2024,,,\n"  # nobody
        "20000001,2023,,2023-01-01,meets\n"  # completed before the cycle starts
        "20000002,2025,,2025-12-01,superb\n"  # not a rating
        "30000000,2024,,,\n"  # another department
    )
    response = api(manager).post(f"{APPRAISALS}import/", {"file": _csv(bad)}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (5, "staff"),
        (6, "staff"),
        (7, "completed_on"),
        (8, "rating"),
        (9, "staff"),
    ]
    assert not Appraisal.objects.exists()


def test_import_refuses_missing_columns_and_other_files(api, manager, gastaff, ohr_people):
    client = api(manager)
    missing = client.post(
        f"{APPRAISALS}import/", {"file": _csv("staff,rating\n20000000,meets\n")}, format="multipart"
    )
    assert missing.status_code == 400 and missing.json()["errors"][0]["column"] == "cycle"
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert client.post(f"{APPRAISALS}import/", {"file": pdf}, format="multipart").status_code == 400
    assert client.post(f"{APPRAISALS}import/", {}, format="multipart").status_code == 400
    assert (
        api(gastaff)
        .post(f"{APPRAISALS}import/", {"file": _csv(GOOD)}, format="multipart")
        .status_code
        == 403
    )
    assert not Appraisal.objects.exists()


def test_import_reads_xlsx(api, admin_user, ohr_people):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["staff", "cycle", "due_on", "completed_on", "rating", "unit"])
    sheet.append(
        [
            "20000000",
            2024,
            datetime.date(2025, 5, 31),
            datetime.date(2025, 5, 1),
            "exceeds",
            "DMSPC",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("a.xlsx", buffer.getvalue())
    response = api(admin_user).post(f"{APPRAISALS}import/", {"file": upload}, format="multipart")
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert Appraisal.objects.get().unit.code == "DMSPC"


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [10, 200])
def test_lists_cost_a_fixed_number_of_queries(
    api, manager, units, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        AppraisalFactory(unit=units["ohr"], on_time=True)
    for n in range(min(rows, 40)):
        compact = CompactFactory(senior_manager__unit=units["ohr"], year=2000 + n)
        ObjectiveFactory(compact=compact)
        indicator = IndicatorFactory(unit=units["ohr"])
        ResultFactory(indicator=indicator)
    client = api(manager)
    for url in (
        APPRAISALS + "?page_size=500",
        COMPACTS + "?page_size=500",
        "/api/performance/indicators/?page_size=500",
        "/api/performance/indicator-results/?page_size=500",
    ):
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_an_objective_links_to_a_commitment_of_the_compacts_unit(api, manager, units):
    from accountability.models import Commitment

    compact = CompactFactory(senior_manager__unit=units["dmspc"], year=2026)
    own = Commitment.objects.create(
        title="Publish the HR strategy",
        unit=units["ohr"],
        owner=manager,
        due_on=datetime.date(2026, 9, 30),
    )
    elsewhere = Commitment.objects.create(
        title="Procurement reform",
        unit=units["pd"],
        owner=manager,
        due_on=datetime.date(2026, 9, 30),
    )
    client = api(manager)
    payload = {
        "compact": compact.pk,
        "kind": "programme",
        "title": "HR strategy",
        "indicator": "Published",
        "target": "Q3",
    }
    refused = client.post(
        "/api/performance/compact-objectives/",
        {**payload, "commitment": elsewhere.pk},
        format="json",
    )
    assert refused.status_code == 400 and "commitment" in refused.json()
    created = client.post(
        "/api/performance/compact-objectives/", {**payload, "commitment": own.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert client.get(f"{COMPACTS}{compact.pk}/").json()["objectives"][0]["commitment"] == own.pk


@pytest.mark.parametrize("rows", [10, 200])
def test_import_costs_a_fixed_number_of_queries(
    api, manager, units, rows, django_assert_max_num_queries
):
    people = [PersonFactory(unit=units["ohr"], index_number=f"4{n:07d}") for n in range(rows)]
    lines = ["staff,cycle,completed_on,rating"] + [
        f"{p.index_number},2024,2025-05-01,meets" for p in people
    ]
    client = api(manager)
    with django_assert_max_num_queries(25):
        first = client.post(
            f"{APPRAISALS}import/", {"file": _csv("\n".join(lines))}, format="multipart"
        )
    assert first.json()["created"] == rows
    changed = [line.replace("meets", "exceeds") for line in lines]
    with django_assert_max_num_queries(25):
        second = client.post(
            f"{APPRAISALS}import/", {"file": _csv("\n".join(changed))}, format="multipart"
        )
    assert second.json()["updated"] == rows


def test_expected_accomplishments_and_their_indicators(api, manager, admin_user, units, resolution):
    client = api(manager)
    ea = client.post(
        "/api/performance/expected-accomplishments/",
        {"unit": "DMSPC-OHR", "title": "Faster recruitment", "paragraphs": [23]},
        format="json",
    )
    assert ea.status_code == 201, ea.json()
    other = api(admin_user).post(
        "/api/performance/expected-accomplishments/",
        {"unit": "DOS-PD", "title": "Faster procurement"},
        format="json",
    )
    base = {
        "title": "Days to fill a vacancy",
        "unit_of_measure": "days",
        "baseline": "180",
        "target": "120",
    }
    linked = client.post(
        "/api/performance/indicators/",
        {**base, "unit": "DMSPC-OHR", "accomplishment": ea.json()["id"]},
        format="json",
    )
    assert linked.status_code == 201 and linked.json()["accomplishment"] == ea.json()["id"]
    mismatch = api(admin_user).post(
        "/api/performance/indicators/",
        {**base, "unit": "DMSPC-OHR", "accomplishment": other.json()["id"]},
        format="json",
    )
    assert mismatch.status_code == 400
    assert mismatch.json() == {
        "accomplishment": ["The expected accomplishment belongs to another unit."]
    }
    assert (
        api(manager)
        .post(
            "/api/performance/expected-accomplishments/",
            {"unit": "DOS-PD", "title": "x"},
            format="json",
        )
        .status_code
        == 403
    )


def test_an_objective_cannot_link_a_commitment_of_another_department(api, admin_user, units):
    from accountability.models import Commitment

    compact = CompactFactory(senior_manager__unit=units["dmspc"], year=2026)
    elsewhere = Commitment.objects.create(
        title="Procurement reform",
        unit=units["pd"],
        owner=admin_user,
        due_on=datetime.date(2026, 9, 30),
    )
    response = api(admin_user).post(
        "/api/performance/compact-objectives/",
        {
            "compact": compact.pk,
            "kind": "programme",
            "title": "Reform",
            "indicator": "Done",
            "target": "Q4",
            "commitment": elsewhere.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["commitment"] == [
        "The commitment belongs to a unit outside the compact's unit (DMSPC)."
    ]


def test_a_second_underperformance_case_for_an_appraisal_is_a_400(api, manager, units):
    appraisal = AppraisalFactory(
        unit=units["ohr"], completed_on=datetime.date(2025, 5, 1), rating="does_not_meet"
    )
    body = {
        "appraisal": appraisal.pk,
        "improvement_plan": "Monthly check-ins",
        "plan_start": "2025-06-01",
    }
    client = api(manager)
    assert (
        client.post("/api/performance/underperformance-cases/", body, format="json").status_code
        == 201
    )
    response = client.post("/api/performance/underperformance-cases/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "appraisal": ["This appraisal already has an underperformance case."]
    }
    assert UnderperformanceCase.objects.filter(appraisal=appraisal).count() == 1


def test_lists_filter_by_a_unit_or_the_units_within_it(api, admin_user, units):
    AppraisalFactory(unit=units["ohr"])
    AppraisalFactory(unit=units["pd"])
    client = api(admin_user)
    rows = client.get(APPRAISALS, {"within": "DMSPC"}).json()["results"]
    assert [r["unit"] for r in rows] == ["DMSPC-OHR"]
    assert client.get(APPRAISALS, {"unit": "DMSPC"}).json()["results"] == []
    rows = client.get(APPRAISALS, {"unit": units["ohr"].pk}).json()["results"]
    assert [r["unit"] for r in rows] == ["DMSPC-OHR"]
    response = client.get(APPRAISALS, {"unit": "NO-SUCH-UNIT"})
    assert response.status_code == 400
    assert list(response.json()) == ["unit"]


def test_a_stale_body_version_gets_409_and_changes_nothing(api, manager, units, resolution):
    indicator = IndicatorFactory(unit=units["ohr"])
    url = f"/api/performance/indicators/{indicator.pk}/"
    client = api(manager)
    ok = client.patch(url, {"title": "Vacancy rate", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"title": "Stale", "paragraphs": [23], "version": 1}, format="json")
    assert stale.status_code == 409
    indicator.refresh_from_db()
    assert indicator.title == "Vacancy rate" and indicator.version == 2
    assert not indicator.paragraphs.exists()
