"""The editions API and pages (issue 16): scoped by rights, every change through the actions, an
issued edition refuses edits with 400 (API) or a message (page), downloads are attachments; and
the run request form's defaults."""

import datetime
import hashlib

import pytest
from django.urls import reverse

from reports import editions
from reports.forms import ReportRequestForm
from reports.models import EditionState, ReportAuthor, ReportEdition

pytestmark = pytest.mark.django_db
BODY = {
    "session": 80,
    "symbol": "A/80/642",
    "agenda_item": "136",
    "agenda_item_title_en": "Review of the efficiency of the administrative and financial "
    "functioning of the United Nations",
    "agenda_item_title_zh": "审查联合国行政和财务业务的效率",
    "period_start": "2024-01-01",
    "period_end": "2025-12-31",
    "languages": ["en", "zh-hans"],
    "structure": "components",
}


@pytest.fixture
def author(manager, admin_user):
    editions.designate_author(ReportAuthor(user=manager), acting_user=admin_user)
    return manager


@pytest.fixture
def created(api, author, resolution, standard_metrics, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(author).post("/api/reports/editions/", BODY, format="json")
    assert response.status_code == 201, response.data
    return response.data


def test_create_and_write_through_the_api(api, author, created):
    assert created["state"] == "draft" and created["structure"] == "components"
    edition_id = created["id"]
    sections = api(author).get(f"/api/reports/editions/{edition_id}/sections/").data
    # Summary, introduction, the six components, action requested: 9 per language.
    assert len(sections) == 18
    assert {s["key"] for s in sections} >= {"oversight", "internal_control", "summary"}
    url = f"/api/reports/editions/{edition_id}/sections/oversight/en/"
    response = api(author).put(
        url, {"text": "BOA: {{ C.by_body.BOA.implementation_rate }} {{ C.nope }}"}, format="json"
    )
    assert response.status_code == 200
    assert len(response.data["problems"]) == 1 and "nope" in response.data["problems"][0]
    # A stale version is a 409, nothing saved.
    stale = api(author).put(url, {"text": "Other", "version": 1}, format="json")
    assert stale.status_code == 409
    assert (
        api(author)
        .put(
            f"/api/reports/editions/{edition_id}/sections/nowhere/en/", {"text": "x"}, format="json"
        )
        .status_code
        == 404
    )


def test_bad_input_is_a_400_naming_the_field(api, author, resolution, standard_metrics):
    bad = {**BODY, "symbol": "A/81/R.2", "period_end": "2999-12-31", "languages": ["de"]}
    response = api(author).post("/api/reports/editions/", bad, format="json")
    assert response.status_code == 400
    assert set(response.data) >= {"symbol", "period_end", "languages"}
    assert not ReportEdition.objects.exists()


def test_rights_through_the_api(api, author, created, gastaff, manager2, admin_user):
    edition_id = created["id"]
    # A draft is the authors' only: others get 404, and may not create.
    for reader in (gastaff, manager2):
        assert api(reader).get(f"/api/reports/editions/{edition_id}/").status_code == 404
        listed = api(reader).get("/api/reports/editions/").data
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert edition_id not in [row["id"] for row in rows]
        assert api(reader).post("/api/reports/editions/", BODY, format="json").status_code == 403
    assert api(None).get("/api/reports/editions/").status_code in (401, 403)
    # The author may not approve (administrators only): 403 before any 400.
    api(author).post(f"/api/reports/editions/{edition_id}/submit/", {}, format="json")
    refused = api(author).post(f"/api/reports/editions/{edition_id}/approve/", {}, format="json")
    assert refused.status_code == 403


def test_the_workflow_and_downloads_through_the_api(
    api, author, created, admin_user, gastaff, django_capture_on_commit_callbacks
):
    edition_id = created["id"]
    base = f"/api/reports/editions/{edition_id}"
    api(author).put(
        f"{base}/sections/oversight/en/",
        {"text": "OIOS {{ C.by_body.OIOS.implementation_rate }}."},
        format="json",
    )
    assert api(author).post(f"{base}/submit/", {}, format="json").data["state"] == "in_review"
    comment = api(admin_user).post(
        f"{base}/comments/",
        {"section_key": "oversight", "language": "en", "text": "Add the ageing."},
        format="json",
    )
    assert comment.status_code == 201
    blocked = api(admin_user).post(f"{base}/approve/", {}, format="json")
    assert blocked.status_code == 400 and "1 comments are not resolved." in blocked.data["state"]
    resolve = api(author).post(f"{base}/comments/{comment.data['id']}/resolve/", {}, format="json")
    assert resolve.data["resolved"] is True and resolve.data["resolved_by"] == "manager"
    assert api(admin_user).post(f"{base}/approve/", {}, format="json").data["state"] == "approved"
    with django_capture_on_commit_callbacks(execute=True):
        issued = api(admin_user).post(f"{base}/issue/", {}, format="json")
    assert issued.status_code == 202
    detail = api(gastaff).get(f"{base}/").data  # GA staff read the issued edition
    assert detail["state"] == EditionState.ISSUED
    assert set(detail["files"]) == {"en", "zh-hans"} and len(detail["files"]["en"]) == 5
    response = api(gastaff).get(f"{base}/files/en/pdf/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert hashlib.sha256(body).hexdigest() == detail["sha256"]["en"]["pdf"]
    html = b"".join(api(gastaff).get(f"{base}/files/en/html/").streaming_content).decode()
    assert "OIOS 100.0 per cent." in html  # standard_metrics: OIOS 2 of 2
    assert api(gastaff).get(f"{base}/files/en/exe/").status_code == 404
    # Issued: every change is a 400 with the reason.
    edit = api(author).put(f"{base}/sections/oversight/en/", {"text": "x"}, format="json")
    assert edit.status_code == 400 and "issued" in str(edit.data)
    assert api(author).patch(f"{base}/", {"agenda_item": "12"}, format="json").status_code == 400
    assert api(admin_user).post(f"{base}/reopen/", {}, format="json").status_code == 400
    late = api(admin_user).post(
        f"{base}/comments/", {"section_key": "oversight", "text": "Late"}, format="json"
    )
    assert late.status_code == 400


def test_pages(web, author, created, admin_user, gastaff):
    edition_id = created["id"]
    client = web(author)
    assert client.get(reverse("reports:edition_list")).status_code == 200
    page = client.get(reverse("reports:edition_detail", args=[edition_id]))
    assert page.status_code == 200 and b"A/80/642" in page.content
    section_url = reverse("reports:edition_section", args=[edition_id, "oversight", "en"])
    assert client.get(section_url).status_code == 200
    saved = client.post(section_url, {"text": "OIOS {{ C.by_body.OIOS.total }}"})
    assert saved.status_code == 302
    preview = client.post(
        reverse("reports:edition_preview", args=[edition_id, "oversight", "en"]),
        {"text": "OIOS {{ C.by_body.OIOS.total }} {{ C.wrong }}"},
    )
    assert b"OIOS 2" in preview.content and b"wrong" in preview.content
    edit_url = reverse("reports:edition_edit", args=[edition_id])
    assert client.get(edit_url).status_code == 200
    form = {**BODY, "agenda_item": "137", "languages": ["en", "zh-hans"]}
    assert client.post(edit_url, form).status_code == 302
    assert ReportEdition.objects.get(pk=edition_id).agenda_item == "137"
    bad = client.post(edit_url, {**form, "symbol": "A/81/R.2"})
    assert bad.status_code == 200 and b"A/81/123" in bad.content
    # GA staff: a draft is not theirs to see; the authors page is the administrators'.
    assert web(gastaff).get(section_url).status_code == 404
    assert web(gastaff).get(reverse("reports:edition_authors")).status_code == 403
    # A step out of turn is a message on the page, not an error.
    client.post(reverse("reports:edition_transition", args=[edition_id, "submit"]))
    response = client.post(
        reverse("reports:edition_transition", args=[edition_id, "submit"]), follow=True
    )
    assert b"Only a draft is sent for review." in response.content
    refused = client.post(section_url, {"text": "Changed in review"})
    assert refused.status_code == 200 and b"send it back to draft" in refused.content


def test_the_request_form_proposes_the_last_biennium_and_refuses_a_future_end():
    form = ReportRequestForm()
    start, end = form.fields["period_start"].initial, form.fields["period_end"].initial
    today = datetime.date.today()
    assert end.month == 12 and end.day == 31 and end < today and end.year % 2 == 1
    assert start == datetime.date(end.year - 1, 1, 1)
    assert end.year >= today.year - 2
    tomorrow = today + datetime.timedelta(days=1)
    bound = ReportRequestForm(
        {"period_start": "2024-01-01", "period_end": tomorrow.isoformat(), "language": "en"}
    )
    assert not bound.is_valid()
    assert "must end today or earlier" in bound.errors["period_end"][0]
    assert form.fields["period_end"].widget.attrs["max"] == today.isoformat()


def test_the_list_costs_the_same_queries_at_one_edition_and_at_four(api, author, admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(number):
        # Rows only (no figures job): what the list reads, issued ones with their files.
        edition = ReportEdition.objects.create(
            **{**BODY, "symbol": f"A/80/{number}", "languages": ["en"]}, created_by=author
        )
        return edition

    make(1)
    with CaptureQueriesContext(connection) as one:
        assert api(admin_user).get("/api/reports/editions/").status_code == 200
    for number in (2, 3, 4):
        make(number)
    with CaptureQueriesContext(connection) as four:
        response = api(admin_user).get("/api/reports/editions/")
    rows = response.data["results"] if isinstance(response.data, dict) else response.data
    assert len(rows) == 4
    assert len(four.captured_queries) == len(one.captured_queries)
