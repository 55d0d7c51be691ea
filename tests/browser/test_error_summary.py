"""The error summary (templates/includes/error_summary.html) on the forms that had errors only
beside their fields: the report request form, the import page, the accountability figures'
period and the report comparison. The page answers with a summary at the top that links to each
field in error; the browser test checks that it takes the focus and that a link moves it to the
field (static/js/forms.js)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from reports.models import ReportRun
from tests.browser.conftest import sign_in

SUMMARY = re.compile(r'<div class="error-summary"[^>]*data-error-summary>(.*?)</div>', re.S)


def summary_of(response) -> str:
    found = SUMMARY.search(response.content.decode())
    assert found, "no error summary on the page"
    return found.group(1)


@pytest.mark.django_db
def test_report_request_form_summarises_its_errors_with_links_to_the_fields(web, gastaff, units):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    response = web(gastaff).post(
        "/reports/request/",
        {"period_start": "2024-01-01", "period_end": tomorrow.isoformat(), "language": "en"},
    )
    summary = summary_of(response)
    assert 'href="#request_period_end"' in summary
    assert "must end today or earlier" in summary
    html = response.content.decode()
    # The field names its error, and the error's id exists.
    field = re.search(r'<input[^>]*id="request_period_end"[^>]*>', html).group(0)
    ids = re.search(r'aria-describedby="([^"]*)"', field).group(1).split()
    assert "request_period_end_error" in ids
    for described_by in ids:
        assert f'id="{described_by}"' in html
    assert not ReportRun.objects.exists()


@pytest.mark.django_db
def test_report_request_in_chinese_reads_the_summary_title_in_chinese(web, gastaff, units):
    client = web(gastaff)
    response = client.post(
        "/reports/request/",
        {"period_start": "not a date", "period_end": "2025-12-31", "language": "en"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert 'href="#request_period_start"' in summary_of(response)


@pytest.mark.django_db
def test_import_page_summarises_a_missing_file_and_each_bad_row(web, oios, units):
    client = web(oios)
    response = client.post("/oversight/import/", {})
    assert response.status_code == 400
    assert 'href="#id_file"' in summary_of(response)

    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = (
        "body,report_symbol,report_title,issued_on,number,text,priority,unit,accepted,"
        "target_date,status,implemented_on\n"
        "OIOS,2026/044,Audit of travel,2026-03-02,1,Review.,critical,DMSPC-OHR,yes,2027-06-30,open,\n"
        "OIOS,2026/044,Audit of travel,2026-03-02,2,Review.,urgent,DMSPC-OHR,yes,2027-06-30,open,\n"
    )
    response = client.post(
        "/oversight/import/",
        {"file": SimpleUploadedFile("recs.csv", csv.encode(), content_type="text/csv")},
    )
    assert response.status_code == 400
    summary = summary_of(response)
    # One link per bad row (to its line in the table), and one back to the file field.
    assert re.search(r'href="#import-error-1">Row 3, priority: [^<]*urgent', summary), summary
    assert 'data-field="id_file"' in summary
    assert 'id="import-error-1"' in response.content.decode()


@pytest.mark.django_db
def test_figures_and_comparison_summarise_bad_input(web, manager, gastaff, units):
    response = web(manager).get(
        "/accountability/figures/", {"start": "2026-06-30", "end": "2026-01-01"}
    )
    assert response.status_code == 200
    summary = summary_of(response)
    assert 'href="#id_end"' in summary and "cannot be before its start" in summary

    response = web(gastaff).get("/reports/compare/", {"a": "999", "b": ""})
    summary = summary_of(response)
    assert 'href="#id_a"' in summary and 'href="#id_b"' in summary


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_summary_takes_the_focus_and_its_link_moves_it_to_the_field(
    browser_page, gastaff, units
):
    page = browser_page
    sign_in(page, gastaff)
    page.goto(f"{page.base_url}/reports/request/")
    page.fill("#request_period_start", "2025-06-30")
    page.fill("#request_period_end", "2025-01-01")
    page.click("#request-report")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Period end")
    expect(link).to_contain_text("ends before it starts")
    link.click()
    expect(page.locator("#request_period_end")).to_be_focused()
