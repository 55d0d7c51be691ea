"""The data snapshot of a report run: one JSON document built from each app's metrics.py and the
resolution's paragraphs, organised like the resolution. Every rendering is made from it alone.

Each app exposes `report_metrics(period_start, period_end) -> {section code: {...}}` and
`paragraph_measures(period_start, period_end) -> {paragraph number: [measure, ...]}`. An app
that does not (yet) expose them is recorded as missing and its sections say "no data recorded";
an app whose metrics fail makes the run fail, so an issued report is never silently incomplete.
"""

import datetime
import importlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import history
from core import labels as code_labels
from core.figures import rate
from org.models import Paragraph, Section
from reports import governance_figures, methodology
from reports.choices import ParagraphProgress
from reports.labels import CODE_KINDS, label_for
from reports.restatements import restatements
from reports.un_style import localized

SCHEMA_VERSION = 1
METRIC_APPS = ("accountability", "oversight", "performance", "risk")
SECTION_CODES = ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "R")
RESOLUTION_SYMBOL = "A/RES/64/259"


class ReportDataError(Exception):
    """The apps' figures cannot be merged into one report (a programming error in an app)."""


def default_title(language: str) -> str:
    with translation.override(language):
        return _(
            "Progress towards an accountability system in the United Nations Secretariat: "
            "report of the Secretary-General"
        )


def canonical_json(snapshot: dict) -> bytes:
    """The bytes of the JSON file: stable whatever the key order the database hands back."""
    text = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, indent=1, cls=DjangoJSONEncoder)
    return (text + "\n").encode("utf-8")


