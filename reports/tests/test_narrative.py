"""An edition's narrative: Markdown without raw HTML, footnotes resolved against the table of
United Nations documents, Chinese punctuation."""

import datetime

from reports import documents, narrative


def test_the_documents_table_knows_the_series_with_their_titles():
    table = documents.known()
    for symbol in (
        "A/RES/64/259",
        "A/64/640",
        "A/64/683",
        "A/66/692",
        "A/67/714",
        "A/68/697",
        "A/69/676",
        "A/71/729",
        "A/72/773",
        "A/73/688",
        "A/74/658",
        "A/75/686",
        "A/78/678",
    ):
        assert table[symbol].title_en, symbol
    assert table["A/64/640"].date == datetime.date(2010, 1, 29)
    assert table["A/RES/64/259"].date == datetime.date(2010, 3, 29)
    assert table["A/78/678"].title_en.startswith("Thirteenth progress report on accountability")
    assert documents.lookup(" a/64/640 ") == table["A/64/640"]


def test_an_unknown_document_is_a_problem_and_a_known_one_is_not():
    text = "Known.[^A/64/640] Unknown.[^A/99/999] Again.[^A/99/999]"
    assert narrative.problems(text) == [
        "Footnote [^A/99/999] cites a document the tracker does not know."
    ]
    assert narrative.problems("Known.[^A/75/686]") == []
    assert narrative.cited(text) == ["A/64/640", "A/99/999", "A/99/999"]


def test_raw_html_prints_as_text_and_no_script_link_is_made():
    apparatus = narrative.Apparatus("en")
    html = narrative.html(
        "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>", apparatus
    )
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and 'href="javascript' not in html


def test_paragraphs_and_footnotes_are_numbered_across_the_document():
    apparatus = narrative.Apparatus("en")
    first = narrative.html("One.[^A/64/640]\n\nTwo.\n\n- a list item, not numbered", apparatus)
    second = narrative.html("Three.[^A/66/692]", apparatus)
    assert '<span class="number">1.</span> One.' in first
    assert '<span class="number">2.</span> Two.' in first
    assert '<span class="number">3.</span> Three.' in second
    assert [n.number for n in apparatus.footnotes] == [1, 2]
    assert 'href="#fn-2"' in second
    # The Word blocks count alike from their own apparatus.
    blocks = narrative.blocks("One.\n\n**Two**, *three*.", narrative.Apparatus("en"))
    assert [b.number for b in blocks] == [1, 2]
    assert [(r.text, r.bold, r.italic) for r in blocks[1].runs][:2] == [
        ("Two", True, False),
        (", ", False, False),
    ]


def test_chinese_text_takes_chinese_punctuation():
    assert (
        narrative.zh_punctuation("执行率为61.5%.这是第二句,对吗?")
        == "执行率为61.5%。这是第二句，对吗？"
    )
    assert narrative.zh_punctuation("见A/64/640.") == "见A/64/640。"
    assert (
        narrative.zh_punctuation("大会第64/259号决议(2010年).") == "大会第64/259号决议（2010年）。"
    )
    apparatus = narrative.Apparatus("zh-hans")
    html = narrative.html("本报告说明情况.[^A/64/640]", apparatus)
    assert "本报告说明情况。" in html
    assert apparatus.footnotes[0].text == "A/64/640，《建立联合国秘书处问责制度》，2010年1月29日。"
    # A document without a Chinese title is cited by its symbol.
    assert documents.citation(documents.lookup("A/78/678"), "zh-hans") == "A/78/678。"
