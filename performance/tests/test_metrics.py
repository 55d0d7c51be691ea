import datetime
from decimal import Decimal

import pytest

from org.tests.factories import OrgUnitFactory
from performance import metrics
from performance.models import Compact, UnderperformanceCase
from performance.tests.factories import (
    AppraisalFactory,
    CompactFactory,
    FindingFactory,
    IndicatorFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 1, 1)


def rows_by_unit(user):
    return {r["unit__code"]: r for r in metrics.compliance_by_unit(user, cycle=2024, as_of=AS_OF)}


def test_compliance_by_unit_matches_the_hand_count_for_a_manager(manager, compliance_fixture):
    rows = rows_by_unit(manager)
    ohr = rows["DMSPC-OHR"]
    assert (ohr["staff"], ohr["due"], ohr["completed"], ohr["on_time"]) == (6, 6, 4, 3)
    assert ohr["compliance_rate"] == 50.0
    assert (ohr["exceeds"], ohr["meets"], ohr["partially_meets"], ohr["does_not_meet"]) == (
        1,
        2,
        1,
        0,
    )
    assert ohr["suppressed"] is False
    # Another department's unit of three people: a group under five, suppressed for this manager.
    assert rows["DOS-PD"]["suppressed"] is True
    assert rows["DOS-PD"]["compliance_rate"] is None and rows["DOS-PD"]["staff"] is None


def test_the_other_units_manager_sees_the_reverse(manager2, compliance_fixture):
    rows = rows_by_unit(manager2)
    assert rows["DOS-PD"]["compliance_rate"] == 66.7
    assert rows["DOS-PD"]["does_not_meet"] == 1
    assert rows["DMSPC-OHR"]["compliance_rate"] == 50.0
    # Rating counts of 1 to 4 would point at individuals in another unit.
    assert rows["DMSPC-OHR"]["exceeds"] is None and rows["DMSPC-OHR"]["partially_meets"] is None


def test_ga_staff_get_only_suppressed_aggregates(gastaff, compliance_fixture, units):
    rows = rows_by_unit(gastaff)
    assert rows["DOS-PD"]["suppressed"] is True
    # With one unit suppressed, the Secretariat total less DMSPC-OHR would give DOS-PD away:
    # the next smallest unit is suppressed with it.
    assert rows["DMSPC-OHR"]["suppressed"] is True and rows["DMSPC-OHR"]["compliance_rate"] is None
    for _ in range(7):
        AppraisalFactory(unit=units["dos"], on_time=True)
    rows = rows_by_unit(gastaff)
    assert rows["DMSPC-OHR"]["suppressed"] is True  # the smaller of the two
    assert rows["DOS"]["compliance_rate"] == 100.0 and rows["DOS"]["staff"] == 7
    assert rows["DOS"]["meets"] == 7 and rows["DOS"]["exceeds"] == 0


def test_administrators_see_every_figure(admin_user, compliance_fixture):
    rows = rows_by_unit(admin_user)
    assert rows["DOS-PD"]["suppressed"] is False and rows["DOS-PD"]["staff"] == 3
    assert rows["DMSPC-OHR"]["exceeds"] == 1


def test_no_role_no_figures(outsider, compliance_fixture):
    assert metrics.compliance_by_unit(outsider, cycle=2024) == []
    assert metrics.compliance_by_cycle(outsider) == []


def test_a_single_small_cell_takes_the_next_smallest_with_it(gastaff, units):
    unit = OrgUnitFactory(code="DMSPC-X", parent=units["dmspc"])
    for _ in range(10):
        AppraisalFactory(unit=unit, on_time=True)
    for _ in range(2):
        AppraisalFactory(unit=unit, on_time=True, rating="exceeds")
    row = rows_by_unit(gastaff)["DMSPC-X"]
    assert row["exceeds"] is None
    assert row["meets"] is None  # else 12 - 10 - 0 - 0 would give the hidden 2 away
    assert row["partially_meets"] == 0
    assert row["compliance_rate"] == 100.0


def test_trend_across_cycles_for_a_subtree(manager, gastaff, units, compliance_fixture, ohr_staff):
    AppraisalFactory(
        staff=ohr_staff[0],
        unit=units["ohr"],
        cycle=2023,
        due_on=datetime.date(2024, 5, 31),
        completed_on=datetime.date(2024, 5, 1),
        rating="meets",
    )
    trend = metrics.compliance_by_cycle(manager, within=units["dmspc"], as_of=AS_OF)
    assert [(r["cycle_label"], r["staff"], r["compliance_rate"]) for r in trend] == [
        ("2023-24", 1, 100.0),
        ("2024-25", 6, 50.0),
    ]
    # GA staff: the one-person cycle is suppressed, the Secretariat-wide figure is not.
    assert [
        r["suppressed"] for r in metrics.compliance_by_cycle(gastaff, within=units["dmspc"])
    ] == [True, False]
    whole = metrics.compliance_by_cycle(gastaff, as_of=AS_OF)
    assert (
        whole[-1]["on_time"] == 5 and whole[-1]["due"] == 9 and whole[-1]["compliance_rate"] == 55.6
    )


