"""The figures performance gives its pages, the dashboard and the paragraph 33 report, all
computed in SQL (aggregate/annotate), never by looping over rows.

Appraisals are personal data: whoever does not manage a unit sees its appraisal figures only as
aggregates, and an aggregate over fewer than SUPPRESS_BELOW people is suppressed (None)."""

import datetime
from collections.abc import Iterable

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.figures import rate
from org.choices import SENIOR_GRADES
from org.models import OrgUnit, Person
from performance.choices import (
    RATED,
    CompactStatus,
    FindingStatus,
    IndicatorKind,
    Rating,
    ResponsibilityStatus,
    Trend,
)
from performance.models import (
    Appraisal,
    BoardFinding,
    Compact,
    Indicator,
    IndicatorResult,
    RBMResponsibility,
    UnderperformanceCase,
    cycle_label,
)
from performance.policies import manages, manages_all, reads_aggregates
from performance.querysets import ON_TIME, finding_overdue_q, target_met_q

SUPPRESS_BELOW = 5
RATING_KEYS = [str(r) for r in RATED]


def subtree_q(unit: OrgUnit | None, field: str = "unit") -> Q:
    if unit is None:
        return Q()
    return Q(**{f"{field}__in": OrgUnit.objects.filter(path__startswith=unit.path).values("pk")})


def _appraisal_figures(as_of: datetime.date) -> dict:
    due = Q(due_on__lte=as_of)
    figures = {
        "staff": Count("pk"),
        "due": Count("pk", filter=due),
        "completed": Count("pk", filter=Q(completed_on__isnull=False)),
        "on_time": Count("pk", filter=due & ON_TIME),
    }
    for key in RATING_KEYS:
        figures[key] = Count("pk", filter=Q(rating=key))
    return figures


def _finish(row: dict, suppressed: bool) -> dict:
    """Add the rate and apply small-group suppression to one aggregated row."""
    row["compliance_rate"] = rate(row["on_time"], row["due"])
    row["completion_rate"] = rate(row["completed"], row["staff"])
    row["suppressed"] = suppressed and row["staff"] < SUPPRESS_BELOW
    if row["suppressed"]:
        for key in (
            "staff",
            "due",
            "completed",
            "on_time",
            "compliance_rate",
            "completion_rate",
            *RATING_KEYS,
        ):
            row[key] = None
    elif suppressed:
        _suppress_cells(row)
    return row


def _suppress_cells(row: dict) -> None:
    """Rating counts of 1 to 4 would point at individuals: hide them, and when only one is
    hidden hide the next smallest too, so it cannot be worked out from the total."""
    small = [k for k in RATING_KEYS if row[k] and row[k] < SUPPRESS_BELOW]
    if len(small) == 1:
        others = sorted((row[k], k) for k in RATING_KEYS if k not in small and row[k])
        if others:
            small.append(others[0][1])
    for key in small:
        row[key] = None


can_see_aggregates = reads_aggregates


def compliance_by_unit(
    user, *, cycle: int, within: OrgUnit | None = None, as_of: datetime.date | None = None
) -> list[dict]:
    """One row per unit for a cycle: staff appraised, due, completed, on time, rate, ratings."""
    if not can_see_aggregates(user):
        return []
    as_of = as_of or timezone.localdate()
    rows = (
        Appraisal.objects.filter(subtree_q(within), cycle=cycle)
        .values("unit_id", "unit__code", "unit__name")
        .annotate(**_appraisal_figures(as_of))
        .order_by("unit__code")
    )
    result = [
        _finish(
            dict(row, cycle=cycle, cycle_label=cycle_label(cycle)),
            not manages(user, row["unit_id"]),
        )
        for row in rows
    ]
    _suppress_complement(result, user)
    return result


def _suppress_complement(rows: list[dict], user) -> None:
    """One suppressed unit could be worked out from the total less the others: suppress the
    next smallest unit the reader does not manage too."""
    suppressed = [r for r in rows if r["suppressed"]]
    if len(suppressed) != 1:
        return
    others = [r for r in rows if not r["suppressed"] and not manages(user, r["unit_id"])]
    if others:
        smallest = min(others, key=lambda r: r["staff"])
        smallest["staff"] = 0  # _finish suppresses every figure of a row under the threshold
        _finish(smallest, True)


