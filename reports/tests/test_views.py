import io

import pytest
from docx import Document
from openpyxl import load_workbook

from core.models import HistoryEntry
from reports.choices import RunStatus
from reports.models import ReportRun, ReportTemplate

pytestmark = pytest.mark.django_db
FORM = {
    "period_start": "2024-01-01",
    "period_end": "2025-12-31",
    "language": "en",
    "title": "",
    "agenda_item": "",
}


def test_ga_staff_request_from_the_page_and_land_on_the_run(
    web, gastaff, resolution, standard_metrics, django_capture_on_commit_callbacks
):
    client = web(gastaff)
    page = client.get("/reports/")
    assert page.status_code == 200 and b"Request report" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/request/", FORM)
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{run.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Files and checksums" in detail
    for file in run.files.all():
        assert file.sha256 in detail
    assert "The change history up to this report&#x27;s anchor is unchanged." in detail
    assert "regenerates the JSON file byte for byte" in detail


def test_bad_period_shows_the_message_on_the_form(web, admin_user):
    response = web(admin_user).post("/reports/request/", {**FORM, "period_end": "2023-01-01"})
    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()
    assert not ReportRun.objects.exists()


def test_managers_see_no_request_form_and_cannot_post(web, manager):
    client = web(manager)
    assert b"Request report" not in client.get("/reports/").content
    assert client.post("/reports/request/", FORM).status_code == 403
    assert not ReportRun.objects.exists()


def test_progress_fragment_polls_only_while_running(web, gastaff):
    run = ReportRun.objects.create(
        period_start="2024-01-01", period_end="2024-12-31", language="en"
    )
    client = web(gastaff)
    fragment = client.get(f"/reports/{run.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "<progress" in fragment
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error="boom")
    response = client.get(f"/reports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in response.content.decode() and response["HX-Refresh"] == "true"


def test_failed_run_shows_the_error_and_a_retry_button_to_admins_only(web, admin_user, gastaff):
    run = ReportRun.objects.create(
        period_start="2024-01-01",
        period_end="2024-12-31",
        language="en",
        status=RunStatus.FAILED,
        error="Boom!",
    )
    as_admin = web(admin_user).get(f"/reports/{run.pk}/").content.decode()
    assert "Boom!" in as_admin and f"/reports/{run.pk}/retry/" in as_admin
    as_ga = web(gastaff).get(f"/reports/{run.pk}/").content.decode()
    assert "Boom!" in as_ga and "/retry/" not in as_ga
    web(gastaff).post(f"/reports/{run.pk}/retry/")
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.FAILED
    web(admin_user).post(f"/reports/{run.pk}/retry/")
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.QUEUED


def test_downloads_need_a_signed_in_user(client, web, manager, gastaff, issue, metrics):
    metrics()
    run = issue(gastaff)
    url = f"/reports/{run.pk}/files/pdf/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    response = web(manager).get(url + "?download=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert web(manager).get(f"/reports/{run.pk}/files/exe/").status_code == 404
    html = web(manager).get(f"/reports/{run.pk}/files/html/")
    assert "style-src 'self' 'sha256-" in html["Content-Security-Policy"]


def test_running_runs_are_hidden_from_readers(web, manager):
    run = ReportRun.objects.create(
        period_start="2024-01-01", period_end="2024-12-31", language="en"
    )
    assert web(manager).get(f"/reports/{run.pk}/").status_code == 404
    assert web(manager).get(f"/reports/{run.pk}/files/pdf/").status_code == 404


def test_verify_a_held_file(web, manager, gastaff, issue, metrics):
    metrics()
    run = issue(gastaff)
    client = web(manager)
    pdf = b"".join(client.get(f"/reports/{run.pk}/files/pdf/").streaming_content)
    ok = client.post(
        f"/reports/{run.pk}/verify/", {"file": io.BytesIO(pdf)}, follow=True
    ).content.decode()
    assert "unchanged" in ok
    bad = client.post(
        f"/reports/{run.pk}/verify/", {"file": io.BytesIO(pdf + b" ")}, follow=True
    ).content.decode()
    assert "does not match" in bad


def test_compare_two_runs_in_the_browser_and_as_xlsx(web, gastaff, issue, metrics, make_module):
    metrics(
        risk=make_module(
            "risk.metrics",
            lambda s, e: {"K": {"amount_lost": "100.00", "procurement_cases_flagged": 2}},
        )
    )
    first = issue(gastaff)
    metrics(
        risk=make_module(
            "risk.metrics",
            lambda s, e: {"K": {"amount_lost": "250.50", "procurement_cases_flagged": 1}},
        )
    )
    second = issue(gastaff, language="zh-hans")
    client = web(gastaff)
    page = client.get(f"/reports/compare/?a={first.pk}&b={second.pk}").content.decode()
    assert "+150.50" in page and "-1" in page
    export = client.get(f"/reports/compare/?a={first.pk}&b={second.pk}&export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    flagged = next(
        r
        for label, r in rows.items()
        if r[0] == "K" and "flagged" in str(label).lower() or r[0] == "K" and "采购" in str(label)
    )
    assert flagged[4] == -1


def test_anchor_page_shows_a_rewritten_history(web, gastaff, issue, metrics):
    metrics()
    run = issue(gastaff)
    client = web(gastaff)
    assert "unchanged" in client.get("/reports/audit-trail/").content.decode()
    seq = run.snapshot["audit_trail"]["entries"]
    # Someone rewrites the anchored entry directly in the database.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {HistoryEntry._meta.db_table} SET object_repr = 'forged' WHERE seq = %s", [seq]
        )
    assert "was rewritten" in client.get("/reports/audit-trail/").content.decode()


def test_admin_uploads_a_docx_template_that_new_runs_use(web, admin_user, gastaff, issue, metrics):
    metrics()
    client = web(admin_user)
    assert web(gastaff).get("/reports/templates/").status_code == 403
    bad = client.post(
        "/reports/templates/", {"name": "Bad", "file": io.BytesIO(b"not a docx"), "activate": "on"}
    )
    assert "This is not a Word document or template (.docx, .dotx)." in bad.content.decode()
    template = Document()
    template.add_paragraph("OUR LETTERHEAD {{symbol}}")
    template.add_paragraph("{{body}}")
    buffer = io.BytesIO()
    template.save(buffer)
    buffer.seek(0)
    buffer.name = "letterhead.docx"
    response = client.post(
        "/reports/templates/", {"name": "Letterhead", "file": buffer, "activate": "on"}
    )
    assert response.status_code == 302
    stored = ReportTemplate.objects.get()
    assert stored.is_active
    run = issue(gastaff)
    assert run.template == stored
    docx = b"".join(web(gastaff).get(f"/reports/{run.pk}/files/docx/").streaming_content)
    # A run prints no symbol (only an edition has one): the placeholder is filled with nothing.
    assert Document(io.BytesIO(docx)).paragraphs[0].text.strip() == "OUR LETTERHEAD"
    client.post("/reports/templates/activate/", {"template": ""})
    assert not ReportTemplate.objects.filter(is_active=True).exists()


def test_dashboard_shows_the_latest_report_beside_live_figures(
    web, manager, gastaff, issue, standard_metrics
):
    run = issue(gastaff)
    page = web(manager).get("/").content.decode()
    assert f"Oversight recommendations implemented (%) ({run.reference})" in page
    assert "Live: 50.0" in page


def test_list_page_costs_a_fixed_number_of_queries(web, gastaff, django_assert_max_num_queries):
    for day in range(1, 29):
        ReportRun.objects.create(
            period_start=f"2024-02-{day:02d}",
            period_end="2024-12-31",
            language="en",
            requested_by=gastaff,
        )
    client = web(gastaff)
    client.get("/reports/")
    with django_assert_max_num_queries(12):
        response = client.get("/reports/")
    assert response.content.decode().count('href="/reports/') >= 28


def test_the_list_filters_by_status(web, gastaff):
    done = ReportRun.objects.create(
        period_start="2024-01-01", period_end="2024-12-31", language="en"
    )
    failed = ReportRun.objects.create(
        period_start="2023-01-01",
        period_end="2023-12-31",
        language="en",
        status=RunStatus.FAILED,
    )
    page = web(gastaff).get("/reports/?status=failed").content.decode()
    assert f'href="/reports/{failed.pk}/"' in page and f'href="/reports/{done.pk}/"' not in page


def test_the_list_page_has_no_duplicate_ids(web, gastaff):
    # The request form and the filter form both have period fields; a label must name its own.
    import collections
    import re

    page = web(gastaff).get("/reports/").content.decode()
    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    assert 'for="request_period_start"' in page


def test_the_run_page_reads_its_period_in_un_style(web, gastaff):
    run = ReportRun.objects.create(
        period_start="2024-01-01", period_end="2025-12-31", language="en", requested_by=gastaff
    )
    page = web(gastaff).get(f"/reports/{run.pk}/").content.decode()
    assert "1 January 2024 – 31 December 2025" in page and "2024-01-01 –" not in page
