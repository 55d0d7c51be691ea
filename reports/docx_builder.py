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
from django.utils.translation import pgettext
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from reports import docx_language

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
    "agenda_item_title",
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


def _style(document, *names: str) -> str | None:
    """The first of the named styles the template has (an uploaded template may lack some)."""
    for name in names:
        try:
            document.styles[name]
            return name
        except KeyError:
            continue
    return None


def _repeat_header(row) -> None:
    """The row repeats at the top of each page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _caption(document, title: str) -> None:
    style = _style(document, "Caption")
    caption = document.add_paragraph(style=style)
    run = caption.add_run(title)
    if style is None:
        run.bold = True


def _table(document, columns: list[str], rows: list[list[str]], title: str = ""):
    if title:
        _caption(document, title)
    table = document.add_table(rows=1, cols=len(columns))
    try:
        table.style = "Table Grid"
    except (KeyError, ValueError):
        pass
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(table.rows[0])
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


# ---- footnotes ------------------------------------------------------------------------------

FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
EMPTY_FOOTNOTES = (
    f'<w:footnotes xmlns:w="{W_NS}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote></w:footnotes>"
)


class Footnotes:
    """The document's footnotes part (Word's own footnotes, numbered by Word at the foot of each
    page): the template's, or a new one."""

    def __init__(self, document):
        self.document = document
        part = document.part
        self.part = next(
            (rel.target_part for rel in part.rels.values() if rel.reltype == RT.FOOTNOTES),
            None,
        )
        if self.part is None:
            self.part = Part(
                PackURI("/word/footnotes.xml"),
                FOOTNOTES_TYPE,
                EMPTY_FOOTNOTES.encode("utf-8"),
                part.package,
            )
            part.relate_to(self.part, RT.FOOTNOTES)
        blob = self.part.blob if not hasattr(self.part, "element") else None
        self.root = (
            self.part.element if blob is None else etree.fromstring(blob)  # noqa: S320
        )
        ids = [int(n.get(qn("w:id"))) for n in self.root.findall(qn("w:footnote"))]
        self.next_id = max([0, *ids]) + 1
        self.text_style = self._ensure_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
        self.reference_style = self._ensure_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)

    def _ensure_style(self, name: str, kind):
        styles = self.document.styles
        try:
            return styles[name]
        except KeyError:
            style = styles.add_style(name, kind)
            if kind == WD_STYLE_TYPE.PARAGRAPH:
                style.base_style = styles["Normal"]
                style.font.size = Pt(8)
                style.paragraph_format.space_after = Pt(0)
            else:
                style.font.superscript = True
            return style

    def add(self, paragraph, text: str) -> None:
        """A footnote reference at the end of `paragraph`, and its note."""
        number = self.next_id
        self.next_id += 1
        run = paragraph.add_run()
        run.style = self.reference_style
        run.font.superscript = True
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), str(number))
        run._r.append(reference)
        note = etree.SubElement(self.root, qn("w:footnote"))
        note.set(qn("w:id"), str(number))
        p = etree.SubElement(note, qn("w:p"))
        p_pr = etree.SubElement(p, qn("w:pPr"))
        etree.SubElement(p_pr, qn("w:pStyle")).set(qn("w:val"), self.text_style.style_id)
        ref_run = etree.SubElement(p, qn("w:r"))
        r_pr = etree.SubElement(ref_run, qn("w:rPr"))
        etree.SubElement(r_pr, qn("w:rStyle")).set(qn("w:val"), self.reference_style.style_id)
        etree.SubElement(r_pr, qn("w:vertAlign")).set(qn("w:val"), "superscript")
        etree.SubElement(ref_run, qn("w:footnoteRef"))
        text_run = etree.SubElement(p, qn("w:r"))
        t = etree.SubElement(text_run, qn("w:t"))
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = " " + text

    def save(self) -> None:
        if not hasattr(self.part, "element"):
            self.part._blob = etree.tostring(
                self.root, xml_declaration=True, encoding="UTF-8", standalone=True
            )


# ---- numbered paragraphs --------------------------------------------------------------------

PARAGRAPH_ABSTRACT_ID = 4259  # the report's own list: "1.", "2.", ... across the whole body


