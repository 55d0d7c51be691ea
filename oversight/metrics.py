"""The figures of oversight recommendations: for the Management Committee's monitoring page,
the dashboard and the paragraph 33 report (section C).

Every figure is as at one date (`on`: the period's end for the report, today for the monitoring
page): each recommendation of a report issued up to that date counts with its status, acceptance,
target date and amount realised as in force on it (RecommendationQuerySet.as_at, read from the
dated timeline), so a closed period gives the same figures whenever they are computed. All
counted in SQL: one grouped query over the as_at() rows, whatever the number of recommendations.

Definitions (CONTRACT.md, Reports):
- closed = implemented, not implemented, overtaken, not accepted; overdue = target date before
  `on` and not closed on `on`;
- implementation_rate = implemented / total; acceptance_rate = (total - not_accepted) / total;
  implementation_rate_of_accepted = implemented / (total - not_accepted) (core.figures.rate);
- prior_period: issued before period_start and not closed on the day before it, by status as at
  period_end (BOA's four categories: implemented, under_implementation = in_progress +
  pending_verification, not_implemented = open ("no action yet") ... see `prior_period` keys);
- issued_in_period: issued from period_start to period_end inclusive;
- amount_identified: savings or recoveries identified by the recommendations counted (cumulative);
  amount_realised: realised as at `on` (cumulative); amount_identified_in_period: identified by
  those issued in the period; amount_realised_in_period: realised as at period_end minus realised
  as at the day before period_start. Amounts are decimal strings in US dollars.
- ageing: recommendations not closed on `on`, by time from issue to `on`.
"""

import datetime
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.figures import rate
from oversight.choices import CLOSED_STATUSES, OPEN_STATUSES, Priority, RecommendationStatus
from oversight.models import OversightBody, OversightReport, Recommendation, RecommendationUpdate
from oversight.querysets import NO_AMOUNT, _in_force, overdue_at_q, status_as_at

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
COUNT_KEYS = ["total", *STATUS_KEYS, "overdue"]
SUM_KEYS = [
    *COUNT_KEYS,
    "age_under_1",
    "age_1_to_2",
    "age_over_2",
    "identified",
    "realised",
    "realised_before",
    "identified_issued_in_period",
]
CENT = Decimal("0.01")

RECS_AS_AT = gettext_lazy(
    "Recommendations of reports issued up to the period end, each with its status, acceptance "
    "and target date as in force on the period end (reconstructed from its dated timeline)."
)
# The one definition of the bodies' own figures: the report's methodology annex takes these
# (an app's FIGURES replace the registry's entries, reports.methodology) and the monitoring page
# prints them under its tables.
FIGURES = {
    "implementation_rate": {
        "definition": gettext_lazy("Share of the recommendations implemented."),
        "numerator": gettext_lazy("Recommendations implemented"),
        "denominator": gettext_lazy("Recommendations counted"),
        "date_rule": RECS_AS_AT,
        "source": "oversight",
    },
    "acceptance_rate": {
        "definition": gettext_lazy("Share of the recommendations accepted."),
        "numerator": gettext_lazy("Recommendations counted less those not accepted"),
        "denominator": gettext_lazy("Recommendations counted"),
        "date_rule": RECS_AS_AT,
        "source": "oversight",
    },
    "implementation_rate_of_accepted": {
        "definition": gettext_lazy("Share of the accepted recommendations implemented."),
        "numerator": gettext_lazy("Recommendations implemented"),
        "denominator": gettext_lazy("Recommendations counted less those not accepted"),
        "date_rule": RECS_AS_AT,
        "source": "oversight",
    },
    "prior_period": {
        "definition": gettext_lazy(
            "Recommendations issued before the period start and not closed on the day before it."
        ),
        "date_rule": RECS_AS_AT,
        "source": "oversight",
    },
    "under_implementation": {
        "definition": gettext_lazy(
            "Recommendations in progress or pending verification (the Board's category)."
        ),
        "date_rule": RECS_AS_AT,
        "source": "oversight",
    },
}


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def recommendations(
    period_end: datetime.date | None = None, queryset: QuerySet | None = None
) -> QuerySet:
    queryset = Recommendation.objects.all() if queryset is None else queryset
    if period_end is not None:
        queryset = queryset.filter(report__issued_on__lte=period_end)
    return queryset