def compliance_by_cycle(
    user, *, within: OrgUnit | None = None, as_of: datetime.date | None = None
) -> list[dict]:
    """The trend across cycles for a unit and the units below it (or the whole Secretariat)."""
    if not can_see_aggregates(user):
        return []
    as_of = as_of or timezone.localdate()
    managed = manages_all(user) or (within is not None and manages(user, within.pk))
    rows = (
        Appraisal.objects.filter(subtree_q(within))
        .values("cycle")
        .annotate(**_appraisal_figures(as_of))
        .order_by("cycle")
    )
    return [_finish(dict(row, cycle_label=cycle_label(row["cycle"])), not managed) for row in rows]


def rating_distribution(rows: Iterable[dict]) -> list[dict]:
    """[{rating, label, count, share}] from an aggregated (and possibly suppressed) row."""
    result = []
    for row in rows:
        rated = sum(row[k] or 0 for k in RATING_KEYS)
        for key in RATING_KEYS:
            result.append(
                {
                    "rating": key,
                    "label": Rating(key).label,
                    "count": row[key],
                    "share": rate(row[key], rated) if row[key] is not None else None,
                }
            )
    return result


def compact_figures(user, *, within: OrgUnit | None = None, year: int | None = None) -> dict:
    qs = Compact.objects.restrict(user, "view").filter(subtree_q(within))
    if year:
        qs = qs.filter(year=year)
    figures = qs.aggregate(
        total=Count("pk"),
        draft=Count("pk", filter=Q(status=CompactStatus.DRAFT)),
        signed=Count("pk", filter=Q(status=CompactStatus.SIGNED)),
        assessed=Count("pk", filter=Q(status=CompactStatus.ASSESSED)),
    )
    findings = BoardFinding.objects.restrict(user, "view").filter(
        subtree_q(within, "compact__unit")
    )
    figures.update(
        findings.aggregate(
            findings_open=Count("pk", filter=~Q(status=FindingStatus.CLOSED)),
            findings_overdue=Count("pk", filter=finding_overdue_q(timezone.localdate())),
            findings_closed=Count("pk", filter=Q(status=FindingStatus.CLOSED)),
        )
    )
    return figures


def indicator_figures(user, *, within: OrgUnit | None = None) -> dict:
    indicators = Indicator.objects.restrict(user, "view").filter(subtree_q(within))
    figures = indicators.aggregate(
        total=Count("pk"),
        efficiency=Count("pk", filter=Q(kind=IndicatorKind.EFFICIENCY)),
    )
    figures["off_target"] = indicators.off_target().count()
    figures["on_target"] = indicators.on_target().count()
    return figures


def results_trend(
    user=None,
    *,
    within: OrgUnit | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
) -> list[dict]:
    """Per budget period: results recorded and the share that met their target (paragraph 10)."""
    qs = (
        IndicatorResult.objects.all()
        if user is None
        else IndicatorResult.objects.restrict(user, "view")
    )
    qs = qs.filter(subtree_q(within, "indicator__unit"))
    if first_year:
        qs = qs.filter(start_year__gte=first_year)
    if last_year:
        qs = qs.filter(start_year__lte=last_year)
    rows = (
        qs.values("period", "start_year")
        .annotate(
            results=Count("pk"),
            target_met=Count("pk", filter=target_met_q()),
            efficiency=Count("pk", filter=Q(indicator__kind=IndicatorKind.EFFICIENCY)),
        )
        .order_by("start_year", "period")
    )
    return [dict(row, target_met_rate=rate(row["target_met"], row["results"])) for row in rows]


