"""Issue 16 in a browser: a designated author drafts an edition with English and Chinese narrative
citing figures (the live preview fills them), sends it for review; an administrator comments, the
author resolves the comment, the administrator approves and issues it, downloads the PDF (its
SHA-256 as the page shows), and the author finds the issued text read-only."""

import hashlib
import sys
import threading
import time
import types

import pytest
from django.contrib.auth import get_user_model

from reports import editions
from reports.models import EditionState, ReportAuthor, ReportEdition
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The browser's part of the workflow; the worker's compile and rendering (PDF above all, which
# depends on the machine's load) is timed apart and bounded by WORKER_LIMIT_SECONDS.
TIME_LIMIT_SECONDS = 60
WORKER_LIMIT_SECONDS = 240


@pytest.fixture
def figures(monkeypatch, settings):
    """The report's figures from small stand-in metrics (BOA 1 of 4 implemented: 25.0 per
    cent), so the test measures the workflow, not the compile."""

    def oversight_metrics(start, end):
        boa = {"total": 4, "implemented": 1, "overdue": 1, "implementation_rate": 25.0}
        oios = {"total": 2, "implemented": 2, "overdue": 0, "implementation_rate": 100.0}
        return {"C": {"by_body": {"BOA": boa, "OIOS": oios}}}

    module = types.ModuleType("tests.browser.stand_in_oversight_metrics")
    module.report_metrics = oversight_metrics
    monkeypatch.setitem(sys.modules, module.__name__, module)
    settings.REPORT_METRIC_MODULES = {"oversight": module.__name__}


@pytest.fixture
def worker(monkeypatch):
    """The edition's jobs run in a thread after the request returns, as a Celery worker would,
    so the page polls; `worker.seconds` is the time they took."""
    from reports.tasks import edition_job

    threads = []
    timing = types.SimpleNamespace(seconds=0.0, threads=threads)

    def delay(edition_id, token):
        def work():
            from django.db import connection

            started = time.monotonic()
            try:
                editions.run_job(edition_id, token)
            finally:
                timing.seconds += time.monotonic() - started
                connection.close()

        thread = threading.Thread(target=work)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(edition_job, "delay", delay)
    yield timing
    for thread in threads:
        thread.join(WORKER_LIMIT_SECONDS)


def _switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, get_user_model().objects.get(username=username))


def _write(page, text: str, expect: str) -> None:
    page.fill("#id_text", text)
    # The live preview (htmx) fills the figure in as the author types.
    page.wait_for_function(
        "expected => document.querySelector('#preview-text')?.innerText.includes(expected)",
        arg=expect,
    )
    with page.expect_navigation():
        page.click("#save-section")


def test_draft_review_approve_issue_download_and_refuse_edits(
    browser_page, resolution, figures, admin_user, manager, worker
):
    started = time.monotonic()
    editions.designate_author(ReportAuthor(user=manager), acting_user=admin_user)
    page = browser_page
    page.set_default_timeout(30_000)

    # The author drafts.
    sign_in(page, manager)
    page.goto(f"{page.base_url}/reports/editions/")
    page.click("#new-edition")
    assert page.locator("#id_period_end").input_value().endswith("-12-31")  # last biennium
    page.fill("#id_session", "80")
    page.fill("#id_symbol", "A/80/642")
    page.fill("#id_agenda_item", "136")
    page.fill("#id_agenda_item_title_en", "Review of the efficiency of the United Nations")
    page.fill("#id_agenda_item_title_zh", "审查联合国的效率")
    with page.expect_navigation():
        page.click("#edition-form button[type=submit]")
    assert page.locator("#edition-state").get_attribute("data-state") == "draft"
    page.wait_for_selector("#job-status[data-status=done]")  # the panel polls, then reloads
    edition = ReportEdition.objects.get()

    page.click("[data-section='C-en']")
    _write(
        page,
        "The Board's recommendations: {{ C.by_body.BOA.implementation_rate }} implemented.",
        "25.0 per cent implemented",
    )
    page.fill("#id_text", "{{ C.by_body.BOA.nothing }}")
    page.wait_for_selector("#preview-problems")  # an unknown reference shows at once
    page.goto(f"{page.base_url}/reports/editions/{edition.pk}/sections/C/zh-hans/")
    _write(page, "审计委员会建议的执行率为{{ C.by_body.BOA.implementation_rate }}。", "25.0%")
    page.goto(f"{page.base_url}/reports/editions/{edition.pk}/")
    with page.expect_navigation():
        page.click("#submit-edition")
    assert page.locator("#edition-state").get_attribute("data-state") == "in_review"

    # The reviewer comments; approval waits for the comment.
    _switch_user(page, "admin")
    page.goto(f"{page.base_url}/reports/editions/{edition.pk}/sections/C/en/")
    assert "25.0 per cent" in page.locator("#preview-text").inner_text()
    page.fill("#id_comment-text", "Cite the Board's report.")
    with page.expect_navigation():
        page.click("#add-comment")
    page.goto(f"{page.base_url}/reports/editions/{edition.pk}/")
    assert "1 comments are not resolved." in page.locator("#approval-blockers").inner_text()

    # The author resolves it; the administrator approves and issues.
    _switch_user(page, "manager")
    page.goto(f"{page.base_url}/reports/editions/{edition.pk}/sections/C/en/")
    with page.expect_navigation():
        page.click("[data-resolve]")
    _switch_user(page, "admin")
    page.goto(f"{page.base_url}/reports/editions/{edition.pk}/")
    with page.expect_navigation():
        page.click("#approve-edition")
    assert page.locator("#edition-state").get_attribute("data-state") == "approved"
    with page.expect_navigation():
        page.click("#issue-edition")
    page.wait_for_selector("#edition-files", timeout=WORKER_LIMIT_SECONDS * 1000)
    edition.refresh_from_db()
    assert edition.state == EditionState.ISSUED
    pdf = edition.files.get(language="zh-hans", format="pdf")
    assert pdf.sha256 in page.content()
    with page.expect_download() as info:
        page.click("[data-file='zh-hans-pdf']")
    content = open(info.value.path(), "rb").read()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == pdf.sha256

    # After issue the author's page is read-only, and a post is refused with the reason.
    _switch_user(page, "manager")
    page.goto(f"{page.base_url}/reports/editions/{edition.pk}/sections/C/en/")
    assert "issued" in page.locator("#read-only-note").inner_text()
    assert page.locator("#save-section").count() == 0
    page.evaluate("document.querySelector('#section-form textarea').removeAttribute('readonly')")
    page.fill("#section-form textarea", "Rewritten after issue.")
    with page.expect_navigation():
        page.evaluate("document.querySelector('#section-form').submit()")
    assert "can no longer be changed" in page.locator("#section-errors").inner_text()
    assert edition.sections.get(key="C", language="en").text.startswith("The Board's")
    for thread in worker.threads:
        thread.join(WORKER_LIMIT_SECONDS)
    elapsed = time.monotonic() - started
    print(f"browser {elapsed - worker.seconds:.1f} s, worker {worker.seconds:.1f} s")
    assert elapsed - worker.seconds < TIME_LIMIT_SECONDS
