"""How a snapshot reads as a document: the figures of each section as a list of facts and
tables with display values. Every rendering (HTML, PDF, DOCX, XLSX) lays the snapshot out
through this module, so they all show the same thing."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from django.utils import formats, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports import narrative, structure
from reports.charts import Chart, charts_for
from reports.gadoc import DocumentMeta, date_label, is_rtl, resolution_citation
from reports.labels import (
    LIST_VALUE_KINDS,
    code_label,
    item_status_label,
    label_for,
    value_label,
)


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    raw_rows: list[list] = field(default_factory=list)

    @property
    def wide(self) -> bool:
        return len(self.columns) > 6


@dataclass
class SectionView:
    code: str
    heading: str
    anchor: str
    paragraphs: list[dict]
    facts: list[tuple[str, str, object]]  # (label, display value, raw value)
    tables: list[Table]
    charts: list[Chart]
    has_data: bool


@dataclass
class DocumentView:
    snapshot: dict
    title: str
    symbol: str
    language: str
    period_start: str
    period_end: str
    generated_at: str
    sections: list[SectionView]
    preliminary: list[dict]
    headline: list[tuple[str, str, str]]  # (label, value, value for the previous period)
    audit_entries: int
    audit_head: str
    previous_start: str = ""
    previous_end: str = ""
    # (figure, definition, numerator, denominator, date rule), one row per figure
    methodology: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    # (date, record, what, record date, fields)
    restatements: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    # The apparatus of a report of the Secretary-General (issue 16), for HTML and for Word.
    apparatus: "Apparatus | None" = None

    @property
    def rtl(self) -> bool:
        """Arabic reads right to left: the HTML (and so the PDF) says dir="rtl"."""
        return is_rtl(self.language)


@dataclass
class Text:
    """A piece of the report's text in both forms its renderings need, numbered and footnoted
    alike: HTML (and so the PDF) and Word blocks."""

    html: str
    blocks: list

    def __bool__(self) -> bool:
        return bool(self.blocks)


@dataclass
class Part:
    """One part of the report's body: a section of the resolution or a component of the
    accountability system, with its narrative and the paragraphs of 64/259 it holds."""

    key: str
    letter: str
    title: str
    anchor: str
    narrative: Text
    paragraphs: list[dict]


@dataclass
class Apparatus:
    """What makes the document read as a report of the Secretary-General: the summary box, the
    introduction, the body by the edition's structure, the action requested of the General
    Assembly, the footnotes and the annexes."""

    structure: str
    citation: str  # the resolution as the text cites it ("大会第64/259号决议")
    summary: Text
    introduction: Text
    body_title: str
    preliminary_title: str
    parts: list[Part]
    action: Text
    footnotes_html: list  # narrative.Footnote, numbered as the HTML and PDF print them
    footnotes_docx: list  # the same, as the Word rendering numbers them
    # (label, this period, previous period, previous edition) for the key figures
    key_figures: list[tuple[str, str, str, str]]
    previous_period: str  # the heading of the previous period's column
    previous_edition: str  # the heading of the previous edition's column, "" without one
    critical_past_due: "Table | None"
    is_edition: bool
    # The chapters' numbers: I, II, III (Chinese documents: 一, 二, 三)
    chapters: tuple[str, str, str] = ("I", "II", "III")


def _is_amount(key: str) -> bool:
    return "amount" in key or key.endswith(("_usd", "_value")) or key == "procurement_value"


# Keys whose values are years, numbers or codes: never number-formatted ("2,011").
VERBATIM = {"year", "cycle", "number", "period", "report", "unit", "symbol", "code", "id"}


def _verbatim(key: str) -> bool:
    return key in VERBATIM or key.endswith(("_year", "_number", "_code"))


def display(key: str, value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int) and _verbatim(key):
        return str(value)
    # Separators as the report's language writes numbers (core.formats): 1,234.5 in English
    # and Chinese, 1 234,5 in French and Russian, 1.234,5 in Spanish.
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1, force_grouping=True)
    if isinstance(value, str) and _is_amount(key):
        try:
            return formats.number_format(Decimal(value), decimal_pos=2, force_grouping=True)
        except InvalidOperation:
            return value
    if isinstance(value, str) and _verbatim(key):
        return value
    if isinstance(value, str):
        return value_label(key, value)
    if isinstance(value, list):
        return ", ".join(display(key, v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display(k, v)}" for k, v in value.items())
    return str(value)


def raw(key: str, value):
    """The value as a spreadsheet should hold it: numbers as numbers, amounts as decimals."""
    if isinstance(value, str) and _is_amount(key):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    if isinstance(value, str) and not _verbatim(key):
        return value_label(key, value)
    if isinstance(value, list | dict):
        return display(key, value)
    return value


class _Labeller:
    def __init__(self, section: dict):
        self.order = {key: i for i, key in enumerate(section.get("key_order", []))}
        self.labels = section.get("labels", {})

    def keys(self, mapping: dict) -> list[str]:
        return sorted(mapping, key=lambda k: (self.order.get(k, len(self.order)), k))

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


def _tables_from_dict_of_dicts(title: str, mapping: dict, lab: _Labeller) -> list[Table]:
    """One row per entry (a body, a priority). A block nested in the entries (a body's
    prior-period figures, OIOS's critical ones) becomes a table of its own, of the rows that
    have it, so no figure prints as a list of codes."""
    columns: list[str] = []
    nested: list[str] = []
    for value in mapping.values():
        for key, item in value.items():
            target = nested if isinstance(item, dict) else columns
            if key not in columns and key not in nested:
                target.append(key)
    columns = lab.keys(dict.fromkeys(columns))
    table = Table(title, [""] + [lab.label(c) for c in columns], [])
    for row_key in lab.keys(mapping):
        values = mapping[row_key]
        table.rows.append([lab.label(row_key)] + [display(c, values.get(c)) for c in columns])
        table.raw_rows.append([lab.label(row_key)] + [raw(c, values.get(c)) for c in columns])
    tables = [table]
    for key in lab.keys(dict.fromkeys(nested)):
        blocks = {
            row_key: value[key]
            for row_key, value in mapping.items()
            if isinstance(value.get(key), dict)
        }
        tables.extend(_tables_from_dict_of_dicts(f"{title} – {lab.label(key)}", blocks, lab))
    return tables


def _table_from_list(title: str, items: list, lab: _Labeller, key: str = "") -> Table:
    columns: list[str] = []
    for item in items:
        for column in item:
            if column not in columns:
                columns.append(column)
    columns = lab.keys(dict.fromkeys(columns))
    coded = LIST_VALUE_KINDS.get(key, {})
    table = Table(title, [lab.label(c) for c in columns], [])

    def cell(column, value, shown):
        label = code_label(coded.get(column), value)
        return label if label is not None else shown(column, value)

    for item in items:
        table.rows.append([cell(c, item.get(c), display) for c in columns])
        table.raw_rows.append([cell(c, item.get(c), raw) for c in columns])
    return table


def kpi_status_label(status: str | None) -> str:
    return {
        "met": _("Met"),
        "not_met": _("Not met"),
    }.get(status or "", _("No data"))


def kpi_table(title: str, rows: list[dict], methodology: dict, lab: "_Labeller") -> Table:
    """Section G's delegation KPIs: one row per entity, one column per KPI (its title and
    target), each cell the value and whether it met the target; KPIs in the app's order."""
    codes: list[str] = []
    for row in rows:
        for code in row.get("kpis") or {}:
            if code not in codes:
                codes.append(code)
    codes = lab.keys(dict.fromkeys(codes))
    columns = [_("Entity")]
    for code in codes:
        entry = methodology.get(f"kpi_{code}") or {}
        name = entry.get("label") or label_for(code)
        target = entry.get("target")
        columns.append(
            _("%(kpi)s (target %(target)s%%)") % {"kpi": name, "target": f"{target:g}"}
            if isinstance(target, int | float)
            else name
        )
    table = Table(title, columns, [])
    for row in rows:
        cells, raws = [row.get("entity", "")], [row.get("entity", "")]
        for code in codes:
            cell = (row.get("kpis") or {}).get(code) or {}
            value = cell.get("value")
            if value is None:
                cells.append(kpi_status_label(None))
            else:
                cells.append(f"{display(code, value)} ({kpi_status_label(cell.get('status'))})")
            raws.append(value)
        table.rows.append(cells)
        table.raw_rows.append(raws)
    return table


