"""The figures of oversight recommendations: for the Management Committee's monitoring page,
the dashboard and the paragraph 33 report. All computed in SQL, a handful of aggregate queries
whatever the number of recommendations."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from core.figures import rate
from oversight.choices import OPEN_STATUSES, Priority, RecommendationStatus
from oversight.models import OversightBody, OversightReport, Recommendation
from oversight.querysets import overdue_q

S = RecommendationStatus
STATUS_KEYS = [
    "implemented",
    "in_progress",
    "pending_verification",
    "not_implemented",
    "overtaken",
    "not_accepted",
    "open",
]


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _status_counts(today: datetime.date, prefix: str = "") -> dict:
    """Count() expressions for the by_body figures; `prefix` reaches the recommendation from
    another model."""
    pk = f"{prefix}pk"
    exprs = {"total": Count(pk)}
    for key in STATUS_KEYS:
        exprs[key] = Count(pk, filter=Q(**{f"{prefix}status": key}))
    exprs["overdue"] = Count(pk, filter=overdue_q(today, prefix))
    return exprs


def _figures(row: dict) -> dict:
    figures = {"total": row.get("total") or 0}
    for key in STATUS_KEYS:
        figures[key] = row.get(key) or 0
    figures["overdue"] = row.get("overdue") or 0
    figures["implementation_rate"] = rate(figures["implemented"], figures["total"])
    return figures


def recommendations(
    period_end: datetime.date | None = None, queryset: QuerySet | None = None
) -> QuerySet:
    queryset = Recommendation.objects.all() if queryset is None else queryset
    if period_end is not None:
        queryset = queryset.filter(report__issued_on__lte=period_end)
    return queryset


def by_body(period_start=None, period_end=None, *, queryset=None, today=None) -> dict[str, dict]:
    """{"BOA": {"total", "implemented", "in_progress", "pending_verification", "not_implemented",
    "overtaken", "not_accepted", "open", "overdue", "implementation_rate"}, ...} for the
    recommendations of reports issued up to `period_end`, statuses as of now. Every body is
    listed, with zeros when it has none."""
    today = today or timezone.localdate()
    rows = (
        recommendations(period_end, queryset)
        .order_by()
        .values("report__body__code")
        .annotate(**_status_counts(today))
    )
    result = {
        code: _figures({})
        for code in OversightBody.objects.order_by("code").values_list("code", flat=True)
    }
    for row in rows:
        result[row["report__body__code"]] = _figures(row)
    return result


def by_priority(period_end=None, *, queryset=None, today=None) -> dict[str, dict]:
    today = today or timezone.localdate()
    rows = (
        recommendations(period_end, queryset)
        .order_by()
        .values("priority")
        .annotate(**_status_counts(today))
    )
    result = {value or "none": _figures({}) for value in Priority.values}
    for row in rows:
        result[row["priority"] or "none"] = _figures(row)
    return result


def by_unit(period_end=None, *, queryset=None, today=None) -> list[dict]:
    today = today or timezone.localdate()
    rows = (
        recommendations(period_end, queryset)
        .order_by()
        .values("unit__code", "unit__name")
        .annotate(**_status_counts(today))
        .order_by("unit__code")
    )
    return [{"unit": row["unit__code"], "name": row["unit__name"], **_figures(row)} for row in rows]


def totals_and_ageing(period_end=None, *, queryset=None, today=None) -> dict:
    """All statuses in one row, plus the ageing of what is still open by time since issue."""
    today = today or timezone.localdate()
    one, two = years_before(today, 1), years_before(today, 2)
    still_open = Q(status__in=OPEN_STATUSES)
    row = recommendations(period_end, queryset).aggregate(
        **_status_counts(today),
        accepted=Count("pk", filter=Q(accepted=True)),
        critical=Count("pk", filter=Q(priority=Priority.CRITICAL)),
        critical_overdue=Count("pk", filter=overdue_q(today) & Q(priority=Priority.CRITICAL)),
        age_under_1=Count("pk", filter=still_open & Q(report__issued_on__gt=one)),
        age_1_to_2=Count(
            "pk", filter=still_open & Q(report__issued_on__lte=one, report__issued_on__gt=two)
        ),
        age_over_2=Count("pk", filter=still_open & Q(report__issued_on__lte=two)),
    )
    figures = _figures(row)
    figures.update(
        accepted=row["accepted"],
        critical=row["critical"],
        critical_overdue=row["critical_overdue"],
        still_open=figures["open"] + figures["in_progress"] + figures["pending_verification"],
    )
    figures["ageing"] = {
        "under_1_year": row["age_under_1"],
        "1_to_2_years": row["age_1_to_2"],
        "over_2_years": row["age_over_2"],
    }
    return figures


def by_year(period_end=None, *, queryset=None, today=None) -> list[dict]:
    """Trend by year of issue: how many were issued each year and where they stand now."""
    today = today or timezone.localdate()
    rows = (
        recommendations(period_end, queryset)
        .order_by()
        .annotate(year=ExtractYear("report__issued_on"))
        .values("year")
        .annotate(**_status_counts(today))
        .order_by("year")
    )
    return [{"year": row["year"], **_figures(row)} for row in rows]


def critical_overdue(queryset=None, *, today=None, limit: int = 50) -> list[Recommendation]:
    queryset = Recommendation.objects.all() if queryset is None else queryset
    return list(
        queryset.overdue(today)
        .critical()
        .select_related("report__body", "unit")
        .order_by("target_date", "pk")[:limit]
    )


def monitoring(queryset: QuerySet, *, period_end=None, today=None) -> dict:
    """Everything the Management Committee's page shows, for a filtered queryset."""
    today = today or timezone.localdate()
    queryset = recommendations(period_end, queryset)
    return {
        "today": today,
        "totals": totals_and_ageing(queryset=queryset, today=today),
        "by_body": by_body(queryset=queryset, today=today),
        "by_priority": by_priority(queryset=queryset, today=today),
        "by_unit": by_unit(queryset=queryset, today=today),
        "by_year": by_year(queryset=queryset, today=today),
        "critical_overdue": critical_overdue(queryset, today=today),
    }


