"""The Word rendering: real headings and tables on a template people can own.

A template is an ordinary .docx. Placeholders such as {{symbol}}, {{date}}, {{session}},
{{agenda_item}}, {{title}}, {{original_language}}, {{report_of}} are filled in wherever they
appear (body, tables, headers, footers); the report's body goes where a paragraph reads
{{body}}, or at the end. The default template (docx/default.docx) reads like a General Assembly
document; `build_default_template()` makes it.
"""

import io
import re
import zipfile
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "docx" / "default.docx"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
BODY = "{{body}}"
PLACEHOLDER_NAMES = (
    "symbol",
    "title",
    "organization",
    "organ",
    "distribution",
    "date",
    "original_language",
    "session",
    "agenda_item",
    "report_of",
    "period",
    "resolution",
)


TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def as_document(content: bytes) -> bytes:
    """A Word template (.dotx) as the document (.docx) python-docx opens: the same parts, with
    the main part's content type changed. A .docx passes through unchanged."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        types = source.read("[Content_Types].xml")
        if TEMPLATE_TYPE not in types:
            return content
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    data = data.replace(TEMPLATE_TYPE, DOCUMENT_TYPE)
                target.writestr(item, data)
    return buffer.getvalue()


def _fill_paragraph(paragraph, values: dict[str, str]) -> None:
    text = paragraph.text
    if "{{" not in text:
        return
    filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    if filled == text:
        return
    runs = paragraph.runs
    if not runs:
        return
    # Placeholders may be split across runs by Word; the first run keeps its formatting.
    runs[0].text = filled
    for run in runs[1:]:
        run.text = ""


def _paragraphs_of(container):
    yield from container.paragraphs
    for table in container.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from _paragraphs_of(cell)


def _fill(document, values: dict[str, str]) -> None:
    for paragraph in _paragraphs_of(document):
        if paragraph.text.strip() != BODY:
            _fill_paragraph(paragraph, values)
    for section in document.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        ):
            for paragraph in _paragraphs_of(part):
                _fill_paragraph(paragraph, values)


def _heading(document, text: str, level: int):
    try:
        return document.add_heading(text, level=level)
    except KeyError:  # a template without heading styles still gets a readable document
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = True
        run.font.size = Pt(14 - level)
        return paragraph


def _table(document, columns: list[str], rows: list[list[str]], title: str = ""):
    if title:
        caption = document.add_paragraph()
        caption.add_run(title).bold = True
    table = document.add_table(rows=1, cols=len(columns))
    try:
        table.style = "Table Grid"
    except (KeyError, ValueError):
        pass
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(column)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, row, strict=False)):
            cell.text = str(value)
            if index:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _paragraph_block(document, p: dict) -> None:
    para = document.add_paragraph()
    para.add_run(f"{p['number']}. ").bold = True
    para.add_run(p["text"])
    status = document.add_paragraph()
    parts = []
    if p.get("requests_label"):
        parts.append(_("Requested of: %(who)s") % {"who": p["requests_label"]})
    if p.get("verdict_line"):
        parts.append(p["fact_line"])
        status.add_run(p["verdict_line"]).bold = True
        status.add_run(" · ")
    else:
        parts.append(f"{_('Status')}: {p['status_label']}")
    status.add_run(" · ".join(parts)).italic = True
    if p.get("assessment_line"):
        document.add_paragraph(p["assessment_line"])
        if p.get("justification"):
            document.add_paragraph(p["justification"])
    for measure in p["measures"]:
        document.add_paragraph(
            f"{measure.get('label', '')}: {measure.get('count', 0)}", style=_list_style(document)
        )
        for item in measure.get("items") or []:
            bits = [str(item.get("title", ""))]
            if item.get("status"):
                bits.append(f"({item['status']})")
            if item.get("date"):
                bits.append(str(item["date"]))
            document.add_paragraph(" ".join(bits), style=_list_style(document, 2))


def _list_style(document, level: int = 1):
    name = "List Bullet" if level == 1 else "List Bullet 2"
    try:
        document.styles[name]
        return name
    except KeyError:
        return None


def _body(document, doc, front: dict) -> None:
    _heading(document, _("Contents"), 1)
    for section in doc.sections:
        document.add_paragraph(f"{section.code}. {section.heading}")
    _heading(document, _("Summary of key figures"), 1)
    _table(
        document,
        [
            _("Figure"),
            _("Value"),
            _("Previous period (%(start)s to %(end)s)")
            % {"start": doc.previous_start, "end": doc.previous_end},
        ],
        [list(row) for row in doc.headline],
    )
    if doc.preliminary:
        _heading(document, _("General provisions (paragraphs 1 to 7)"), 1)
        for p in doc.preliminary:
            _paragraph_block(document, p)
    for section in doc.sections:
        _heading(document, f"{section.code}. {section.heading}", 1)
        for p in section.paragraphs:
            _paragraph_block(document, p)
        _heading(document, _("Figures"), 2)
        if not section.has_data:
            document.add_paragraph(_("No data recorded for this section in the period."))
        if section.facts:
            _table(
                document,
                [_("Figure"), _("Value")],
                [[label, value] for label, value, _raw in section.facts],
            )
        for table in section.tables:
            _table(document, table.columns, table.rows, title=table.title)
        for chart in section.charts:
            document.add_picture(io.BytesIO(chart.png), width=Cm(min(16.0, chart.width / 40)))
    if doc.restatements:
        _heading(document, _("Restatements"), 1)
        document.add_paragraph(
            _(
                "Records dated on or before the period end that were added or corrected after "
                "this period was first reported:"
            )
        )
        _table(
            document,
            [_("Changed on"), _("Record"), _("Change"), _("Record date"), _("Fields")],
            [list(row) for row in doc.restatements],
        )
    _heading(document, _("Annex: methodology"), 1)
    _table(
        document,
        [_("Figure"), _("Definition"), _("Numerator"), _("Denominator"), _("Date rule")],
        [list(row) for row in doc.methodology],
    )
    _heading(document, _("Change history anchor"), 1)
    document.add_paragraph(
        _(
            "When this report was compiled (%(generated)s), the tracker's tamper-evident change "
            "history held %(entries)s entries. The hash of the last entry was:"
        )
        % {"generated": doc.generated_at, "entries": doc.audit_entries}
    )
    document.add_paragraph(doc.audit_head)


def build(doc, front: dict, template: bytes | None = None) -> bytes:
    source = io.BytesIO(template) if template else str(DEFAULT_TEMPLATE)
    document = Document(source)
    with translation.override(doc.language):
        _fill(document, front)
        body = document.element.body
        placeholder = next((p for p in document.paragraphs if p.text.strip() == BODY), None)
        before = len(body)
        _body(document, doc, front)
        if placeholder is not None:
            # Content was appended before the final sectPr; move it to the placeholder's place.
            new = [el for el in list(body)[before - 1 :] if el.tag != qn("w:sectPr")]
            for element in new:
                placeholder._p.addprevious(element)
            placeholder._p.getparent().remove(placeholder._p)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_number_field(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def build_default_template(path: Path = DEFAULT_TEMPLATE) -> Path:
    """Write the default template: a General Assembly document's front matter and styles."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    for name, size in (("Heading 1", 12), ("Heading 2", 11), ("Title", 16)):
        style = document.styles[name]
        style.font.name = "Times New Roman"
        style.font.size = Pt(size)
        style.font.bold = True
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimHei")
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    section.start_type = WD_SECTION.NEW_PAGE
    header = section.header.paragraphs[0]
    header.text = "{{symbol}}"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(footer)

    masthead = document.add_table(rows=1, cols=2)
    left, right = masthead.rows[0].cells
    left.text = "{{organization}}"
    organ = left.add_paragraph()
    organ.add_run("{{organ}}").bold = True
    organ.runs[0].font.size = Pt(16)
    right.text = ""
    symbol = right.paragraphs[0]
    symbol.add_run("{{symbol}}").bold = True
    for line in ("{{distribution}}", "{{date}}", "{{original_language}}"):
        right.add_paragraph(line)
    for paragraph in right.paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph("{{session}}")
    document.add_paragraph("{{agenda_item}}")
    document.add_paragraph("{{title}}", style="Title")
    report_of = document.add_paragraph()
    report_of.add_run("{{report_of}}").bold = True
    document.add_paragraph("{{period}}")
    document.add_paragraph(BODY)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