@contextmanager
def _no_jit():
    """PostgreSQL's JIT compiles the per-recommendation timeline subqueries for longer than they
    take to run (1.3 s of 1.8 s at 30,000 recommendations): off for this transaction only."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _day(value: datetime.date):
    return connection.ops.adapt_datefield_value(value)


def _rows(
    queryset: QuerySet,
    on: datetime.date,
    groupings: list[list[str]],
    period_start: datetime.date | None = None,
) -> list[list[dict]]:
    """One query: for each grouping (a list of body, priority, unit, unit_name, year, cohort),
    its groups' counts by status as at `on`, overdue, ageing and amounts. The as_at() values are
    computed once per recommendation and counted around them (conditional sums). Group values
    come back as text."""
    inner = (
        recommendations(on, queryset)
        .as_at(on)
        .annotate(
            g_body=F("report__body__code"),
            g_priority=F("priority"),
            g_unit=F("unit__code"),
            g_unit_name=F("unit__name"),
            g_year=ExtractYear("report__issued_on"),
            g_issued_on=F("report__issued_on"),
            g_identified=F("amount_identified"),
        )
    )
    columns = [
        "g_body",
        "g_priority",
        "g_unit",
        "g_unit_name",
        "g_year",
        "g_issued_on",
        "g_identified",
        "status_at",
        "target_date_at",
        "amount_realised_at",
    ]
    if period_start is not None:
        before = period_start - datetime.timedelta(days=1)
        inner = inner.annotate(
            status_before=status_as_at(before),
            realised_before=_in_force(
                before,
                "amount_realised",
                "from_amount_realised",
                Recommendation._meta.get_field("amount_realised"),
                NO_AMOUNT,
                F("amount_realised"),
            ),
        )
        columns += ["status_before", "realised_before"]
    try:
        inner_sql, inner_params = inner.values(*columns).query.sql_with_params()
    except EmptyResultSet:  # an empty queryset (a filter that cannot match): nothing to count
        return [[] for _grouping in groupings]
    params: list = []
    qn = connection.ops.quote_name

    def placeholders(values) -> str:
        params.extend(values)
        return ", ".join(["%s"] * len(values))

    # The cohort of each recommendation against the period (a middle layer, so it is grouped on).
    if period_start is not None:
        cohort = (
            f"CASE WHEN t.g_issued_on >= %s THEN 'in_period' "
            f"WHEN t.status_before IN ({', '.join(['%s'] * len(CLOSED_STATUSES))}) "
            f"THEN 'closed_before' ELSE 'prior' END"
        )
        cohort_params = [_day(period_start), *CLOSED_STATUSES]
    else:
        cohort, cohort_params = "'all'", []
    middle = f"SELECT t.*, {cohort} AS cohort FROM ({inner_sql}) t"
    middle_params = [*cohort_params, *inner_params]

    sums = ["COUNT(*) AS total"]
    for key in STATUS_KEYS:
        sums.append(
            f"SUM(CASE WHEN u.status_at = {placeholders([key])} THEN 1 ELSE 0 END) AS {key}"
        )
    still_open = f"u.status_at IN ({placeholders(list(OPEN_STATUSES))})"
    sums.append(
        f"SUM(CASE WHEN {still_open} AND u.target_date_at < {placeholders([_day(on)])} "
        "THEN 1 ELSE 0 END) AS overdue"
    )
    one, two = _day(years_before(on, 1)), _day(years_before(on, 2))
    for alias, condition, values in (
        ("age_under_1", "u.g_issued_on > %s", [one]),
        ("age_1_to_2", "u.g_issued_on <= %s AND u.g_issued_on > %s", [one, two]),
        ("age_over_2", "u.g_issued_on <= %s", [two]),
    ):
        open_sql = f"u.status_at IN ({placeholders(list(OPEN_STATUSES))})"
        params.extend(values)
        sums.append(f"SUM(CASE WHEN {open_sql} AND {condition} THEN 1 ELSE 0 END) AS {alias}")
    sums.append("SUM(u.g_identified) AS identified")
    sums.append("SUM(u.amount_realised_at) AS realised")
    if period_start is not None:
        sums.append("SUM(u.realised_before) AS realised_before")
        sums.append(
            "SUM(CASE WHEN u.cohort = 'in_period' THEN u.g_identified END) "
            "AS identified_issued_in_period"
        )
    else:
        sums.append("NULL AS realised_before")
        sums.append("NULL AS identified_issued_in_period")
    # One statement: the as-at values computed once (a common table expression), grouped each
    # way asked for, the groupings stacked with UNION ALL (group values as text, NULL where a
    # grouping does not use the column).
    every = [name for grouping in groupings for name in grouping]
    names = list(dict.fromkeys(every))
    branches = []
    for index, grouping in enumerate(groupings):
        cols = [
            f"CAST(u.{qn(_column(name))} AS VARCHAR(200))"
            if name in grouping
            else "CAST(NULL AS VARCHAR(200))"
            for name in names
        ]
        branch = f"SELECT {index} AS grouping_no, {', '.join([*cols, *sums])} FROM u"
        if grouping:
            branch += " GROUP BY " + ", ".join(f"u.{qn(_column(n))}" for n in grouping)
        branches.append(branch)
    sql = f"WITH u AS ({middle}) " + " UNION ALL ".join(branches)
    result: list[list[dict]] = [[] for _grouping in groupings]
    with _no_jit(), connection.cursor() as cursor:
        cursor.execute(sql, [*middle_params, *(params * len(groupings))])
        for row in cursor.fetchall():
            values = dict(zip(["grouping_no", *names, *SUM_KEYS], row, strict=True))
            result[values.pop("grouping_no")].append(values)
    return result


def _column(name: str) -> str:
    return "cohort" if name == "cohort" else f"g_{name}"


def _amount(value) -> str | None:
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(CENT))


def _add(rows: list[dict]) -> dict:
    total = {key: 0 for key in SUM_KEYS}
    for row in rows:
        for key in SUM_KEYS:
            value = row.get(key)
            if value is None:
                continue
            if key in ("identified", "realised", "realised_before", "identified_issued_in_period"):
                total[key] = total[key] + Decimal(str(value))
            else:
                total[key] += int(value)
    return total


def _figures(row: dict, *, under_implementation: bool = False) -> dict:
    """The counts and the three rates of one block (CONTRACT.md)."""
    figures = {key: int(row.get(key) or 0) for key in COUNT_KEYS}
    accepted = figures["total"] - figures["not_accepted"]
    figures["implementation_rate"] = rate(figures["implemented"], figures["total"])
    figures["acceptance_rate"] = rate(accepted, figures["total"])
    figures["implementation_rate_of_accepted"] = rate(figures["implemented"], accepted)
    if under_implementation:
        figures["under_implementation"] = figures["in_progress"] + figures["pending_verification"]
    return figures


def _body_codes() -> list[str]:
    return list(OversightBody.objects.order_by("code").values_list("code", flat=True))


BODY_GROUPING = ["body", "priority", "cohort"]
PRIORITY_GROUPING = ["priority"]
UNIT_GROUPING = ["unit", "unit_name"]
YEAR_GROUPING = ["year"]


def _all(queryset):
    return queryset if queryset is not None else Recommendation.objects.all()


def by_body(
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    *,
    queryset: QuerySet | None = None,
    today: datetime.date | None = None,
) -> dict[str, dict]:
    """Section C's `by_body` (CONTRACT.md), as at `period_end` (today when not given): for each
    body the counts, overdue and rates, `prior_period` and `issued_in_period` (when a period is
    given), the amounts, and for OIOS `critical` and `important` sub-blocks. Every body is
    listed, with zeros when it has none."""
    on = period_end or today or timezone.localdate()
    rows = _rows(_all(queryset), on, [BODY_GROUPING], period_start)[0]
    return _by_body(rows, period_start is not None)


def _by_body(rows: list[dict], with_period: bool) -> dict[str, dict]:
    result = {}
    for code in _body_codes():
        mine = [r for r in rows if r["body"] == code]
        sums = _add(mine)
        figures = _figures(sums)
        if with_period:
            figures["prior_period"] = _figures(
                _add([r for r in mine if r["cohort"] == "prior"]), under_implementation=True
            )
            figures["issued_in_period"] = _figures(
                _add([r for r in mine if r["cohort"] == "in_period"]), under_implementation=True
            )
        figures["amount_identified"] = _amount(sums["identified"])
        figures["amount_realised"] = _amount(sums["realised"])
        if with_period:
            figures["amount_identified_in_period"] = _amount(sums["identified_issued_in_period"])
            figures["amount_realised_in_period"] = _amount(
                sums["realised"] - sums["realised_before"]
            )
        if code == "OIOS":
            for priority in (Priority.CRITICAL, Priority.IMPORTANT):
                figures[priority.value] = _figures(
                    _add([r for r in mine if r["priority"] == priority])
                )
        result[code] = figures
    return result


def by_priority(period_end=None, *, queryset=None, today=None) -> dict[str, dict]:
    on = period_end or today or timezone.localdate()
    return _by_priority(_rows(_all(queryset), on, [PRIORITY_GROUPING])[0])


def _by_priority(rows: list[dict]) -> dict[str, dict]:
    result = {value or "none": _figures({}) for value in Priority.values}
    for row in rows:
        result[row["priority"] or "none"] = _figures(row)
    return result


def by_unit(period_end=None, *, queryset=None, today=None) -> list[dict]:
    on = period_end or today or timezone.localdate()
    return _by_unit(_rows(_all(queryset), on, [UNIT_GROUPING])[0])


def _by_unit(rows: list[dict]) -> list[dict]:
    rows = sorted(rows, key=lambda r: r["unit"])
    return [{"unit": r["unit"], "name": r["unit_name"], **_figures(r)} for r in rows]


def by_year(period_end=None, *, queryset=None, today=None) -> list[dict]:
    """Trend by year of issue: how many were issued each year and where they stood on the date."""
    on = period_end or today or timezone.localdate()
    return _by_year(_rows(_all(queryset), on, [YEAR_GROUPING])[0])


def _by_year(rows: list[dict]) -> list[dict]:
    rows = sorted(rows, key=lambda r: int(r["year"]))
    return [{"year": int(r["year"]), **_figures(r)} for r in rows]


def totals_and_ageing(period_end=None, *, queryset=None, today=None) -> dict:
    """All statuses in one row as at the date, plus the ageing of what was not closed on it, by
    time since issue, and the critical figures."""
    on = period_end or today or timezone.localdate()
    return _totals(_rows(_all(queryset), on, [PRIORITY_GROUPING])[0])


def _totals(rows: list[dict]) -> dict:
    row = _add(rows)
    critical = _add([r for r in rows if r["priority"] == Priority.CRITICAL])
    figures = _figures(row)
    figures.update(
        accepted=figures["total"] - figures["not_accepted"],
        critical=critical["total"],
        critical_overdue=critical["overdue"],
        still_open=figures["open"] + figures["in_progress"] + figures["pending_verification"],
        amount_identified=_amount(row["identified"]),
        amount_realised=_amount(row["realised"]),
    )
    figures["ageing"] = {
        "under_1_year": row["age_under_1"],
        "1_to_2_years": row["age_1_to_2"],
        "over_2_years": row["age_over_2"],
    }
    return figures


def critical_past_due(
    on: datetime.date, queryset: QuerySet | None = None, *, limit: int = 500
) -> list[Recommendation]:
    """Critical recommendations past due as at `on` (OIOS's list): target date (as in force on
    `on`) before `on`, not closed on `on`; oldest target date first. Each carries `status_at`,
    `target_date_at` and `latest_comment` (the latest timeline note dated on or before `on`, or
    management's comment on acceptance)."""
    latest_note = (
        RecommendationUpdate.objects.filter(recommendation=OuterRef("pk"), effective_on__lte=on)
        .order_by("-effective_on", "-created_at", "-pk")
        .values("note")[:1]
    )
    with _no_jit():
        return list(
            recommendations(on, queryset)
            .critical()
            .as_at(on)
            .filter(overdue_at_q(on))
            .annotate(latest_comment=Subquery(latest_note))
            .select_related("report__body", "unit")
            .order_by("target_date_at", "report__symbol", "number", "pk")[:limit]
        )


def critical_overdue(queryset=None, *, today=None, limit: int = 50) -> list[Recommendation]:
    return critical_past_due(today or timezone.localdate(), queryset, limit=limit)


def board_categories(block: dict) -> dict[str, int]:
    """The Board of Auditors' four categories of a prior-period block: implemented, under
    implementation, not implemented (the Board counts "no action yet", i.e. open, with those
    closed unimplemented) and overtaken by events."""
    return {
        "implemented": block["implemented"],
        "under_implementation": block["under_implementation"],
        "not_implemented": block["open"] + block["not_implemented"],
        "overtaken": block["overtaken"],
    }


def monitoring(queryset: QuerySet, *, period_start=None, period_end=None, today=None) -> dict:
    """Everything the Management Committee's page shows, for a filtered queryset, for the period
    from `period_start` (by default 1 January of the end's year) as at `period_end` (today by
    default): the same figures as the report's section C (by body with the prior-period and
    in-period blocks), in one query (and one for the critical list)."""
    on = period_end or today or timezone.localdate()
    start = period_start or datetime.date(on.year, 1, 1)
    queryset = recommendations(on, queryset)
    body, priority, unit, year = _rows(
        queryset, on, [BODY_GROUPING, PRIORITY_GROUPING, UNIT_GROUPING, YEAR_GROUPING], start
    )
    bodies = _by_body(body, True)
    return {
        "today": on,
        "period_start": start,
        "totals": _totals(priority),
        "by_body": bodies,
        "prior_by_body": {
            code: {"total": row["prior_period"]["total"], **board_categories(row["prior_period"])}
            | {"implementation_rate": row["prior_period"]["implementation_rate"]}
            for code, row in bodies.items()
        },
        # Lazy: read in the reader's language when the page renders (the figures may be cached
        # for every reader of a scope, whatever their language).
        "definitions": {key: entry["definition"] for key, entry in FIGURES.items()},
        "by_priority": _by_priority(priority),
        "by_unit": _by_unit(unit),
        "by_year": _by_year(year),
        "critical_overdue": critical_past_due(on, queryset, limit=50),
    }


def _past_due_item(rec: Recommendation, on: datetime.date) -> dict:
    return {
        "report": rec.report.symbol,
        "body": rec.report.body.code,
        "number": rec.number,
        "unit": rec.unit.code,
        "target_date": rec.target_date_at.isoformat(),
        "days_past_due": (on - rec.target_date_at).days,
        "status": rec.status_at,
        "latest_comment": rec.latest_comment or rec.acceptance_comment or "",
    }


def report_metrics(period_start: datetime.date, period_end: datetime.date) -> dict[str, dict]:
    """Section C of the paragraph 33 report, every figure as at `period_end`."""
    body, priority, year = _rows(
        Recommendation.objects.all(),
        period_end,
        [BODY_GROUPING, PRIORITY_GROUPING, YEAR_GROUPING],
        period_start,
    )
    totals = _totals(priority)
    issued_in_period = Recommendation.objects.filter(
        report__issued_on__gte=period_start, report__issued_on__lte=period_end
    ).count()
    past_due = critical_past_due(period_end)
    return {
        "C": {
            "by_body": _by_body(body, True),
            "by_priority": _by_priority(priority),
            "critical_past_due": [_past_due_item(r, period_end) for r in past_due],
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
            "recommendations_by_year": _by_year(year),
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
    """What this app holds against paragraphs 4, 5, 12 and 19, for the report, as at the
    period's end."""
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
    # Followed up in the period: a change dated in it on the timeline (or, for a record without
    # a timeline, its own status date). A later change does not move it out of the period.
    last_in_period = (
        RecommendationUpdate.objects.filter(
            recommendation=OuterRef("pk"), effective_on__range=(period_start, period_end)
        )
        .order_by("-effective_on", "-created_at", "-pk")
        .values("effective_on")[:1]
    )
    followed = (
        recs.as_at(period_end)
        .annotate(followed_on=Subquery(last_in_period))
        .filter(followed_on__isnull=False)
        .order_by("-followed_on", "-pk")[:10]
    )
    untimed = (
        recs.as_at(period_end)
        .filter(updates__isnull=True, status_changed_on__range=(period_start, period_end))
        .order_by("-status_changed_on", "-pk")[:10]
    )
    recent = sorted(
        [(r.followed_on, r) for r in followed] + [(r.status_changed_on, r) for r in untimed],
        key=lambda pair: (pair[0], pair[1].pk),
        reverse=True,
    )[:10]
    overdue = recs.overdue_at(period_end)
    measures[12] = [
        {
            "kind": "recommendations",
            "label": _("Oversight recommendations followed up"),
            "count": recs.count(),
            "items": [
                {
                    "id": r.pk,
                    "title": f"{r.report.symbol} #{r.number}",
                    "status": r.status_at,
                    "date": day.isoformat(),
                }
                for day, r in recent
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
                    "status": r.status_at,
                    "date": r.target_date_at.isoformat(),
                }
                for r in overdue.order_by("target_date_at", "pk")[:10]
            ],
        },
    ]
    return measures