def _json_safe(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def metric_modules() -> dict[str, str]:
    """app -> module holding its report metrics; REPORT_METRIC_MODULES overrides (tests, or a
    deployment that leaves an app out)."""
    configured = getattr(settings, "REPORT_METRIC_MODULES", None)
    if configured is not None:
        return dict(configured)
    return {app: f"{app}.metrics" for app in METRIC_APPS}


def _module(app: str):
    module_name = metric_modules().get(app, f"{app}.metrics")
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise


def _load(app: str, name: str) -> Callable | None:
    module = _module(app)
    if module is None:
        return None
    fn = getattr(module, name, None)
    return fn if callable(fn) else None


def _key_order(
    value, order: list[str], kinds: dict[str, str | None] | None = None, kind: str | None = None
) -> None:
    """Every dict key in the order the app gave it, depth first: the snapshot keeps it as a list
    because JSON objects (and PostgreSQL's jsonb) do not keep key order. `kinds` collects, for each
    key, the label kind of the codes it was found under (reports.labels.CODE_KINDS)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in order:
                order.append(key)
            if kinds is not None and kinds.get(key) is None:
                kinds[key] = kind
            _key_order(item, order, kinds, CODE_KINDS.get(key, kind))
    elif isinstance(value, list):
        for item in value:
            _key_order(item, order, kinds, kind)


def collect(
    period_start: datetime.date,
    period_end: datetime.date,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, dict], dict[int, list], dict[str, dict[str, str]], dict[str, list[str]]]:
    """Gather every app's figures: (metrics by section, measures by paragraph, source status of
    each app, apps that fed each section)."""
    metrics: dict[str, dict] = {code: {} for code in SECTION_CODES}
    owners: dict[str, dict[str, str]] = {code: {} for code in SECTION_CODES}
    fed_by: dict[str, list[str]] = {code: [] for code in SECTION_CODES}
    measures: dict[int, list] = {}
    sources: dict[str, dict[str, str]] = {}
    apps = list(metric_modules())
    for index, app in enumerate(apps, start=1):
        report_metrics = _load(app, "report_metrics")
        paragraph_measures = _load(app, "paragraph_measures")
        sources[app] = {
            "report_metrics": "ok" if report_metrics else "missing",
            "paragraph_measures": "ok" if paragraph_measures else "missing",
        }
        if report_metrics is not None:
            for code, figures in (report_metrics(period_start, period_end) or {}).items():
                code = str(code)
                if code not in metrics:
                    raise ReportDataError(
                        f"{app}.metrics gives figures for unknown section {code!r}"
                    )
                for key, value in _json_safe(figures or {}).items():
                    if key in owners[code]:
                        raise ReportDataError(
                            f"Section {code}: figure {key!r} is given by both "
                            f"{owners[code][key]} and {app}"
                        )
                    owners[code][key] = app
                    metrics[code][key] = value
                if figures and app not in fed_by[code]:
                    fed_by[code].append(app)
        if paragraph_measures is not None:
            for number, items in (paragraph_measures(period_start, period_end) or {}).items():
                measures.setdefault(int(number), []).extend(_json_safe(items))
        if progress:
            progress(index)
    return metrics, measures, sources, fed_by


def headline(metrics: dict[str, dict]) -> list[dict]:
    """The few figures the dashboard shows and a comparison leads with."""
    by_body = metrics.get("C", {}).get("by_body") or {}
    total = sum(int(v.get("total") or 0) for v in by_body.values() if isinstance(v, dict))
    implemented = sum(
        int(v.get("implemented") or 0) for v in by_body.values() if isinstance(v, dict)
    )
    overdue = sum(int(v.get("overdue") or 0) for v in by_body.values() if isinstance(v, dict))
    rows = [
        ("A", "decisions_logged", metrics["A"].get("decisions_logged")),
        (
            "A",
            "decisions_within_authority_rate",
            metrics["A"].get("decisions_within_authority_rate"),
        ),
        (
            "C",
            "recommendations_implementation_rate",
            rate(implemented, total) if by_body else None,
        ),
        ("C", "recommendations_overdue", overdue if by_body else None),
        ("D", "appraisal_compliance_rate", metrics["D"].get("appraisal_compliance_rate")),
        ("D", "compacts_signed", metrics["D"].get("compacts_signed")),
        ("J", "units_with_current_register", metrics["J"].get("units_with_current_register")),
        ("K", "procurement_cases_flagged", metrics["K"].get("procurement_cases_flagged")),
        ("K", "amount_lost", metrics["K"].get("amount_lost")),
        ("K", "amount_recovered", metrics["K"].get("amount_recovered")),
    ]
    return [{"section": s, "key": k, "label": label_for(k), "value": v} for s, k, v in rows]


def rating_bands() -> dict[str, int]:
    """The risk rating scale the report's band tables use, so its heat map is coloured by the
    same bands."""
    try:
        from risk.models import RatingScale
    except ImportError:  # a deployment without the risk app
        return {"medium_from": 5, "high_from": 10, "critical_from": 15}
    scale = RatingScale.current()
    return {
        "medium_from": scale.medium_from,
        "high_from": scale.high_from,
        "critical_from": scale.critical_from,
    }


def _paragraph_status(paragraph: Paragraph, count: int) -> tuple[str, str]:
    if count:
        status = ParagraphProgress.MEASURES_RECORDED
    elif paragraph.requests:
        status = ParagraphProgress.NO_MEASURES
    else:
        status = ParagraphProgress.NOTED
    return status.value, code_labels.label("report_paragraph_status", status.value)


def _verdict(assessment: dict | None) -> tuple[str, str, dict | None]:
    """The paragraph's verdict: the accountable office's accepted assessment in force at the
    period end (governance), never the count of measures, which stays beside it as a fact."""
    if assessment is None:
        return "no_assessment", _("No assessment accepted"), None
    label = code_labels.label("implementation_status", assessment["status"])
    return assessment["status"], label, {**assessment, "status_label": label}


def _requested_of(code: str) -> str:
    if code == "SG":
        return _("Secretary-General")
    if code == "JIU":
        return _("Joint Inspection Unit")
    return ""


def _paragraph_entry(
    paragraph: Paragraph, measures: dict[int, list], zh: bool, assessments: dict[int, dict]
) -> dict:
    items = measures.get(paragraph.number, [])
    count = sum(int(m.get("count") or 0) for m in items)
    status, status_label = _paragraph_status(paragraph, count)
    verdict, verdict_label, assessment = _verdict(assessments.get(paragraph.number))
    return {
        "number": paragraph.number,
        "text": paragraph.text,  # in the report's language (compiled under its override)
        "requests": paragraph.requests,
        "requests_label": _requested_of(paragraph.requests),
        "measures": items,
        "measure_count": count,
        # `status` is the mechanical fact (kept under its old name for the snapshot's readers).
        "status": status,
        "status_label": status_label,
        "verdict": verdict,
        "verdict_label": verdict_label,
        "assessment": assessment,
    }


def _labels(order: list[str], kinds: dict[str, str | None]) -> dict[str, str]:
    return {key: label_for(key, kinds.get(key)) for key in order}


TREND_PERIODS = 4  # the period and the three before it, each of the same length


def trend_periods(
    period_start: datetime.date, period_end: datetime.date, count: int = TREND_PERIODS
) -> list[tuple[datetime.date, datetime.date]]:
    """The period and the `count - 1` periods of the same length before it, oldest first."""
    periods = [(period_start, period_end)]
    while len(periods) < count:
        periods.append(methodology.previous_period(*periods[-1]))
    return list(reversed(periods))


def _period_label(start: datetime.date, end: datetime.date) -> str:
    return f"{start.isoformat()}/{end.isoformat()}"


def appraisal_trend(
    period_start: datetime.date,
    period_end: datetime.date,
    known: dict[tuple[datetime.date, datetime.date], dict[str, dict]],
) -> list[dict]:
    """Appraisal compliance for the period and the periods of the same length before it, each
    as at its own end, by the function that gives the headline figure (performance's
    report_metrics): no earlier report run is read, so the trend is the same whichever runs
    exist. `known` holds the metrics already collected for some of those periods."""
    report_metrics = _load("performance", "report_metrics")
    points = []
    for start, end in trend_periods(period_start, period_end):
        metrics = known.get((start, end))
        if metrics is None:
            metrics = (report_metrics(start, end) or {}) if report_metrics else {}
        value = (metrics.get("D") or {}).get("appraisal_compliance_rate")
        points.append({"period": _period_label(start, end), "value": _json_safe(value)})
    return points


def kpi_figures(period_start: datetime.date, period_end: datetime.date) -> tuple[list, dict]:
    """Section G's delegation KPI table by entity as at the period end, and each KPI's
    definition (accountability.metrics.kpi_section); ([], {}) without it."""
    kpi_section = _load("accountability", "kpi_section")
    if kpi_section is None:
        return [], {}
    found = kpi_section(period_start, period_end) or {}
    return _json_safe(found.get("kpi_by_entity") or []), found.get("kpi_definitions") or {}


def _merge_governance(
    metrics: dict[str, dict], fed_by: dict[str, list[str]] | None, found: dict[str, dict]
) -> None:
    for code, figures in found.items():
        clash = set(figures) & set(metrics[code])
        if clash:
            raise ReportDataError(
                f"Section {code}: figures {sorted(clash)} are given by governance and another app"
            )
        metrics[code].update(_json_safe(figures))
        if fed_by is not None and figures and "governance" not in fed_by[code]:
            fed_by[code].append("governance")


def build_snapshot(
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    language: str,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """The report's data as of now, JSON-safe and in the report's language: figures only. What
    belongs to one run (its id, title, symbol, agenda item) is kept on the run and handed to the
    renderers beside the snapshot (reports.gadoc.DocumentMeta), so two compiles of a closed
    period differ only in `generated_at` and `audit_trail` (CONTRACT.md)."""
    zh = language.startswith("zh")
    with translation.override(language):
        # The anchor is read first: everything the report shows is at least as new as it.
        entries, head_sha = history.head()
        metrics, measures, sources, fed_by = collect(
            period_start,
            period_end,
            (lambda i: progress(i * 25 // len(metric_modules()))) if progress else None,
        )
        kpi_rows, kpi_definitions = kpi_figures(period_start, period_end)
        if kpi_rows:
            metrics["G"]["kpi_by_entity"] = kpi_rows
        governance_sections, lessons = governance_figures.section_figures(period_start, period_end)
        _merge_governance(metrics, fed_by, governance_sections)
        extra = governance_figures.paragraph_measures(period_start, period_end, lessons)
        for number, items in extra.items():
            measures.setdefault(number, []).extend(_json_safe(items))
        assessments = governance_figures.assessments(period_start, period_end)
        sections = []
        paragraphs = list(Paragraph.objects.select_related("section").order_by("number"))
        headings = {s.code: localized(s, "heading", language) for s in Section.objects.all()}
        for code in SECTION_CODES:
            order: list[str] = []
            kinds: dict[str, str | None] = {}
            _key_order(metrics[code], order, kinds)
            sections.append(
                {
                    "code": code,
                    "heading": headings.get(code, code),
                    "paragraphs": [
                        _paragraph_entry(p, measures, zh, assessments)
                        for p in paragraphs
                        if p.section_id and p.section.code == code
                    ],
                    "metrics": metrics[code],
                    "key_order": order,
                    "labels": _labels(order, kinds),
                    "has_data": bool(metrics[code]),
                    "sources": fed_by[code],
                }
            )
        preliminary = [
            _paragraph_entry(p, measures, zh, assessments) for p in paragraphs if not p.section_id
        ]
        figures_now = headline(metrics)
        previous_start, previous_end = methodology.previous_period(period_start, period_end)
        previous_metrics, *_rest = collect(previous_start, previous_end)
        previous_governance, _lessons = governance_figures.section_figures(
            previous_start, previous_end
        )
        _merge_governance(previous_metrics, None, previous_governance)
        previous = {item["key"]: item["value"] for item in headline(previous_metrics)}
        for item in figures_now:
            item["previous"] = previous.get(item["key"])
        documented = methodology.entries(methodology.figure_keys(sections, figures_now))
        if assessments or governance_sections:
            documented.update(methodology.entries(["paragraph_assessments"]))
        if governance_figures.lessons_measure(lessons):
            documented.update(methodology.entries(["lessons_learned"]))
        documented.update(methodology.kpi_entries(kpi_definitions))
        known = {
            (period_start, period_end): metrics,
            (previous_start, previous_end): previous_metrics,
        }
        snapshot = {
            "schema": SCHEMA_VERSION,
            "language": language,
            "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
            "generated_at": timezone.now().replace(microsecond=0).isoformat(),
            "resolution": {"symbol": RESOLUTION_SYMBOL},
            "audit_trail": {"entries": entries, "head_sha256": head_sha},
            "sources": sources,
            "headline": figures_now,
            "previous_period": {
                "period": {"start": previous_start.isoformat(), "end": previous_end.isoformat()},
                "headline": previous,
                "governance": governance_figures.scalars(previous_governance),
            },
            "methodology": documented,
            "restatements": restatements(period_start, period_end, entries),
            "rating_bands": rating_bands(),
            "trends": {
                "appraisal_compliance_rate": appraisal_trend(period_start, period_end, known)
            },
            "preliminary_paragraphs": preliminary,
            "sections": sections,
        }
    return _json_safe(snapshot)
