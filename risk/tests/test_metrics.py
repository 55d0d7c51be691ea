import datetime
import json
from decimal import Decimal

import pytest

from org.tests.factories import PersonFactory
from risk import metrics
from risk.models import Deficiency, RecoveryAction
from risk.tests.factories import (
    ControlFactory,
    ControlTestFactory,
    DeclarationFactory,
    ProcurementCaseFactory,
    RecoveryCaseFactory,
    RiskFactory,
    TreatmentFactory,
)

pytestmark = pytest.mark.django_db
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


def test_report_metrics_sections_j_k_d(units):
    RiskFactory(
        unit=units["dmspc"],
        likelihood=5,
        impact=5,
        category="fraud",
        reviewed_on=datetime.date(2025, 6, 1),
    )
    RiskFactory(unit=units["dmspc"], likelihood=1, impact=2, reviewed_on=datetime.date(2025, 6, 1))
    stale = RiskFactory(
        unit=units["dos"], likelihood=3, impact=4, reviewed_on=datetime.date(2024, 6, 1)
    )
    TreatmentFactory(risk=stale, due_on=datetime.date(2025, 3, 1))
    TreatmentFactory(
        risk=stale,
        due_on=datetime.date(2025, 3, 1),
        status="done",
        completed_on=datetime.date(2025, 2, 1),
    )
    good, bad = ControlFactory(unit=units["dmspc"]), ControlFactory(unit=units["dmspc"])
    ControlFactory(unit=units["dmspc"])  # never tested
    ControlTestFactory(control=good, tested_on=datetime.date(2025, 2, 1), result="ineffective")
    ControlTestFactory(control=good, tested_on=datetime.date(2025, 5, 1), result="effective")
    test = ControlTestFactory(
        control=bad, tested_on=datetime.date(2025, 5, 1), result="ineffective"
    )
    Deficiency.objects.create(test=test, description="Gap")
    member = PersonFactory(unit=units["pd"])
    flagged = ProcurementCaseFactory(unit=units["pd"], vendors=["A"], panel=[member])
    clean = ProcurementCaseFactory(unit=units["pd"], vendors=["A"], panel=[member])
    DeclarationFactory(case=clean, person=member)
    fraud = RecoveryCaseFactory(
        unit=units["dmspc"],
        finding="fraud",
        amount_lost=Decimal("1000"),
        amount_recovered=Decimal("250"),
    )
    RecoveryAction.objects.create(
        case=fraud, taken_on=datetime.date(2025, 3, 1), amount=Decimal("250")
    )
    RecoveryCaseFactory(unit=units["dmspc"], finding="mismanagement", amount_lost=Decimal("3000"))

    data = metrics.report_metrics(START, END)
    json.dumps(data)
    j, k, d = data["J"], data["K"], data["D"]
    assert j["units_with_current_register"] == 1 and j["units_with_risk_register"] == 2
    assert j["risks_by_band"] == {"low": 1, "medium": 0, "high": 1, "critical": 1}
    assert j["risks_by_category"]["fraud"] == 1 and j["risks_by_category"]["operational"] == 2
    assert j["treatments_overdue"] == 1
    assert (j["controls_tested"], j["controls_effective"], j["controls_effective_rate"]) == (
        2,
        1,
        50.0,
    )
    assert j["open_deficiencies"] == 1
    assert k["procurement_cases"] == 2 and k["procurement_cases_flagged"] == 1
    assert k["declarations"] == 1
    assert (k["amount_lost"], k["amount_recovered"], k["recovery_rate"]) == (
        "4000.00",
        "250.00",
        6.3,  # core.figures.rate: 6.25 rounds half up
    )
    assert d["misconduct_findings"] == 2 and d["misconduct_findings_by_type"]["fraud"]["count"] == 1
    assert flagged.pk


def test_report_metrics_when_empty():
    data = metrics.report_metrics(START, END)
    assert data["K"]["recovery_rate"] is None and data["J"]["controls_effective_rate"] is None
    assert data["K"]["amount_lost"] == "0.00"


def test_paragraph_measures(units):
    RecoveryCaseFactory(unit=units["dmspc"], finding="fraud", title="Fuel fraud")
    RiskFactory(unit=units["dmspc"], reviewed_on=datetime.date(2025, 6, 1), title="Risk A")
    measures = metrics.paragraph_measures(START, END)
    assert set(measures) == {17, 30, 31, 32}
    assert measures[17][0]["count"] == 1 and measures[17][0]["items"][0]["title"] == "Fuel fraud"
    assert measures[30][0]["items"][0] == {
        "id": measures[30][0]["items"][0]["id"],
        "title": "Risk A",
        "status": "operational",
        "date": "2025-06-01",
    }
    json.dumps(measures, default=str)


def test_paragraph_evidence_is_scoped(units, manager, manager2):
    RiskFactory(unit=units["dmspc"])
    assert metrics.paragraph_evidence(manager)[30][0].count == 1
    assert metrics.paragraph_evidence(manager2)[30][0].count == 0


