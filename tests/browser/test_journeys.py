"""The three daily journeys (issue 17), each driven in Chromium as its user does it, with axe-core
on every page the journey visits: in English on a desktop screen while the journey runs, then
each page again on a 390 px phone, and in Chinese at both widths.

One browser serves the whole session (root conftest) and each journey one page, signed in with a
session cookie (the sign-in form has its own test, test_login.py, with axe in both languages and
widths); the other passes resize the page and pick Chinese with the header's language menu, as a
user would, and axe runs once per page, language and width (the set must stay within a few
minutes on a 2-core machine)."""

import datetime
import hashlib
import json
import os
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import expect

from accountability.models import Decision
from accountability.tests.factories import AcceptedDelegationFactory
from oversight import services as oversight_services
from oversight.models import Recommendation
from oversight.tests.factories import RecommendationFactory, ReportFactory
from reports.labels import label_for
from reports.models import ReportRun
from tests.browser.axe import WIDTHS, assert_accessible
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# With UX_SHOTS set to a folder, each page the journeys check is photographed there, and each
# journey's steps with the seconds since it started are written to <folder>/<user>-timings.json.
SHOTS = os.environ.get("UX_SHOTS")


class Journey:
    """One user's page; remembers each page the journey visits so that the other language and
    width can check it too."""

    def __init__(self, browser, base_url: str, user):
        self.base_url = base_url
        context = browser.new_context(locale="en-GB", viewport=WIDTHS["desktop"])
        self.page = context.new_page()
        self.page.set_default_timeout(20_000)
        self.page.base_url = base_url
        self.name = user.get_username()
        self.started = time.monotonic()
        self.steps: list[tuple[str, float]] = []
        sign_in(self.page, user)
        self.page.goto(f"{base_url}/")
        self.paths: list[str] = []

    def shoot(self, label: str) -> None:
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
            self.page.screenshot(path=str(Path(SHOTS) / f"{self.name}-{slug}.png"), full_page=True)

    def record(self) -> None:
        if SHOTS:
            with open(Path(SHOTS) / f"{self.name}-timings.json", "w") as out:
                json.dump({"steps": self.steps, "pages": self.paths}, out, indent=1)

    def check(self, where: str) -> None:
        """axe on the page as it stands; its path is visited again in the other passes."""
        self.steps.append((where, round(time.monotonic() - self.started, 1)))
        self.shoot(f"en-1280-{where}")
        assert_accessible(self.page, f"{where} (en, desktop)")
        path = self.page.url.removeprefix(self.base_url)
        if path not in self.paths:
            self.paths.append(path)

    def _check_at(self, path: str, language: str, widths: list[str], expect=None) -> None:
        page = self.page
        page.goto(f"{self.base_url}{path}")
        assert page.locator("html").get_attribute("lang") == language
        if expect is not None:
            expect(page)
        for width in widths:
            page.set_viewport_size(WIDTHS[width])
            self.shoot(f"{language}-{WIDTHS[width]['width']}-{path}")
            assert_accessible(page, f"{path} ({language}, {width})")
            # Nothing makes the page itself scroll sideways (wide tables scroll in their box).
            assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
        page.set_viewport_size(WIDTHS["desktop"])

    def other_passes(self, in_chinese: dict | None = None) -> None:
        """Every page of the journey on a phone in English, then in Chinese at both widths.
        `in_chinese` maps a path to a check of its Chinese page."""
        for path in self.paths:
            self._check_at(path, "en", ["phone"])
        choose_language(self.page, "zh-hans")
        for path in self.paths:
            self._check_at(path, "zh-hans", ["desktop", "phone"], (in_chinese or {}).get(path))
        choose_language(self.page, "en")
        self.record()


def choose_language(page, code: str) -> None:
    """The header's language menu: open it, then activate one language (a POST form)."""
    page.locator(".lang-toggle").click()
    with page.expect_navigation():
        page.locator(f"#language-menu button[lang='{code}']").click()
    assert page.locator("html").get_attribute("lang") == code


@pytest.fixture
def journey(_playwright_browser, live_server):
    yield lambda user: Journey(_playwright_browser, live_server.url, user)
    for context in list(_playwright_browser.contexts):
        context.close()