def _paragraph_numbering(document) -> str:
    """A numbering definition of the report's own for its numbered paragraphs (so a template's
    lists never restart or continue them): returns its numId."""
    numbering = document.part.numbering_part.element
    abstract = etree.fromstring(  # noqa: S320
        f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{PARAGRAPH_ABSTRACT_ID}">'
        '<w:multiLevelType w:val="singleLevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:tabs><w:tab w:val="num" w:pos="567"/></w:tabs>'
        '<w:ind w:left="0" w:firstLine="0"/></w:pPr></w:lvl></w:abstractNum>'
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = numbering.add_num(PARAGRAPH_ABSTRACT_ID)
    return str(num.numId)


class Writer:
    """Writes the report's text blocks (reports.narrative.Block) as Word paragraphs: numbered
    body paragraphs in real Word numbering, lists in the list styles, footnotes as Word's."""

    def __init__(self, document):
        self.document = document
        self.footnotes = Footnotes(document)
        self.num_id = _paragraph_numbering(document)
        self.numbered_style = _style(document, "List Number", "Normal")
        self.bullet = _style(document, "List Bullet")
        self.bullet_2 = _style(document, "List Bullet 2", "List Bullet")
        self.number_2 = _style(document, "List Number 2", "List Bullet 2", "List Bullet")
        self.quote = _style(document, "Quote", "Normal")

    def numbered(self, paragraph) -> None:
        p_pr = paragraph._p.get_or_add_pPr()
        num_pr = p_pr.get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = int(self.num_id)

    def runs(self, paragraph, runs) -> None:
        for item in runs:
            if item.footnote is not None:
                self.footnotes.add(paragraph, item.footnote.text)
                continue
            run = paragraph.add_run(item.text)
            run.bold = item.bold or None
            run.italic = item.italic or None
            if item.code:
                run.font.name = "Courier New"

    def blocks(self, blocks, heading_level: int = 3) -> None:
        for block in blocks:
            if block.kind == "heading":
                paragraph = _heading(self.document, "", min(9, heading_level + block.level - 1))
            elif block.kind == "bullet":
                paragraph = self.document.add_paragraph(
                    style=self.bullet if block.level == 1 else self.bullet_2
                )
            elif block.kind == "ordered":
                paragraph = self.document.add_paragraph(style=self.number_2)
            elif block.kind == "quote":
                paragraph = self.document.add_paragraph(style=self.quote)
            elif block.number is not None:
                paragraph = self.document.add_paragraph(style=self.numbered_style)
                self.numbered(paragraph)
            else:
                paragraph = self.document.add_paragraph()
            self.runs(paragraph, block.runs)


AFTER_UPDATE_FIELDS = {
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
}


def _toc(document) -> None:
    """A real Word table of contents field (headings 1 to 3), updated when Word opens the
    document (settings: updateFields)."""
    heading = _style(document, "TOC Heading")
    title = document.add_paragraph(style=heading)
    title.add_run(_("Contents")).bold = heading is None
    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    parts = (
        ("begin", None),
        (None, ' TOC \\o "1-3" \\h \\z \\u '),
        ("separate", None),
    )
    for kind, text in parts:
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                element.set(qn("w:dirty"), "true")
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(_("Right-click to update the table of contents."))
    end = paragraph.add_run()
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), "end")
    end._r.append(element)
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        # Word reads settings in the schema's order: updateFields goes before these.
        later = next(
            (child for child in settings if etree.QName(child).localname in AFTER_UPDATE_FIELDS),
            None,
        )
        if later is not None:
            later.addprevious(update)
        else:
            settings.append(update)


def _page_break_before(paragraph) -> None:
    paragraph.paragraph_format.page_break_before = True


def _paragraph_block(document, p: dict, writer: "Writer | None" = None) -> None:
    para = document.add_paragraph()
    para.add_run(_("Paragraph %(number)s") % {"number": p["number"]} + " ").bold = True
    if writer is not None and p.get("text_runs"):
        writer.runs(para, p["text_runs"])
    else:
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
        document.add_paragraph(measure["line"], style=_list_style(document))
        for item in measure.get("items") or []:
            document.add_paragraph(item["line"], style=_list_style(document, 2))


def _list_style(document, level: int = 1):
    return _style(document, "List Bullet" if level == 1 else "List Bullet 2")


