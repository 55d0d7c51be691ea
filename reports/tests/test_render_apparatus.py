"""The document apparatus of a report of the Secretary-General (issue 16) in every rendering, on
the small real world of reports/tests/world.py: an edition's narrative with numbered paragraphs
and resolved footnotes, the summary box, the two structures, the action requested, the annexes,
the previous edition's key figures; and a run's printing (no symbol, the title once)."""

import io
import json
import os
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from reports import render
from reports.gadoc import DocumentMeta

pytestmark = pytest.mark.django_db

NARRATIVE_EN = {
    "introduction": (
        "The present report is the first issued from the tracker.[^A/64/640]\n\n"
        "It builds on the earlier progress reports.[^A/78/678]"
    ),
    "oversight": "The implementation rate of OIOS recommendations was **25.0** per cent.",
    "C": "Of the recommendations of OIOS, *one* was implemented.",
}
NARRATIVE_ZH = {
    "introduction": "本报告是追踪系统印发的第一份报告.[^A/64/640]\n\n报告以此前的进度报告为基础,说明执行情况.",
    "oversight": "监督厅建议的执行率为25.0%.",
}


def edition_meta(language: str, structure: str, previous=None) -> DocumentMeta:
    zh = language.startswith("zh")
    return DocumentMeta(
        symbol="A/81/123",
        session="81",
        agenda_item="136",
        agenda_item_title="Review of the efficiency of the administrative and financial "
        "functioning of the United Nations",
        structure=structure,
        narrative=NARRATIVE_ZH if zh else NARRATIVE_EN,
        summary="本报告说明执行情况." if zh else "The present report describes progress.",
        action_requested=(
            "请大会注意到本报告."
            if zh
            else "The General Assembly is requested to take note of the present report."
        ),
        previous_snapshot=previous,
    )


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<style.*?</style>|<[^>]+>", " ", html.decode(), flags=re.S))


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _dump(name: str, content: bytes) -> None:
    folder = os.environ.get("REPORT_DUMP_DIR")
    if folder:
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(content)


def test_dump_for_inspection(real_snapshots):
    if not os.environ.get("REPORT_DUMP_DIR"):
        pytest.skip("set REPORT_DUMP_DIR to write the renderings")
    for language in ("en", "zh-hans"):
        snap = real_snapshots[language]
        _dump(f"snapshot-{language}.json", json.dumps(snap).encode())
        if os.environ.get("REPORT_DUMP_SNAPSHOTS_ONLY"):
            continue
        for structure in ("resolution", "components"):
            meta = edition_meta(language, structure, previous=snap)
            html = render.html(snap, meta)
            _dump(f"edition-{language}-{structure}.html", html)
            _dump(f"edition-{language}-{structure}.pdf", render.pdf(html))
            _dump(f"edition-{language}-{structure}.docx", render.docx(snap, None, meta))
        run = render.html(snap, DocumentMeta(agenda_item="Item 136"))
        _dump(f"run-{language}.html", run)
        _dump(f"run-{language}.pdf", render.pdf(run))
        _dump(f"run-{language}.docx", render.docx(snap, None, DocumentMeta()))


def _body_text(html: bytes) -> str:
    """The document's text without its <head> (the page title repeats the document's)."""
    return _text(html.split(b"</head>", 1)[1])


def _section(html: str, anchor: str) -> str:
    start = html.index(f'<section id="{anchor}"')
    return html[start : html.index("</section>", start)]


def test_an_edition_reads_as_a_report_of_the_secretary_general(real_snapshots):
    snap = real_snapshots["en"]
    html = render.html(snap, edition_meta("en", "components", previous=snap)).decode()
    text = _body_text(html.encode())
    # Masthead: the symbol as entered, the session, the agenda item and its title; title once.
    assert "A/81/123" in _section_text(html, "masthead")
    assert "Eighty-first session" in text and "Agenda item 136" in text
    assert "Review of the efficiency of the administrative and financial functioning" in text
    assert text.count("Progress towards an accountability system in the United Nations") == 1
    assert text.count("Report of the Secretary-General") == 1
    # The summary box, the body's numbered paragraphs (the introduction's two, then on), the
    # action requested.
    summary = _section(html, "summary")
    assert "The present report describes progress." in summary
    assert '<span class="number">1.</span> The present report is the first' in html
    assert '<span class="number">2.</span> It builds on the earlier' in html
    action = _section(html, "action")
    assert "III. Action requested of the General Assembly" in action
    assert re.search(r'<span class="number">\d+\.</span> The General Assembly is requested', action)
    # Footnotes resolved against the documents table: the narrative's and the resolution's own
    # ([1] and [2] in paragraphs 1 and 2 are A/64/640 and A/64/683); no marker left.
    notes = _section(html, "notes")
    assert (
        "A/64/640, “Towards an accountability system in the United Nations Secretariat”, 29 January 2010."
        in notes
    )
    assert "A/78/678, “Thirteenth progress report on accountability" in notes
    assert "A/64/683, “Towards an accountability system" in notes
    assert not re.search(r"\[\d\]", text) and "[^" not in text
    # The six components, each paragraph of 64/259 once, under the component it serves.
    for key, numbers in (("oversight", [4, 12]), ("internal_control", [21, 30, 31])):
        part = _section(html, f"component-{key}")
        found = [int(n) for n in re.findall(r"Paragraph (\d+)</span>", part)]
        assert found == numbers
    assert sorted(int(n) for n in re.findall(r"Paragraph (\d+)</span>", html)) == list(range(1, 34))
    assert "The implementation rate of OIOS recommendations was <strong>25.0</strong>" in html
    # Annexes: the figures, the critical recommendations past due, the methodology.
    for heading in (
        "Annex: figures",
        "Annex: critical recommendations past due",
        "Annex: methodology",
    ):
        assert f"<h2>{heading}</h2>" in html


