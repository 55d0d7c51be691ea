"""The figures of the risk area, computed in SQL: for the pages and dashboard (scoped to a user)
and for the paragraph 33 report (Secretariat-wide, sections J, K and D)."""

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.figures import rate
from org.access import access_for
from risk.choices import (
    Band,
    Finding,
    RiskCategory,
    SanctionMeasure,
    TestResult,
    TreatmentStatus,
    Trend,
)
from risk.models import (
    Control,
    ControlTest,
    Deficiency,
    InterestDeclaration,
    ProcurementCase,
    RatingScale,
    RecoveryAction,
    RecoveryCase,
    Risk,
    RiskAssessment,
    Treatment,
)
from risk.querysets import Switch, band_case, review_due

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


def money(value) -> str:
    return f"{(value or Decimal('0')).quantize(Decimal('0.01'))}"


# --- Heat map ------------------------------------------------------------------------------


def heat_map(risks, *, residual: bool = False) -> dict:
    """Counts per (likelihood, impact) cell of a 5x5 grid, in one grouped query."""
    lf, impf = ("residual_likelihood", "residual_impact") if residual else ("likelihood", "impact")
    counts = {
        (row[lf], row[impf]): row["n"]
        for row in risks.filter(**{f"{lf}__isnull": False})
        .order_by()
        .values(lf, impf)
        .annotate(n=Count("pk"))
    }
    return {"cells": counts, "total": sum(counts.values())}


def band_counts(
    risks, scale: RatingScale, *, residual: bool = False, field: str | None = None
) -> dict[str, int]:
    field = field or ("residual_score" if residual else "score")
    rows = risks.order_by().annotate(b=band_case(field, scale)).values("b").annotate(n=Count("pk"))
    counts = {band: 0 for band in Band.values}
    for row in rows:
        if row["b"]:
            counts[row["b"]] = row["n"]
    return counts


def units_with_current_register(risks, as_of: datetime.date) -> int:
    """Units whose every active risk was reviewed within the 12 months up to `as_of`."""
    # `reviewed_on` is the latest review: one after `as_of` must not make the register current
    # on `as_of`, so then take the last dated assessment up to `as_of`.
    last_review = Case(
        When(reviewed_on__lte=as_of, then=F("reviewed_on")),
        default=Subquery(
            RiskAssessment.objects.filter(risk=OuterRef("pk"), assessed_on__lte=as_of)
            .order_by("-assessed_on")
            .values("assessed_on")[:1]
        ),
        output_field=DateField(),
    )
    return (
        risks.order_by()
        .annotate(last_reviewed_on=last_review)
        .values("unit")
        .annotate(stale=Count("pk", filter=review_due(as_of, prefix="last_")))
        .filter(stale=0)
        .count()
    )


def registers_by_unit(risks, as_of: datetime.date | None = None) -> list[dict]:
    """Per unit: active risks, how many are due for review, the highest score; one grouped query."""
    rows = (
        risks.order_by()
        .values("unit__code")
        .annotate(
            n=Count("pk"),
            stale=Count("pk", filter=review_due(as_of)),
            top=Max("score"),
        )
        .order_by("unit__code")
    )
    return [
        {
            "code": r["unit__code"],
            "risks": r["n"],
            "review_due": r["stale"],
            "top_score": r["top"],
            "current": r["stale"] == 0,
        }
        for r in rows
    ]


def overview(user) -> dict:
    """The risk area's headline figures for what `user` may see."""
    today = timezone.localdate()
    risks = Risk.objects.restrict(user, "view").active()
    scale = RatingScale.current()
    risk_figures = risks.aggregate(
        total=Count("pk"),
        review_due=Count("pk", filter=review_due(today)),
    )
    tests = ControlTest.objects.restrict(user, "view")
    return {
        "risks": risk_figures["total"],
        "review_due": risk_figures["review_due"],
        "bands": band_counts(risks, scale),
        "units_current": units_with_current_register(risks, today),
        "units_with_register": risks.order_by().values("unit").distinct().count(),
        "treatments_overdue": Treatment.objects.restrict(user, "view").overdue(today).count(),
        "controls": Control.objects.restrict(user, "view").count(),
        "tests_last_year": tests.filter(tested_on__gt=today - datetime.timedelta(days=365)).count(),
        "open_deficiencies": Deficiency.objects.restrict(user, "view").open().count(),
        "cases_flagged": ProcurementCase.objects.restrict(user, "view")
        .exclude(status__in=["awarded", "cancelled"])
        .flagged()
        .count(),
        "recovery": RecoveryCase.objects.restrict(user, "view").aggregate(
            lost=Coalesce(Sum("amount_lost"), ZERO),
            recovered=Coalesce(Sum("amount_recovered"), ZERO),
            cases=Count("pk"),
        ),
    }