# Section keys laid out by a table of their own.
OWN_TABLES = {"kpi_by_entity": kpi_table}


def figures(
    section: dict, methodology: dict | None = None
) -> tuple[list[tuple[str, str, object]], list[Table]]:
    """A section's metrics as facts (one figure each) and tables (figures broken down)."""
    lab = _Labeller(section)
    facts: list[tuple[str, str, object]] = []
    tables: list[Table] = []

    def walk(mapping: dict, prefix: str = ""):
        for key in lab.keys(mapping):
            value = mapping[key]
            if not prefix and key in OWN_ANNEX:
                continue
            label = f"{prefix}{lab.label(key)}"
            if key in OWN_TABLES and isinstance(value, list):
                if value:
                    tables.append(OWN_TABLES[key](label, value, methodology or {}, lab))
            elif (
                isinstance(value, dict)
                and value
                and all(isinstance(v, dict) for v in value.values())
            ):
                tables.extend(_tables_from_dict_of_dicts(label, value, lab))
            elif (
                isinstance(value, dict)
                and value
                and all(not isinstance(v, dict | list) for v in value.values())
            ):
                table = Table(label, [_("Category"), _("Value")], [])
                for inner in lab.keys(value):
                    table.rows.append([lab.label(inner), display(inner, value[inner])])
                    table.raw_rows.append([lab.label(inner), raw(inner, value[inner])])
                tables.append(table)
            elif isinstance(value, dict) and value:
                walk(value, prefix=f"{label} – ")
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                tables.append(_table_from_list(label, value, lab, key))
            else:
                facts.append((label, display(key, value), raw(key, value)))

    walk(section.get("metrics", {}))
    return facts, tables


