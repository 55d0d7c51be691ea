"""The matter that makes a rendering read like a General Assembly document: the symbol-style
reference, the session, the date and the original language."""

import datetime
import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from reports.un_style import (  # noqa: F401 (the names the renderers import from here)
    date_label,
    is_rtl,
    number_zh,
    ordinal_en,
    resolution_citation,
    session_label,
)


def session_number(on: datetime.date) -> int:
    """The Assembly's session open on a date: each opens in September (the 1st in 1946)."""
    return on.year - 1945 if on.month >= 9 else on.year - 1946


def language_name(language: str) -> str:
    """The name of a report language in the language being rendered ("Original: ...")."""
    from reports.choices import ReportLanguage

    code = (language or "en").lower()
    if code.startswith("zh"):
        code = ReportLanguage.CHINESE
    return str(ReportLanguage(code).label) if code in ReportLanguage.values else _("English")


REPORT_OF_SUFFIXES = (
    ": report of the Secretary-General",
    "：秘书长的报告",
    " : rapport du Secrétaire général",
    ": rapport du Secrétaire général",
    ": informe del Secretario General",
    ": доклад Генерального секретаря",
    ": تقرير الأمين العام",
)


@dataclass(frozen=True)
class DocumentMeta:
    """What one run or edition puts on its documents besides the figures. Kept beside the
    snapshot, not in it, so that two compiles of a closed period give the same snapshot.

    A run has a title and an agenda item only; an edition adds its session, the symbol its
    editor entered, the structure it is organised by, its narrative (section key from
    reports.structure.sections -> Markdown, figure references already filled), its summary and
    the action requested of the General Assembly (Markdown), and the previous edition's
    snapshot, whose key figures are printed beside this one's."""

    title: str = ""
    symbol: str = ""
    agenda_item: str = ""
    session: str = ""
    agenda_item_title: str = ""
    structure: str = "resolution"
    narrative: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    action_requested: str = ""
    previous_snapshot: dict | None = None

    @classmethod
    def of(cls, run) -> "DocumentMeta":
        # A run is an unedited compile: it prints no symbol, whatever an old row holds.
        return cls(title=run.title, agenda_item=run.agenda_item)

    def title_in(self, language: str) -> str:
        """The title as the document prints it, once: "Report of the Secretary-General" is a
        line of its own under it, so a title ending with those words loses them."""
        from reports.snapshot import default_title

        title = (self.title or default_title(language)).strip()
        for suffix in REPORT_OF_SUFFIXES:
            if title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
                return title[: -len(suffix)].rstrip(" :：")
        return title

    @property
    def is_edition(self) -> bool:
        return bool(self.symbol or self.narrative or self.summary or self.action_requested)


def _session(meta: DocumentMeta, issued: datetime.date, language: str) -> str:
    session = (meta.session or "").strip()
    if session.isdigit():
        return session_label(int(session), language)
    return session or session_label(session_number(issued), language)


def _agenda_item(meta: DocumentMeta, language: str) -> str:
    item = (meta.agenda_item or "").strip()
    if not item:
        return ""
    if item.isdigit() or re.fullmatch(r"\d+\s*\(?[a-z]\)?", item):
        with translation.override(language):
            return _("Agenda item %(item)s") % {"item": item}
    return item


def front_matter(snapshot: dict, meta: DocumentMeta | None = None) -> dict[str, str]:
    """Values for the placeholders of a DOCX template and the header of the HTML and PDF."""
    language = snapshot.get("language", "en")
    issued = datetime.datetime.fromisoformat(snapshot["generated_at"]).date()
    meta = meta or DocumentMeta()
    with translation.override(language):
        return {
            "symbol": meta.symbol,
            "title": meta.title_in(language),
            "organization": _("United Nations"),
            "organ": _("General Assembly"),
            "distribution": _("Distr.: General"),
            "date": date_label(issued, language),
            "original_language": _("Original: %(language)s")
            % {"language": language_name(language)},
            "session": _session(meta, issued, language),
            "agenda_item": _agenda_item(meta, language),
            "agenda_item_title": meta.agenda_item_title,
            "report_of": _("Report of the Secretary-General"),
            "period": _("Period covered: %(start)s to %(end)s")
            % {
                "start": date_label(
                    datetime.date.fromisoformat(snapshot["period"]["start"]), language
                ),
                "end": date_label(datetime.date.fromisoformat(snapshot["period"]["end"]), language),
            },
            "resolution": snapshot.get("resolution", {}).get("symbol", ""),
            "resolution_number": snapshot.get("resolution", {})
            .get("symbol", "")
            .removeprefix("A/RES/"),
            "resolution_citation": resolution_citation(
                snapshot.get("resolution", {}).get("symbol", ""), language
            ),
        }
