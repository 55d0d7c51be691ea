import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.models import HistoryEntry
from oversight.importer import COLUMNS, ImportRejected, import_recommendations
from oversight.models import OversightReport, Recommendation, RecommendationUpdate

pytestmark = pytest.mark.django_db


def row(**overrides):
    values = {
        "body": "OIOS",
        "report_symbol": "2025/101",
        "report_title": "Audit of recruitment",
        "issued_on": "2025-02-01",
        "number": "1",
        "text": "Strengthen monitoring.",
        "priority": "critical",
        "unit": "DMSPC-OHR",
        "accepted": "yes",
        "target_date": "2025-12-31",
        "status": "open",
        "implemented_on": "",
    }
    values.update(overrides)
    return values


def csv_file(rows, columns=COLUMNS, name="recs.csv", encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="recs.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for r in rows:
        sheet.append([r[c] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def three_rows():
    return [
        row(),
        row(number="2", priority="important", status="in_progress"),
        row(number="3", unit="DOS-PD", priority="", status="not_accepted", accepted="no"),
    ]


def test_import_creates_then_reimport_changes_nothing_then_an_edit_updates(oios, units):
    result = import_recommendations(csv_file(three_rows()), acting_user=oios)
    assert result.as_dict()["created"] == 3 and result.reports_created == 1
    report = OversightReport.objects.get(symbol="2025/101")
    assert report.body.code == "OIOS" and report.recommendations.count() == 3
    assert (
        HistoryEntry.objects.filter(object_type="oversight.recommendation", action="create").count()
        == 3
    )
    entries = HistoryEntry.objects.count()

    again = import_recommendations(csv_file(three_rows()), acting_user=oios)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert HistoryEntry.objects.count() == entries

    edited = three_rows()
    edited[1]["status"] = "pending_verification"
    edited[0]["text"] = "Strengthen monitoring of timelines."
    result = import_recommendations(csv_file(edited), acting_user=oios)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    rec = Recommendation.objects.get(report=report, number="2")
    assert rec.status == "pending_verification" and rec.version == 2
    # It arrived in progress (dated the day of the import), then moved on.
    assert [
        (u.from_status, u.to_status, u.author_label, u.effective_on)
        for u in RecommendationUpdate.objects.filter(recommendation=rec).order_by("pk")
    ] == [
        ("open", "in_progress", "oios", datetime.date.today()),
        ("in_progress", "pending_verification", "oios", datetime.date.today()),
    ]
    changes = HistoryEntry.objects.for_object(rec).first().changes
    assert changes["status"] == ["in_progress", "pending_verification"]


def test_xlsx_imports_like_csv(oios, units):
    result = import_recommendations(xlsx_file(three_rows()), acting_user=oios)
    assert result.created == 3
    again = import_recommendations(csv_file(three_rows()), acting_user=oios)
    assert again.unchanged == 3


def test_one_bad_row_rejects_the_whole_file_with_row_and_column(oios, units):
    rows = three_rows() + [
        row(number="4", unit="NOPE"),
        row(number="5", issued_on="2025-13-45"),
        row(number="6", status="finished"),
        row(number="7", body="XYZ"),
    ]
    with pytest.raises(ImportRejected) as err:
        import_recommendations(csv_file(rows), acting_user=oios)
    errors = err.value.errors
    assert {"row": 5, "column": "unit", "error": "Unknown org unit code NOPE."} in errors
    assert any(e["row"] == 6 and e["column"] == "issued_on" for e in errors)
    assert any(
        e["row"] == 7 and e["column"] == "status" and "finished" in e["error"] for e in errors
    )
    assert any(e["row"] == 8 and e["column"] == "body" and "XYZ" in e["error"] for e in errors)
    assert not Recommendation.objects.exists() and not OversightReport.objects.exists()


def test_duplicate_key_within_the_file(oios, units):
    with pytest.raises(ImportRejected) as err:
        import_recommendations(csv_file([row(), row(text="Other")]), acting_user=oios)
    assert err.value.errors == [
        {"row": 3, "column": "number", "error": "Recommendation 1 of 2025/101 is already on row 2."}
    ]


def test_missing_column(oios, units):
    columns = [c for c in COLUMNS if c != "status"]
    with pytest.raises(ImportRejected) as err:
        import_recommendations(csv_file([row()], columns=columns), acting_user=oios)
    assert err.value.errors[0]["column"] == "status" and err.value.errors[0]["row"] == 1


def test_wrong_encoding(oios, units):
    upload = csv_file([row(text="Renforcer le contrôle de l'équipe")], encoding="latin-1")
    with pytest.raises(ImportRejected) as err:
        import_recommendations(upload, acting_user=oios)
    assert "UTF-8" in err.value.errors[0]["error"]
    assert not Recommendation.objects.exists()


def test_twenty_megabytes_of_garbage(oios, units, settings):
    settings.MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    garbage = SimpleUploadedFile("garbage.csv", bytes(range(256)) * (20 * 1024 * 1024 // 256))
    with pytest.raises(ImportRejected) as err:
        import_recommendations(garbage, acting_user=oios)
    assert len(err.value.errors) <= 501
    too_big = SimpleUploadedFile("big.csv", b"a" * (20 * 1024 * 1024 + 1))
    with pytest.raises(ImportRejected) as err:
        import_recommendations(too_big, acting_user=oios)
    assert "MB" in err.value.errors[0]["error"]


def test_a_body_imports_only_its_own_rows(oios, boa, units):
    with pytest.raises(ImportRejected) as err:
        import_recommendations(csv_file([row(body="BOA")]), acting_user=oios)
    assert err.value.errors[0]["column"] == "body"
    assert import_recommendations(csv_file([row(body="BOA")]), acting_user=boa).created == 1


@pytest.mark.parametrize("persona", ["manager", "gastaff", "outsider"])
def test_others_may_not_import(request, persona, units):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        import_recommendations(csv_file([row()]), acting_user=user)


def test_inconsistent_acceptance_and_dates(oios, units):
    rows = [
        row(accepted="no", status="open"),
        row(number="2", status="open", implemented_on="2025-05-01"),
        row(number="3", accepted="maybe"),
    ]
    with pytest.raises(ImportRejected) as err:
        import_recommendations(csv_file(rows), acting_user=oios)
    assert [(e["row"], e["column"]) for e in err.value.errors] == [
        (2, "status"),
        (3, "implemented_on"),
        (4, "accepted"),
    ]


def test_formula_looking_text_is_kept_as_text(oios, units):
    import_recommendations(csv_file([row(text='=HYPERLINK("http://x")')]), acting_user=oios)
    assert Recommendation.objects.get().text == '=HYPERLINK("http://x")'


def test_dry_run_writes_nothing(oios, units):
    result = import_recommendations(csv_file(three_rows()), acting_user=oios, dry_run=True)
    assert result.created == 3 and len(result.preview) == 3
    assert not Recommendation.objects.exists()


def test_a_file_of_2000_rows_costs_a_bounded_number_of_queries(
    oios, units, django_assert_max_num_queries
):
    rows = [row(report_symbol=f"2025/{n // 10}", number=str(n % 10)) for n in range(2000)]
    # A few dozen bulk statements (SQLite's parameter limit makes its batches smaller), not 2,000+.
    with django_assert_max_num_queries(100):
        result = import_recommendations(csv_file(rows), acting_user=oios)
    assert result.created == 2000


def test_an_edit_can_move_unit_clear_dates_and_record_implementation(oios, units):
    import_recommendations(csv_file(three_rows()), acting_user=oios)
    edited = three_rows()
    edited[0].update(
        unit="DOS-PD", target_date="", status="implemented", implemented_on="2025-06-30"
    )
    edited[1].update(priority="", accepted="yes", text="Línea nueva — 新文本")
    result = import_recommendations(csv_file(edited), acting_user=oios)
    assert (result.updated, result.unchanged) == (2, 1)
    first = Recommendation.objects.get(number="1")
    assert (first.unit.code, first.target_date, first.status) == ("DOS-PD", None, "implemented")
    # Without status_on, an implementation takes effect on its implementation date.
    assert first.implemented_on == first.status_changed_on == datetime.date(2025, 6, 30)
    assert first.updates.get().effective_on == datetime.date(2025, 6, 30)
    second = Recommendation.objects.get(number="2")
    assert (second.priority, second.text, second.version) == ("", "Línea nueva — 新文本", 2)
    assert HistoryEntry.objects.for_object(first).first().changes["unit"] == [
        units["ohr"].pk,
        units["pd"].pk,
    ]
