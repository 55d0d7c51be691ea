"""The four renderings of a real snapshot (reports/tests/world.py, built once per module): every
section, the front matter, the charts, the KPI table of section G and the methodology annex,
in English and Chinese; no raw code and no number-formatted year in any format."""

import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from org.models import Section
from reports import render
from reports.charts import charts_for
from reports.gadoc import DocumentMeta

pytestmark = pytest.mark.django_db
# What a run (or an edition) puts beside the snapshot: an entered symbol and agenda item.
META = DocumentMeta(symbol="A/80/700", agenda_item="Item 136")


@pytest.fixture
def snapshot(real_snapshots):
    def make(language="en"):
        return real_snapshots[language]

    return make


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize(
    "language, heading_field", [("en", "heading_en"), ("zh-hans", "heading_zh")]
)
def test_pdf_holds_every_section_heading_and_the_anchor(snapshot, language, heading_field):
    snap = snapshot(language)
    pdf = render.pdf(render.html(snap, META))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 3
    text = _squash(_pdf_text(pdf))
    for section in Section.objects.all():
        # the longest headings wrap; their opening words are enough to find them
        assert _squash(getattr(section, heading_field))[:30] in text, section.code
    assert snap["audit_trail"]["head_sha256"][:16] in text
    assert "A/80/700" in text


