import datetime
import io

import pytest
from django.core import mail
from openpyxl import load_workbook

from org.tests.factories import OrgUnitFactory
from oversight import reminders
from oversight.models import Recommendation
from oversight.tests.factories import RecommendationFactory, ReportFactory, body
from oversight.tests.test_import import csv_file, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(units):
    return RecommendationFactory(
        report=ReportFactory(body=body("OIOS"), symbol="2025/012"),
        unit=units["ohr"],
        number="1",
        priority="critical",
        target_date=datetime.date(2020, 1, 1),
    )


def test_pages_render_for_each_role(web, rec, oios, manager, gastaff):
    for user in (oios, manager, gastaff):
        client = web(user)
        for url in [
            "/oversight/",
            "/oversight/reports/",
            "/oversight/monitoring/",
            rec.get_absolute_url(),
            rec.report.get_absolute_url(),
        ]:
            assert client.get(url).status_code == 200, (user, url)


def test_outsider_and_others_are_kept_out(web, rec, manager2, outsider):
    assert web(manager2).get(rec.get_absolute_url()).status_code == 404
    assert web(outsider).get("/oversight/monitoring/").status_code == 403
    assert web(manager2).get("/oversight/import/").status_code == 403
    assert web(manager2).get("/oversight/recommendations/new/").status_code == 403
    assert web(None).get("/oversight/").status_code == 302


def test_manager_submits_progress_in_the_browser_and_oios_verifies(web, rec, manager, oios):
    page = web(manager).get(rec.get_absolute_url()).content.decode()
    assert 'value="pending_verification"' in page and 'value="implemented"' not in page
    response = web(manager).post(
        f"/oversight/recommendations/{rec.pk}/status/",
        {"status": "pending_verification", "note": "Completed.", "version": 1},
    )
    assert response.status_code == 302
    refused = web(manager).post(
        f"/oversight/recommendations/{rec.pk}/status/",
        {"status": "implemented", "note": "Closing myself."},
    )
    assert refused.status_code == 403
    empty = web(oios).post(
        f"/oversight/recommendations/{rec.pk}/status/", {"status": "implemented", "note": ""}
    )
    assert empty.status_code == 400
    web(oios).post(
        f"/oversight/recommendations/{rec.pk}/status/",
        {"status": "implemented", "note": "Verified."},
    )
    rec.refresh_from_db()
    assert rec.status == "implemented"
    page = web(manager).get(rec.get_absolute_url()).content.decode()
    assert "Verified." in page and "Completed." in page


def test_stale_status_form_is_an_error_not_an_overwrite(web, rec, manager):
    web(manager).post(
        f"/oversight/recommendations/{rec.pk}/status/",
        {"status": "in_progress", "note": "a", "version": 1},
    )
    stale = web(manager).post(
        f"/oversight/recommendations/{rec.pk}/status/",
        {"status": "pending_verification", "note": "b", "version": 1},
    )
    assert stale.status_code == 400
    rec.refresh_from_db()
    assert rec.status == "in_progress"