def _section_text(html: str, tag: str) -> str:
    start = html.index(f'<header class="{tag}"')
    return html[start : html.index("</header>", start)]


def test_the_figures_are_the_snapshots_with_the_previous_editions_beside_them(real_snapshots):
    from reports.layout import display, document

    snap = real_snapshots["en"]
    previous = json.loads(json.dumps(snap))
    for item in previous["headline"]:
        if item["key"] == "decisions_logged":
            item["value"] = 1  # the previous edition counted one decision
    doc = document(snap, edition_meta("en", "resolution", previous=previous))
    rows = {
        label: (value, before, edition)
        for label, value, before, edition in doc.apparatus.key_figures
    }
    for item in snap["headline"]:
        value, before, _edition = rows[item["label"]]
        assert value == display(item["key"], item["value"])
        assert before == display(item["key"], item.get("previous"))
    decisions = next(h for h in snap["headline"] if h["key"] == "decisions_logged")
    assert rows[decisions["label"]][0] == "3" and rows[decisions["label"]][2] == "1"
    assert doc.apparatus.previous_edition == (
        "Previous edition (1 January 2025 to 31 December 2025)"
    )
    # Critical recommendations past due on 31 December 2025 (world.py): o1 by 184 days and o4
    # by 31 days, in the annex of their own and not twice among section C's tables.
    critical = doc.apparatus.critical_past_due
    section_c = next(s for s in snap["sections"] if s["code"] == "C")
    assert len(critical.rows) == len(section_c["metrics"]["critical_past_due"]) == 2
    days = sorted(i["days_past_due"] for i in section_c["metrics"]["critical_past_due"])
    assert days == [31, 184]
    assert all(any(str(d) in row for row in critical.rows) for d in days)
    view_c = next(s for s in doc.sections if s.code == "C")
    assert all(t.title != critical.title for t in view_c.tables)
    # The resolution structure: general provisions, then sections A to K and R, each with its
    # paragraphs (12 under C).
    parts = doc.apparatus.parts
    assert [p.key for p in parts] == ["preliminary", *[s["code"] for s in snap["sections"]]]
    assert [p["number"] for p in parts[0].paragraphs] == list(range(1, 8))
    assert [p["number"] for p in next(p for p in parts if p.key == "C").paragraphs] == [12]


def test_a_run_prints_no_symbol_and_its_title_once(real_snapshots):
    from types import SimpleNamespace

    run = SimpleNamespace(title="", agenda_item="", symbol="A/81/R.5")
    meta = DocumentMeta.of(run)
    html = render.html(real_snapshots["en"], meta)
    text = _body_text(html)
    assert "R.5" not in html.decode() and "A/81/" not in text
    assert text.count("Progress towards an accountability system in the United Nations") == 1
    assert text.count("Report of the Secretary-General") == 1
    # A run has the apparatus too: a numbered introduction citing the resolution in a footnote,
    # and the customary action requested.
    assert (
        "The present report is submitted pursuant to paragraph 33 of General Assembly resolution 64/259"
        in text
    )
    assert "The General Assembly is requested to take note of the present report." in text
    assert (
        "A/RES/64/259, “Towards an accountability system in the United Nations Secretariat”, 29 March 2010."
        in text
    )
    docx = Document(io.BytesIO(render.docx(real_snapshots["en"], None, meta)))
    header = " ".join(p.text for p in docx.sections[0].header.paragraphs)
    assert "R.5" not in header and "{{" not in header