# --- Report (paragraph 33) -----------------------------------------------------------------


def _control_figures(period_start: datetime.date, period_end: datetime.date) -> dict:
    """The controls on record by the period's end (created by then, or tested by then), those
    tested in the period, and those whose latest test in the period (the last date, ties by the
    newest id) found them effective. A control tested in the period was tested by its end, so
    the tested and effective are counted from the period's tests alone: each control's latest
    is one DISTINCT ON pass in the order of controltest_latest_idx. A sub-select per control
    ran it once for every control, twice (once per filtered count): 7.5 minutes at factor 10."""
    # Two disjoint counts, not one OR over a sub-select: ORed, PostgreSQL ran the sub-select for
    # every control, for more than 15 minutes in three parallel workers at factor 10 (300,010
    # controls, 500,012 tests); apart, about a second.
    tested_by_end = ControlTest.objects.filter(tested_on__lte=period_end).values("control")
    total = (
        Control.objects.filter(created_at__date__lte=period_end).count()
        + Control.objects.filter(created_at__date__gt=period_end, pk__in=tested_by_end).count()
    )
    in_period = ControlTest.objects.filter(tested_on__gte=period_start, tested_on__lte=period_end)
    if connection.features.can_distinct_on_fields:
        latest = in_period.order_by("control_id", "-tested_on", "-pk").distinct("control_id")
        latest = latest.values("pk")
    else:
        # SQLite (the embedded default) has no DISTINCT ON; its tables are small enough for a
        # sub-select a control.
        latest = (
            Control.objects.annotate(
                latest=Subquery(
                    in_period.filter(control=OuterRef("pk"))
                    .order_by("-tested_on", "-pk")
                    .values("pk")[:1]
                )
            )
            .filter(latest__isnull=False)
            .values("latest")
        )
    counted = ControlTest.objects.filter(pk__in=latest).aggregate(
        tested=Count("pk"), effective=Count("pk", filter=Q(result=TestResult.EFFECTIVE))
    )
    return {"total": total, **counted}


def _assessed(as_of: datetime.date, field: str, prefix: str = "", nth: int = 0) -> Subquery:
    """`field` of the nth latest assessment on or before `as_of` (0: the last one)."""
    return Subquery(
        RiskAssessment.objects.filter(risk=OuterRef(f"{prefix}pk"), assessed_on__lte=as_of)
        .order_by("-assessed_on", "-pk")
        .values(field)[nth : nth + 1]
    )


RATED_FIELDS = ("likelihood", "impact", "score", "residual_score")


def as_at_ratings(risks, as_of: datetime.date, prefix: str = "", fields=RATED_FIELDS):
    """Risks annotated with their rating as at `as_of` (`at_` and each of `fields`): the last
    dated assessment on or before it (the assessment history); a risk with no assessment by then
    keeps its recorded rating (it was rated when identified, and the register keeps no older
    value). `prefix` reaches the risk from another record ("risk__" for a critical risk entry)."""

    def last(field):
        return Coalesce(_assessed(as_of, field, prefix), F(f"{prefix}{field}"))

    return risks.annotate(**{f"at_{field}": last(field) for field in fields})


def with_trend(
    risks,
    as_of: datetime.date,
    scale: RatingScale | None = None,
    prefix: str = "",
    *,
    selected: bool = True,
):
    """The risk's rating as at `as_of` (as_at_ratings), its band (`at_band`, the rating scale's
    bands) and its trend: the score of the last assessment on or before `as_of` against the one
    before it: lower is improving, higher worsening, equal (or a single assessment) stable.
    With `selected=False` the band and the trend are only aliases (for filters and ordering), and
    the rows read are given them by set_band_and_trend: each reference to the score's sub-select
    in the SELECT list was planned and run again (five sub-plans a row, 2.4 ms to plan a page)."""
    scale = scale or RatingScale.current()
    # Only the score: the register shows no likelihood or impact as at the date, and each
    # reference to a sub-select is planned again (querysets.Switch).
    derived = {
        "at_band": band_case("at_score", scale),
        # The sign of the change since the previous assessment; none before, stable.
        "trend": Switch(
            Func(
                F("at_score"),
                F("previous_score"),
                template="sign(%(expressions)s)",
                arg_joiner=" - ",
            ),
            {-1: Trend.IMPROVING, 1: Trend.WORSENING},
            default=Trend.STABLE,
        ),
    }
    rated = as_at_ratings(risks, as_of, prefix, fields=("score",)).annotate(
        previous_score=_assessed(as_of, "score", prefix, nth=1)
    )
    if not selected:
        return rated.alias(**derived)
    return rated.annotate(at_band=derived["at_band"]).annotate(trend=derived["trend"])


