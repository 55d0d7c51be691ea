"""The four renderings of a report, each made from the snapshot alone."""

import base64
import hashlib
import logging
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.exports import xlsx_bytes
from reports import docx_builder, structure
from reports.gadoc import DocumentMeta, front_matter, language_name
from reports.layout import document, raw

CSS_TEMPLATE = "reports/document.css"

# The fonts come with the project's dependencies, so a PDF needs no system font: Noto Sans SC
# 2.004 (pylopdf-fonts-zh-cn, from notofonts/noto-cjk), Noto Sans for Latin and Cyrillic
# (fontpkg-noto-sans: the variable font of google/fonts) and Amiri for Arabic (fontpkg-amiri), all
# under the SIL Open Font License 1.1. Amiri rather than Noto Sans Arabic: Noto draws a letter as
# a dotless body plus its dots, and text extracted from the PDF then falls apart letter by letter
# (pdftotext); Amiri's letters are whole glyphs and come out as words. document.css names these
# families; only the PDF renderer gets the @font-face rules, so the stored HTML names no path on
# the machine that compiled it. WeasyPrint shapes Arabic (joining, ligatures, right to left) with
# HarfBuzz.
CJK_FONT_FAMILY = "Noto Sans SC"
LATIN_FONT_FAMILY = "Noto Sans"
ARABIC_FONT_FAMILY = "Amiri"


def _checked(path) -> Path:
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"a report font is missing: {path} (reinstall the project)")
    return path


@cache
def cjk_font_path() -> Path:
    import pylopdf_fonts_zh_cn

    return _checked(pylopdf_fonts_zh_cn.sans_path())


@cache
def font_faces() -> tuple[tuple[str, str, Path], ...]:
    """(family, weight, font file) of every face the PDF renderer may embed."""
    import fontpkg_amiri
    import fontpkg_noto_sans

    amiri = fontpkg_amiri.ROOT / "files"
    return (
        (
            LATIN_FONT_FAMILY,
            "normal",
            _checked(fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"),
        ),
        (ARABIC_FONT_FAMILY, "normal", _checked(amiri / "Amiri-Regular.ttf")),
        (ARABIC_FONT_FAMILY, "bold", _checked(amiri / "Amiri-Bold.ttf")),
        (CJK_FONT_FAMILY, "normal", cjk_font_path()),
    )


def font_face_css() -> str:
    rules = []
    for family, weight, path in font_faces():
        kind = "opentype" if path.suffix.lower() == ".otf" else "truetype"
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f'src: url("{path.as_uri()}") format("{kind}"); }}'
        )
    return "\n".join(rules)


# The PDF prints each footnote at the foot of its page (WeasyPrint's float: footnote numbers
# them with the counter the HTML's calls were numbered with, in the same order); a browser shows
# the calls and the list of notes instead. Given to the PDF renderer only, like the font.
PDF_FOOTNOTES_CSS = """
sup.fn-call, .notes-list { display: none !important; }
.fn-inline { display: inline !important; float: footnote !important; font-size: 8pt;
  line-height: 1.3; font-weight: normal; font-style: normal; text-align: start;
  text-indent: 0; }
::footnote-call { content: counter(footnote); vertical-align: super; font-size: 65%;
  line-height: 0; }
::footnote-marker { content: counter(footnote) "  "; }
@page { @footnote { border-top: .5pt solid #1b1f24; padding-top: 3pt; max-height: 40%; } }
"""


def report_css() -> str:
    return render_to_string(CSS_TEMPLATE)


def style_hash(html_bytes: bytes) -> str:
    """The CSP source that lets a browser apply a rendered report's own stylesheet, and nothing
    else."""
    text = html_bytes.decode("utf-8")
    start, end = text.find("<style>"), text.find("</style>")
    css = text[start + len("<style>") : end] if start >= 0 and end > start else ""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def html(snapshot: dict, meta: DocumentMeta | None = None) -> bytes:
    doc = document(snapshot, meta)
    with translation.override(doc.language):
        text = render_to_string(
            "reports/document.html",
            {"doc": doc, "front": front_matter(snapshot, meta), "css": report_css()},
        )
    return text.encode("utf-8")