def labelled_paragraph(paragraph: dict) -> dict:
    """A paragraph entry whose measure items show their status's label (the code stays under
    `status_code`), in every rendering."""
    measures = []
    for measure in paragraph.get("measures") or []:
        items = [
            {
                **item,
                "status": item_status_label(measure.get("kind", ""), item),
                "status_code": item.get("status"),
            }
            for item in measure.get("items") or []
        ]
        items = [{**item, "line": _item_line(item)} for item in items]
        line = _joined(measure.get("label", ""), measure.get("count", 0))
        measures.append({**measure, "items": items, "line": line})
    return {**paragraph, "measures": measures, **verdict_lines(paragraph)}


def _zh() -> bool:
    return (translation.get_language() or "").startswith("zh")


def _joined(label, value) -> str:
    """ "Label: value", with the full-width colon in Chinese."""
    return f"{label}：{value}" if _zh() else f"{label}: {value}"


def _item_line(item: dict) -> str:
    """A measure's record as one line: its title, its status in brackets and its date (Chinese:
    full-width brackets and comma)."""
    text = str(item.get("title", ""))
    zh = _zh()
    if item.get("status"):
        text += f"（{item['status']}）" if zh else f" ({item['status']})"
    if item.get("date"):
        text += f"，{item['date']}" if zh else f", {item['date']}"
    return text