def set_band_and_trend(entries, scale: RatingScale) -> None:
    """On rows read from with_trend(selected=False): `at_band` and `trend` as its SQL gives them."""
    for entry in entries:
        score, previous = entry.at_score, entry.previous_score
        band = scale.band(score)
        entry.at_band = band.value if isinstance(band, Band) else band
        change = None if score is None or previous is None else score - previous
        entry.trend = (
            Trend.IMPROVING.value
            if change is not None and change < 0
            else Trend.WORSENING.value
            if change is not None and change > 0
            else Trend.STABLE.value
        )


def section_j(period_start: datetime.date, period_end: datetime.date) -> dict:
    scale = RatingScale.current()
    risks = Risk.objects.filter(identified_on__lte=period_end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=period_end)
    )
    rated = as_at_ratings(risks, period_end)
    by_category = {c: 0 for c in RiskCategory.values}
    for row in risks.order_by().values("category").annotate(n=Count("pk")):
        by_category[row["category"]] = row["n"]
    controls = _control_figures(period_start, period_end)
    treatments_overdue = (
        Treatment.objects.filter(due_on__lt=period_end, risk__identified_on__lte=period_end)
        .exclude(status=TreatmentStatus.CANCELLED)
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gt=period_end))
        .count()
    )
    open_deficiencies = (
        Deficiency.objects.filter(test__tested_on__lte=period_end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period_end))
        .count()
    )
    cells = {
        (row["at_likelihood"], row["at_impact"]): row["n"]
        for row in rated.order_by().values("at_likelihood", "at_impact").annotate(n=Count("pk"))
        if row["at_likelihood"] is not None
    }
    return {
        "units_with_risk_register": risks.order_by().values("unit").distinct().count(),
        "units_with_current_register": units_with_current_register(risks, period_end),
        "risks_total": risks.count(),
        "risks_by_band": band_counts(rated, scale, field="at_score"),
        "risks_by_residual_band": band_counts(rated, scale, field="at_residual_score"),
        "risks_by_category": by_category,
        "treatments_overdue": treatments_overdue,
        "controls_total": controls["total"],
        "controls_tested": controls["tested"],
        "controls_effective": controls["effective"],
        "controls_effective_rate": rate(controls["effective"], controls["tested"]),
        "control_tests": ControlTest.objects.filter(
            tested_on__gte=period_start, tested_on__lte=period_end
        ).count(),
        "open_deficiencies": open_deficiencies,
        # "likelihood x impact" -> count: the report draws its heat map from this, coloured by
        # the same bands (`rating_bands` of the snapshot) as `risks_by_band`.
        "heat_map": {f"{lk}x{im}": n for (lk, im), n in sorted(cells.items())},
    }


def recovery_figures(period_start: datetime.date, period_end: datetime.date, cases=None) -> dict:
    """Losses established (cases opened) in the period, amounts recovered by recovery actions
    taken in the period (whatever the case's opening date), and the balance outstanding on
    `period_end` on every case opened by then."""
    cases = RecoveryCase.objects.all() if cases is None else cases
    opened = cases.filter(opened_on__gte=period_start, opened_on__lte=period_end).aggregate(
        n=Count("pk"), lost=Coalesce(Sum("amount_lost"), ZERO)
    )
    actions = RecoveryAction.objects.filter(
        case__in=cases.values("pk"), taken_on__gte=period_start, taken_on__lte=period_end
    ).aggregate(total=Coalesce(Sum("amount"), ZERO), n=Count("pk"))
    recovered_by_end = Coalesce(
        Subquery(
            RecoveryAction.objects.filter(case=OuterRef("pk"), taken_on__lte=period_end)
            .order_by()
            .values("case")
            .annotate(s=Sum("amount"))
            .values("s")[:1]
        ),
        ZERO,
    )
    to_date = (
        cases.filter(opened_on__lte=period_end)
        .annotate(recovered_by_end=recovered_by_end)
        .annotate(
            balance=Greatest(F("amount_lost") - F("recovered_by_end"), ZERO),
        )
        .aggregate(
            lost=Coalesce(Sum("amount_lost"), ZERO),
            recovered=Coalesce(Sum("recovered_by_end"), ZERO),
            outstanding=Coalesce(Sum("balance"), ZERO),
        )
    )
    return {
        "opened": opened["n"],
        "lost": opened["lost"],
        "recovered": actions["total"],
        "actions": actions["n"],
        "lost_to_date": to_date["lost"],
        "recovered_to_date": to_date["recovered"],
        "outstanding": to_date["outstanding"],
    }


