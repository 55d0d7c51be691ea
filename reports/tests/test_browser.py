"""General Assembly staff request a report in the browser, watch its progress and download it."""

import hashlib
import threading

import pytest

from reports import services
from reports.models import ReportRun
from tests.browser.conftest import login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def background_worker(monkeypatch):
    """Compile in a thread after the request returns, as a worker would, so the page polls."""
    threads = []

    def enqueue(run):
        def work():
            from django.db import connection

            try:
                services.compile_report_run(run.pk)
            finally:
                connection.close()

        def start():
            thread = threading.Timer(1.0, work)
            threads.append(thread)
            thread.start()

        from django.db import transaction

        transaction.on_commit(start)

    monkeypatch.setattr(services, "_enqueue", enqueue)
    yield
    for thread in threads:
        thread.join(60)


def test_ga_staff_request_watch_and_download_the_pdf(
    browser_page,
    gastaff,
    resolution,
    metrics,
    background_worker,
):
    metrics()
    page = browser_page
    login_as(page, "gastaff")
    page.goto(f"{page.base_url}/reports/")
    page.fill("#request_period_start", "2024-01-01")
    page.fill("#request_period_end", "2025-12-31")
    page.select_option("#request_language", "zh-hans")
    page.click("#request-report")
    page.wait_for_selector("#run-progress")
    assert page.locator("#run-status").get_attribute("data-status") in ("queued", "running")
    assert page.locator("progress").count() == 1
    page.wait_for_selector("#download-pdf", timeout=60_000)  # htmx polls, then the page refreshes
    run = ReportRun.objects.get()
    assert page.locator("#run-status").get_attribute("data-status") == "done"
    assert run.files.get(format="pdf").sha256 in page.content()
    with page.expect_download() as info:
        page.click("#download-pdf")
    content = open(info.value.path(), "rb").read()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == run.files.get(format="pdf").sha256
