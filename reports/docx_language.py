"""The language, and for Arabic the direction, of a Word rendering: every run says its language
(w:lang: the Latin, East Asian and complex-script slots Word checks spelling and picks fonts
by), and in Arabic every paragraph, run, table and section reads right to left (w:bidi,
w:rtl, w:bidiVisual), so Word lays the report out as an Arabic document, whatever template
it was made from."""

import io
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# The locale Word is told: the United Nations writes British English, and Simplified Chinese.
WORD_LOCALES = {
    "ar": "ar-SA",
    "zh": "zh-CN",
    "en": "en-GB",
    "fr": "fr-FR",
    "ru": "ru-RU",
    "es": "es-ES",
}
# The parts whose text a reader sees.
TEXT_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
HEADER_FOOTER = ("word/header", "word/footer")

# Children that come after the one inserted, in the schema's order (Word refuses a document
# whose children are out of order).
_AFTER_BIDI = (
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
    "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
_AFTER_RTL = "cs em lang eastAsianLayout specVanish oMath".split()
_AFTER_LANG = "eastAsianLayout specVanish oMath".split()
_AFTER_BIDI_VISUAL = (
    "tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing tblInd tblBorders shd "
    "tblLayout tblCellMar tblLook tblCaption tblDescription tblPrChange"
).split()
_AFTER_SECT_BIDI = "rtlGutter docGrid printerSettings sectPrChange".split()


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _child(parent, tag: str, after: list[str]):
    """The child `tag` of `parent`, inserted before the first of the children that follow it in
    the schema's order when it is missing."""
    found = parent.find(_w(tag))
    if found is not None:
        return found
    element = etree.Element(_w(tag))
    for index, existing in enumerate(parent):
        if etree.QName(existing).localname in after:
            parent.insert(index, element)
            return element
    parent.append(element)
    return element


def _properties(owner, tag: str):
    """The pPr / rPr / tblPr / sectPr of an element: always its first child."""
    found = owner.find(_w(tag))
    if found is None:
        found = etree.Element(_w(tag))
        owner.insert(0, found)
    return found


def _lang(r_pr, locale: str, code: str) -> None:
    lang = _child(r_pr, "lang", _AFTER_LANG)
    lang.set(_w("val"), locale if code not in ("ar", "zh") else WORD_LOCALES["en"])
    if code == "zh":
        lang.set(_w("eastAsia"), locale)
    if code == "ar":
        lang.set(_w("bidi"), locale)


def _mark(root, code: str) -> None:
    locale = WORD_LOCALES[code]
    rtl = code == "ar"
    for run in root.iter(_w("r")):
        r_pr = _properties(run, "rPr")
        if rtl:
            _child(r_pr, "rtl", _AFTER_RTL)
        _lang(r_pr, locale, code)
    if not rtl:
        return
    for paragraph in root.iter(_w("p")):
        _child(_properties(paragraph, "pPr"), "bidi", _AFTER_BIDI)
    for table in root.iter(_w("tbl")):
        table_pr = table.find(_w("tblPr"))
        if table_pr is not None:
            _child(table_pr, "bidiVisual", _AFTER_BIDI_VISUAL)
    for section in root.iter(_w("sectPr")):
        _child(section, "bidi", _AFTER_SECT_BIDI)


def _mark_styles(root, code: str) -> None:
    """The document's default run language (docDefaults), for text typed in later."""
    defaults = root.find(_w("docDefaults"))
    if defaults is None:
        defaults = etree.Element(_w("docDefaults"))
        root.insert(0, defaults)
    r_pr_default = _properties(defaults, "rPrDefault")
    r_pr = _properties(r_pr_default, "rPr")
    _lang(r_pr, WORD_LOCALES[code], code)
    if code == "ar":
        _child(r_pr, "rtl", _AFTER_RTL)


def set_language(content: bytes, language: str) -> bytes:
    """The .docx `content` with every run in `language` (ar, zh-hans, en, fr, ru, es) and, in
    Arabic, right to left."""
    from reports.un_style import base

    code = base(language)
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            name = info.filename
            if name in TEXT_PARTS or name.startswith(HEADER_FOOTER) or name == "word/styles.xml":
                root = etree.fromstring(data)  # noqa: S320 (our own rendering)
                if name == "word/styles.xml":
                    _mark_styles(root, code)
                else:
                    _mark(root, code)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, data)
    return out.getvalue()