def section_k(period_start: datetime.date, period_end: datetime.date) -> dict:
    cases = ProcurementCase.objects.filter(opened_on__gte=period_start, opened_on__lte=period_end)
    case_figures = cases.with_flag().aggregate(
        total=Count("pk"),
        flagged=Count("pk", filter=Q(is_flagged=True)),
        cleared=Count("pk", filter=Q(is_flagged=True, cleared_by__isnull=False)),
        value=Coalesce(Sum("value"), ZERO),
    )
    declarations = InterestDeclaration.objects.filter(
        declared_on__gte=period_start, declared_on__lte=period_end
    ).aggregate(total=Count("pk"), interests=Count("pk", filter=~Q(vendor="")))
    recovery = recovery_figures(period_start, period_end)
    closed = RecoveryCase.objects.filter(
        closed_on__gte=period_start, closed_on__lte=period_end
    ).count()
    return {
        "procurement_cases": case_figures["total"],
        "procurement_cases_flagged": case_figures["flagged"],
        "procurement_cases_cleared": case_figures["cleared"],
        "procurement_value": money(case_figures["value"]),
        "declarations": declarations["total"],
        "declarations_of_interest": declarations["interests"],
        "recovery_cases": recovery["opened"],
        "recovery_cases_closed": closed,
        "amount_lost": money(recovery["lost"]),
        "amount_recovered": money(recovery["recovered"]),
        "recovery_actions_in_period": recovery["actions"],
        "amount_outstanding": money(recovery["outstanding"]),
        "recovery_rate": rate(recovery["recovered_to_date"], recovery["lost_to_date"]),
    }


def section_d(period_start: datetime.date, period_end: datetime.date) -> dict:
    by_type = {}
    for finding in Finding.values:
        figures = recovery_figures(
            period_start, period_end, RecoveryCase.objects.filter(finding=finding)
        )
        by_type[finding] = {
            "count": figures["opened"],
            "amount_lost": money(figures["lost"]),
            "amount_recovered": money(figures["recovered"]),
        }
    return {
        "misconduct_findings": sum(v["count"] for v in by_type.values()),
        "misconduct_findings_by_type": by_type,
    }


def report_metrics(period_start: datetime.date, period_end: datetime.date) -> dict[str, dict]:
    controls = secretariat_control_metrics(period_start, period_end)
    return {
        "J": {**section_j(period_start, period_end), **controls["J"]},
        "K": {**section_k(period_start, period_end), **controls["K"]},
        "D": {**section_d(period_start, period_end), **controls["D"]},
    }


def _items(queryset, title_field: str, status_field: str, date_field: str) -> list[dict]:
    rows = queryset.order_by(f"-{date_field}", "-pk").values(
        "pk", title_field, status_field, date_field
    )[:10]
    return [
        {
            "id": r["pk"],
            "title": r[title_field],
            "status": r[status_field],
            "date": r[date_field].isoformat() if r[date_field] else None,
        }
        for r in rows
    ]


def paragraph_measures(
    period_start: datetime.date, period_end: datetime.date
) -> dict[int, list[dict]]:
    """What the risk area holds against paragraphs 17 and 30-32, in the period."""
    # Risks rated at a review inside the period: the dated assessments where they exist (a later
    # review must not move a risk out of the period), else the latest review date.
    in_period = Q(
        assessments__assessed_on__gte=period_start, assessments__assessed_on__lte=period_end
    )
    risks = Risk.objects.annotate(
        assessed_in_period=Coalesce(
            Max("assessments__assessed_on", filter=in_period),
            Case(
                When(
                    reviewed_on__gte=period_start,
                    reviewed_on__lte=period_end,
                    then=F("reviewed_on"),
                ),
                output_field=DateField(),
            ),
        )
    ).filter(assessed_in_period__isnull=False)
    tests = ControlTest.objects.filter(tested_on__gte=period_start, tested_on__lte=period_end)
    cases = ProcurementCase.objects.filter(opened_on__gte=period_start, opened_on__lte=period_end)
    flagged = cases.flagged()
    recovery = RecoveryCase.objects.filter(opened_on__gte=period_start, opened_on__lte=period_end)
    fraud = recovery.filter(finding=Finding.FRAUD)
    controls = _control_measures(period_start, period_end)
    measures = {
        17: [
            {
                "kind": "recovery_cases_fraud",
                "label": _("Recovery actions against fraud"),
                "count": fraud.count(),
                "items": _items(fraud, "title", "finding", "opened_on"),
            }
        ],
        30: [
            {
                "kind": "risks_assessed",
                "label": _("Risks assessed or reviewed"),
                "count": risks.count(),
                "items": _items(risks, "title", "category", "assessed_in_period"),
            }
        ],
        31: [
            {
                "kind": "control_tests",
                "label": _("Internal control tests"),
                "count": tests.count(),
                "items": _items(
                    tests.select_related("control"), "control__title", "result", "tested_on"
                ),
            }
        ],
        32: [
            {
                "kind": "procurement_cases_flagged",
                "label": _("Procurement cases flagged for conflicts of interest"),
                "count": flagged.count(),
                "items": _items(flagged, "reference", "status", "opened_on"),
            },
            {
                "kind": "recovery_cases",
                "label": _("Recovery cases"),
                "count": recovery.count(),
                "items": _items(recovery, "title", "finding", "opened_on"),
            },
        ],
    }
    for number, extra in controls.items():
        measures[number].extend(extra)
    return measures