def test_manager_logs_a_decision_within_and_one_over_the_limit(
    journey, manager, admin_user, units, resolution
):
    today = datetime.date.today()
    grant = AcceptedDelegationFactory(
        reference="DOA/DMSPC/2026/7",
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        area="finance",
        limit_amount=Decimal("10000.00"),
        valid_from=today - datetime.timedelta(days=90),
        valid_to=today + datetime.timedelta(days=90),
    )
    trip = journey(manager)
    page = trip.page
    trip.check("dashboard")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accountability").click()
    page.get_by_role("link", name="Decisions", exact=True).first.click()
    page.wait_for_url("**/accountability/decisions/")
    trip.check("decisions")

    def log(title: str, amount: str) -> None:
        page.goto(f"{trip.base_url}/accountability/decisions/new/")
        page.fill("#id_title", title)
        page.select_option("#id_area", "finance")
        page.fill("#id_amount", amount)
        page.select_option("#id_delegation", str(grant.pk))
        page.locator("#id_delegation").blur()

    log("Renew the translation services contract", "4500.00")
    # The live check answers before saving: within the instrument.
    expect(page.locator("#authority-check")).to_have_attribute("data-state", "within")
    trip.check("decision form, within authority")
    page.click("main form.form button[type=submit]")
    page.wait_for_url("**/accountability/decisions/*/")
    assert page.locator(".messages .message.success").is_visible()
    assert page.locator(".messages .message.warning").count() == 0
    trip.check("decision saved within authority")

    log("Approve the conference venue contract", "12500.00")
    # Before saving, the form says the decision will be outside authority, and why.
    expect(page.locator("#authority-check[data-state='outside']")).to_contain_text("limit")
    trip.check("decision form, outside authority")
    page.click("main form.form button[type=submit]")
    page.wait_for_url("**/accountability/decisions/*/")
    warning = page.locator(".messages .message.warning")
    assert warning.is_visible() and "outside" in warning.inner_text().lower()
    assert page.locator(".messages .message.success").count() == 0
    trip.check("decision saved outside authority")

    page.goto(f"{trip.base_url}/accountability/decisions/")
    assert page.locator("tr.alert", has_text="Approve the conference venue contract").count() == 1
    assert page.locator("tr.alert", has_text="Renew the translation services contract").count() == 0
    saved = {d.title: d.within_authority for d in Decision.objects.all()}
    assert saved == {
        "Renew the translation services contract": True,
        "Approve the conference venue contract": False,
    }
    trip.other_passes()


def recommendation_csv(rows) -> bytes:
    header = (
        "body,report_symbol,report_title,issued_on,number,text,priority,unit,accepted,"
        "target_date,status,implemented_on"
    )
    lines = [header]
    for number, priority in rows:
        lines.append(
            f"OIOS,2026/044,Audit of travel management,2026-03-02,{number},"
            f"Review the travel approvals.,{priority},DMSPC-OHR,yes,2027-06-30,open,"
        )
    return ("\n".join(lines) + "\n").encode()


