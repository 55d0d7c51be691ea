"""A report in each of the six official languages (issue 18, item 4): every format renders from
a real snapshot (reports/tests/world.py: two units, two oversight bodies); the masthead's date and
session and the citation of the resolution follow each language's United Nations style; the
Arabic PDF is right to left with its text set in the shipped Amiri and extracting as
Arabic words; Word runs carry their language, and in Arabic their direction; the Arabic
workbook's sheets read right to left."""

import datetime
import io
import json
import re
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import render
from reports.choices import ReportLanguage
from reports.gadoc import DocumentMeta
from reports.tests.test_render import embedded_fonts
from reports.un_style import date_label, resolution_citation, session_label

pytestmark = pytest.mark.django_db
LANGUAGES = ("ar", "zh-hans", "en", "fr", "ru", "es")
META = DocumentMeta(symbol="A/80/700", agenda_item="136", session="80")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def snapshots(django_db_setup, django_db_blocker):
    from django.db import transaction

    from reports.snapshot import build_snapshot, canonical_json
    from reports.tests import world

    with django_db_blocker.unblock(), transaction.atomic():
        units, people = world.make_units_and_people()
        world.build(units, people)
        built = {
            language: json.loads(canonical_json(build_snapshot(language=language, **world.PERIOD)))
            for language in LANGUAGES
        }
        transaction.set_rollback(True)
    return built


@pytest.fixture(scope="module")
def rendered(snapshots):
    """language -> {format: bytes}, rendered once for the module."""
    files = {}
    for language, snapshot in snapshots.items():
        page = render.html(snapshot, META)
        files[language] = {
            "html": page,
            "pdf": render.pdf(page),
            "docx": render.docx(snapshot, None, META),
            "xlsx": render.xlsx(snapshot, META),
        }
    return files


def _pdf_text(content: bytes, pages: int | None = None) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages[:pages])


def test_the_six_languages_are_the_report_languages():
    assert sorted(ReportLanguage.values) == sorted(LANGUAGES)


