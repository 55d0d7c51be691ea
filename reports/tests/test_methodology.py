"""The methodology registry (issue 11): every figure of a snapshot has one definition, printed
as an annex in every format and language; the previous period beside the headline figures; years
never number-formatted; the heat map coloured by the rating table's bands."""

import datetime
import io
import zipfile

import openpyxl
import pytest

from reports import methodology, render
from reports.charts import band_of
from reports.layout import display
from reports.snapshot import build_snapshot

pytestmark = pytest.mark.django_db
START, END = datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)


def snap(language="en"):
    return build_snapshot(period_start=START, period_end=END, language=language)


def test_every_figure_of_the_real_apps_has_one_methodology_entry(resolution, units):
    snapshot = snap()
    keys = methodology.figure_keys(snapshot["sections"], snapshot["headline"])
    missing = [key for key in keys if key not in snapshot["methodology"]]
    assert missing == []
    entry = snapshot["methodology"]["appraisal_compliance_rate"]
    assert entry["numerator"] and entry["denominator"] and entry["date_rule"]
    assert set(entry) >= {"definition", "numerator", "denominator", "date_rule"}
    # One appraisal rate only, and no figure twice under two names.
    assert "appraisal_completion_rate" not in keys and "amount_recovered_in_period" not in keys


def test_a_figure_without_an_entry_is_found(resolution, metrics, make_module):
    metrics(risk=make_module("risk.metrics", lambda s, e: {"K": {"mystery_figure": 3}}))
    snapshot = snap()
    keys = methodology.figure_keys(snapshot["sections"], snapshot["headline"])
    assert "mystery_figure" in keys and "mystery_figure" not in snapshot["methodology"]


def test_the_annex_is_printed_in_every_format_and_language(real_snapshots):
    for language, heading, word in (
        ("en", "Annex: methodology", "Appraisal compliance"),
        ("zh-hans", "附件：方法", "考绩合规"),
    ):
        snapshot = real_snapshots[language]
        html = render.html(snapshot).decode()
        assert heading in html and word in html
        docx = render.docx(snapshot)
        with zipfile.ZipFile(io.BytesIO(docx)) as z:
            assert heading in z.read("word/document.xml").decode()
        book = openpyxl.load_workbook(io.BytesIO(render.xlsx(snapshot)))
        sheet = book[book.sheetnames[-3 if snapshot["restatements"] else -2]]
        cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
        assert any(word in c for c in cells), book.sheetnames
    pdf = render.pdf(render.html(real_snapshots["en"]))
    assert pdf.startswith(b"%PDF")


def test_the_previous_period_is_shown_beside_each_headline_figure(resolution, metrics, make_module):
    def performance(start, end):
        return {"D": {"appraisal_compliance_rate": 80.0 if start.year == 2024 else 60.0}}

    metrics(performance=make_module("performance.metrics", performance))
    snapshot = snap()
    assert snapshot["previous_period"]["period"] == {"start": "2022-01-01", "end": "2023-12-31"}
    row = next(h for h in snapshot["headline"] if h["key"] == "appraisal_compliance_rate")
    assert (row["value"], row["previous"]) == (80.0, 60.0)
    html = render.html(snapshot).decode()
    assert "Previous period (1 January 2022 to 31 December 2023)" in html and "60.0" in html


def test_previous_period_of_the_same_length():
    assert methodology.previous_period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
    )
    assert methodology.previous_period(datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)) == (
        datetime.date(2025, 4, 1),
        datetime.date(2025, 6, 30),
    )
    assert methodology.previous_period(datetime.date(2025, 3, 10), datetime.date(2025, 3, 19)) == (
        datetime.date(2025, 2, 28),
        datetime.date(2025, 3, 9),
    )


def test_years_and_codes_are_not_number_formatted():
    assert display("year", 2011) == "2011"
    assert display("cycle", 2024) == "2024"
    assert display("decisions_logged", 2011) == "2,011"


def test_heat_map_colours_follow_the_rating_bands():
    bands = {"medium_from": 5, "high_from": 10, "critical_from": 15}
    # A score of 10 is High in the band table: it is drawn High, not medium.
    assert band_of(10, bands) == "high"
    assert band_of(9, bands) == "medium" and band_of(15, bands) == "critical"
    assert band_of(4, bands) == "low"


def test_an_app_names_its_own_figures_in_its_metrics_module(resolution, metrics, make_module):
    module = make_module("risk.metrics", lambda s, e: {"K": {"vendor_sanctions_in_force": 2}})
    module.LABELS = {"vendor_sanctions_in_force": "Vendor sanctions in force at the period end"}
    metrics(risk=module)
    section_k = next(s for s in snap()["sections"] if s["code"] == "K")
    assert (
        section_k["labels"]["vendor_sanctions_in_force"]
        == module.LABELS["vendor_sanctions_in_force"]
    )