def _with_kind(items: list[dict], status_kind: str) -> list[dict]:
    return [{**item, "status_kind": status_kind} for item in items]


def _control_measures(period_start: datetime.date, period_end: datetime.date) -> dict:
    """Issue 15's measures: referrals (17), critical risks flagged (30), statements of internal
    control issued (31), vendor sanctions and committee on contracts reviews (32)."""
    from risk.models import (
        ContractsReview,
        CriticalRisk,
        InternalControlStatement,
        VendorSanction,
    )

    def within(field):
        return {f"{field}__gte": period_start, f"{field}__lte": period_end}

    referred = RecoveryCase.objects.filter(
        Q(**within("referred_for_discipline_on")) | Q(**within("referred_to_authorities_on"))
    ).annotate(
        # The referral that falls in the period (the disciplinary one when both do).
        referred_on=Case(
            When(Q(**within("referred_for_discipline_on")), then=F("referred_for_discipline_on")),
            default=F("referred_to_authorities_on"),
            output_field=DateField(),
        )
    )
    flagged = CriticalRisk.objects.filter(**within("flagged_on")).select_related("risk")
    issued = InternalControlStatement.objects.filter(status="issued", **within("issued_on"))
    sanctions = VendorSanction.objects.filter(**within("sanctioned_from"))
    reviews = ContractsReview.objects.filter(**within("reviewed_on"))
    return {
        17: [
            {
                "kind": "recovery_referrals",
                "label": _(
                    "Recovery cases referred for disciplinary action or to national authorities"
                ),
                "count": referred.count(),
                "items": _with_kind(
                    _items(referred, "title", "finding", "referred_on"), "recoverycase_finding"
                ),
            }
        ],
        30: [
            {
                "kind": "critical_risks_flagged",
                "label": _("Risks flagged on the Secretariat-wide critical risk register"),
                "count": flagged.count(),
                "items": _with_kind(
                    _items(flagged, "risk__title", "risk__category", "flagged_on"),
                    "risk_category",
                ),
            }
        ],
        31: [
            {
                "kind": "control_statements",
                "label": _("Statements of internal control issued"),
                "count": issued.count(),
                "items": _with_kind(
                    _items(issued, "year", "status", "issued_on"), "statement_status"
                ),
            }
        ],
        32: [
            {
                "kind": "vendor_sanctions",
                "label": _("Vendor sanctions taking effect"),
                "count": sanctions.count(),
                "items": _with_kind(
                    _items(sanctions, "vendor", "measure", "sanctioned_from"), "sanction_measure"
                ),
            },
            {
                "kind": "committee_reviews",
                "label": _("Committee on contracts reviews"),
                "count": reviews.count(),
                "items": _with_kind(
                    _items(reviews, "case__reference", "outcome", "reviewed_on"),
                    "committee_outcome",
                ),
            },
        ],
    }


# --- Dashboard and resolution page ------------------------------------------------------


def dashboard_cards(user):
    from core.registry import Card

    access = access_for(user)
    if not access.authenticated:
        return []
    today = timezone.localdate()
    cards = []
    own = Risk.objects.filter(owner=user).active().aggregate(n=Count("pk"))["n"]
    own_overdue = (
        Treatment.objects.filter(Q(owner=user) | Q(risk__owner=user)).overdue(today).count()
    )
    if own or own_overdue:
        cards.append(Card("risk", _("Risks I own"), own, reverse("risk:risk_list") + "?mine=true"))
        cards.append(
            Card(
                "risk",
                _("My overdue treatment actions"),
                own_overdue,
                reverse("risk:treatment_list") + "?mine=true&overdue=true",
                tone="alert" if own_overdue else "",
            )
        )
    if access.is_manager or access.can_read_all:
        scale = RatingScale.current()
        risks = Risk.objects.restrict(user, "view").active()
        figures = risks.aggregate(
            total=Count("pk"),
            critical=Count("pk", filter=Q(score__gte=scale.critical_from)),
        )
        overdue = Treatment.objects.restrict(user, "view").overdue(today).count()
        cards.append(
            Card("risk", _("Risks in the register"), figures["total"], reverse("risk:risk_list"))
        )
        cards.append(
            Card(
                "risk",
                _("Critical risks"),
                figures["critical"],
                reverse("risk:risk_list") + "?band=critical",
                tone="warn" if figures["critical"] else "",
            )
        )
        cards.append(
            Card(
                "risk",
                _("Treatment actions overdue"),
                overdue,
                reverse("risk:treatment_list") + "?overdue=true",
                tone="alert" if overdue else "",
            )
        )
        flagged = (
            ProcurementCase.objects.restrict(user, "view")
            .exclude(status__in=["awarded", "cancelled"])
            .flagged()
            .count()
        )
        cards.append(
            Card(
                "risk",
                _("Procurement cases flagged"),
                flagged,
                reverse("risk:flagged_cases"),
                tone="alert" if flagged else "",
            )
        )
    return cards