def embedded_fonts(pdf: bytes, pages: int = 2, name_id: int = 6) -> set[str]:
    """The names of the font programs the PDF carries on its first pages: PostScript names by
    default (name id 6), family names with name_id=1."""
    from fontTools.ttLib import TTFont

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages[:pages]:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = (font.get("/DescendantFonts") or [font])[0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            for key in ("/FontFile2", "/FontFile3"):
                if key in descriptor:
                    program = TTFont(io.BytesIO(descriptor[key].get_object().get_data()))
                    names.add(program["name"].getDebugName(name_id))
    return names


def test_chinese_pdf_embeds_a_cjk_font(snapshot):
    # The CJK font comes with the project's dependencies, not from the system: its own program is
    # what the PDF carries, and the Chinese text is set in it (no .notdef boxes).
    from fontTools.ttLib import TTFont

    shipped = TTFont(render.cjk_font_path(), lazy=True)["name"].getDebugName(6)
    pdf = render.pdf(render.html(snapshot("zh-hans")))
    assert shipped in embedded_fonts(pdf), embedded_fonts(pdf)
    assert "执行情况" in _squash(_pdf_text(pdf))


def test_report_pdf_fetches_only_its_font_and_data_urls(tmp_path):
    fetcher = render._url_fetcher()
    assert fetcher.fetch(render.cjk_font_path().as_uri()).read(4) == b"OTTO"
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    elsewhere = tmp_path / "secret.txt"
    elsewhere.write_text("no")
    for url in (elsewhere.as_uri(), "http://127.0.0.1:9/", "https://example.org/x.png"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_html_is_a_printable_page_with_contents_and_charts(snapshot):
    snap = snapshot()
    html = render.html(snap, META).decode()
    assert 'class="toc"' in html and 'href="#section-C"' in html
    assert html.count('<img src="data:image/png;base64,') == 3  # rate by body, trend, heat map
    empty = [s["code"] for s in snap["sections"] if not s["has_data"]]
    assert html.count("No data recorded for this section in the period.") == len(empty)
    assert "155,000.00" in html  # recovered in 2025 (world.py)


def test_docx_has_real_headings_tables_and_the_gadoc_front_matter(snapshot):
    document = Document(io.BytesIO(render.docx(snapshot(), None, META)))
    # The resolution's sections are the second level under "II. Implementation of the
    # resolution" (and again in the figures annex).
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 2")]
    for code in ("A", "B", "C", "J", "K", "R"):
        assert sum(h.startswith(f"{code}. ") for h in headings) == 2, code
    chapters = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert chapters[:3] == [
        "I. Introduction",
        "II. Implementation of the resolution",
        "III. Action requested of the General Assembly",
    ]
    texts = [p.text for p in document.paragraphs]
    assert not any("{{" in t for t in texts)
    masthead = document.tables[0]
    assert (
        "A/80/700" in masthead.cell(0, 1).text and "Original: English" in masthead.cell(0, 1).text
    )
    assert "A/80/700" in document.sections[0].header.paragraphs[0].text
    assert len(document.inline_shapes) == 3
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["", "Total", "Implemented"] == next(h for h in headers if "Implemented" in h)[:3]


def test_docx_uses_an_uploaded_template(snapshot):
    template = Document()
    template.add_paragraph("LETTERHEAD {{symbol}} of {{date}}")
    template.add_paragraph("{{body}}")
    template.add_paragraph("Closing line")
    buffer = io.BytesIO()
    template.save(buffer)
    document = Document(io.BytesIO(render.docx(snapshot(), buffer.getvalue(), META)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0].startswith("LETTERHEAD A/80/700 of ")
    assert texts[-1] == "Closing line"  # the body went where {{body}} was
    assert "Contents" in texts


def test_xlsx_has_a_sheet_per_section_and_the_underlying_tables(snapshot):
    workbook = load_workbook(io.BytesIO(render.xlsx(snapshot())))
    names = workbook.sheetnames
    assert names[0] == "Report"
    assert [n for n in names if n.startswith("Section ")] == [
        f"Section {c}" for c in "ABCDEFGHIJKR"
    ]
    assert {"Paragraphs", "Measures", "Figures"} <= set(names)
    k = workbook["Section K"]
    values = {row[0]: row[1] for row in k.iter_rows(min_row=2, values_only=True)}
    assert values["Amount lost (US$)"] == 40000  # a number, not text


def test_formula_looking_text_is_written_inert(snapshot):
    workbook = load_workbook(io.BytesIO(render.xlsx(snapshot())))
    cells = [c for row in workbook["Measures"].iter_rows() for c in row if isinstance(c.value, str)]
    evil = [c for c in cells if c.value.startswith("=HYPERLINK")]
    assert evil and all(c.data_type == "s" for c in evil)


def test_charts_follow_the_snapshot(snapshot):
    charts = charts_for(snapshot())
    assert [c.key for c in charts["C"]] == ["implementation_rate_by_body"]
    assert [c.key for c in charts["J"]] == ["risk_heat_map"]
    assert charts["C"][0].png.startswith(b"\x89PNG")
    # the same snapshot draws the same picture
    assert charts_for(snapshot())["C"][0].png == charts["C"][0].png


@pytest.mark.parametrize(
    "heat",
    [
        {"4": {"5": 1}, "2": {"3": 2}},
        {"cells": {"4x5": 1, "2x3": 2}, "total": 3},
        [{"likelihood": 4, "impact": 5, "count": 1}, {"likelihood": 2, "impact": 3, "count": 2}],
    ],
)
def test_the_heat_map_reads_the_shapes_an_app_may_give(heat):
    from reports.charts import _heat_cells

    assert _heat_cells(heat) == {(4, 5): 1, (2, 3): 2}


def test_a_word_template_dotx_is_read_as_a_document(snapshot):
    import zipfile

    from reports.docx_builder import DOCUMENT_TYPE, TEMPLATE_TYPE, as_document

    template = Document()
    template.add_paragraph("DOTX {{symbol}}")
    buffer = io.BytesIO()
    template.save(buffer)
    # Make it what Word saves as a template: the same parts, the main part typed as a template.
    dotx = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(dotx, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(DOCUMENT_TYPE, TEMPLATE_TYPE)
            target.writestr(item, data)
    with pytest.raises(ValueError):
        Document(io.BytesIO(dotx.getvalue()))
    document = Document(io.BytesIO(render.docx(snapshot(), as_document(dotx.getvalue()), META)))
    assert document.paragraphs[0].text == "DOTX A/80/700"


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _xlsx_cells(content: bytes, skip_keys: bool = True) -> list[str]:
    """Every cell as text; the Figures sheet's key column (dotted snapshot paths, data for
    whoever filters the sheet) is left out."""
    workbook = load_workbook(io.BytesIO(content))
    figures = workbook.worksheets[-1]  # the Figures sheet comes last
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for index, value in enumerate(row):
                if value is None or (skip_keys and sheet is figures and index == 1):
                    continue
                cells.append(str(value))
    return cells


def _html_text(html: bytes) -> str:
    return re.sub(r"<style.*?</style>|<[^>]+>", " ", html.decode(), flags=re.S)


CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
FORMATTED_YEAR = re.compile(r"\b2,0\d\d\b")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_code_and_no_formatted_year_in_any_format(snapshot, language):
    snap = snapshot(language)
    html = render.html(snap, META)
    texts = {
        "html": _html_text(html),
        "pdf": _pdf_text(render.pdf(html)),
        "docx": _docx_text(render.docx(snap, None, META)),
        "xlsx": "\n".join(_xlsx_cells(render.xlsx(snap, META))),
    }
    for fmt, text in texts.items():
        # verify_audit_trail is the name of a command the anchor section tells readers to run.
        assert set(CODE.findall(text)) <= {"verify_audit_trail"}, fmt
        assert FORMATTED_YEAR.findall(text) == [], fmt


@pytest.mark.parametrize(
    "language, title, met, annex",
    [
        ("en", "Instruments accepted within 14 days", "Met", "Annex: methodology"),
        ("zh-hans", "在 14 天内接受的权力下放文书", "已达到", "附件：方法"),
    ],
)
def test_section_g_shows_the_kpi_table_by_entity_in_every_format(
    snapshot, language, title, met, annex
):
    snap = snapshot(language)
    # The KPI codes are in the methodology annex with their definitions.
    entry = snap["methodology"]["kpi_instruments_accepted_on_time"]
    assert entry["label"] == title and entry["definition"]
    page = render.html(snap, META).decode()
    html = _html_text(page.encode())
    section_g = _html_text(
        page[page.index('id="section-G-figures"') : page.index('id="section-H-figures"')].encode()
    )
    assert title in section_g and "DMSPC" in section_g and "DOS" in section_g
    # DMSPC accepted its root instrument in time; DOS only after the period's end.
    assert f"100.0 ({met})" in section_g and "0.0 (" in section_g
    assert entry["definition"][:20] in html[html.index(annex) :]
    assert _squash(title)[:12] in _squash(_pdf_text(render.pdf(render.html(snap, META))))
    docx = _docx_text(render.docx(snap, None, META))
    assert title in docx and f"100.0 ({met})" in docx
    workbook = load_workbook(io.BytesIO(render.xlsx(snap, META)))
    rows = [row for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r[0] and any(title in str(c) for c in r if c))
    dmspc = next(r for r in rows if r[0] == "DMSPC")
    column = next(i for i, c in enumerate(header) if c and title in str(c))
    assert dmspc[column] == 100.0  # a number in the spreadsheet
