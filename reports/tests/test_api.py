import hashlib

import pytest

from reports.choices import RunStatus
from reports.models import ReportRun

pytestmark = pytest.mark.django_db
BODY = {"period_start": "2024-01-01", "period_end": "2025-12-31", "language": "en"}


def test_ga_staff_request_a_run_and_read_it_as_the_contract_says(
    api, gastaff, resolution, standard_metrics, django_capture_on_commit_callbacks
):
    client = api(gastaff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/reports/", BODY, format="json")
    assert response.status_code == 202, response.data
    run_id = response.data["id"]
    assert response["Location"].endswith(f"/api/reports/{run_id}/")
    body = client.get(f"/api/reports/{run_id}/").json()
    assert body["status"] == "done" and body["progress"] == 100 and body["error"] == ""
    assert set(body["files"]) == set(body["sha256"]) == {"html", "pdf", "docx", "xlsx", "json"}
    assert body["requested_by"] == "gastaff"
    assert body["audit_trail"]["entries"] > 0
    download = client.get(body["files"]["json"])
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == body["sha256"]["json"]
    assert download["X-Checksum-SHA256"] == body["sha256"]["json"]


def test_a_queued_run_answers_202_with_its_status(api, admin_user):
    response = api(admin_user).post(
        "/api/reports/", {**BODY, "title": "Interim report"}, format="json"
    )
    assert response.status_code == 202
    assert (
        response.data["status"] == "queued"
        and response.data["files"] == {}
        and response.data["sha256"] == {}
    )
    assert response.data["title"] == "Interim report"
    again = api(admin_user).post("/api/reports/", BODY, format="json")
    assert (
        again.status_code == 202
        and again.data["id"] == response.data["id"]
        and "notice" in again.data
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"period_end": "2023-12-31"}, "period_end"),
        ({"period_end": "2999-12-31"}, "period_end"),
        ({"language": "klingon"}, "language"),
        ({"period_start": "not a date"}, "period_start"),
        ({"language": None}, "language"),
    ],
)
def test_bad_input_is_a_400_with_field_messages(api, admin_user, change, field):
    response = api(admin_user).post("/api/reports/", {**BODY, **change}, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize("persona", ["manager", "oios", "outsider"])
def test_other_roles_may_not_request(api, persona, request):
    response = api(request.getfixturevalue(persona)).post("/api/reports/", BODY, format="json")
    assert response.status_code == 403
    assert not ReportRun.objects.exists()


def test_anonymous_gets_401(api, units):
    assert api(None).get("/api/reports/").status_code in (401, 403)


def test_signed_in_users_read_done_runs_only(api, gastaff, manager, issue, metrics, admin_user):
    metrics()
    done = issue(gastaff)
    queued = (
        api(admin_user).post("/api/reports/", {**BODY, "language": "zh-hans"}, format="json").data
    )
    listed = [r["id"] for r in api(manager).get("/api/reports/").json()["results"]]
    assert listed == [done.pk]
    assert api(manager).get(f"/api/reports/{queued['id']}/").status_code == 404
    assert api(manager).get(f"/api/reports/{done.pk}/").status_code == 200
    assert {r["id"] for r in api(gastaff).get("/api/reports/").json()["results"]} == {
        done.pk,
        queued["id"],
    }


def test_admin_retries_a_failed_run_through_the_api(api, admin_user, gastaff, metrics):
    metrics()
    run = ReportRun.objects.create(
        period_start="2024-01-01",
        period_end="2024-12-31",
        language="en",
        status=RunStatus.FAILED,
        error="boom",
    )
    assert api(gastaff).post(f"/api/reports/{run.pk}/retry/").status_code == 403
    response = api(admin_user).post(f"/api/reports/{run.pk}/retry/")
    assert response.status_code == 202 and response.data["status"] == "queued"


def test_list_costs_a_fixed_number_of_queries(api, gastaff, metrics, django_assert_max_num_queries):
    metrics()
    for day in range(1, 31):
        ReportRun.objects.create(
            period_start=f"2024-01-{day:02d}",
            period_end="2024-12-31",
            language="en",
            requested_by=gastaff,
        )
    with django_assert_max_num_queries(8):
        response = api(gastaff).get("/api/reports/?page_size=100")
    assert len(response.json()["results"]) == 30


def test_messages_follow_the_readers_language(api, admin_user):
    # The language rule lives in services.validate_request (translated), not in the serializer;
    # the notice of an identical active run is translated too.
    client = api(admin_user)
    bad = client.post(
        "/api/reports/",
        {**BODY, "language": "klingon"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 400
    assert bad.data["language"] == ["未知语文 klingon：请从 ar, zh-hans, en, fr, ru, es 中选择。"]
    assert not ReportRun.objects.exists()
    first = client.post("/api/reports/", BODY, format="json")
    again = client.post("/api/reports/", BODY, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert again.data["id"] == first.data["id"]
    assert again.data["notice"] == "相同的报告正在编制中；即本报告。"


def test_retry_refuses_what_is_not_failed_or_not_visible(api, admin_user, manager, issue, metrics):
    metrics()
    done = issue(admin_user)
    queued = ReportRun.objects.create(
        period_start="2024-01-01", period_end="2024-06-30", language="en"
    )
    refused = api(admin_user).post(f"/api/reports/{done.pk}/retry/")
    assert refused.status_code == 400 and "status" in refused.data
    assert api(admin_user).post(f"/api/reports/{queued.pk}/retry/").status_code == 400
    # A reader sees the issued run but may not act on it; a queued run does not exist for them.
    assert api(manager).post(f"/api/reports/{done.pk}/retry/").status_code == 403
    assert api(manager).post(f"/api/reports/{queued.pk}/retry/").status_code == 404
    assert ReportRun.objects.get(pk=done.pk).status == RunStatus.DONE
    assert ReportRun.objects.get(pk=queued.pk).attempts == 0