def paragraph_evidence(user):
    from core.registry import Evidence

    risks = Risk.objects.restrict(user, "view").count()
    controls = Control.objects.restrict(user, "view").count()
    cases = ProcurementCase.objects.restrict(user, "view").count()
    recovery = RecoveryCase.objects.restrict(user, "view").aggregate(
        n=Count("pk"), fraud=Count("pk", filter=Q(finding=Finding.FRAUD))
    )
    from risk.models import CriticalRisk, InternalControlStatement, VendorSanction

    referred = (
        RecoveryCase.objects.restrict(user, "view")
        .filter(
            Q(referred_for_discipline_on__isnull=False)
            | Q(referred_to_authorities_on__isnull=False)
        )
        .count()
    )
    critical = CriticalRisk.objects.restrict(user, "view").filter(withdrawn_on__isnull=True)
    statements = InternalControlStatement.objects.restrict(user, "view").filter(status="issued")
    return {
        17: [
            Evidence(
                _("Recovery cases for fraud"),
                recovery["fraud"],
                reverse("risk:recovery_list") + "?finding=fraud",
            ),
            Evidence(
                _("Recovery cases referred for disciplinary action or to national authorities"),
                referred,
                reverse("risk:recovery_list"),
            ),
        ],
        30: [
            Evidence(_("Risks in registers"), risks, reverse("risk:risk_list")),
            Evidence(
                _("Secretariat-wide critical risks"),
                critical.count(),
                reverse("risk:critical_risk_list") + "?active=true",
            ),
        ],
        31: [
            Evidence(_("Internal controls"), controls, reverse("risk:control_list")),
            Evidence(
                _("Statements of internal control issued"),
                statements.count(),
                reverse("risk:statement_list"),
            ),
        ],
        32: [
            Evidence(_("Procurement cases with declarations"), cases, reverse("risk:case_list")),
            Evidence(_("Recovery cases"), recovery["n"], reverse("risk:recovery_list")),
            Evidence(
                _("Vendor sanctions"),
                VendorSanction.objects.restrict(user, "view").count(),
                reverse("risk:sanction_list"),
            ),
        ],
    }


# --- Statement of internal control, critical risks, sanctions, referrals (issue 15) ---------
# Figures for the report's sections J, K and D; each as at the period's end, from dated records.


def statement_figures(year: int) -> dict:
    """The year's statement of internal control: the issued roll-up when issued (frozen), else
    the roll-up as it stands (a draft, or no statement yet)."""
    from risk.models import InternalControlStatement
    from risk.statements import compute_rollup

    statement = InternalControlStatement.objects.filter(year=year).first()
    rollup = statement.figures() if statement else compute_rollup(year)
    return {
        "control_statement_issued": bool(statement and statement.is_issued),
        "units_expected_to_certify": rollup["units_expected"],
        "units_certified": rollup["units_certified"],
        "certification_rate": rollup["certification_rate"],
        "significant_deficiencies": len(rollup["significant_deficiencies"]),
        "significant_deficiencies_open_at_end": rollup["significant_open_at_end"],
    }


def critical_risk_figures(as_of: datetime.date) -> dict:
    """The Secretariat-wide critical risk register as at `as_of`: entries flagged by then and not
    withdrawn by then, by band and by trend (with_trend: one definition)."""
    from risk.models import CriticalRisk

    scale = RatingScale.current()
    entries = with_trend(CriticalRisk.objects.active(as_of), as_of, scale, prefix="risk__")
    by_band = {band: 0 for band in Band.values}
    by_trend = {trend: 0 for trend in Trend.values}
    for row in entries.order_by().values("at_band", "trend").annotate(n=Count("pk")):
        if row["at_band"]:
            by_band[row["at_band"]] += row["n"]
        by_trend[row["trend"]] += row["n"]
    return {
        "critical_risks": sum(by_trend.values()),
        "critical_risks_by_band": by_band,
        "critical_risks_by_trend": by_trend,
        "critical_risks_owner_units": entries.order_by().values("owner_unit").distinct().count(),
    }