def _summary_box(document, doc, front: dict, writer: Writer) -> None:
    """The boxed summary under the title: the edition's summary, the period, the mandate and
    the key figures beside the previous period's (and the previous edition's)."""
    a = doc.apparatus
    box = document.add_table(rows=1, cols=1)
    try:
        box.style = "Table Grid"
    except (KeyError, ValueError):
        pass
    cell = box.rows[0].cells[0]
    heading = cell.paragraphs[0]
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(pgettext("report document", "Summary")).bold = True
    for block in a.summary.blocks:
        writer.runs(cell.add_paragraph(), block.runs)
    cell.add_paragraph(front["period"])
    cell.add_paragraph(
        _("Prepared pursuant to paragraph 33 of General Assembly resolution %(symbol)s.")
        % {"symbol": front["resolution_number"]}
    )
    columns = [
        _("Figure"),
        _("Value"),
        a.previous_period,
    ]
    if a.previous_edition:
        columns.append(a.previous_edition)
    rows = [list(row[: len(columns)]) for row in a.key_figures]
    _table(document, columns, rows, title=_("Summary of key figures"))
    document.add_paragraph(
        _("Each figure is as at the end of its period; the methodology annex defines every figure.")
    )


def _annexes(document, doc) -> None:
    a = doc.apparatus
    heading = _heading(document, _("Annex: figures"), 1)
    _page_break_before(heading)
    for section in doc.sections:
        _heading(document, f"{section.code}. {section.heading}", 2)
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
            _caption(document, chart.title)
    heading = _heading(document, _("Annex: critical recommendations past due"), 1)
    _page_break_before(heading)
    table = a.critical_past_due
    if table is not None and table.rows:
        _table(document, table.columns, table.rows, title=table.title)
    else:
        document.add_paragraph(
            _(
                "No critical recommendation of an oversight body was past due at the end of "
                "the period."
            )
        )
    if doc.restatements:
        _page_break_before(_heading(document, _("Restatements"), 1))
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
    _page_break_before(_heading(document, _("Annex: methodology"), 1))
    _table(
        document,
        [_("Figure"), _("Definition"), _("Numerator"), _("Denominator"), _("Date rule")],
        [list(row) for row in doc.methodology],
    )


def _body(document, doc, front: dict) -> None:
    a = doc.apparatus
    writer = Writer(document)
    _summary_box(document, doc, front, writer)
    _toc(document)
    _page_break_before(_heading(document, f"{a.chapters[0]}. " + _("Introduction"), 1))
    writer.blocks(a.introduction.blocks)
    _heading(document, f"{a.chapters[1]}. {a.body_title}", 1)
    for part in a.parts:
        title = f"{part.letter}. {part.title}" if part.letter else part.title
        _heading(document, title, 2)
        writer.blocks(part.narrative.blocks)
        if part.paragraphs:
            _heading(
                document,
                _("The paragraphs of %(resolution)s and their implementation")
                % {"resolution": a.citation},
                3,
            )
            for p in part.paragraphs:
                _paragraph_block(document, p, writer)
    _heading(document, f"{a.chapters[2]}. " + _("Action requested of the General Assembly"), 1)
    writer.blocks(a.action.blocks)
    _annexes(document, doc)
    _heading(document, _("Change history anchor"), 1)
    document.add_paragraph(
        _(
            "When this report was compiled (%(generated)s), the tracker's tamper-evident change "
            "history held %(entries)s entries. The hash of the last entry was:"
        )
        % {"generated": doc.generated_at, "entries": doc.audit_entries}
    )
    document.add_paragraph(doc.audit_head)
    writer.footnotes.save()


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
    return docx_language.set_language(buffer.getvalue(), doc.language)


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
    for name, size in (("Heading 1", 12), ("Heading 2", 11), ("Heading 3", 10), ("Title", 16)):
        style = document.styles[name]
        style.font.name = "Times New Roman"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
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
    document.add_paragraph().add_run("{{agenda_item_title}}").bold = True
    document.add_paragraph("{{title}}", style="Title")
    report_of = document.add_paragraph()
    report_of.add_run("{{report_of}}").bold = True
    document.add_paragraph("{{period}}")
    document.add_paragraph(BODY)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