def test_import_preview_then_confirm(web, oios, units, boa, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = web(oios)
    RecommendationFactory(unit=units["ohr"])  # already recorded: not among the imported rows
    preview = client.post("/oversight/import/", {"file": csv_file([row(), row(number="2")])})
    assert preview.status_code == 200
    assert preview.context["result"]["created"] == 2
    token = preview.context["token"]
    assert Recommendation.objects.count() == 1
    # The kept file is its uploader's: another user's token reads as gone, and imports nothing.
    other = web(boa).post("/oversight/import/", {"token": token, "confirm": "1"})
    assert other.status_code == 302 and other["Location"] == "/oversight/import/"
    assert Recommendation.objects.count() == 1
    done = client.post("/oversight/import/", {"token": token, "confirm": "1"})
    assert done.status_code == 302 and done["Location"].endswith(f"?import={token}")
    assert Recommendation.objects.count() == 3
    listed = client.get(done["Location"])
    assert sorted(r.number for r in listed.context["object_list"]) == ["1", "2"]
    # Confirming twice imports once: the kept file is gone.
    assert client.post("/oversight/import/", {"token": token, "confirm": "1"}).status_code == 302
    assert Recommendation.objects.count() == 3
    # Another user's landing shows none of the rows.
    assert list(web(boa).get(done["Location"]).context["object_list"]) == []

    bad = client.post("/oversight/import/", {"file": csv_file([row(unit="NOPE", number="9")])})
    assert bad.status_code == 400 and "Unknown org unit code NOPE." in bad.content.decode()
    # A file with errors is never confirmed; it is kept to be checked again once corrected.
    token = bad.context["token"]
    assert client.post("/oversight/import/", {"token": token, "confirm": "1"}).status_code == 400
    OrgUnitFactory(code="NOPE", name="A new office", parent=units["root"])
    again = client.post("/oversight/import/", {"token": token, "recheck": "1"})
    assert again.status_code == 200 and again.context["result"]["created"] == 1
    assert Recommendation.objects.count() == 3


def test_exports_write_formulas_inert(web, units, oios):
    RecommendationFactory(unit=units["ohr"], text='=HYPERLINK("http://evil")')
    csv_text = b"".join(web(oios).get("/oversight/?export=csv").streaming_content).decode()
    assert "'=HYPERLINK" in csv_text
    xlsx = web(oios).get("/oversight/?export=xlsx").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    cell = next(
        c for r in sheet.iter_rows() for c in r if c.value and str(c.value).startswith("=HYPER")
    )
    assert cell.data_type == "s"


def test_monitoring_page_filters_and_exports(web, rec, gastaff):
    page = web(gastaff).get("/oversight/monitoring/", {"issued_from": "2025-01-01"})
    assert page.context["data"]["totals"]["total"] == 1
    assert "<svg" in page.content.decode()
    empty = web(gastaff).get("/oversight/monitoring/", {"issued_from": "2026-01-01"})
    assert empty.context["data"]["totals"]["total"] == 0
    export = web(gastaff).get("/oversight/monitoring/?export=xlsx")
    workbook = load_workbook(io.BytesIO(export.content))
    assert len(workbook.sheetnames) == 7  # with the prior-period sheet
    assert [c.value for c in workbook.worksheets[0][1]][:2] == ["Body", "Total"]


@pytest.mark.parametrize("n", [10, 200])
def test_list_and_monitoring_query_counts_are_flat(
    web, oios, units, n, django_assert_max_num_queries
):
    report = ReportFactory()
    Recommendation.objects.bulk_create(
        [
            Recommendation(report=report, number=str(i), text="t", unit=units["ohr"])
            for i in range(n)
        ]
    )
    client = web(oios)
    with django_assert_max_num_queries(12):
        assert client.get("/oversight/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get("/oversight/monitoring/").status_code == 200


def test_dashboard_cards_and_paragraph_evidence(oios, manager2, rec):
    from core.registry import dashboard_cards, evidence_by_paragraph

    cards = {str(c.label): c.value for c in dashboard_cards(oios) if c.app == "oversight"}
    assert cards["Overdue recommendations"] == 1 and cards["Critical and overdue"] == 1
    cards = {str(c.label): c.value for c in dashboard_cards(manager2) if c.app == "oversight"}
    assert cards["Overdue recommendations"] == 0
    evidence = evidence_by_paragraph(oios)
    assert {e.label: e.count for e in evidence[12]}["Recommendations followed up"] == 1


def test_reminders_go_once_per_target_date(units, manager, oios):
    today = datetime.date(2026, 6, 1)
    due = RecommendationFactory(unit=units["ohr"], target_date=datetime.date(2026, 6, 20))
    RecommendationFactory(unit=units["dmspc"], target_date=datetime.date(2026, 5, 1))
    RecommendationFactory(
        unit=units["pd"], target_date=datetime.date(2026, 5, 1), status="implemented"
    )
    result = reminders.send_due_reminders(today)
    assert result == {"due_soon": 1, "overdue": 1, "emails": 1}
    assert mail.outbox[0].to == ["manager@example.org"]
    assert "Now overdue" in mail.outbox[0].body and "Due within 30 days" in mail.outbox[0].body
    assert reminders.send_due_reminders(today) == {"due_soon": 0, "overdue": 0, "emails": 0}
    due.target_date = datetime.date(2026, 6, 25)
    due.save()
    assert reminders.send_due_reminders(today)["due_soon"] == 1


def test_weekly_digest_per_body(units, oios, boa):
    RecommendationFactory(unit=units["ohr"], status="pending_verification")
    result = reminders.send_verification_digest()
    assert result == {"bodies": 1, "pending": 1}
    assert mail.outbox[0].to == ["oios@example.org"]


def test_tasks_run_through_celery(units, manager):
    from oversight.tasks import send_due_reminders, send_verification_digest

    RecommendationFactory(unit=units["ohr"], target_date=datetime.date(2000, 1, 1))
    assert send_due_reminders.delay().get()["overdue"] == 1
    assert send_verification_digest.delay().get()["pending"] == 0


def test_seed_demo_is_idempotent(units, resolution):
    from core.models import HistoryEntry
    from oversight.seed import seed_demo

    first = seed_demo()
    entries = HistoryEntry.objects.count()
    assert seed_demo() == first
    assert HistoryEntry.objects.count() == entries


def test_seed_scale_small(units):
    from oversight.seed import seed_scale

    counts = seed_scale(0.005, lambda *a: None)
    assert counts["recommendations"] == 150
    assert counts["recommendation updates"] > 150


def test_monitoring_page_in_chinese(web, rec, oios):
    page = web(oios).get("/oversight/monitoring/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "管理委员会监测" in page and "未结建议的账龄" in page
    detail = web(oios).get(rec.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "记录进展" in detail and "关键" in detail


def test_api_schema_documents_the_oversight_endpoints(api, oios):
    response = api(oios).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/oversight/recommendations/import/" in text
    assert "/api/oversight/recommendations/{id}/status/" in text


def test_oios_enters_a_report_and_a_recommendation_in_forms(
    web, oios, boa, manager, units, resolution
):
    client = web(oios)
    response = client.post(
        "/oversight/reports/new/",
        {
            "body": "OIOS",
            "symbol": "2026/001",
            "title": "Audit of travel",
            "issued_on": "2026-02-01",
            "paragraphs": [],
        },
    )
    assert response.status_code == 302, response.content
    report = ReportFactory._meta.model.objects.get(symbol="2026/001")
    refused = client.post(
        "/oversight/reports/new/",
        {"body": "BOA", "symbol": "X", "title": "x", "issued_on": "2026-02-01"},
    )
    assert refused.status_code == 200 and "body" in refused.context["form"].errors
    data = {
        "report": report.pk,
        "number": "1",
        "text": "Review travel approvals.",
        "priority": "important",
        "unit": units["ohr"].pk,
        "accepted": "on",
        "acceptance_comment": "",
        "target_date": "2026-12-31",
    }
    assert client.post("/oversight/recommendations/new/", data).status_code == 302
    rec = Recommendation.objects.get(report=report)
    edit = f"/oversight/recommendations/{rec.pk}/edit/"
    assert web(manager).get(edit).status_code == 403
    assert web(boa).get(edit).status_code == 403
    no_reason = client.post(edit, {**data, "accepted": "", "version": rec.version})
    assert no_reason.status_code == 200 and "acceptance_comment" in no_reason.context["form"].errors
    client.post(
        edit, {**data, "accepted": "", "acceptance_comment": "Too costly.", "version": rec.version}
    )
    rec.refresh_from_db()
    assert (rec.status, rec.accepted) == ("not_accepted", False)
    assert [(u.from_status, u.to_status, u.note) for u in rec.updates.all()] == [
        ("open", "not_accepted", "Too costly.")
    ]


def test_evidence_is_downloaded_only_by_those_who_see_the_recommendation(
    web, rec, manager, manager2
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    web(manager).post(
        f"/oversight/recommendations/{rec.pk}/status/",
        {
            "status": "in_progress",
            "note": "Plan attached.",
            "evidence": SimpleUploadedFile("plan.txt", b"the plan", content_type="text/plain"),
        },
    )
    evidence = rec.updates.get().evidence.get()
    url = f"/oversight/evidence/{evidence.pk}/"
    response = web(manager).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"the plan"
    assert web(manager2).get(url).status_code == 404


def test_xlsx_preview_then_confirm(web, oios, units):
    from oversight.tests.test_import import xlsx_file

    client = web(oios)
    preview = client.post("/oversight/import/", {"file": xlsx_file([row(), row(number="2")])})
    assert preview.status_code == 200 and preview.context["result"]["created"] == 2
    assert client.post("/oversight/import/", {"confirm": "1"}).status_code == 302
    assert Recommendation.objects.count() == 2


def test_export_for_reimport_round_trips_unchanged(web, oios, units):
    import_recommendations_file = csv_file(
        [
            row(report_title="=Audit"),
            row(number="2", text="=SUM(A1:A2) looks like a formula", report_title="=Audit"),
        ]
    )
    client = web(oios)
    client.post("/oversight/import/", {"file": import_recommendations_file})
    client.post("/oversight/import/", {"confirm": "1"})
    exported = b"".join(client.get("/oversight/?export=import").streaming_content)
    assert b"'=SUM" in exported
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = client.post("/oversight/import/", {"file": SimpleUploadedFile("back.csv", exported)})
    assert preview.status_code == 200, preview.content.decode()[-2000:]
    result = preview.context["result"]
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)


def test_the_import_template_imports(web, oios, units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = web(oios)
    template = b"".join(client.get("/oversight/import/?template=1").streaming_content)
    preview = client.post(
        "/oversight/import/", {"file": SimpleUploadedFile("template.csv", template)}
    )
    assert preview.status_code == 200 and preview.context["result"]["created"] == 1


def test_admin_records_non_acceptance_through_the_rule_and_on_the_timeline(web, rec, admin_user):
    url = f"/admin/oversight/recommendation/{rec.pk}/change/"
    client = web(admin_user)
    assert client.get(url).status_code == 200
    data = {
        "report": rec.report_id,
        "number": rec.number,
        "text": rec.text,
        "priority": rec.priority,
        "unit": rec.unit_id,
        "acceptance_comment": "",
        "target_date": rec.target_date.isoformat() if rec.target_date else "",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
    }
    # The save action refuses it: the admin says why and saves nothing.
    no_reason = client.post(url, data, follow=True)
    assert "reason for not accepting" in no_reason.content.decode()
    rec.refresh_from_db()
    assert (rec.status, rec.accepted, rec.updates.count()) == ("open", True, 0)
    assert client.post(url, {**data, "acceptance_comment": "Too costly."}).status_code == 302
    rec.refresh_from_db()
    assert (rec.status, rec.accepted) == ("not_accepted", False)
    assert [(u.from_status, u.to_status, u.note) for u in rec.updates.all()] == [
        ("open", "not_accepted", "Too costly.")
    ]