def procurement_control_figures(period_start: datetime.date, period_end: datetime.date) -> dict:
    """Vendor sanctions imposed in the period (by measure) and in force on its last day; cases
    awarded in the period above the committee on contracts threshold, and how many of them had
    a review recommending the award on or before the award."""
    from risk.choices import CLEARING_OUTCOMES, CaseStatus
    from risk.models import ContractsReview, VendorSanction
    from risk.querysets import sanction_in_force
    from risk.services import committee_threshold

    imposed = {measure: 0 for measure in SanctionMeasure.values}
    in_period = VendorSanction.objects.filter(
        sanctioned_from__gte=period_start, sanctioned_from__lte=period_end
    )
    for row in in_period.order_by().values("measure").annotate(n=Count("pk")):
        imposed[row["measure"]] = row["n"]
    reviewed = ContractsReview.objects.filter(
        case=OuterRef("pk"),
        reviewed_on__lte=OuterRef("awarded_on"),
        outcome__in=CLEARING_OUTCOMES,
    )
    above = ProcurementCase.objects.filter(
        status=CaseStatus.AWARDED,
        awarded_on__gte=period_start,
        awarded_on__lte=period_end,
        value__gt=committee_threshold(),
    ).aggregate(
        n=Count("pk"),
        reviewed=Count("pk", filter=Q(Exists(reviewed))),
    )
    return {
        "vendor_sanctions_imposed": sum(imposed.values()),
        "vendor_sanctions_by_measure": imposed,
        "vendor_sanctions_in_force_at_end": VendorSanction.objects.filter(
            sanction_in_force(period_end)
        ).count(),
        "committee_reviews": ContractsReview.objects.filter(
            reviewed_on__gte=period_start, reviewed_on__lte=period_end
        ).count(),
        "awards_above_threshold": above["n"],
        "awards_above_threshold_reviewed": above["reviewed"],
    }


def referral_figures(period_start: datetime.date, period_end: datetime.date) -> dict:
    """Recovery cases referred in the period, by the date of each referral (para 17)."""
    figures = RecoveryCase.objects.aggregate(
        disciplinary=Count(
            "pk",
            filter=Q(
                referred_for_discipline_on__gte=period_start,
                referred_for_discipline_on__lte=period_end,
            ),
        ),
        national=Count(
            "pk",
            filter=Q(
                referred_to_authorities_on__gte=period_start,
                referred_to_authorities_on__lte=period_end,
            ),
        ),
    )
    return {
        "referred_for_disciplinary_action": figures["disciplinary"],
        "referred_to_national_authorities": figures["national"],
    }


def secretariat_control_metrics(
    period_start: datetime.date, period_end: datetime.date
) -> dict[str, dict]:
    """Issue 15's figures by report section (merged into report_metrics; defined in FIGURES):
    J (the statement of internal control of the year the period ends in, critical risks as at
    the end), K (sanctions, committee reviews), D (referrals, para 17)."""
    return {
        "J": {
            **statement_figures(period_end.year),
            **critical_risk_figures(period_end),
        },
        "K": procurement_control_figures(period_start, period_end),
        "D": referral_figures(period_start, period_end),
    }