def test_paragraph_30_counts_risks_by_reviews_inside_the_period(units):
    from risk.models import RiskAssessment

    reviewed_twice = RiskFactory(
        unit=units["dmspc"],
        title="Reviewed in 2025 and 2026",
        reviewed_on=datetime.date(2026, 3, 1),
    )
    RiskAssessment.objects.create(
        risk=reviewed_twice, assessed_on=datetime.date(2025, 4, 2), likelihood=3, impact=3, score=9
    )
    RiskAssessment.objects.create(
        risk=reviewed_twice, assessed_on=datetime.date(2026, 3, 1), likelihood=4, impact=3, score=12
    )
    RiskFactory(
        unit=units["dmspc"],
        title="Only reviewed after the period",
        reviewed_on=datetime.date(2026, 5, 5),
    )
    RiskFactory(
        unit=units["dmspc"],
        title="Reviewed in the period, no assessment row",
        reviewed_on=datetime.date(2025, 9, 9),
    )
    measure = metrics.paragraph_measures(START, END)[30][0]
    assert measure["count"] == 2
    assert {(i["title"], i["date"]) for i in measure["items"]} == {
        ("Reviewed in 2025 and 2026", "2025-04-02"),
        ("Reviewed in the period, no assessment row", "2025-09-09"),
    }


def test_a_review_after_the_period_does_not_make_a_register_current_at_its_end(units):
    from risk.models import RiskAssessment

    # DMSPC: last reviewed in the period's 12 months -> current at END.
    RiskFactory(unit=units["dmspc"], reviewed_on=datetime.date(2025, 3, 1))
    # DOS: reviewed in 2024-01 (stale at END) and again after the period.
    stale_then = RiskFactory(
        unit=units["dos"],
        identified_on=datetime.date(2023, 6, 1),
        reviewed_on=datetime.date(2026, 2, 1),
    )
    RiskAssessment.objects.create(
        risk=stale_then, assessed_on=datetime.date(2024, 1, 10), likelihood=2, impact=2, score=4
    )
    RiskAssessment.objects.create(
        risk=stale_then, assessed_on=datetime.date(2026, 2, 1), likelihood=2, impact=3, score=6
    )
    # DMSPC-OHR: reviewed in the period and again after it -> current at END.
    current_then = RiskFactory(unit=units["ohr"], reviewed_on=datetime.date(2026, 2, 1))
    RiskAssessment.objects.create(
        risk=current_then, assessed_on=datetime.date(2025, 10, 1), likelihood=2, impact=2, score=4
    )
    RiskAssessment.objects.create(
        risk=current_then, assessed_on=datetime.date(2026, 2, 1), likelihood=2, impact=3, score=6
    )
    j = metrics.report_metrics(START, END)["J"]
    assert j["units_with_risk_register"] == 3
    assert j["units_with_current_register"] == 2


def test_section_j_counts_each_controls_latest_test_in_the_period(units):
    """Controls in two departments. The latest test in the period decides (the last date, and
    on one date the last recorded); a test after the period or before it does not; a control
    created after the period and untested by then is not on record."""
    from django.db.models import Count, OuterRef, Q, Subquery

    from risk.models import Control, ControlTest

    day = datetime.date
    in_dmspc, in_dos = ControlFactory(unit=units["ohr"]), ControlFactory(unit=units["pd"])
    tie, late, early = (ControlFactory(unit=units["pd"]) for _ in range(3))
    ControlTestFactory(control=in_dmspc, tested_on=day(2025, 3, 1), result="effective")
    ControlTestFactory(control=in_dmspc, tested_on=day(2025, 9, 1), result="ineffective")
    ControlTestFactory(control=in_dos, tested_on=day(2025, 9, 1), result="ineffective")
    ControlTestFactory(control=in_dos, tested_on=day(2025, 10, 1), result="effective")
    ControlTestFactory(control=tie, tested_on=day(2025, 6, 1), result="ineffective")
    ControlTestFactory(control=tie, tested_on=day(2025, 6, 1), result="effective")  # later id
    ControlTestFactory(control=late, tested_on=day(2025, 5, 1), result="effective")
    ControlTestFactory(control=late, tested_on=day(2026, 2, 1), result="ineffective")
    ControlTestFactory(control=early, tested_on=day(2024, 11, 1), result="effective")
    unrecorded = ControlFactory(unit=units["ohr"])
    Control.objects.filter(pk=unrecorded.pk).update(created_at=datetime.datetime(2026, 3, 1))

    j = metrics.section_j(START, END)
    assert (j["controls_total"], j["controls_tested"], j["controls_effective"]) == (5, 4, 3)

    # The same figures as a sub-select per control reads them (the definition).
    latest = Subquery(
        ControlTest.objects.filter(control=OuterRef("pk"), tested_on__gte=START, tested_on__lte=END)
        .order_by("-tested_on", "-pk")
        .values("result")[:1]
    )
    by_control = (
        Control.objects.filter(
            Q(created_at__date__lte=END)
            | Q(pk__in=ControlTest.objects.filter(tested_on__lte=END).values("control"))
        )
        .annotate(latest=latest)
        .aggregate(
            total=Count("pk"),
            tested=Count("pk", filter=Q(latest__isnull=False)),
            effective=Count("pk", filter=Q(latest="effective")),
        )
    )
    assert (by_control["total"], by_control["tested"], by_control["effective"]) == (5, 4, 3)
