import io
import json

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from org.models import Section
from reports import render
from reports.charts import charts_for
from reports.snapshot import build_snapshot, canonical_json
from reports.tests.conftest import PERIOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot(resolution, standard_metrics):
    def make(language="en"):
        snap = build_snapshot(language=language, symbol="A/81/R.1", run_id=1, **PERIOD)
        return json.loads(canonical_json(snap))

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
    pdf = render.pdf(render.html(snap))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 3
    text = _squash(_pdf_text(pdf))
    for section in Section.objects.all():
        # the longest headings wrap; their opening words are enough to find them
        assert _squash(getattr(section, heading_field))[:30] in text, section.code
    assert snap["audit_trail"]["head_sha256"][:16] in text
    assert "A/81/R.1" in text


def _embedded_fonts(pdf: bytes, pages: int = 2) -> set[str]:
    """The PostScript names of the font programs the PDF carries on its first pages."""
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
                    names.add(program["name"].getDebugName(6))
    return names


def test_chinese_pdf_embeds_a_cjk_font(snapshot):
    # The CJK font comes with the project's dependencies, not from the system: its own program is
    # what the PDF carries, and the Chinese text is set in it (no .notdef boxes).
    from fontTools.ttLib import TTFont

    shipped = TTFont(render.cjk_font_path(), lazy=True)["name"].getDebugName(6)
    pdf = render.pdf(render.html(snapshot("zh-hans")))
    assert shipped in _embedded_fonts(pdf), _embedded_fonts(pdf)
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
    html = render.html(snapshot()).decode()
    assert 'class="toc"' in html and 'href="#section-C"' in html
    assert html.count('<img src="data:image/png;base64,') == 3  # rate by body, trend, heat map
    assert "No data recorded for this section in the period." in html  # section E
    assert "1,250.00" in html


def test_docx_has_real_headings_tables_and_the_gadoc_front_matter(snapshot):
    document = Document(io.BytesIO(render.docx(snapshot())))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    for code in ("A", "B", "C", "J", "K", "R"):
        assert any(h.startswith(f"{code}. ") for h in headings), code
    texts = [p.text for p in document.paragraphs]
    assert not any("{{" in t for t in texts)
    masthead = document.tables[0]
    assert (
        "A/81/R.1" in masthead.cell(0, 1).text and "Original: English" in masthead.cell(0, 1).text
    )
    assert "A/81/R.1" in document.sections[0].header.paragraphs[0].text
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
    document = Document(io.BytesIO(render.docx(snapshot(), buffer.getvalue())))
    texts = [p.text for p in document.paragraphs]
    assert texts[0].startswith("LETTERHEAD A/81/R.1 of ")
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
    assert values["Amount lost (US$)"] == 1250  # a number, not text


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
    document = Document(io.BytesIO(render.docx(snapshot(), as_document(dotx.getvalue()))))
    assert document.paragraphs[0].text == "DOTX A/81/R.1"
