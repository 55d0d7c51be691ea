"""An edition's narrative: Markdown (paragraphs, lists, emphasis, headings, quotations) with
footnotes that cite United Nations documents (`[^A/64/640]`), rendered for the HTML and PDF
renderings and, as blocks of runs, for the Word one. Raw HTML is never passed through: it
prints as the text it is.

The body's paragraphs are numbered across the whole document (1, 2, 3 ... as in every report
of the Secretary-General) and footnotes across the whole document too: one `Apparatus` holds
both counters for one rendering.
"""

import re
from dataclasses import dataclass, field
from functools import cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from reports import documents

FOOTNOTE = "un_footnote"


@dataclass
class Footnote:
    number: int
    symbol: str
    text: str


@dataclass
class Apparatus:
    """The counters one rendering shares: the body's numbered paragraphs and its footnotes."""

    language: str = "en"
    paragraphs: int = 0
    footnotes: list[Footnote] = field(default_factory=list)

    def next_paragraph(self) -> int:
        self.paragraphs += 1
        return self.paragraphs

    def cite(self, symbol: str) -> Footnote:
        document = documents.lookup(symbol)
        if document is None:
            text = _("Unknown document %(symbol)s.") % {"symbol": symbol}
            if self.language.startswith("zh"):
                text = zh_punctuation(text)
        else:
            text = documents.citation(document, self.language)
        note = Footnote(len(self.footnotes) + 1, documents.normalise(symbol), text)
        self.footnotes.append(note)
        return note


def _footnote_rule(state, silent: bool) -> bool:
    """`[^A/64/640]`: a footnote citing a document, by its symbol."""
    src, start = state.src, state.pos
    if not src.startswith("[^", start):
        return False
    end = src.find("]", start + 2)
    label = src[start + 2 : end].strip() if end > 0 else ""
    if not label or "\n" in label or "[" in label:
        return False
    if not silent:
        token = state.push(FOOTNOTE, "", 0)
        token.meta = {"symbol": label}
    state.pos = end + 1
    return True


@cache
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_block", "html_inline"])
    md.inline.ruler.before("link", FOOTNOTE, _footnote_rule)
    return md


def cited(text: str) -> list[str]:
    """The symbols the text cites, in order."""
    found = []
    for token in parser().parse(text or ""):
        for child in token.children or []:
            if child.type == FOOTNOTE:
                found.append(child.meta["symbol"])
    return found


def problems(text: str) -> list[str]:
    """What stops the text from being issued: a footnote citing a document the tracker does
    not know (reports/data/un_documents.json)."""
    return [
        _("Footnote [^%(symbol)s] cites a document the tracker does not know.") % {"symbol": symbol}
        for symbol in dict.fromkeys(cited(text))
        if documents.lookup(symbol) is None
    ]


# ---- Chinese punctuation --------------------------------------------------------------------