def current_rbm_responsibility(on: datetime.date | None = None):
    on = on or timezone.localdate()
    return (
        RBMResponsibility.objects.select_related("senior_manager")
        .filter(assigned_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .order_by("-assigned_on")
        .first()
    )


# --- The paragraph 33 report --------------------------------------------------------------


def _period_years(start: datetime.date, end: datetime.date) -> tuple[int, int]:
    return start.year, end.year


def senior_managers_required(period_end: datetime.date):
    """The people required to have a compact: at ASG level and above (org.choices.SENIOR_GRADES)
    or heads of entity, in post during the period. "In post" is approximated by the person's
    current `is_active` flag and grade: postings and grades are not dated yet."""
    return Person.objects.filter(is_active=True).filter(
        Q(grade__in=SENIOR_GRADES) | Q(is_head_of_entity=True)
    )


def compact_coverage(period_start: datetime.date, period_end: datetime.date) -> dict:
    first, last = _period_years(period_start, period_end)
    required = senior_managers_required(period_end)
    signed_by_end = Q(signed_on__isnull=False, signed_on__lte=period_end)
    covered = required.filter(
        pk__in=Compact.objects.filter(signed_by_end, year__gte=first, year__lte=last).values(
            "senior_manager"
        )
    ).count()
    total = required.count()
    return {"required": total, "covered": covered, "rate": rate(covered, total)}


def report_metrics(period_start: datetime.date, period_end: datetime.date) -> dict[str, dict]:
    """Every figure as at `period_end`: a state reached after it (a compact signed, an appraisal
    completed, a finding closed) is not counted."""
    first, last = _period_years(period_start, period_end)
    in_period = Q(due_on__gte=period_start, due_on__lte=period_end)
    completed_by_end = Q(completed_on__isnull=False, completed_on__lte=period_end)
    appraisals = Appraisal.objects.filter(in_period).aggregate(
        due=Count("pk"),
        on_time=Count("pk", filter=ON_TIME),
        **{key: Count("pk", filter=Q(rating=key) & completed_by_end) for key in RATING_KEYS},
    )
    compacts = Compact.objects.filter(year__gte=first, year__lte=last).aggregate(
        total=Count("pk"),
        signed=Count("pk", filter=Q(signed_on__isnull=False, signed_on__lte=period_end)),
        assessed=Count("pk", filter=Q(assessed_on__isnull=False, assessed_on__lte=period_end)),
    )
    coverage = compact_coverage(period_start, period_end)
    closed_by_end = Q(closed_on__isnull=False, closed_on__lte=period_end)
    findings = BoardFinding.objects.filter(compact__year__lte=last).aggregate(
        raised=Count("pk", filter=Q(compact__year__gte=first)),
        open=Count("pk", filter=~closed_by_end),
        closed=Count("pk", filter=Q(closed_on__gte=period_start, closed_on__lte=period_end)),
    )
    cases = UnderperformanceCase.objects.filter(
        plan_start__gte=period_start, plan_start__lte=period_end
    ).aggregate(
        opened=Count("pk"),
        closed=Count("pk", filter=Q(closed_on__lte=period_end)),
        rebuttals=Count("pk", filter=~Q(rebuttal="")),
    )
    underperformance_ratings = (appraisals["partially_meets"] or 0) + (
        appraisals["does_not_meet"] or 0
    )
    by_cycle = list(
        Appraisal.objects.filter(in_period)
        .values("cycle")
        .annotate(due=Count("pk"), on_time=Count("pk", filter=ON_TIME))
        .order_by("cycle")
    )
    small = appraisals["due"] < SUPPRESS_BELOW
    rated = sum(appraisals[k] for k in RATING_KEYS)
    distribution = {key: (None if small else appraisals[key]) for key in RATING_KEYS}
    trend = results_trend(last_year=last)
    # Indicators recorded by the period end, or recorded later with a result for a budget
    # period up to the period's last year.
    indicators = Indicator.objects.filter(
        pk__in=Indicator.objects.filter(
            Q(created_at__date__lte=period_end) | Q(results__start_year__lte=last)
        ).values("pk")
    )
    indicator_totals = indicators.aggregate(
        total=Count("pk"),
        units=Count("unit", distinct=True),
        efficiency=Count("pk", filter=Q(kind=IndicatorKind.EFFICIENCY)),
    )
    in_years = Q(start_year__gte=first, start_year__lte=last)
    results = IndicatorResult.objects.filter(in_years).aggregate(
        results=Count("pk"),
        target_met=Count("pk", filter=target_met_q()),
        indicators=Count("indicator", distinct=True),
        units=Count("indicator__unit", distinct=True),
    )
    lead = current_rbm_responsibility(period_end)
    return {
        "B": {
            "indicator_results_by_period": [
                {
                    "period": r["period"],
                    "results": r["results"],
                    "target_met": r["target_met"],
                    "target_met_rate": r["target_met_rate"],
                }
                for r in trend
            ],
            "indicator_results_in_period": results["results"],
            "indicator_targets_met_in_period": results["target_met"],
            "indicator_target_met_rate": rate(results["target_met"], results["results"]),
            "efficiency_measures": indicator_totals["efficiency"],
            "results_trend": _trend_direction([r["target_met_rate"] for r in trend]),
        },
        "D": {
            "appraisal_compliance_rate": None
            if small
            else rate(appraisals["on_time"], appraisals["due"]),
            "appraisals_due": appraisals["due"],
            "appraisals_completed_on_time": None if small else appraisals["on_time"],
            "compacts_signed": compacts["signed"],
            "compacts_assessed": compacts["assessed"],
            "compacts_total": compacts["total"],
            "underperformance_ratings": None if small else underperformance_ratings,
            "underperformance_cases_opened": cases["opened"],
            "underperformance_cases_closed": cases["closed"],
            "mpb_findings": findings["raised"],
            "mpb_findings_open": findings["open"],
            "mpb_findings_closed": findings["closed"],
        },
        "E": {
            "senior_managers_required_compact": coverage["required"],
            "senior_managers_with_compact": coverage["covered"],
            "compact_coverage_rate": coverage["rate"],
        },
        "F": {
            "appraisal_rating_distribution": distribution,
            "appraisal_rated": None if small else rated,
            "appraisal_rebuttals": cases["rebuttals"],
            "appraisal_compliance_by_cycle": [
                {
                    "cycle": cycle_label(r["cycle"]),
                    "due": r["due"] if r["due"] >= SUPPRESS_BELOW else None,
                    "compliance_rate": rate(r["on_time"], r["due"])
                    if r["due"] >= SUPPRESS_BELOW
                    else None,
                }
                for r in by_cycle
            ],
        },
        "H": {
            "rbm_indicators": indicator_totals["total"],
            "rbm_units_with_indicators": indicator_totals["units"],
            "rbm_units_reporting_results": results["units"],
            "rbm_indicators_with_results": results["indicators"],
            "rbm_targets_met": results["target_met"],
            "rbm_responsible_senior_manager": lead.senior_manager.name if lead else None,
        },
        "I": {
            "rbm_results_recorded": results["results"],
            "rbm_indicator_reporting_rate": rate(results["indicators"], indicator_totals["total"]),
            "appraisals_recorded": appraisals["due"],
        },
    }


def _trend_direction(rates: list[float | None]) -> str | None:
    values = [r for r in rates if r is not None]
    if len(values) < 2:
        return None
    if values[-1] > values[0]:
        return Trend.IMPROVING.value
    if values[-1] < values[0]:
        return Trend.DECLINING.value
    return Trend.STABLE.value


def _compact_status_on(compact, on: datetime.date) -> str:
    """A compact's status as at `on`, from its dated steps."""
    if compact.assessed_on and compact.assessed_on <= on:
        return CompactStatus.ASSESSED.value
    if compact.signed_on and compact.signed_on <= on:
        return CompactStatus.SIGNED.value
    return CompactStatus.DRAFT.value


def paragraph_measures(
    period_start: datetime.date, period_end: datetime.date
) -> dict[int, list[dict]]:
    """What this app holds against paragraphs 10, 11, 14, 16, 18, 20 and 22-27. Appraisals
    appear only as per-cycle aggregates, never by name."""
    first, last = _period_years(period_start, period_end)
    compacts = Compact.objects.filter(year__gte=first, year__lte=last)
    compact_items = [
        {
            "id": c.pk,
            "title": str(c),
            "status": _compact_status_on(c, period_end),
            "date": (
                c.signed_on
                if c.signed_on and c.signed_on <= period_end
                else datetime.date(c.year, 1, 1)
            ).isoformat(),
        }
        for c in compacts.select_related("senior_manager").order_by("-year", "-signed_on", "-pk")[
            :10
        ]
    ]
    # Findings raised in the period's years, and older ones still open on `period_end`.
    findings = BoardFinding.objects.filter(compact__year__lte=last).filter(
        Q(compact__year__gte=first) | Q(closed_on__isnull=True) | Q(closed_on__gt=period_end)
    )
    finding_items = [
        {
            "id": f.pk,
            "title": f.finding[:120],
            "status": FindingStatus.CLOSED.value
            if f.closed_on and f.closed_on <= period_end
            else (FindingStatus.OPEN.value if f.closed_on else f.status),
            "date": (
                (f.closed_on if f.closed_on and f.closed_on <= period_end else None)
                or f.due_on
                or datetime.date(f.compact.year, 12, 31)
            ).isoformat(),
        }
        for f in findings.select_related("compact").order_by("-compact__year", "-pk")[:10]
    ]
    cycles = list(
        Appraisal.objects.filter(due_on__gte=period_start, due_on__lte=period_end)
        .values("cycle")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=ON_TIME),
            due_on=Max("due_on"),
        )
        .order_by("-cycle")[:10]
    )
    cycle_items = [
        {
            "id": r["cycle"],
            "title": _("Appraisal cycle %(cycle)s: %(rate)s%% completed on time")
            % {
                "cycle": cycle_label(r["cycle"]),
                "rate": rate(r["on_time"], r["due"]) if r["due"] >= SUPPRESS_BELOW else "—",
            },
            "status": "",
            "date": r["due_on"].isoformat(),
        }
        for r in cycles
    ]
    appraisals_count = sum(r["due"] for r in cycles)
    cases = UnderperformanceCase.objects.filter(
        plan_start__gte=period_start, plan_start__lte=period_end
    )
    measures: dict[int, list[dict]] = {}

    def add(number, kind, label, count, items):
        measures.setdefault(number, []).append(
            {"kind": kind, "label": label, "count": count, "items": items}
        )

    compacts_count = compacts.count()
    add(16, "compacts", _("Senior managers' compacts"), compacts_count, compact_items)
    add(16, "appraisals", _("Performance appraisals due"), appraisals_count, cycle_items)
    add(14, "appraisals", _("Performance appraisals due"), appraisals_count, cycle_items)
    add(20, "appraisals", _("Performance appraisals due"), appraisals_count, cycle_items)
    add(16, "underperformance_cases", _("Underperformance cases"), cases.count(), [])
    add(
        18,
        "mpb_findings",
        _("Management Performance Board findings"),
        findings.count(),
        finding_items,
    )
    indicators = Indicator.objects.filter(
        pk__in=Indicator.objects.filter(
            Q(created_at__date__lte=period_end) | Q(results__start_year__lte=last)
        ).values("pk")
    )
    for number in (10, 11, 22, 23, 24, 25, 26, 27):
        cited = indicators.filter(paragraphs__number=number)
        if number == 11:
            cited = indicators.filter(
                Q(kind=IndicatorKind.EFFICIENCY) | Q(paragraphs__number=11)
            ).distinct()
        if number == 10:
            cited = indicators.filter(
                Q(results__start_year__gte=first, results__start_year__lte=last)
                | Q(paragraphs__number=10)
            ).distinct()
        items = [
            {
                "id": i.pk,
                "title": i.title,
                "status": i.kind,
                "date": i.created_at.date().isoformat(),
            }
            for i in cited.order_by("-created_at", "-pk")[:10]
        ]
        add(number, "indicators", _("Results-based management indicators"), cited.count(), items)
    lead = current_rbm_responsibility(period_end)
    if lead:
        add(
            25,
            "rbm_responsibility",
            _("Senior manager responsible for results-based management"),
            1,
            [
                {
                    "id": lead.pk,
                    "title": lead.senior_manager.name,
                    "status": ResponsibilityStatus.ASSIGNED.value,
                    "date": lead.assigned_on.isoformat(),
                }
            ],
        )
    return measures