def report_metrics(period_start: datetime.date, period_end: datetime.date) -> dict[str, dict]:
    """Section C of the paragraph 33 report."""
    today = timezone.localdate()
    queryset = recommendations(period_end)
    totals = totals_and_ageing(queryset=queryset, today=today)
    issued_in_period = Recommendation.objects.filter(
        report__issued_on__gte=period_start, report__issued_on__lte=period_end
    ).count()
    return {
        "C": {
            "by_body": by_body(period_start, period_end, today=today),
            "by_priority": by_priority(period_end, today=today),
            "recommendations_issued_in_period": issued_in_period,
            "recommendations_total": totals["total"],
            "recommendations_accepted": totals["accepted"],
            "recommendations_implemented": totals["implemented"],
            "recommendations_under_implementation": totals["in_progress"]
            + totals["pending_verification"],
            "recommendations_overdue": totals["overdue"],
            "recommendations_critical_overdue": totals["critical_overdue"],
            "recommendations_implementation_rate": totals["implementation_rate"],
            "recommendations_ageing": totals["ageing"],
            "recommendations_by_year": by_year(period_end, today=today),
        }
    }


def _report_items(queryset) -> list[dict]:
    return [
        {
            "id": r.pk,
            "title": f"{r.symbol}: {r.title}",
            "status": _("issued"),
            "date": r.issued_on.isoformat(),
        }
        for r in queryset.select_related("body").order_by("-issued_on", "-pk")[:10]
    ]


def paragraph_measures(
    period_start: datetime.date, period_end: datetime.date
) -> dict[int, list[dict]]:
    """What this app holds against paragraphs 4, 5, 12 and 19, for the report."""
    reports = OversightReport.objects.filter(issued_on__lte=period_end)
    measures: dict[int, list[dict]] = {}
    for number in (4, 19):
        cited = reports.filter(paragraphs__number=number)
        measures[number] = [
            {
                "kind": "oversight_reports",
                "label": _("JIU and other oversight reports answering this paragraph"),
                "count": cited.count(),
                "items": _report_items(cited),
            }
        ]
    in_period = reports.filter(issued_on__gte=period_start)
    measures[5] = [
        {
            "kind": "oversight_reports",
            "label": _("Oversight reports issued in the period"),
            "count": in_period.count(),
            "items": _report_items(in_period),
        }
    ]
    recs = recommendations(period_end).select_related("report")
    # `status_changed_on` is the latest change: a change after the period must not list a
    # recommendation (with that later date) as followed up in it.
    recent = recs.filter(status_changed_on__range=(period_start, period_end)).order_by(
        "-status_changed_on", "-pk"
    )[:10]
    overdue = recs.overdue()
    measures[12] = [
        {
            "kind": "recommendations",
            "label": _("Oversight recommendations followed up"),
            "count": recs.count(),
            "items": [
                {
                    "id": r.pk,
                    "title": f"{r.report.symbol} #{r.number}",
                    "status": r.get_status_display(),
                    "date": r.status_changed_on.isoformat(),
                }
                for r in recent
            ],
        },
        {
            "kind": "recommendations_overdue",
            "label": _("Overdue recommendations"),
            "count": overdue.count(),
            "items": [
                {
                    "id": r.pk,
                    "title": f"{r.report.symbol} #{r.number}",
                    "status": r.get_status_display(),
                    "date": r.target_date.isoformat(),
                }
                for r in overdue.order_by("target_date", "pk")[:10]
            ],
        },
    ]
    return measures