def test_appraisals_not_yet_due_do_not_count_against_compliance(manager, units, ohr_staff):
    AppraisalFactory(staff=ohr_staff[0], unit=units["ohr"], on_time=True)
    AppraisalFactory(staff=ohr_staff[1], unit=units["ohr"])
    row = metrics.compliance_by_unit(manager, cycle=2024, as_of=datetime.date(2025, 5, 1))[0]
    assert row["due"] == 0 and row["compliance_rate"] is None


def test_report_metrics_section_d_and_f(compliance_fixture, units):
    signed = CompactFactory(
        senior_manager__unit=units["dmspc"],
        year=2025,
        status="signed",
        signed_on=datetime.date(2025, 2, 1),
    )
    CompactFactory(senior_manager__unit=units["dos"], year=2025)  # draft: not signed
    assessed = CompactFactory(
        senior_manager__unit=units["dos"],
        year=2025,
        status="assessed",
        signed_on=datetime.date(2025, 2, 1),
        assessed_on=datetime.date(2026, 4, 1),
        mpb_rating="needs_improvement",
    )
    CompactFactory(
        senior_manager__unit=units["dos"],
        year=2023,
        status="signed",
        signed_on=datetime.date(2023, 2, 1),
    )  # another year
    FindingFactory(
        compact=assessed, status="closed", action_plan="Plan", closed_on=datetime.date(2026, 6, 1)
    )
    FindingFactory(compact=assessed)
    low = compliance_fixture["ohr"][2]
    UnderperformanceCase.objects.create(
        appraisal=low, improvement_plan="PIP", plan_start=datetime.date(2025, 6, 1)
    )
    data = metrics.report_metrics(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    d = data["D"]
    assert d["appraisal_compliance_rate"] == 55.6
    assert d["appraisals_due"] == 9
    # As at 31 December 2025: the assessment (April 2026) and the closure of a finding (June
    # 2026) came after the period end.
    assert d["compacts_signed"] == 2 and d["compacts_assessed"] == 0 and d["compacts_total"] == 3
    assert d["mpb_findings_open"] == 2 and d["mpb_findings_closed"] == 0
    assert d["underperformance_cases_opened"] == 1
    assert data["F"]["appraisal_rating_distribution"] == {
        "exceeds": 1,
        "meets": 4,
        "partially_meets": 1,
        "does_not_meet": 1,
    }
    # Senior managers with a compact for 2025 signed by 31 December 2025 (the draft does not).
    assert signed.pk and data["E"]["senior_managers_with_compact"] == 2
    none_due = metrics.report_metrics(datetime.date(2020, 1, 1), datetime.date(2020, 12, 31))
    assert none_due["D"]["appraisal_compliance_rate"] is None
    import json

    json.dumps(data)  # JSON-safe


def test_report_metrics_section_b_and_h_trend(units):
    up = IndicatorFactory(unit=units["ohr"], target=Decimal("80"))
    eff = IndicatorFactory(unit=units["pd"], target=Decimal("80"), kind="efficiency")
    ResultFactory(indicator=up, period="2022-2023", value=Decimal("60"))
    ResultFactory(indicator=up, period="2024", value=Decimal("85"))
    ResultFactory(indicator=eff, period="2024", value=Decimal("81"))
    data = metrics.report_metrics(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert data["B"]["indicator_results_by_period"] == [
        {"period": "2022-2023", "results": 1, "target_met": 0, "target_met_rate": 0.0},
        {"period": "2024", "results": 2, "target_met": 2, "target_met_rate": 100.0},
    ]
    assert data["B"]["results_trend"] == "improving"
    assert data["B"]["efficiency_measures"] == 1
    assert data["H"]["rbm_units_with_indicators"] == 2 and data["H"]["rbm_targets_met"] == 2


def test_paragraph_measures_never_name_a_staff_member(compliance_fixture, units):
    CompactFactory(senior_manager__unit=units["dmspc"], year=2025)
    measures = metrics.paragraph_measures(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert {10, 11, 14, 16, 18, 20, 22, 23, 24, 25, 26, 27} - {25} <= set(measures)
    kinds = {m["kind"]: m for m in measures[16]}
    assert kinds["compacts"]["count"] == 1
    assert kinds["appraisals"]["count"] == 9
    names = {a.staff.name for a in compliance_fixture["ohr"] + compliance_fixture["pd"]}
    titles = " ".join(item["title"] for m in measures[16] for item in m["items"])
    assert not any(name in titles for name in names)
    assert Compact.objects.count() == 1


def test_underperformance_cases_closed_counts_only_closures_inside_the_period(compliance_fixture):
    ohr = compliance_fixture["ohr"]

    def case(appraisal, plan_start, closed_on=None):
        UnderperformanceCase.objects.create(
            appraisal=appraisal, improvement_plan="PIP", plan_start=plan_start, closed_on=closed_on
        )

    case(ohr[0], datetime.date(2025, 2, 1), closed_on=datetime.date(2025, 12, 31))
    case(ohr[1], datetime.date(2025, 3, 1), closed_on=datetime.date(2026, 2, 1))  # after the end
    case(ohr[2], datetime.date(2025, 4, 1))  # still open
    case(ohr[3], datetime.date(2024, 6, 1), closed_on=datetime.date(2025, 3, 1))  # opened before
    d = metrics.report_metrics(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))["D"]
    assert d["underperformance_cases_opened"] == 3
    assert d["underperformance_cases_closed"] == 1