_CJK = r"[\u3400-\u9fff\uff08\uff09\u300a\u300b\u201c\u201d]"
_ZH_MARKS = {".": "。", ",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


def zh_punctuation(text: str) -> str:
    """Chinese UN style: full-width marks in Chinese text, never an ASCII one (a full stop
    ending a Chinese sentence is 。). A mark is Chinese when Chinese text precedes or follows
    it, or when it ends the text; marks inside numbers and symbols (64/259, 61.5, A/64/640)
    stay as they are."""
    text = re.sub(
        rf"(?<=\S)([.,;:?!])(?=\s*(?:$|{_CJK}))|(?<={_CJK})([.,;:?!])(?=\s|[\"“”])",
        lambda m: _ZH_MARKS[m.group(1) or m.group(2)],
        text,
    )
    text = re.sub(rf"(?<=[\u3000-\u303f\uff00-\uffef]|{_CJK})\s+(?={_CJK})", "", text)
    text = re.sub(rf"\(([^()]*{_CJK}[^()]*)\)", "（\\1）", text)
    return text


# ---- HTML ------------------------------------------------------------------------------------


def _render_html(text: str, apparatus: Apparatus, numbered: bool) -> str:
    md = parser()
    zh = apparatus.language.startswith("zh")
    tokens = md.parse(text or "")
    out: list[str] = []
    for token in tokens:
        if token.type == "paragraph_open" and token.level == 0 and numbered:
            number = apparatus.next_paragraph()
            out.append(f'<p class="numbered"><span class="number">{number}.</span> ')
        elif token.type == "heading_open":
            level = min(6, int(token.tag[1]) + 2)
            out.append(f'<h{level} class="narrative-heading">')
        elif token.type == "heading_close":
            level = min(6, int(token.tag[1]) + 2)
            out.append(f"</h{level}>\n")
        elif token.type == "inline":
            out.append(_inline_html(token.children or [], apparatus, zh))
        else:
            out.append(md.renderer.render([token], md.options, {}))
    return "".join(out)


def _inline_html(children, apparatus: Apparatus, zh: bool) -> str:
    md = parser()
    parts = []
    for child in children:
        if child.type == FOOTNOTE:
            note = apparatus.cite(child.meta["symbol"])
            parts.append(footnote_html(note))
        elif child.type == "text":
            parts.append(escape(zh_punctuation(child.content) if zh else child.content))
        elif child.type == "softbreak" and zh:
            continue  # Chinese lines join without a space
        else:
            parts.append(md.renderer.render([child], md.options, {}))
    return "".join(parts)


def footnote_html(note: Footnote) -> str:
    # The call and list serve a browser; the PDF renderer floats the inline text to the foot of
    # its page (document.css, @media print) and numbers it with the same counter.
    return (
        f'<sup class="fn-call" id="fnref-{note.number}"><a href="#fn-{note.number}">'
        f"{note.number}</a></sup>"
        f'<span class="fn-inline">{escape(note.text)}</span>'
    )


def html(text: str, apparatus: Apparatus, numbered: bool = True) -> SafeString:
    """The text as HTML: top-level paragraphs numbered from the apparatus (unless `numbered` is
    false: the summary box and the quoted resolution are not the body), headings below the
    section's, footnotes resolved."""
    return mark_safe(_render_html(text, apparatus, numbered))  # noqa: S308 - escaped above


# ---- Word ------------------------------------------------------------------------------------


@dataclass
class Run:
    text: str = ""
    bold: bool = False
    italic: bool = False
    code: bool = False
    footnote: Footnote | None = None


@dataclass
class Block:
    """One paragraph of the narrative as Word writes it."""

    kind: str  # "paragraph", "heading", "bullet", "ordered", "quote", "code"
    runs: list[Run]
    level: int = 0  # a heading's level below the section's, or a list's depth
    number: int | None = None  # the body's paragraph number


def blocks(text: str, apparatus: Apparatus, numbered: bool = True) -> list[Block]:
    zh = apparatus.language.startswith("zh")
    out: list[Block] = []
    lists: list[str] = []
    quotes = 0
    heading = 0
    top_paragraph = False
    for token in parser().parse(text or ""):
        kind = token.type
        if kind == "bullet_list_open":
            lists.append("bullet")
        elif kind == "ordered_list_open":
            lists.append("ordered")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
        elif kind == "heading_open":
            heading = int(token.tag[1])
        elif kind == "paragraph_open":
            top_paragraph = token.level == 0
        elif kind in ("fence", "code_block"):
            out.append(Block("code", [Run(token.content.rstrip("\n"), code=True)]))
        elif kind == "inline":
            runs = _runs(token.children or [], apparatus, zh)
            if heading:
                out.append(Block("heading", runs, level=heading))
                heading = 0
            elif lists:
                out.append(Block(lists[-1], runs, level=len(lists)))
            elif quotes:
                out.append(Block("quote", runs))
            else:
                number = apparatus.next_paragraph() if numbered and top_paragraph else None
                out.append(Block("paragraph", runs, number=number))
    return out


def _runs(children, apparatus: Apparatus, zh: bool) -> list[Run]:
    runs: list[Run] = []
    bold = italic = False
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "text" and child.content:
            content = zh_punctuation(child.content) if zh else child.content
            runs.append(Run(content, bold=bold, italic=italic))
        elif kind == "code_inline":
            runs.append(Run(child.content, code=True))
        elif kind == "softbreak":
            runs.append(Run("" if zh else " "))
        elif kind == "hardbreak":
            runs.append(Run("\n"))
        elif kind == FOOTNOTE:
            runs.append(Run(footnote=apparatus.cite(child.meta["symbol"])))
    return runs