def _url_fetcher():
    """A fetcher for WeasyPrint that reads the shipped fonts and data: URLs (the charts), and
    refuses every other URL: nothing in a report's text can make the renderer load a file or
    reach the network."""
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    fonts = {path.as_uri(): path for _family, _weight, path in font_faces()}

    class ReportFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url in fonts:
                return URLFetcherResponse(url, fonts[url].read_bytes())
            raise ValueError(f"a report fetches no URL but its charts and its fonts: {url}")

    return ReportFetcher(allowed_protocols={"data", "file"})


def pdf(html_bytes: bytes) -> bytes:
    # WeasyPrint narrates every step at INFO (from its import on); a worker's log needs only
    # its problems.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _url_fetcher()
    font_config = FontConfiguration()
    fonts = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher)
    footnotes = CSS(string=PDF_FOOTNOTES_CSS, font_config=font_config, url_fetcher=fetcher)
    document = HTML(
        string=html_bytes.decode("utf-8"),
        base_url=str(Path(__file__).parent),
        url_fetcher=fetcher,
    )
    return document.write_pdf(stylesheets=[fonts, footnotes], font_config=font_config)


def docx(snapshot: dict, template: bytes | None = None, meta: DocumentMeta | None = None) -> bytes:
    return docx_builder.build(document(snapshot, meta), front_matter(snapshot, meta), template)


def _paragraph_rows(doc) -> list[list]:
    rows = []
    for section in doc.sections:
        for p in section.paragraphs:
            assessment = p.get("assessment") or {}
            rows.append(
                [
                    section.code,
                    p["number"],
                    p.get("verdict_label", ""),
                    assessment.get("unit", ""),
                    assessment.get("accepted_on", ""),
                    assessment.get("justification", ""),
                    p["status_label"],
                    p["measure_count"],
                    p["text"],
                ]
            )
    return rows


def _measure_rows(doc) -> list[list]:
    rows = []
    paragraphs = list(doc.preliminary) + [p for s in doc.sections for p in s.paragraphs]
    for p in paragraphs:
        for measure in p["measures"]:
            items = measure.get("items") or [{}]
            for item in items:
                rows.append(
                    [
                        p["number"],
                        measure.get("label", measure.get("kind", "")),
                        measure.get("count"),
                        # a record's id; an aggregate's key (a code) is no record
                        item.get("id") if isinstance(item.get("id"), int) else None,
                        item.get("title"),
                        item.get("status"),
                        item.get("date"),
                    ]
                )
    return rows


def _figure_rows(snapshot: dict) -> list[list]:
    rows = []

    def walk(code, path, value, labels):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(code, path + [key], item, labels)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                walk(code, path + [str(index)], item, labels)
        else:
            label = " – ".join(labels.get(part, part) for part in path)
            # Codes read as their labels here too; amounts stay numbers.
            rows.append([code, ".".join(path), label, raw(path[-1], value)])

    for section in snapshot["sections"]:
        for key in section.get("key_order", []):
            if key in section["metrics"]:
                walk(section["code"], [key], section["metrics"][key], section.get("labels", {}))
    return rows