def _reader_date(iso: str | None) -> str:
    """A snapshot's ISO date as the document's reader writes it (UN style, or 2025年12月20日)."""
    if not iso:
        return ""
    return date_label(datetime.date.fromisoformat(iso), translation.get_language() or "en")


def verdict_lines(paragraph: dict) -> dict[str, str]:
    """The verdict (the accepted assessment, governance) and the count of measures as a fact
    beside it, as every rendering prints them. Snapshots compiled before assessments existed
    have no verdict: they read as they did."""
    count = paragraph.get("measure_count") or 0
    fact = _("Measures recorded: %(count)s") % {"count": count}
    if "verdict_label" not in paragraph:
        return {"verdict_line": "", "assessment_line": "", "justification": "", "fact_line": ""}
    assessment = paragraph.get("assessment") or {}
    detail = ""
    if assessment:
        detail = _(
            "Accepted on %(accepted)s; accountable office: %(unit)s; assessment of "
            "%(start)s to %(end)s; evidence items: %(evidence)s"
        ) % {
            "accepted": _reader_date(assessment.get("accepted_on")),
            "unit": assessment.get("unit", ""),
            "start": _reader_date(assessment.get("period_start")),
            "end": _reader_date(assessment.get("period_end")),
            "evidence": assessment.get("evidence", 0),
        }
    return {
        "verdict_line": _("Assessment: %(verdict)s") % {"verdict": paragraph["verdict_label"]},
        "assessment_line": detail,
        "justification": assessment.get("justification", "") if assessment else "",
        "fact_line": fact,
    }


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# A figure printed in an annex of its own, not among the section's tables.
OWN_ANNEX = {"critical_past_due"}


class _Writer:
    """Renders Markdown for HTML and for Word with counters of their own, so each rendering
    numbers the same paragraph and the same footnote alike."""

    def __init__(self, language: str):
        self.language = language
        self.for_html = narrative.Apparatus(language)
        self.for_docx = narrative.Apparatus(language)

    def text(self, markdown: str, numbered: bool = True) -> Text:
        return Text(
            html=narrative.html(markdown, self.for_html, numbered),
            blocks=narrative.blocks(markdown, self.for_docx, numbered),
        )


@cache
def _resolution_footnotes() -> dict[str, str]:
    from org.resolution import load_document

    return {number: symbol.split()[0] for number, symbol in load_document()["footnotes"].items()}


def _paragraph_text(paragraph: dict, writer: _Writer) -> dict:
    """The paragraph's text with its footnote markers ([1]) resolved to the documents the
    resolution cites, in both forms."""
    notes = _resolution_footnotes()
    pieces = re.split(r"\[(\d+)\]", paragraph.get("text") or "")
    markdown = "".join(
        _escape_markdown(piece)
        if index % 2 == 0
        else (f"[^{notes[piece]}]" if piece in notes else _escape_markdown(f"[{piece}]"))
        for index, piece in enumerate(pieces)
    )
    rendered = writer.text(markdown, numbered=False)
    inline = rendered.html.strip()
    if inline.startswith("<p>") and inline.endswith("</p>"):
        inline = inline[3:-4]
    runs = rendered.blocks[0].runs if rendered.blocks else []
    return {**paragraph, "text_html": mark_safe(inline), "text_runs": runs}  # noqa: S308


def _escape_markdown(text: str) -> str:
    """The resolution's text as Markdown that reads as itself (no emphasis, no list)."""
    return re.sub(r"([\\`*_{}<>#+!|~-])", r"\\\1", text).replace("[", "\\[")