def _docx_xml(content: bytes, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read(part).decode()


def test_word_has_a_toc_field_real_numbering_footnotes_and_editors_styles(real_snapshots):
    from reports.layout import document

    snap = real_snapshots["en"]
    meta = edition_meta("en", "components", previous=snap)
    content = render.docx(snap, None, meta)
    xml = _docx_xml(content)
    assert 'TOC \\o "1-3" \\h \\z \\u' in xml and 'w:fldCharType="begin"' in xml
    assert "<w:updateFields" in _docx_xml(content, "word/settings.xml")
    word = Document(io.BytesIO(content))
    used = {p.style.name for p in word.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Heading 3", "List Number", "Caption"} <= used
    assert {"Normal", "List Bullet", "TOC Heading"} <= used
    # Numbered paragraphs: Word numbering (numPr) on the report's own list, "%1." from 1.
    numbered = [p for p in word.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    doc = document(snap, meta)
    html = render.html(snap, meta).decode()
    assert len(numbered) == html.count('<span class="number">') >= 4
    assert numbered[0].text == "The present report is the first issued from the tracker."
    assert len({p._p.pPr.numPr.numId.val for p in numbered}) == 1
    numbering = _docx_xml(content, "word/numbering.xml")
    assert 'w:abstractNumId="4259"' in numbering and 'w:val="%1."' in numbering
    # Footnotes are Word's: one reference in the text per note, the same notes as the HTML's.
    notes = _docx_xml(content, "word/footnotes.xml")
    assert xml.count("<w:footnoteReference") == len(doc.apparatus.footnotes_docx) >= 4
    assert [n.text for n in doc.apparatus.footnotes_docx] == [
        n.text for n in doc.apparatus.footnotes_html
    ]
    assert "29 January 2010" in notes and "A/64/683" in notes
    # Tables repeat their header row on each page.
    tables = word.tables
    assert len(tables) > 5
    assert all(
        t.rows[0]._tr.trPr is not None and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        for t in tables[2:]
    )


def test_an_uploaded_template_still_controls_the_look(real_snapshots):
    template = Document()
    template.styles["Normal"].font.name = "Garamond"
    template.styles["Heading 1"].font.size = Pt(20)
    template.add_paragraph("MINISTRY LETTERHEAD {{symbol}} {{agenda_item_title}}")
    template.add_paragraph("{{body}}")
    template.add_paragraph("END OF DOCUMENT")
    buffer = io.BytesIO()
    template.save(buffer)
    snap = real_snapshots["en"]
    content = render.docx(snap, buffer.getvalue(), edition_meta("en", "resolution"))
    word = Document(io.BytesIO(content))
    texts = [p.text for p in word.paragraphs]
    assert texts[0].startswith("MINISTRY LETTERHEAD A/81/123 Review of the efficiency")
    assert texts[-1] == "END OF DOCUMENT"
    assert word.styles["Normal"].font.name == "Garamond"
    assert word.styles["Heading 1"].font.size == Pt(20)
    assert "<w:footnoteReference" in _docx_xml(content)


def test_the_chinese_edition_follows_chinese_un_document_style(real_snapshots):
    snap = real_snapshots["zh-hans"]
    meta = edition_meta("zh-hans", "components", previous=snap)
    html = render.html(snap, meta).decode()
    text = _body_text(html.encode())
    assert "大会第64/259号决议" in text and "第A/RES/64/259号决议" not in text
    assert "根据大会第64/259号决议第33段编写。" in text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", _section_text(html, "masthead"))
    assert "第八十一届会议" in text
    # The author typed ASCII marks; the document prints Chinese ones.
    assert "本报告是追踪系统印发的第一份报告。" in text
    assert "报告以此前的进度报告为基础，说明执行情况。" in text
    assert "监督厅建议的执行率为25.0%。" in text
    # (a chapter's number, 一. 二. 三., is no sentence)
    assert not re.search(r"[\u4e00-\u9fff]{2}[.,;:](\s|$)", text)
    assert "A/64/640，《建立联合国秘书处问责制度》，2010年1月29日。" in html
    # The title once, in Chinese; the periods of the key figures in Chinese dates.
    assert text.count("在联合国秘书处实行问责制度的进展情况") == 1 and "秘书长的报告" in text
    assert "（2024年1月1日至2024年12月31日）" in _section(html, "summary")
    word = _docx_xml(render.docx(snap, None, meta))
    assert "大会第64/259号决议" in word and "本报告是追踪系统印发的第一份报告。" in word
    assert not re.search(r"[\u4e00-\u9fff][.,;:]<", word)


def test_the_pdfs_carry_the_apparatus(real_snapshots):
    en = real_snapshots["en"]
    html = render.html(en, edition_meta("en", "components", previous=en))
    text = _pdf_text(render.pdf(html))
    first = text.split("\n")
    assert "A/81/123" in text and "Agenda item 136" in text
    assert "Summary" in first[:60] or "Summary" in text[:3000]
    # The footnote prints at the foot of its page, as the documents table gives it.
    assert "29 January 2010" in text
    assert "Action requested of the General Assembly" in text
    assert text.count("Progress towards an accountability system in the United Nations") >= 1
    zh = real_snapshots["zh-hans"]
    zh_text = "".join(
        _pdf_text(render.pdf(render.html(zh, edition_meta("zh-hans", "resolution")))).split()
    )
    assert "大会第64/259号决议" in zh_text and "本报告是追踪系统印发的第一份报告。" in zh_text