def xlsx(snapshot: dict, meta: DocumentMeta | None = None) -> bytes:
    doc = document(snapshot, meta)
    front = front_matter(snapshot, meta)
    with translation.override(doc.language):
        sheets = [
            (
                _("Report"),
                [_("Item"), _("Value")],
                [
                    [_("Reference"), front["symbol"]],
                    [_("Title"), doc.title],
                    [_("Period start"), doc.period_start],
                    [_("Period end"), doc.period_end],
                    [_("Compiled at"), doc.generated_at],
                    [_("Change history entries"), doc.audit_entries],
                    [_("Change history head SHA-256"), doc.audit_head],
                ]
                + [[label, value] for label, value, _previous in doc.headline],
            )
        ]
        sheets.append(
            (
                _("Previous period"),
                [
                    _("Figure"),
                    _("Value"),
                    _("Previous period (%(start)s to %(end)s)")
                    % {"start": doc.previous_start, "end": doc.previous_end},
                ],
                [list(row) for row in doc.headline],
            )
        )
        for section in doc.sections:
            rows: list[list] = [[section.heading, ""]]
            for p in section.paragraphs:
                rows.append(
                    [
                        _("Paragraph %(number)s") % {"number": p["number"]},
                        p.get("verdict_label") or p["status_label"],
                    ]
                )
            if not section.has_data:
                rows.append([_("No data recorded for this section in the period."), ""])
            rows.extend([label, value] for label, _display, value in section.facts)
            for table in section.tables:
                rows.append(["", ""])
                rows.append([table.title] + [""] * (len(table.columns) - 1))
                rows.append(table.columns)
                rows.extend(table.raw_rows)
            sheets.append(
                (_("Section %(code)s") % {"code": section.code}, [_("Figure"), _("Value")], rows)
            )
        sheets.append(
            (
                _("Paragraphs"),
                [
                    _("Section"),
                    _("Paragraph"),
                    _("Assessment"),
                    _("Accountable office"),
                    _("Accepted on"),
                    _("Justification"),
                    _("Measures recorded"),
                    _("Measures"),
                    _("Text"),
                ],
                _paragraph_rows(doc),
            )
        )
        sheets.append(
            (
                _("Measures"),
                [
                    _("Paragraph"),
                    _("Measure"),
                    _("Count"),
                    _("Record"),
                    _("Title"),
                    _("Status"),
                    _("Date"),
                ],
                _measure_rows(doc),
            )
        )
        sheets.append(
            (
                _("Methodology"),
                [_("Figure"), _("Definition"), _("Numerator"), _("Denominator"), _("Date rule")],
                [list(row) for row in doc.methodology],
            )
        )
        if doc.restatements:
            sheets.append(
                (
                    _("Restatements"),
                    [_("Changed on"), _("Record"), _("Change"), _("Record date"), _("Fields")],
                    [list(row) for row in doc.restatements],
                )
            )
        sheets.append(
            (
                _("Figures"),
                [_("Section"), _("Key"), _("Figure"), _("Value")],
                _figure_rows(snapshot),
            )
        )
        narrative = _narrative_rows(meta, doc.language)
        if narrative:
            sheets.insert(
                1,
                (
                    pgettext("report sheet", "Narrative"),
                    [_("Section"), _("Language"), _("Text")],
                    narrative,
                ),
            )
    content = xlsx_bytes(sheets)
    return _right_to_left(content) if doc.rtl else content


def _narrative_rows(meta: DocumentMeta | None, language: str) -> list[list[str]]:
    """An edition's text as it was issued, part by part (figure references filled, Markdown as
    written): the summary, each part of its structure, the action requested. A run has none."""
    if meta is None or not meta.is_edition:
        return []
    name = language_name(language)
    rows = [[pgettext("report document", "Summary"), name, meta.summary]]
    for key, title in structure.sections(meta.structure, language):
        rows.append([title, name, (meta.narrative or {}).get(key, "")])
    rows.append([_("Action requested of the General Assembly"), name, meta.action_requested])
    return [row for row in rows if (row[2] or "").strip()]


def _right_to_left(content: bytes) -> bytes:
    """An XLSX whose every sheet reads right to left (Excel's sheetView rightToLeft, as openpyxl's
    sheet_view.rightToLeft writes it): column A at the right, as an Arabic reader expects."""
    import io
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet") and info.filename.endswith(".xml"):
                text = data.decode("utf-8")
                if "<sheetView " in text or "<sheetView>" in text:
                    text = re.sub(
                        r"<sheetView(?=[\s>/])(?![^>]*rightToLeft)",
                        '<sheetView rightToLeft="1"',
                        text,
                        count=1,
                    )
                else:
                    text = re.sub(
                        r"(<worksheet[^>]*>(?:<sheetPr.*?</sheetPr>|<sheetPr[^>]*/>)?(?:<dimension[^>]*/>)?)",
                        r'\1<sheetViews><sheetView rightToLeft="1" workbookViewId="0"/></sheetViews>',
                        text,
                        count=1,
                        flags=re.DOTALL,
                    )
                data = text.encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()
