import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oversight.models import Recommendation
from oversight.tests.factories import RecommendationFactory, ReportFactory, body
from oversight.tests.test_import import csv_file, row

pytestmark = pytest.mark.django_db
URL = "/api/oversight/recommendations/"


@pytest.fixture
def recs(units):
    oios_report = ReportFactory(body=body("OIOS"), symbol="2024/087")
    boa_report = ReportFactory(body=body("BOA"), symbol="A/79/5")
    return {
        "ohr": RecommendationFactory(
            report=oios_report,
            number="1",
            unit=units["ohr"],
            priority="critical",
            target_date=datetime.date(2020, 1, 1),
            text="Vendor due diligence",
        ),
        "pd": RecommendationFactory(report=oios_report, number="2", unit=units["pd"]),
        "boa": RecommendationFactory(report=boa_report, number="1", unit=units["dmspc"]),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


def test_contract_fields(api, oios, recs):
    data = api(oios).get(f"{URL}{recs['ohr'].pk}/").json()
    for key in [
        "id",
        "report",
        "number",
        "text",
        "priority",
        "unit",
        "accepted",
        "target_date",
        "status",
        "implemented_on",
        "is_overdue",
        "version",
    ]:
        assert key in data
    assert data["unit"] == "DMSPC-OHR" and data["is_overdue"] is True and data["body"] == "OIOS"


def test_who_reads_what(api, oios, manager, manager2, gastaff, outsider, recs):
    assert ids(api(oios).get(URL)) == {r.pk for r in recs.values()}
    assert ids(api(gastaff).get(URL)) == {r.pk for r in recs.values()}
    assert ids(api(manager).get(URL)) == {recs["ohr"].pk, recs["boa"].pk}
    assert ids(api(manager2).get(URL)) == {recs["pd"].pk}
    assert ids(api(outsider).get(URL)) == set()
    assert api(manager2).get(f"{URL}{recs['ohr'].pk}/").status_code == 404
    assert api(None).get(URL).status_code in (401, 403)


def test_filters_and_search(api, oios, recs):
    assert ids(api(oios).get(URL, {"is_overdue": "true"})) == {recs["ohr"].pk}
    assert ids(api(oios).get(URL, {"is_overdue": "false"})) == {recs["pd"].pk, recs["boa"].pk}
    assert ids(api(oios).get(URL, {"search": "due diligence"})) == {recs["ohr"].pk}
    assert ids(api(oios).get(URL, {"search": "A/79"})) == {recs["boa"].pk}
    assert ids(api(oios).get(URL, {"body": "BOA"})) == {recs["boa"].pk}
    assert ids(api(oios).get(URL, {"within": "DOS"})) == {recs["pd"].pk}
    unknown = api(oios).get(URL, {"within": "NOPE"})
    assert unknown.status_code == 400 and "within" in unknown.json()
    assert ids(api(oios).get(URL, {"priority": "critical"})) == {recs["ohr"].pk}


def test_edits_by_role(api, oios, boa, manager, recs):
    target = f"{URL}{recs['ohr'].pk}/"
    assert api(manager).patch(target, {"text": "x"}, format="json").status_code == 403
    assert api(boa).patch(target, {"text": "x"}, format="json").status_code == 403
    response = api(oios).patch(target, {"text": "Revised"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = api(oios).patch(target, {"text": "Again"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    bypass = api(oios).patch(target, {"status": "implemented"}, format="json")
    assert bypass.status_code == 400 and "status" in bypass.json()
    assert Recommendation.objects.get(pk=recs["ohr"].pk).status == "open"


def test_create_needs_own_body_report(api, oios, boa, recs, units):
    payload = {
        "report": recs["ohr"].report_id,
        "number": "9",
        "text": "New",
        "unit": "DOS",
        "priority": "important",
    }
    assert api(boa).post(URL, payload, format="json").status_code == 400
    response = api(oios).post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    bad = api(oios).post(
        URL, {**payload, "number": "10", "unit": "NOPE", "priority": "urgent"}, format="json"
    )
    assert bad.status_code == 400 and set(bad.json()) >= {"unit", "priority"}


def test_status_endpoint(api, oios, boa, manager, manager2, recs):
    target = f"{URL}{recs['ohr'].pk}/status/"
    assert api(manager2).post(target, {"status": "in_progress", "note": "x"}).status_code == 404
    evidence = SimpleUploadedFile("proof.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = api(manager).post(
        target,
        {"status": "pending_verification", "note": "Done", "evidence": [evidence]},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending_verification"
    assert api(manager).post(target, {"status": "implemented", "note": "x"}).status_code == 403
    assert api(boa).post(target, {"status": "implemented", "note": "x"}).status_code == 403
    missing = api(oios).post(target, {"status": "implemented", "note": ""})
    assert missing.status_code == 400 and "note" in missing.json()
    assert api(oios).post(target, {"status": "implemented", "note": "Verified"}).status_code == 200
    timeline = api(manager).get(f"{URL}{recs['ohr'].pk}/updates/").json()
    assert [u["to_status"] for u in timeline] == ["implemented", "pending_verification"]
    assert timeline[1]["evidence"][0]["name"] == "proof.pdf"


def test_import_endpoint(api, oios, manager, units):
    rows = [row(), row(number="2")]
    response = api(oios).post(f"{URL}import/", {"file": csv_file(rows)}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    again = api(oios).post(f"{URL}import/", {"file": csv_file(rows)}, format="multipart").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    bad = api(oios).post(
        f"{URL}import/",
        {"file": csv_file([row(number="3", target_date="soon")])},
        format="multipart",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"row": 2, "column": "target_date", "error": "soon is not a date (YYYY-MM-DD)."}
    ]
    assert (
        api(manager).post(f"{URL}import/", {"file": csv_file(rows)}, format="multipart").status_code
        == 403
    )
    assert api(oios).post(f"{URL}import/", {}, format="multipart").status_code == 400
    exe = SimpleUploadedFile("x.exe", io.BytesIO(b"MZ garbage").read())
    assert api(oios).post(f"{URL}import/", {"file": exe}, format="multipart").status_code == 400
    assert Recommendation.objects.count() == 2


def test_reports_and_bodies(api, oios, boa, admin_user, manager, recs, resolution):
    bodies = api(manager).get("/api/oversight/bodies/").json()["results"]
    assert {"OIOS", "BOA", "JIU", "ACABQ", "IAAC"} <= {b["code"] for b in bodies}
    assert (
        api(oios)
        .post("/api/oversight/bodies/", {"code": "X", "name": "X"}, format="json")
        .status_code
        == 403
    )
    assert (
        api(admin_user)
        .post("/api/oversight/bodies/", {"code": "OAI", "name": "Audit"}, format="json")
        .status_code
        == 201
    )
    payload = {
        "body": "JIU",
        "symbol": "JIU/REP/2011/5",
        "title": "Accountability frameworks",
        "issued_on": "2011-10-01",
        "paragraphs": [4],
    }
    assert api(oios).post("/api/oversight/reports/", payload, format="json").status_code == 400
    assert (
        api(admin_user).post("/api/oversight/reports/", payload, format="json").status_code == 201
    )
    listed = api(manager).get("/api/oversight/reports/", {"paragraph": 4}).json()["results"]
    assert [r["symbol"] for r in listed] == ["JIU/REP/2011/5"]


@pytest.mark.parametrize("n", [10, 200])
def test_list_query_count_is_flat(api, oios, units, n, django_assert_max_num_queries):
    report = ReportFactory()
    Recommendation.objects.bulk_create(
        [
            Recommendation(report=report, number=str(i), text="t", unit=units["ohr"])
            for i in range(n)
        ]
    )
    with django_assert_max_num_queries(8):
        response = api(oios).get(URL, {"page_size": 500})
    assert len(response.json()["results"]) == n


def test_ga_staff_read_the_timeline_without_names(api, web, gastaff, manager, recs):
    api(manager).post(
        f"{URL}{recs['ohr'].pk}/status/", {"status": "in_progress", "note": "Started"}
    )
    assert api(gastaff).get(f"{URL}{recs['ohr'].pk}/updates/").json()[0]["author"] is None
    assert api(manager).get(f"{URL}{recs['ohr'].pk}/updates/").json()[0]["author"] == "manager"
    assert (
        api(gastaff)
        .post(f"{URL}{recs['ohr'].pk}/status/", {"status": "pending_verification", "note": "x"})
        .status_code
        == 403
    )
    page = web(gastaff).get(recs["ohr"].get_absolute_url()).content.decode()
    assert "Started" in page and "Record an update" not in page


@pytest.mark.parametrize("how", ["if_match", "body"])
def test_status_change_on_a_stale_version_is_409_and_changes_nothing(api, manager, recs, how):
    rec = recs["ohr"]
    target = f"{URL}{rec.pk}/status/"
    first = api(manager).post(target, {"status": "in_progress", "note": "Started", "version": 1})
    assert first.status_code == 200, first.content
    payload = {"status": "pending_verification", "note": "Done"}
    if how == "if_match":
        stale = api(manager).post(target, payload, HTTP_IF_MATCH='"1"')
    else:
        stale = api(manager).post(target, {**payload, "version": 1})
    assert stale.status_code == 409
    rec.refresh_from_db()
    assert rec.status == "in_progress" and rec.updates.count() == 1


def test_recording_non_acceptance_by_patch_goes_on_the_timeline(api, oios, recs):
    rec = recs["pd"]
    response = api(oios).patch(
        f"{URL}{rec.pk}/",
        {"accepted": False, "acceptance_comment": "Management declines."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "not_accepted"
    timeline = api(oios).get(f"{URL}{rec.pk}/updates/").json()
    assert [(u["from_status"], u["to_status"], u["note"]) for u in timeline] == [
        ("open", "not_accepted", "Management declines.")
    ]


def test_non_acceptance_by_patch_needs_a_reason_and_an_open_recommendation(api, oios, recs):
    rec = recs["pd"]
    target = f"{URL}{rec.pk}/"
    no_reason = api(oios).patch(target, {"accepted": False}, format="json")
    assert no_reason.status_code == 400 and "acceptance_comment" in no_reason.json()
    Recommendation.objects.filter(pk=rec.pk).update(status="in_progress")  # test setup only
    late = api(oios).patch(target, {"accepted": False, "acceptance_comment": "No."}, format="json")
    assert late.status_code == 400 and "accepted" in late.json()
    rec.refresh_from_db()
    assert (rec.status, rec.accepted, rec.updates.count()) == ("in_progress", True, 0)


def test_accepting_again_by_patch_reopens_on_the_timeline(api, oios, recs):
    target = f"{URL}{recs['pd'].pk}/"
    api(oios).patch(target, {"accepted": False, "acceptance_comment": "No."}, format="json")
    back = api(oios).patch(target, {"accepted": True}, format="json")
    assert back.status_code == 200 and back.json()["status"] == "open"
    timeline = api(oios).get(f"{target}updates/").json()
    assert [(u["from_status"], u["to_status"]) for u in timeline] == [
        ("not_accepted", "open"),
        ("open", "not_accepted"),
    ]