def test_oversight_officer_verifies_with_evidence_and_imports_a_corrected_file(
    journey, oios, manager, units, tmp_path
):
    report = ReportFactory(symbol="2025/031", title="Audit of recruitment timelines")
    rec = RecommendationFactory(
        report=report, number="4", unit=units["ohr"], text="Publish recruitment timelines."
    )
    oversight_services.change_status(
        rec,
        acting_user=manager,
        status="pending_verification",
        note="Timelines published on the intranet every month.",
    )
    trip = journey(oios)
    page = trip.page
    trip.check("dashboard")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Oversight").click()
    page.wait_for_url("**/oversight/**")
    trip.check("oversight")
    page.goto(f"{trip.base_url}{rec.get_absolute_url()}")
    steps = page.locator("#workflow-steps")
    assert "awaiting verification" in steps.locator("[aria-current='step']").inner_text()
    assert "OIOS" in page.locator("#next-actor").inner_text()
    assert page.locator("#id_status").input_value() == ""  # nothing preselected
    trip.check("recommendation awaiting verification")

    evidence = tmp_path / "verification-memo.txt"
    evidence.write_text("Checked the intranet pages for January to June.")
    page.select_option("#id_status", "implemented")
    page.fill("#id_note", "Verified against the published timelines.")
    page.set_input_files("#id_evidence", str(evidence))
    page.click("#status-form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("#status").inner_text() == "Implemented"
    assert "Verified and closed" in steps.locator("[aria-current='step']").inner_text()
    assert "verification-memo.txt" in page.locator("main").inner_text()
    trip.check("recommendation verified")
    rec.refresh_from_db()
    assert rec.status == "implemented"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Oversight").click()
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url("**/oversight/import/")
    trip.check("import")
    bad = tmp_path / "recommendations.csv"
    bad.write_bytes(recommendation_csv([("1", "critical"), ("2", "urgent")]))
    page.set_input_files("#id_file", str(bad))
    page.click("#preview-import")
    page.wait_for_load_state("load")
    errors = page.locator(".error-summary, .errorlist, .import-errors").first
    assert "urgent" in page.locator("main").inner_text()
    assert errors.is_visible()
    assert not Recommendation.objects.filter(report__symbol="2026/044").exists()
    trip.check("import preview with an error")

    fixed = tmp_path / "recommendations-fixed.csv"
    fixed.write_bytes(recommendation_csv([("1", "critical"), ("2", "important")]))
    page.set_input_files("#id_file", str(fixed))
    page.click("#preview-import")
    page.wait_for_selector("#to-create")
    assert page.locator("#to-create").inner_text() == "2"
    trip.check("import preview")
    page.click("#confirm-import")
    page.wait_for_url("**/oversight/recommendations/?*")
    imported = Recommendation.objects.filter(report__symbol="2026/044")
    assert imported.count() == 2
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 2
    assert all("2026/044" in text for text in rows.all_inner_texts())
    trip.check("imported rows")
    trip.other_passes()


def last_biennium(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    end_year = today.year - 1 if today.year % 2 == 0 else today.year - 2
    return datetime.date(end_year - 1, 1, 1), datetime.date(end_year, 12, 31)


def test_ga_staff_request_the_report_for_the_default_period_and_download_it(
    journey, gastaff, units, resolution
):
    trip = journey(gastaff)
    page = trip.page
    trip.check("dashboard")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.wait_for_url("**/reports/")
    trip.check("reports")
    start, end = last_biennium(datetime.date.today())
    form = page.locator("form[action='/reports/request/']")
    assert form.locator("[name=period_start]").input_value() == start.isoformat()
    assert form.locator("[name=period_end]").input_value() == end.isoformat()
    assert form.locator("[name=language]").input_value() == "en"
    with page.expect_navigation(timeout=240_000):  # compiled at once: Celery runs eagerly here
        page.click("#request-report", timeout=240_000)
    page.wait_for_selector("#download-pdf", timeout=240_000)
    assert page.locator("#run-status").get_attribute("data-status") == "done"
    assert page.locator("#run-state-message").inner_text().startswith("Done")
    assert page.locator(".messages .message.success").count() == 0  # no stale "queued" note
    trip.check("report run")
    run = ReportRun.objects.get()
    assert (run.period_start, run.period_end) == (start, end)
    with page.expect_download() as info:
        page.click("#download-pdf")
    content = open(info.value.path(), "rb").read()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == run.files.get(format="pdf").sha256

    # The dashboard's report tiles beside today's figures, explained.
    page.goto(f"{trip.base_url}/")
    tiles = page.locator("#card-group-reports")
    assert "Decisions logged" in tiles.inner_text()
    assert "Live: " in tiles.inner_text()
    assert page.locator("#note-reports").is_visible()
    trip.check("dashboard with the report")

    with translation.override("zh-hans"):
        chinese = label_for("decisions_logged")
    assert chinese != "Decisions logged"

    def tiles_in_chinese(page):
        # The report was issued in English; a Chinese reader's tiles read in Chinese.
        text = page.locator("#card-group-reports").inner_text()
        assert chinese in text and "Decisions logged" not in text

    trip.other_passes(in_chinese={"/": tiles_in_chinese})