# The report's methodology entries of the figures above (reports.methodology reads FIGURES).
_AS_AT_END = gettext_lazy(
    "As at the period end: a state reached after the period end is not counted."
)
_STATEMENT_RULE = gettext_lazy(
    "The statement of internal control of the year in which the period ends: as issued (its "
    "roll-up is stored when it is issued); while not issued, as recorded when the report is "
    "compiled."
)
FIGURES = {
    "control_statement_issued": {
        "definition": gettext_lazy(
            "Whether the Secretariat's statement of internal control for the year has been issued."
        ),
        "date_rule": _STATEMENT_RULE,
        "source": "risk",
    },
    "units_expected_to_certify": {
        "definition": gettext_lazy(
            "Entities expected to certify their internal control: active units with an active "
            "head of entity."
        ),
        "date_rule": _STATEMENT_RULE,
        "source": "risk",
    },
    "units_certified": {
        "definition": gettext_lazy(
            "Entities expected to certify whose head certified the year's internal control "
            "self-assessment."
        ),
        "date_rule": _STATEMENT_RULE,
        "source": "risk",
    },
    "certification_rate": {
        "definition": gettext_lazy("Share of the entities expected to certify that certified."),
        "numerator": gettext_lazy("Entities that certified"),
        "denominator": gettext_lazy("Entities expected to certify"),
        "date_rule": _STATEMENT_RULE,
        "source": "risk",
    },
    "significant_deficiencies": {
        "definition": gettext_lazy(
            "Significant deficiencies and material weaknesses found by the year's end and not "
            "remediated before the year began (the statement lists them)."
        ),
        "date_rule": _STATEMENT_RULE,
        "source": "risk",
    },
    "significant_deficiencies_open_at_end": {
        "definition": gettext_lazy(
            "Of the significant deficiencies listed, those not remediated by the year's end."
        ),
        "date_rule": _STATEMENT_RULE,
        "source": "risk",
    },
    "critical_risks": {
        "definition": gettext_lazy(
            "Risks on the Secretariat-wide critical risk register: flagged by the period end "
            "and not withdrawn by then."
        ),
        "date_rule": _AS_AT_END,
        "source": "risk",
    },
    "critical_risks_by_band": {
        "definition": gettext_lazy(
            "Critical risks by rating band, from each risk's last assessment on or before the "
            "period end."
        ),
        "date_rule": _AS_AT_END,
        "source": "risk",
    },
    "critical_risks_by_trend": {
        "definition": gettext_lazy(
            "Critical risks by trend: the score of the last assessment on or before the period "
            "end against the one before it (lower: improving; higher: worsening; equal or a "
            "single assessment: stable)."
        ),
        "date_rule": _AS_AT_END,
        "source": "risk",
    },
    "critical_risks_owner_units": {
        "definition": gettext_lazy("Units owning at least one critical risk."),
        "date_rule": _AS_AT_END,
        "source": "risk",
    },
    "vendor_sanctions_imposed": {
        "definition": gettext_lazy("Vendor sanctions taking effect in the period."),
        "date_rule": gettext_lazy("By the sanction's first day."),
        "source": "risk",
    },
    "vendor_sanctions_by_measure": {
        "definition": gettext_lazy(
            "Vendor sanctions taking effect in the period, by measure (suspension, debarment, "
            "censure)."
        ),
        "date_rule": gettext_lazy("By the sanction's first day."),
        "source": "risk",
    },
    "vendor_sanctions_in_force_at_end": {
        "definition": gettext_lazy("Vendor sanctions in force on the period's last day."),
        "date_rule": _AS_AT_END,
        "source": "risk",
    },
    "committee_reviews": {
        "definition": gettext_lazy("Committee on contracts reviews held in the period."),
        "date_rule": gettext_lazy("By the review date."),
        "source": "risk",
    },
    "awards_above_threshold": {
        "definition": gettext_lazy(
            "Procurement cases awarded in the period whose value is above the committee on "
            "contracts threshold (the threshold set when the report is compiled)."
        ),
        "date_rule": gettext_lazy("By the award date; the award as recorded."),
        "source": "risk",
    },
    "awards_above_threshold_reviewed": {
        "definition": gettext_lazy(
            "Of those awards, the ones preceded by a committee on contracts review recommending "
            "the award (on or before the award date)."
        ),
        "date_rule": gettext_lazy("By the award date; the award as recorded."),
        "source": "risk",
    },
    "referred_for_disciplinary_action": {
        "definition": gettext_lazy(
            "Recovery cases referred for disciplinary action in the period (para 17)."
        ),
        "date_rule": gettext_lazy("By the referral date."),
        "source": "risk",
    },
    "referred_to_national_authorities": {
        "definition": gettext_lazy(
            "Recovery cases referred to national authorities in the period (para 17)."
        ),
        "date_rule": gettext_lazy("By the referral date."),
        "source": "risk",
    },
}
# How the report names these figures (reports.labels.app_label), in this app's catalogue.
LABELS = {
    "control_statement_issued": gettext_lazy("Statement of internal control issued"),
    "units_expected_to_certify": gettext_lazy("Entities expected to certify internal control"),
    "units_certified": gettext_lazy("Entities that certified internal control"),
    "certification_rate": gettext_lazy("Entities that certified internal control (%)"),
    "significant_deficiencies": gettext_lazy("Significant deficiencies listed in the statement"),
    "significant_deficiencies_open_at_end": gettext_lazy(
        "Significant deficiencies not remediated at the year's end"
    ),
    "critical_risks": gettext_lazy("Secretariat-wide critical risks"),
    "critical_risks_by_band": gettext_lazy("Critical risks by rating"),
    "critical_risks_by_trend": gettext_lazy("Critical risks by trend"),
    "critical_risks_owner_units": gettext_lazy("Units owning a critical risk"),
    "vendor_sanctions_imposed": gettext_lazy("Vendor sanctions imposed"),
    "vendor_sanctions_by_measure": gettext_lazy("Vendor sanctions by measure"),
    "vendor_sanctions_in_force_at_end": gettext_lazy("Vendor sanctions in force at the period end"),
    "committee_reviews": gettext_lazy("Committee on contracts reviews"),
    "awards_above_threshold": gettext_lazy("Awards above the committee on contracts threshold"),
    "awards_above_threshold_reviewed": gettext_lazy(
        "Awards above the threshold reviewed by the committee on contracts"
    ),
    "referred_for_disciplinary_action": gettext_lazy("Cases referred for disciplinary action"),
    "referred_to_national_authorities": gettext_lazy("Cases referred to national authorities"),
}
