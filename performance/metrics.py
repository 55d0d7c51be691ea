"""The figures performance gives its pages, the dashboard and the paragraph 33 report, all
computed in SQL (aggregate/annotate), never by looping over rows.

Appraisals are personal data: whoever does not manage a unit sees its appraisal figures only as
aggregates, and an aggregate over fewer than SUPPRESS_BELOW people is suppressed (None)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.figures import rate
from org.choices import SENIOR_GRADES
from org.models import OrgUnit, Person
from performance.choices import (
    RATED,
    CompactStatus,
    CourseArea,
    DisciplinaryCategory,
    DisciplinaryMeasure,
    FindingStatus,
    IndicatorKind,
    Rating,
    RecognitionKind,
    ResponsibilityStatus,
    Trend,
)
from performance.models import (
    Appraisal,
    BoardFinding,
    BudgetPerformance,
    Compact,
    CompactObjective,
    Course,
    CourseCompletion,
    DisciplinaryCase,
    Indicator,
    IndicatorResult,
    RBMResponsibility,
    Recognition,
    UnderperformanceCase,
    cycle_label,
)
from performance.policies import manages, manages_all, reads_aggregates
from performance.querysets import (
    ON_TIME,
    cost_per_output_q,
    finding_overdue_q,
    percentage,
    target_met_q,
)

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


APPRAISAL_FIGURES = (
    "staff",
    "due",
    "completed",
    "on_time",
    "compliance_rate",
    "completion_rate",
    *RATING_KEYS,
)


def _finish(row: dict, suppressed: bool) -> dict:
    """Add the rate and apply small-group suppression to one aggregated row."""
    row["compliance_rate"] = rate(row["on_time"], row["due"])
    row["completion_rate"] = rate(row["completed"], row["staff"])
    return suppress_small_group(
        row, suppressed, size="staff", figures=APPRAISAL_FIGURES, cells=RATING_KEYS
    )


def suppress_small_group(
    row: dict, suppressed: bool, *, size: str, figures: Iterable[str], cells: Iterable[str] = ()
) -> dict:
    """The small-group rule of every aggregate about people (appraisals, course completions):
    for a reader who does not answer for the group (`suppressed`), a group of fewer than
    SUPPRESS_BELOW people (`row[size]`) shows none of its `figures`; a larger group hides its
    small `cells` (see suppress_cells)."""
    row["suppressed"] = suppressed and (row[size] or 0) < SUPPRESS_BELOW
    if row["suppressed"]:
        for key in figures:
            row[key] = None
    elif suppressed:
        suppress_cells(row, cells)
    return row


def suppress_cells(row: dict, keys: Iterable[str] = RATING_KEYS) -> None:
    """Counts of 1 to 4 would point at individuals: hide them, and when only one is hidden hide
    the next smallest too, so it cannot be worked out from the total."""
    keys = list(keys)
    small = [k for k in keys if row[k] and row[k] < SUPPRESS_BELOW]
    if len(small) == 1:
        others = sorted((row[k], k) for k in keys if k not in small and row[k])
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


def _suppress_complement(
    rows: list[dict], user, *, size: str = "staff", figures: Iterable[str] = APPRAISAL_FIGURES
) -> None:
    """One suppressed unit could be worked out from the total less the others: suppress the
    next smallest unit the reader does not manage too."""
    suppressed = [r for r in rows if r["suppressed"]]
    if len(suppressed) != 1:
        return
    others = [r for r in rows if not r["suppressed"] and not manages(user, r["unit_id"])]
    if others:
        smallest = min(others, key=lambda r: r[size])
        smallest[size] = 0  # every figure of a row under the threshold is suppressed
        suppress_small_group(smallest, True, size=size, figures=figures)


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
    people = people_metrics(period_start, period_end)
    return {
        "A": people["A"],
        "B": {
            **people["B"],
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
            **people["D"],
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
    _people_measures(add, period_start, period_end)
    return measures


def _people_measures(add, period_start: datetime.date, period_end: datetime.date) -> None:
    """Learning (6), rewards and sanctions (8, 17), budget performance (10), cost per output
    (11) and the objectives measured by indicators (13-15): aggregates and unit records only,
    never a person."""
    first, last = _period_years(period_start, period_end)
    courses = Course.objects.filter(mandatory=True).order_by("code")
    total = people_metrics(period_start, period_end)
    learning_rate = total["A"]["learning_mandatory_completion_rate"]
    add(
        6,
        "mandatory_courses",
        _("Mandatory courses (completion rate as at the period end: %(rate)s%%)")
        % {"rate": learning_rate if learning_rate is not None else "—"},
        courses.count(),
        [
            {
                "id": c.pk,
                "title": str(c),
                "status": c.area,
                "status_kind": "course_area",
                "date": c.created_at.date().isoformat(),
            }
            for c in courses[:10]
        ],
    )
    discipline = _discipline(period_start, period_end, True)
    measure_items = [
        {
            "id": key,
            "title": f"{DisciplinaryMeasure(key).label}: {count if count is not None else '—'}",
            "status": key,
            "status_kind": "disciplinarycase_measure",
            "date": period_end.isoformat(),
        }
        for key, count in discipline["by_measure"].items()
        if count != 0
    ]
    for number in (8, 17):
        add(
            number,
            "disciplinary_measures",
            _("Disciplinary measures imposed (aggregate)"),
            discipline["measures_imposed"],
            measure_items,
        )
    recognitions = Recognition.objects.filter(
        awarded_on__gte=period_start, awarded_on__lte=period_end
    )
    add(
        8,
        "recognitions",
        _("Rewards and recognition"),
        recognitions.count(),
        [
            {
                "id": r.pk,
                "title": f"{r.get_kind_display()} – {r.unit.code}",
                "status": r.kind,
                "status_kind": "recognition_kind",
                "date": r.awarded_on.isoformat(),
            }
            for r in recognitions.select_related("unit").order_by("-awarded_on", "-pk")[:10]
        ],
    )
    budgets = (
        BudgetPerformance.objects.filter(start_year__gte=first, start_year__lte=last)
        .with_utilisation()
        .select_related("unit")
    )
    add(
        10,
        "budget_performance",
        _("Budget performance by unit"),
        budgets.count(),
        [
            {
                "id": b.pk,
                "title": _("%(unit)s %(period)s: %(rate)s%% of the appropriation spent")
                % {"unit": b.unit.code, "period": b.period, "rate": b.utilisation},
                "status": "",
                "date": datetime.date(b.start_year, 1, 1).isoformat(),
            }
            for b in budgets.order_by("-start_year", "unit__code")[:10]
        ],
    )
    costed = (
        IndicatorResult.objects.filter(
            indicator__kind=IndicatorKind.EFFICIENCY,
            start_year__gte=first,
            start_year__lte=last,
            cost__isnull=False,
            outputs__gt=0,
        )
        .annotate(per_output=cost_per_output_q())
        .select_related("indicator")
    )
    add(
        11,
        "cost_per_output",
        _("Efficiency measures with a cost per output"),
        costed.count(),
        [
            {
                "id": r.pk,
                "title": _("%(indicator)s, %(period)s: USD %(cost)s per output")
                % {"indicator": r.indicator.title, "period": r.period, "cost": r.per_output},
                "status": "",
                "date": datetime.date(r.start_year, 1, 1).isoformat(),
            }
            for r in costed.order_by("-start_year", "pk")[:10]
        ],
    )
    measured = (
        CompactObjective.objects.filter(
            compact__year__gte=first, compact__year__lte=last, indicators__isnull=False
        )
        .distinct()
        .select_related("compact__unit")
    )
    for number in (13, 15):
        add(
            number,
            "objectives_measured",
            _("Compact objectives measured by results-based management indicators"),
            measured.count(),
            [
                {
                    "id": o.pk,
                    "title": f"{o.compact.unit.code} {o.compact.year}: {o.title}",
                    "status": o.outcome,
                    "status_kind": "compactobjective_outcome",
                    "date": datetime.date(o.compact.year, 1, 1).isoformat(),
                }
                for o in measured.order_by("-compact__year", "pk")[:10]
            ],
        )


# --- Learning (paragraph 6) -------------------------------------------------------------------
#
# Completion rate of mandatory courses, as at a date: completions of the mandatory courses dated
# on or before that date, by the unit's active staff, over staff x mandatory courses. "Fully
# trained" = staff who had completed every mandatory course by that date. Staff are counted in
# their current unit (postings are not dated yet). Groups under SUPPRESS_BELOW people are
# suppressed for readers who do not answer for the unit, exactly as appraisal figures are.

LEARNING_FIGURES = (
    "staff",
    "required",
    "completions",
    "completion_rate",
    "fully_trained",
    "fully_trained_rate",
)


def delegation_trained_users(as_at: datetime.date):
    """The accounts (user ids, a subquery) of staff who had completed every mandatory course on
    delegation of authority on or before `as_at`: what the accountability framework's KPI on
    trained delegatees reads (accountability.kpis). None when no such course is mandatory."""
    courses = Course.objects.filter(mandatory=True, area=CourseArea.DELEGATION).count()
    if not courses:
        return None
    return (
        CourseCompletion.objects.filter(
            course__mandatory=True,
            course__area=CourseArea.DELEGATION,
            completed_on__lte=as_at,
            person__user__isnull=False,
        )
        .order_by()
        .values("person__user_id")
        .annotate(n=Count("course_id", distinct=True))
        .filter(n__gte=courses)
        .values("person__user_id")
    )


def _mandatory_done(as_at: datetime.date):
    """Per person: mandatory courses completed on or before `as_at` (a correlated count)."""
    done = (
        CourseCompletion.objects.filter(
            person=OuterRef("pk"), course__mandatory=True, completed_on__lte=as_at
        )
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(done, output_field=IntegerField()), 0)


def _learning_figures(row: dict, courses: int) -> dict:
    row["required"] = row["staff"] * courses
    row["completion_rate"] = rate(row["completions"], row["required"])
    row["fully_trained_rate"] = rate(row["fully_trained"], row["staff"])
    return row


def _learning_rows(as_at: datetime.date, within: OrgUnit | None, group: list[str]):
    """(mandatory courses, rows): one row per `group` value, or a single total row."""
    courses = Course.objects.filter(mandatory=True).count()
    if not courses:
        return courses, []
    staff = Person.objects.filter(subtree_q(within), is_active=True).annotate(
        done=_mandatory_done(as_at)
    )
    figures = {
        "staff": Count("pk"),
        "completions": Coalesce(Sum("done"), 0),
        "fully_trained": Count("pk", filter=Q(done__gte=courses)),
    }
    if not group:
        rows = [staff.aggregate(**figures)]
    else:
        rows = staff.values(*group).annotate(**figures).order_by(*group)
    return courses, [_learning_figures(dict(row), courses) for row in rows]


def learning_by_unit(
    user, *, as_at: datetime.date | None = None, within: OrgUnit | None = None
) -> list[dict]:
    """One row per unit: staff, mandatory completions required and done by `as_at`, the
    completion rate, and the staff who completed every mandatory course."""
    if not can_see_aggregates(user):
        return []
    as_at = as_at or timezone.localdate()
    _courses, rows = _learning_rows(as_at, within, ["unit_id", "unit__code", "unit__name"])
    for row in rows:
        suppress_small_group(
            row, not manages(user, row["unit_id"]), size="staff", figures=LEARNING_FIGURES
        )
    _suppress_complement(rows, user, figures=LEARNING_FIGURES)
    return rows


def learning_total(
    user, *, as_at: datetime.date | None = None, within: OrgUnit | None = None
) -> dict | None:
    """The same figures for the unit and every unit below it together (or the Secretariat)."""
    if not can_see_aggregates(user):
        return None
    as_at = as_at or timezone.localdate()
    _courses, rows = _learning_rows(as_at, within, [])
    if not rows:
        return None
    managed = manages_all(user) or (within is not None and manages(user, within.pk))
    return suppress_small_group(rows[0], not managed, size="staff", figures=LEARNING_FIGURES)


def learning_by_course(
    user, *, as_at: datetime.date | None = None, within: OrgUnit | None = None
) -> list[dict]:
    """Per mandatory course: the staff (of `within`, or all) who had completed it by `as_at`."""
    if not can_see_aggregates(user):
        return []
    as_at = as_at or timezone.localdate()
    staff = Person.objects.filter(subtree_q(within), is_active=True)
    size = staff.count()
    managed = manages_all(user) or (within is not None and manages(user, within.pk))
    rows = (
        Course.objects.filter(mandatory=True)
        .annotate(
            completed=Count(
                "completions",
                filter=Q(
                    completions__completed_on__lte=as_at,
                    completions__person__in=staff.values("pk"),
                ),
            )
        )
        .values("code", "title", "area", "completed")
        .order_by("code")
    )
    result = []
    for row in rows:
        row = dict(row, staff=size, completion_rate=rate(row["completed"], size))
        row["area_label"] = CourseArea(row["area"]).label
        result.append(
            suppress_small_group(
                row, not managed, size="staff", figures=("staff", "completed", "completion_rate")
            )
        )
    return result


# --- Discipline and recognition (paragraphs 8 and 17) ----------------------------------------
#
# Published as the Secretary-General's annual report on the practice in disciplinary matters
# publishes them: Secretariat-wide counts for a period, never by unit or by name. Measures are
# counted by the date they were imposed, categories by the date the case was opened, referrals
# to national authorities by the date of the referral. For every reader but administrators,
# counts of 1 to 4 are suppressed (suppress_cells, the rule of the appraisal ratings).

MEASURE_KEYS = [m for m in DisciplinaryMeasure.values if m]
CATEGORY_KEYS = list(DisciplinaryCategory.values)


def _discipline(start: datetime.date, end: datetime.date, suppressed: bool) -> dict:
    cases = DisciplinaryCase.objects.all()
    measures = dict(
        cases.filter(measure_on__gte=start, measure_on__lte=end)
        .exclude(measure="")
        .values_list("measure")
        .annotate(n=Count("pk"))
        .order_by()
    )
    categories = dict(
        cases.filter(opened_on__gte=start, opened_on__lte=end)
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_measure = {key: measures.get(key, 0) for key in MEASURE_KEYS}
    by_category = {key: categories.get(key, 0) for key in CATEGORY_KEYS}
    referred = cases.filter(referred_on__gte=start, referred_on__lte=end).count()
    summary = {
        "cases_opened": sum(by_category.values()),
        "measures_imposed": sum(
            n for key, n in by_measure.items() if key != DisciplinaryMeasure.NO_MEASURE
        ),
        "by_measure": by_measure,
        "by_category": by_category,
        "referred_to_national_authorities": referred,
        "suppressed": suppressed,
    }
    if suppressed:
        suppress_cells(by_measure, MEASURE_KEYS)
        suppress_cells(by_category, CATEGORY_KEYS)
        if 0 < referred < SUPPRESS_BELOW:
            summary["referred_to_national_authorities"] = None
    return summary


def discipline_summary(user, *, start: datetime.date, end: datetime.date) -> dict | None:
    """Counts by measure and by category for a period (None for readers without a role)."""
    if not can_see_aggregates(user):
        return None
    return _discipline(start, end, not manages_all(user))


def recognition_summary(
    user, *, start: datetime.date, end: datetime.date, within: OrgUnit | None = None
) -> dict:
    """Awards given in the period, by kind and by unit (awards are public: no suppression)."""
    qs = Recognition.objects.restrict(user, "view").filter(
        subtree_q(within), awarded_on__gte=start, awarded_on__lte=end
    )
    by_kind = dict(qs.values_list("kind").annotate(n=Count("pk")).order_by())
    by_unit = list(
        qs.values("unit__code", "unit__name")
        .annotate(count=Count("pk"), people=Count("person", distinct=True))
        .order_by("unit__code")
    )
    return {
        "total": sum(by_kind.values()),
        "by_kind": {key: by_kind.get(key, 0) for key in RecognitionKind.values},
        "by_unit": by_unit,
    }


# --- Budget performance and efficiency (paragraphs 10 and 11) --------------------------------
#
# Utilisation = expenditure / appropriation, in per cent, one decimal, computed in SQL
# (querysets.percentage). Secretariat totals add the units' figures recorded in US dollars only
# (other currencies are listed by unit, never added). Cost per output of an efficiency measure =
# the cost recorded with its result for the period / the outputs delivered in it.


def budget_by_unit(user, *, period: str | None = None, within: OrgUnit | None = None) -> list[dict]:
    qs = (
        BudgetPerformance.objects.restrict(user, "view")
        .filter(subtree_q(within))
        .with_utilisation()
    )
    if period:
        qs = qs.filter(period=period)
    return list(
        qs.values(
            "pk",
            "unit__code",
            "unit__name",
            "period",
            "appropriation",
            "expenditure",
            "currency",
            "utilisation",
        ).order_by("unit__code", "start_year")
    )


def budget_by_period(
    user=None,
    *,
    within: OrgUnit | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
) -> list[dict]:
    """Per budget period, the units' appropriation and expenditure in US dollars added up, and
    the utilisation of the total: the trend over periods paragraph 10 asks for."""
    qs = (
        BudgetPerformance.objects.all()
        if user is None
        else BudgetPerformance.objects.restrict(user, "view")
    )
    qs = qs.filter(subtree_q(within), currency="USD")
    if first_year:
        qs = qs.filter(start_year__gte=first_year)
    if last_year:
        qs = qs.filter(start_year__lte=last_year)
    rows = (
        qs.values("period", "start_year")
        .annotate(
            units=Count("unit", distinct=True),
            total_appropriation=Sum("appropriation"),
            total_expenditure=Sum("expenditure"),
        )
        .annotate(utilisation=percentage("total_expenditure", "total_appropriation"))
        .order_by("start_year", "period")
    )
    return list(rows)


def efficiency_results(
    user, *, within: OrgUnit | None = None, limit: int = 100
) -> list[IndicatorResult]:
    """Results of efficiency measures with what their outputs cost (cost per output in SQL)."""
    return list(
        IndicatorResult.objects.restrict(user, "view")
        .filter(subtree_q(within, "indicator__unit"), indicator__kind=IndicatorKind.EFFICIENCY)
        .select_related("indicator", "indicator__unit")
        .annotate(cost_per_output_sql=cost_per_output_q())
        .order_by("indicator__unit__code", "indicator__title", "start_year")[:limit]
    )


def people_metrics(period_start: datetime.date, period_end: datetime.date) -> dict[str, dict]:
    """The report's figures for learning (A), budget performance (B), discipline and
    recognition (D), each as at `period_end`, published as GA staff read them (suppressed)."""
    first, last = _period_years(period_start, period_end)
    _courses, learning = _learning_rows(period_end, None, [])
    total = learning[0] if learning else None
    if total:
        suppress_small_group(total, True, size="staff", figures=LEARNING_FIGURES)
    budgets = budget_by_period(last_year=last)
    in_period = [b for b in budgets if first <= b["start_year"] <= last]
    appropriation = sum((b["total_appropriation"] for b in in_period), Decimal(0))
    expenditure = sum((b["total_expenditure"] for b in in_period), Decimal(0))
    costed = IndicatorResult.objects.filter(
        indicator__kind=IndicatorKind.EFFICIENCY,
        start_year__gte=first,
        start_year__lte=last,
        cost__isnull=False,
        outputs__gt=0,
    ).count()
    discipline = _discipline(period_start, period_end, True)
    recognitions = Recognition.objects.filter(
        awarded_on__gte=period_start, awarded_on__lte=period_end
    ).aggregate(total=Count("pk"), units=Count("unit", distinct=True))
    return {
        "A": {
            "learning_mandatory_courses": _courses,
            "learning_staff": total["staff"] if total else 0,
            "learning_mandatory_completion_rate": total["completion_rate"] if total else None,
            "learning_staff_fully_trained_rate": total["fully_trained_rate"] if total else None,
        },
        "B": {
            "budget_utilisation_by_period": [
                {
                    "period": b["period"],
                    "units": b["units"],
                    "appropriation": str(b["total_appropriation"]),
                    "expenditure": str(b["total_expenditure"]),
                    "utilisation_rate": float(b["utilisation"])
                    if b["utilisation"] is not None
                    else None,
                }
                for b in budgets
            ],
            "budget_appropriation_in_period": str(appropriation),
            "budget_expenditure_in_period": str(expenditure),
            "budget_utilisation_rate_in_period": rate(expenditure, appropriation),
            "efficiency_results_with_cost_per_output": costed,
        },
        "D": {
            "disciplinary_cases_opened": discipline["cases_opened"],
            "disciplinary_measures_imposed": discipline["measures_imposed"],
            "disciplinary_measures_by_kind": discipline["by_measure"],
            "disciplinary_cases_by_category": discipline["by_category"],
            "disciplinary_referrals_to_national_authorities": discipline[
                "referred_to_national_authorities"
            ],
            "recognitions_given": recognitions["total"],
            "recognitions_units": recognitions["units"],
        },
    }


# --- Definitions the report prints in its methodology annex (reports.methodology) ----------

_AS_AT = gettext_lazy("As at the period end: a state reached after the period end is not counted.")
_RATE = gettext_lazy("Percentage rounded to one decimal; no figure when the denominator is zero.")
_SUPPRESSED = gettext_lazy(
    "Counts of 1 to 4 are not shown (with the next smallest when one alone would be hidden), as "
    "the annual report on the practice in disciplinary matters is published."
)
FIGURES = {
    "learning_mandatory_courses": {
        "definition": gettext_lazy("Courses marked mandatory in the learning catalogue."),
        "date_rule": gettext_lazy("As recorded when the report is compiled."),
        "source": "performance",
    },
    "learning_staff": {
        "definition": gettext_lazy(
            "Active staff members, in their current unit (postings are not dated); not shown "
            "under 5 people."
        ),
        "date_rule": gettext_lazy("As recorded when the report is compiled."),
        "source": "performance",
    },
    "learning_mandatory_completion_rate": {
        "definition": gettext_lazy("Completion of the mandatory courses (paragraph 6)."),
        "numerator": gettext_lazy(
            "Completions of mandatory courses by active staff dated on or before the period end."
        ),
        "denominator": gettext_lazy("Active staff multiplied by the mandatory courses."),
        "date_rule": _AS_AT,
        "source": "performance",
    },
    "learning_staff_fully_trained_rate": {
        "definition": gettext_lazy("Staff who had completed every mandatory course."),
        "numerator": gettext_lazy(
            "Active staff with a completion of every mandatory course dated on or before the "
            "period end."
        ),
        "denominator": gettext_lazy("Active staff."),
        "date_rule": _AS_AT,
        "source": "performance",
    },
    "budget_utilisation_by_period": {
        "definition": gettext_lazy(
            "Per budget period up to the period end: the units' appropriation and expenditure "
            "recorded in US dollars, added up, and the utilisation of the total (paragraph 10)."
        ),
        "numerator": gettext_lazy("Expenditure."),
        "denominator": gettext_lazy("Appropriation."),
        "date_rule": gettext_lazy(
            "Budget periods whose first year is on or before the period end."
        ),
        "source": "performance",
    },
    "budget_appropriation_in_period": {
        "definition": gettext_lazy(
            "Appropriation of the budget periods starting within the period, in US dollars."
        ),
        "date_rule": gettext_lazy("Budget periods whose first year falls within the period."),
        "source": "performance",
    },
    "budget_expenditure_in_period": {
        "definition": gettext_lazy(
            "Expenditure of the budget periods starting within the period, in US dollars."
        ),
        "date_rule": gettext_lazy("Budget periods whose first year falls within the period."),
        "source": "performance",
    },
    "budget_utilisation_rate_in_period": {
        "definition": gettext_lazy("Budget utilisation."),
        "numerator": gettext_lazy("Expenditure (US dollars)."),
        "denominator": gettext_lazy("Appropriation (US dollars)."),
        "date_rule": _RATE,
        "source": "performance",
    },
    "efficiency_results_with_cost_per_output": {
        "definition": gettext_lazy(
            "Results of efficiency measures that carry a cost per output (paragraph 11): the "
            "cost recorded with the result divided by the outputs delivered in its budget period."
        ),
        "date_rule": gettext_lazy("Budget periods whose first year falls within the period."),
        "source": "performance",
    },
    "disciplinary_cases_opened": {
        "definition": gettext_lazy("Disciplinary cases opened (paragraphs 8 and 17)."),
        "date_rule": gettext_lazy("Cases opened within the period."),
        "source": "performance",
    },
    "disciplinary_measures_imposed": {
        "definition": gettext_lazy(
            "Disciplinary measures imposed, closures without a measure excluded."
        ),
        "date_rule": gettext_lazy("Measures dated within the period."),
        "source": "performance",
    },
    "disciplinary_measures_by_kind": {
        "definition": gettext_lazy("Measures imposed, by kind."),
        "date_rule": _SUPPRESSED,
        "source": "performance",
    },
    "disciplinary_cases_by_category": {
        "definition": gettext_lazy("Cases opened, by category of misconduct."),
        "date_rule": _SUPPRESSED,
        "source": "performance",
    },
    "disciplinary_referrals_to_national_authorities": {
        "definition": gettext_lazy("Cases referred to national authorities."),
        "date_rule": gettext_lazy("Referrals dated within the period; 1 to 4 not shown."),
        "source": "performance",
    },
    "recognitions_given": {
        "definition": gettext_lazy("Awards and letters of commendation given (paragraph 8)."),
        "date_rule": gettext_lazy("Awards dated within the period."),
        "source": "performance",
    },
    "recognitions_units": {
        "definition": gettext_lazy("Units whose staff or teams received an award."),
        "date_rule": gettext_lazy("Awards dated within the period."),
        "source": "performance",
    },
}
# How the report names these figures (reports.labels.app_label), in this app's catalogue.
LABELS = {
    "learning_mandatory_courses": gettext_lazy("Mandatory courses"),
    "learning_staff": gettext_lazy("Staff counted for mandatory training"),
    "learning_mandatory_completion_rate": gettext_lazy("Mandatory courses completed (%)"),
    "learning_staff_fully_trained_rate": gettext_lazy(
        "Staff who completed every mandatory course (%)"
    ),
    "budget_utilisation_by_period": gettext_lazy("Budget utilisation by budget period"),
    "budget_appropriation_in_period": gettext_lazy("Appropriation (USD)"),
    "budget_expenditure_in_period": gettext_lazy("Expenditure (USD)"),
    "budget_utilisation_rate_in_period": gettext_lazy("Budget utilisation (%)"),
    "efficiency_results_with_cost_per_output": gettext_lazy(
        "Efficiency measures with a cost per output"
    ),
    "disciplinary_cases_opened": gettext_lazy("Disciplinary cases opened"),
    "disciplinary_measures_imposed": gettext_lazy("Disciplinary measures imposed"),
    "disciplinary_measures_by_kind": gettext_lazy("Disciplinary measures by kind"),
    "disciplinary_cases_by_category": gettext_lazy("Disciplinary cases by category of misconduct"),
    "disciplinary_referrals_to_national_authorities": gettext_lazy(
        "Cases referred to national authorities"
    ),
    "recognitions_given": gettext_lazy("Awards given"),
    "recognitions_units": gettext_lazy("Units with an award"),
}