def _default_introduction(snapshot: dict, language: str, citation: str) -> str:
    start = _reader_date(snapshot["period"]["start"])
    end = _reader_date(snapshot["period"]["end"])
    symbol = snapshot.get("resolution", {}).get("symbol", "A/RES/64/259")
    first = _(
        "The present report is submitted pursuant to paragraph 33 of %(resolution)s, in which "
        "the Assembly requested the Secretary-General to report on the implementation of the "
        "resolution.[^%(symbol)s]"
    ) % {"resolution": citation, "symbol": symbol}
    second = _(
        "It covers the period from %(start)s to %(end)s. For each paragraph of the resolution it "
        "gives the implementation assessment accepted for the accountable office and in force "
        "at the end of the period, and the measures recorded in the tracker; the figures of the "
        "annexes are those of the tracker's records at the end of the period."
    ) % {"start": start, "end": end}
    return f"{first}\n\n{second}"


def _default_action(citation: str) -> str:
    return _("The General Assembly is requested to take note of the present report.")


def _period_dates(period: dict, language: str) -> dict[str, str]:
    """A period's dates for a column heading, in the language's UN style as the rest of the
    document writes them (1 January 2024, 2024年1月1日, 1er janvier 2024, ...); only the
    workbook keeps ISO dates."""
    return {"start": _reader_date(period.get("start")), "end": _reader_date(period.get("end"))}


def _key_figures(snapshot: dict, previous: dict | None) -> list[tuple[str, str, str, str]]:
    earlier = {h["key"]: h.get("value") for h in (previous or {}).get("headline", [])}
    return [
        (
            h["label"],
            display(h["key"], h["value"]),
            display(h["key"], h.get("previous")),
            display(h["key"], earlier.get(h["key"])) if previous else "",
        )
        for h in snapshot.get("headline", [])
    ]


def _critical_past_due(snapshot: dict) -> "Table | None":
    section = next((s for s in snapshot["sections"] if s["code"] == "C"), None)
    if section is None or "critical_past_due" not in section.get("metrics", {}):
        return None
    lab = _Labeller(section)
    items = section["metrics"]["critical_past_due"] or []
    if not items:
        return Table(lab.label("critical_past_due"), [], [])
    return _table_from_list(lab.label("critical_past_due"), items, lab, "critical_past_due")


def apparatus(
    snapshot: dict, meta: DocumentMeta, sections: list["SectionView"], preliminary: list[dict]
) -> Apparatus:
    """The report's text around the figures, in the order it prints: the summary, the
    introduction, the body by the structure (a run: by the resolution's sections), the action
    requested, then the annexes."""
    language = snapshot.get("language", "en")
    citation = resolution_citation(
        snapshot.get("resolution", {}).get("symbol", "A/RES/64/259"), language
    )
    writer = _Writer(language)
    narrative_of = meta.narrative or {}
    summary = writer.text(meta.summary or "", numbered=False)
    introduction = writer.text(
        narrative_of.get(structure.INTRODUCTION)
        or _default_introduction(snapshot, language, citation)
    )
    by_number = {p["number"]: p for p in preliminary}
    for section in sections:
        for p in section.paragraphs:
            by_number[p["number"]] = p
    titles = dict(structure.sections(meta.structure, language))
    parts: list[Part] = []
    if meta.structure == structure.COMPONENTS:
        body_title = _("The components of the accountability system")
        for index, (key, numbers) in enumerate(structure.component_paragraphs().items()):
            parts.append(
                Part(
                    key=key,
                    letter=LETTERS[index],
                    title=titles[key],
                    anchor=f"component-{key}",
                    narrative=writer.text(narrative_of.get(key, "")),
                    paragraphs=[
                        _paragraph_text(by_number[n], writer) for n in numbers if n in by_number
                    ],
                )
            )
    else:
        body_title = _("Implementation of the resolution")
        if preliminary or narrative_of.get(structure.PRELIMINARY):
            parts.append(
                Part(
                    key=structure.PRELIMINARY,
                    letter="",
                    title=titles[structure.PRELIMINARY],
                    anchor="preliminary",
                    narrative=writer.text(narrative_of.get(structure.PRELIMINARY, "")),
                    paragraphs=[_paragraph_text(p, writer) for p in preliminary],
                )
            )
        for section in sections:
            parts.append(
                Part(
                    key=section.code,
                    letter=section.code,
                    title=section.heading,
                    anchor=section.anchor,
                    narrative=writer.text(narrative_of.get(section.code, "")),
                    paragraphs=[_paragraph_text(p, writer) for p in section.paragraphs],
                )
            )
    action = writer.text(meta.action_requested or _default_action(citation))
    return Apparatus(
        structure=meta.structure,
        citation=citation,
        summary=summary,
        introduction=introduction,
        body_title=body_title,
        preliminary_title=titles.get(structure.PRELIMINARY, ""),
        parts=parts,
        action=action,
        footnotes_html=writer.for_html.footnotes,
        footnotes_docx=writer.for_docx.footnotes,
        key_figures=_key_figures(snapshot, meta.previous_snapshot),
        previous_period=_("Previous period (%(start)s to %(end)s)")
        % _period_dates((snapshot.get("previous_period") or {}).get("period") or {}, language),
        previous_edition=(
            _("Previous edition (%(start)s to %(end)s)")
            % _period_dates(meta.previous_snapshot["period"], language)
            if meta.previous_snapshot
            else ""
        ),
        critical_past_due=_critical_past_due(snapshot),
        is_edition=meta.is_edition,
        chapters=("一", "二", "三") if language.startswith("zh") else ("I", "II", "III"),
    )


