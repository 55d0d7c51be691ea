"""What performance shows on `/` and against the paragraphs on `/resolution/`, scoped to the
user and computed in SQL. Appraisal figures are aggregates (small groups suppressed)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.figures import rate
from core.registry import Card, Evidence
from performance.choices import CompactStatus, DisciplinaryMeasure, IndicatorKind
from performance.metrics import SUPPRESS_BELOW, can_see_aggregates, current_rbm_responsibility
from performance.models import (
    Appraisal,
    BoardFinding,
    BudgetPerformance,
    Compact,
    CompactObjective,
    Course,
    DisciplinaryCase,
    Indicator,
    IndicatorResult,
    Recognition,
    UnderperformanceCase,
)
from performance.policies import own_unit_id
from performance.querysets import ON_TIME


def _scope(user):
    """Appraisals a card may count: the user's units for managers, everything for readers of
    aggregates (a Secretariat-wide figure is never a small group)."""
    if own_unit_id(user) is not None:
        return Appraisal.objects.restrict(user, "view")
    return Appraisal.objects.all() if can_see_aggregates(user) else Appraisal.objects.none()


def cards(user) -> list[Card]:
    if not can_see_aggregates(user):
        return []
    today = timezone.localdate()
    figures = (
        _scope(user)
        .filter(due_on__lte=today, due_on__gt=today.replace(year=today.year - 1))
        .aggregate(due=Count("pk"), on_time=Count("pk", filter=ON_TIME))
    )
    compliance = (
        rate(figures["on_time"], figures["due"]) if figures["due"] >= SUPPRESS_BELOW else None
    )
    compacts = (
        Compact.objects.restrict(user, "view")
        .filter(year=today.year)
        .aggregate(total=Count("pk"), signed=Count("pk", filter=~Q(status=CompactStatus.DRAFT)))
    )
    open_findings = BoardFinding.objects.restrict(user, "view").open().count()
    off_target = Indicator.objects.restrict(user, "view").off_target().count()
    index = reverse("performance:index")
    return [
        Card(
            "performance",
            _("Appraisals completed on time (last 12 months)"),
            "—" if compliance is None else f"{compliance}%",
            reverse("performance:compliance"),
            "warn" if compliance is not None and compliance < 80 else "",
        ),
        Card(
            "performance",
            _("Compacts signed this year"),
            f"{compacts['signed']}/{compacts['total']}",
            reverse("performance:compact_list"),
        ),
        Card(
            "performance",
            _("Open Management Performance Board findings"),
            open_findings,
            reverse("performance:compact_list"),
            "warn" if open_findings else "",
        ),
        Card(
            "performance",
            _("Indicators off target"),
            off_target,
            index,
            "alert" if off_target else "",
        ),
    ]


def evidence(user) -> dict[int, list[Evidence]]:
    if not can_see_aggregates(user):
        return {}
    compacts = Compact.objects.restrict(user, "view").count()
    findings = BoardFinding.objects.restrict(user, "view").count()
    appraisals = _scope(user).count()
    indicators = Indicator.objects.restrict(user, "view")
    per_paragraph = dict(
        indicators.filter(paragraphs__number__in=[10, 11, 22, 23, 24, 25, 26, 27])
        .values_list("paragraphs__number")
        .annotate(n=Count("pk", distinct=True))
    )
    all_indicators = indicators.aggregate(
        total=Count("pk"), efficiency=Count("pk", filter=Q(kind=IndicatorKind.EFFICIENCY))
    )
    cases = UnderperformanceCase.objects.restrict(user, "view").count()
    compact_url = reverse("performance:compact_list")
    compliance_url = reverse("performance:compliance")
    indicator_url = reverse("performance:indicator_list")
    result = {
        16: [
            Evidence(_("Senior managers' compacts"), compacts, compact_url),
            Evidence(_("Performance appraisals"), appraisals, compliance_url),
        ],
        18: [Evidence(_("Management Performance Board findings"), findings, compact_url)],
        14: [Evidence(_("Performance appraisals"), appraisals, compliance_url)],
        20: [Evidence(_("Performance appraisals"), appraisals, compliance_url)],
        10: [
            Evidence(
                _("Results-based management indicators"), all_indicators["total"], indicator_url
            )
        ],
        11: [
            Evidence(
                _("Efficiency measures"),
                all_indicators["efficiency"],
                f"{indicator_url}?kind={IndicatorKind.EFFICIENCY}",
            )
        ],
    }
    if cases:
        result[16].append(Evidence(_("Underperformance cases"), cases, compliance_url))
    lead = current_rbm_responsibility()
    if lead is not None:
        result.setdefault(25, []).append(
            Evidence(
                _("Responsible for results-based management: %(name)s")
                % {"name": lead.senior_manager.name},
                1,
                indicator_url,
            )
        )
    for number in (22, 23, 24, 25, 26, 27):
        result.setdefault(number, [])[:0] = [
            Evidence(
                _("Results-based management indicators"),
                per_paragraph.get(number, 0),
                f"{indicator_url}?paragraph={number}",
            )
        ]
    _issue_15_evidence(user, result)
    return result


def _issue_15_evidence(user, result: dict[int, list[Evidence]]) -> None:
    """Learning (6), rewards and sanctions (8, 17), budget performance and cost per output
    (10, 11), and the objectives measured by indicators (13, 15): counts the user may read;
    disciplinary cases only as the published total of measures."""
    learning_url = reverse("performance:learning")
    discipline_url = reverse("performance:discipline")
    budget_url = reverse("performance:budget_list")
    courses = Course.objects.filter(mandatory=True).count()
    measures = DisciplinaryCase.objects.exclude(measure="").exclude(
        measure=DisciplinaryMeasure.NO_MEASURE
    )
    awards = Recognition.objects.restrict(user, "view").count()
    budgets = BudgetPerformance.objects.restrict(user, "view").count()
    costed = (
        IndicatorResult.objects.restrict(user, "view")
        .filter(indicator__kind=IndicatorKind.EFFICIENCY, cost__isnull=False, outputs__gt=0)
        .count()
    )
    measured = (
        CompactObjective.objects.restrict(user, "view")
        .filter(pk__in=CompactObjective.indicators.through.objects.values("compactobjective_id"))
        .count()
    )
    result.setdefault(6, []).append(Evidence(_("Mandatory courses"), courses, learning_url))
    for number in (8, 17):
        result.setdefault(number, []).append(
            Evidence(_("Disciplinary measures imposed"), measures.count(), discipline_url)
        )
    result[8].append(Evidence(_("Rewards and recognition"), awards, discipline_url))
    result.setdefault(10, []).append(Evidence(_("Budget performance by unit"), budgets, budget_url))
    result.setdefault(11, []).append(
        Evidence(_("Efficiency measures with a cost per output"), costed, budget_url)
    )
    for number in (13, 15):
        result.setdefault(number, []).append(
            Evidence(
                _("Compact objectives measured by results-based management indicators"),
                measured,
                reverse("performance:compact_list"),
            )
        )
