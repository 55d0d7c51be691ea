"""The United Nations documents the tracker knows, which a report's narrative cites in its
footnotes (reports/data/un_documents.json): the resolution, the Secretary-General's reports of
the series and the related reports of the Advisory Committee."""

import datetime
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "un_documents.json"
# A document symbol as the footnotes cite it: A/64/640, A/RES/64/259, A/73/688/Corr.1
SYMBOL = re.compile(r"^[A-Z]+(/[A-Za-z0-9.\-]+)+$")


@dataclass(frozen=True)
class UNDocument:
    """One document of the United Nations a report may cite."""

    symbol: str
    kind: str
    title_en: str
    title_zh: str
    date: datetime.date | None

    def title(self, language: str) -> str:
        if language.startswith("zh") and self.title_zh:
            return self.title_zh
        return self.title_en


@cache
def _table() -> dict[str, UNDocument]:
    with open(DATA_FILE, encoding="utf-8") as handle:
        rows = json.load(handle)["documents"]
    return {
        row["symbol"]: UNDocument(
            symbol=row["symbol"],
            kind=row["kind"],
            title_en=row["title_en"],
            title_zh=row.get("title_zh") or "",
            date=datetime.date.fromisoformat(row["date"]) if row.get("date") else None,
        )
        for row in rows
    }


def normalise(symbol: str) -> str:
    return re.sub(r"\s+", "", symbol or "").upper().replace("/CORR.", "/Corr.")


def known() -> dict[str, UNDocument]:
    return dict(_table())


def lookup(symbol: str) -> UNDocument | None:
    """The document a footnote cites, or None when the tracker does not know it (an error the
    narrative's problems() list before approval)."""
    return _table().get(normalise(symbol))


def citation(document: UNDocument, language: str) -> str:
    """The footnote's text: the symbol, the title and, when known, the date, in the style of
    the language (Chinese: full-width punctuation and 2010年1月29日; French and Russian
    guillemets). A title the tracker has only in English is cited in English."""
    from reports.gadoc import date_label

    title = document.title(language)
    if language.startswith("zh"):
        # A document without a Chinese title is cited by its symbol alone.
        text = f"{document.symbol}，《{title}》" if document.title_zh else document.symbol
        if document.date:
            text += f"，{date_label(document.date, language)}"
        return text + "。"
    quoted = {"fr": f"« {title} »", "ru": f"«{title}»"}.get(language[:2], f"“{title}”")
    text = f"{document.symbol}, {quoted}"
    if document.date:
        text += f", {date_label(document.date, language)}"
    return text + "."