def document(snapshot: dict, meta: DocumentMeta | None = None) -> DocumentView:
    language = snapshot.get("language", "en")
    meta = meta or DocumentMeta()
    with translation.override(language):
        charts = charts_for(snapshot)
        sections = []
        for section in snapshot["sections"]:
            facts, tables = figures(section, snapshot.get("methodology") or {})
            sections.append(
                SectionView(
                    code=section["code"],
                    heading=section["heading"],
                    anchor=f"section-{section['code']}",
                    paragraphs=[labelled_paragraph(p) for p in section["paragraphs"]],
                    facts=facts,
                    tables=tables,
                    charts=charts.get(section["code"], []),
                    has_data=section.get("has_data", False),
                )
            )
        preliminary = [labelled_paragraph(p) for p in snapshot.get("preliminary_paragraphs", [])]
        headline = [
            (h["label"], display(h["key"], h["value"]), display(h["key"], h.get("previous")))
            for h in snapshot.get("headline", [])
        ]
        notes = [
            (
                entry.get("label") or key,
                entry.get("definition", ""),
                entry.get("numerator") or "—",
                entry.get("denominator") or "—",
                entry.get("date_rule", ""),
            )
            for key, entry in sorted(
                (snapshot.get("methodology") or {}).items(),
                key=lambda kv: str(kv[1].get("label") or kv[0]),
            )
        ]
        document_apparatus = apparatus(snapshot, meta, sections, preliminary)
        restated = [
            (
                r.get("at", ""),
                r.get("record", ""),
                r.get("action_label", ""),
                r.get("record_date") or "—",
                ", ".join(r.get("fields") or []),
            )
            for r in snapshot.get("restatements") or []
        ]
    return DocumentView(
        snapshot=snapshot,
        title=meta.title_in(language),
        symbol=meta.symbol,
        language=language,
        period_start=snapshot["period"]["start"],
        period_end=snapshot["period"]["end"],
        generated_at=snapshot.get("generated_at", ""),
        sections=sections,
        preliminary=preliminary,
        headline=headline,
        audit_entries=snapshot.get("audit_trail", {}).get("entries", 0),
        audit_head=snapshot.get("audit_trail", {}).get("head_sha256", ""),
        previous_start=(snapshot.get("previous_period") or {}).get("period", {}).get("start", ""),
        previous_end=(snapshot.get("previous_period") or {}).get("period", {}).get("end", ""),
        methodology=notes,
        restatements=restated,
        apparatus=document_apparatus,
    )