# The masthead, in each language's UN style: the issue date is the snapshot's own.
EXPECTED = {
    "ar": ("الدورة الثمانون", "قرار الجمعية العامة 64/259"),
    "zh-hans": ("第八十届会议", "大会第64/259号决议"),
    "en": ("Eightieth session", "General Assembly resolution 64/259"),
    "fr": ("Quatre-vingtième session", "résolution 64/259 de l’Assemblée générale"),
    "ru": ("Восьмидесятая сессия", "резолюция 64/259 Генеральной Ассамблеи"),
    "es": ("Octogésimo período de sesiones", "resolución 64/259 de la Asamblea General"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_format_renders_in_the_language(rendered, snapshots, language):
    files = rendered[language]
    page = files["html"].decode()
    session, citation = EXPECTED[language]
    issued = datetime.datetime.fromisoformat(snapshots[language]["generated_at"]).date()
    assert f'<html lang="{language}"' in page
    assert ('dir="rtl"' in page.split(">", 2)[1]) == (language == "ar")
    assert session in page
    assert date_label(issued, language) in page
    # the paragraphs of the body are introduced with the resolution cited in the language's style
    assert citation in page

    pdf = PdfReader(io.BytesIO(files["pdf"]))
    assert len(pdf.pages) > 3

    document = Document(io.BytesIO(files["docx"]))
    texts = "\n".join(p.text for p in document.paragraphs)
    assert session in texts and citation in texts

    workbook = load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    assert len(workbook.sheetnames) > 5
    assert workbook.worksheets[0]["B2"].value == "A/80/700"


def test_un_styles_of_dates_sessions_and_citations():
    on = datetime.date(2010, 3, 1)
    assert [date_label(on, language) for language in LANGUAGES] == [
        "1 آذار/مارس 2010",
        "2010年3月1日",
        "1 March 2010",
        "1er mars 2010",
        "1 марта 2010 года",
        "1 de marzo de 2010",
    ]
    assert [session_label(64, language) for language in LANGUAGES] == [
        "الدورة الرابعة والستون",
        "第六十四届会议",
        "Sixty-fourth session",
        "Soixante-quatrième session",
        "Шестьдесят четвертая сессия",
        "Sexagésimo cuarto período de sesiones",
    ]
    assert session_label(71, "fr") == "Soixante et onzième session"
    assert session_label(81, "fr") == "Quatre-vingt-unième session"
    assert session_label(81, "ar") == "الدورة الحادية والثمانون"
    assert resolution_citation("A/RES/64/259", "fr") == "résolution 64/259 de l’Assemblée générale"


def test_arabic_pdf_is_set_in_the_shipped_arabic_font_and_extracts_as_arabic_words(rendered):
    pdf = rendered["ar"]["pdf"]
    # WeasyPrint reads the fonts from the project's packages (render.font_paths()), never the
    # system's: the Arabic text is set in Amiri.
    fonts = embedded_fonts(pdf, name_id=1)
    assert any(name.startswith("Amiri") for name in fonts), fonts
    text = _pdf_text(pdf)
    # Shaped and in logical order, the words come out whole (a reversed or unshaped run would
    # yield presentation forms or the letters backwards): the session, the months of the dates,
    # the resolution cited in the body.
    for words in ("الدورة الثمانون", "كانون الأول/ديسمبر", "قرار الجمعية العامة"):
        assert words in text, words
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", text)  # no presentation forms


@pytest.mark.parametrize("language", ["en", "ru"])
def test_latin_and_cyrillic_pdfs_are_set_in_the_shipped_noto_sans(rendered, language):
    fonts = embedded_fonts(rendered[language]["pdf"], name_id=1)
    assert any(name.startswith("Noto Sans") and "SC" not in name for name in fonts), fonts


def _docx_xml(content: bytes, part: str = "word/document.xml") -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read(part).decode("utf-8")


def test_docx_sets_the_language_and_for_arabic_the_direction(rendered):
    from lxml import etree

    arabic = etree.fromstring(_docx_xml(rendered["ar"]["docx"]).encode())
    runs = list(arabic.iter(f"{W}r"))
    paragraphs = list(arabic.iter(f"{W}p"))
    assert runs and all(r.find(f"{W}rPr/{W}rtl") is not None for r in runs)
    assert all(r.find(f"{W}rPr/{W}lang").get(f"{W}bidi") == "ar-SA" for r in runs)
    assert all(p.find(f"{W}pPr/{W}bidi") is not None for p in paragraphs)
    assert all(t.find(f"{W}tblPr/{W}bidiVisual") is not None for t in arabic.iter(f"{W}tbl"))
    assert 'w:bidi="ar-SA"' in _docx_xml(rendered["ar"]["docx"], "word/styles.xml")

    french = etree.fromstring(_docx_xml(rendered["fr"]["docx"]).encode())
    langs = {r.find(f"{W}rPr/{W}lang").get(f"{W}val") for r in french.iter(f"{W}r")}
    assert langs == {"fr-FR"}
    assert french.find(f".//{W}bidi") is None and french.find(f".//{W}rtl") is None
    chinese = etree.fromstring(_docx_xml(rendered["zh-hans"]["docx"]).encode())
    assert {r.find(f"{W}rPr/{W}lang").get(f"{W}eastAsia") for r in chinese.iter(f"{W}r")} == {
        "zh-CN"
    }
    # Word still opens them: python-docx reads the Arabic one back, text intact
    document = Document(io.BytesIO(rendered["ar"]["docx"]))
    assert any("الجمعية العامة" in p.text for p in document.paragraphs)


def test_arabic_workbook_reads_right_to_left(rendered):
    arabic = load_workbook(io.BytesIO(rendered["ar"]["xlsx"]))
    assert all(sheet.sheet_view.rightToLeft for sheet in arabic.worksheets)
    english = load_workbook(io.BytesIO(rendered["en"]["xlsx"]))
    assert not any(sheet.sheet_view.rightToLeft for sheet in english.worksheets)


def test_a_run_has_no_narrative_sheet(rendered):
    workbook = load_workbook(io.BytesIO(rendered["en"]["xlsx"]), read_only=True)
    assert "Narrative" not in workbook.sheetnames


@pytest.mark.parametrize("language", ["ar", "es"])
def test_a_run_is_requested_and_compiled_in_a_new_language_through_the_api(
    api, gastaff, resolution, standard_metrics, django_capture_on_commit_callbacks, language
):
    client = api(gastaff)
    body = {"period_start": "2024-01-01", "period_end": "2025-12-31", "language": language}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/reports/", body, format="json")
    assert response.status_code == 202, response.data
    run = client.get(f"/api/reports/{response.data['id']}/").json()
    assert run["status"] == "done" and run["language"] == language, run["error"]
    assert set(run["files"]) == {"html", "pdf", "docx", "xlsx", "json"}
    page = b"".join(client.get(run["files"]["html"]).streaming_content).decode()
    assert f'<html lang="{language}"' in page
    assert ('dir="rtl"' in page.split(">", 2)[1]) == (language == "ar")
    assert resolution_citation("A/RES/64/259", language) in page
