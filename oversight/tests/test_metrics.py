import datetime

import pytest

from oversight import metrics
from oversight.models import Recommendation
from oversight.tests.factories import RecommendationFactory, ReportFactory, body

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 30)


@pytest.fixture
def fixture_set(units, resolution):
    """Hand-counted: BOA 4 recommendations (2 implemented, 1 overdue in progress, 1 not accepted);
    OIOS 3 (1 implemented, 1 open critical overdue, 1 pending on time) plus 1 issued after the
    period; JIU 1 overtaken."""
    boa = ReportFactory(body=body("BOA"), symbol="A/79/5", issued_on=datetime.date(2025, 6, 1))
    oios_old = ReportFactory(
        body=body("OIOS"), symbol="2023/1", issued_on=datetime.date(2023, 3, 1)
    )
    oios_new = ReportFactory(
        body=body("OIOS"), symbol="2026/1", issued_on=datetime.date(2026, 3, 1)
    )
    oios_late = ReportFactory(
        body=body("OIOS"), symbol="2026/9", issued_on=datetime.date(2026, 6, 1)
    )
    jiu = ReportFactory(
        body=body("JIU"), symbol="JIU/REP/2011/5", issued_on=datetime.date(2011, 10, 1)
    )
    jiu.paragraphs.add(
        *__import__("org.models", fromlist=["Paragraph"]).Paragraph.objects.filter(number=4)
    )
    u = units["ohr"]
    past, future = datetime.date(2026, 1, 1), datetime.date(2027, 1, 1)

    RecommendationFactory(
        report=boa, unit=u, status="implemented", implemented_on=past, target_date=past
    )
    RecommendationFactory(
        report=boa, unit=u, status="implemented", implemented_on=past, target_date=past
    )
    RecommendationFactory(report=boa, unit=units["pd"], status="in_progress", target_date=past)
    RecommendationFactory(
        report=boa, unit=u, status="not_accepted", accepted=False, target_date=past
    )
    RecommendationFactory(
        report=oios_old, unit=u, status="implemented", implemented_on=past, priority="critical"
    )
    RecommendationFactory(
        report=oios_old, unit=u, status="open", priority="critical", target_date=past
    )
    RecommendationFactory(
        report=oios_new,
        unit=units["pd"],
        status="pending_verification",
        priority="important",
        target_date=future,
    )
    RecommendationFactory(
        report=oios_late, unit=u, status="open", priority="important", target_date=future
    )
    RecommendationFactory(report=jiu, unit=u, status="overtaken", target_date=past)
    # No timeline here: each status counts from its own date (status_changed_on) on.
    Recommendation.objects.update(status_changed_on=datetime.date(2026, 5, 1))


def test_by_body_counts_reports_issued_up_to_period_end(fixture_set):
    figures = metrics.by_body(datetime.date(2025, 1, 1), datetime.date(2026, 5, 31), today=TODAY)
    assert {k: figures["BOA"][k] for k in (*metrics.COUNT_KEYS, "implementation_rate")} == {
        "total": 4,
        "implemented": 2,
        "in_progress": 1,
        "pending_verification": 0,
        "not_implemented": 0,
        "overtaken": 0,
        "not_accepted": 1,
        "open": 0,
        "overdue": 1,
        "implementation_rate": 50.0,
    }
    assert figures["OIOS"]["total"] == 3 and figures["OIOS"]["overdue"] == 1
    assert figures["OIOS"]["implementation_rate"] == 33.3
    assert figures["JIU"]["overtaken"] == 1 and figures["JIU"]["implementation_rate"] == 0.0
    assert figures["ACABQ"] == {**figures["ACABQ"], "total": 0, "implementation_rate": None}


def test_priority_ageing_and_trend(fixture_set):
    totals = metrics.totals_and_ageing(today=TODAY)
    assert totals["total"] == 9 and totals["still_open"] == 4 and totals["critical_overdue"] == 1
    assert totals["ageing"] == {"under_1_year": 2, "1_to_2_years": 1, "over_2_years": 1}
    priority = metrics.by_priority(today=TODAY)
    assert (
        priority["critical"]["total"] == 2 and priority["critical"]["implementation_rate"] == 50.0
    )
    years = {row["year"]: row["total"] for row in metrics.by_year(today=TODAY)}
    assert years == {2011: 1, 2023: 2, 2025: 4, 2026: 2}
    units = {row["unit"]: row["total"] for row in metrics.by_unit(today=TODAY)}
    assert units == {"DMSPC-OHR": 7, "DOS-PD": 2}
    assert [
        r.report.symbol for r in metrics.critical_overdue(Recommendation.objects.all(), today=TODAY)
    ] == ["2023/1"]


def test_report_metrics_and_paragraph_measures_are_json_safe(fixture_set):
    import json

    data = metrics.report_metrics(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    json.dumps(data)
    section = data["C"]
    # Exactly the contract's keys, plus the amounts of the period.
    assert set(section["by_body"]["BOA"]) == {
        "total",
        "implemented",
        "in_progress",
        "pending_verification",
        "not_implemented",
        "overtaken",
        "not_accepted",
        "open",
        "overdue",
        "implementation_rate",
        "acceptance_rate",
        "implementation_rate_of_accepted",
        "prior_period",
        "issued_in_period",
        "amount_identified",
        "amount_realised",
        "amount_identified_in_period",
        "amount_realised_in_period",
    }
    assert set(section["by_body"]["OIOS"]) - set(section["by_body"]["BOA"]) == {
        "critical",
        "important",
    }
    assert section["recommendations_issued_in_period"] == 2
    # The factory dates status changes today: the period must reach today for all nine to be
    # listed as followed up in it.
    end = max(datetime.date(2026, 12, 31), datetime.date.today())
    measures = metrics.paragraph_measures(datetime.date(2011, 1, 1), end)
    json.dumps(measures)
    assert measures[4][0]["count"] == 1 and measures[4][0]["items"][0]["date"] == "2011-10-01"
    assert measures[12][0]["count"] == 9 and len(measures[12][0]["items"]) == 9
    assert set(measures) == {4, 5, 12, 19}


def test_monitoring_queries_are_bounded(fixture_set, django_assert_max_num_queries):
    # The bodies, one query for every table and one for the critical list, each of these two
    # in its own savepoint with JIT off (PostgreSQL): 9 in a test's transaction, whatever the size.
    with django_assert_max_num_queries(9):
        data = metrics.monitoring(Recommendation.objects.all(), today=TODAY)
        assert data["totals"]["total"] == 9


def test_paragraph_12_lists_only_follow_ups_dated_inside_the_period(units):
    report = ReportFactory(body=body("BOA"), issued_on=datetime.date(2024, 6, 1))
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    RecommendationFactory(
        report=report, unit=units["ohr"], number="1", status_changed_on=datetime.date(2024, 7, 1)
    )
    in_period = RecommendationFactory(
        report=report, unit=units["ohr"], number="2", status_changed_on=datetime.date(2025, 12, 31)
    )
    RecommendationFactory(
        report=report,
        unit=units["ohr"],
        number="3",
        status="in_progress",
        status_changed_on=datetime.date(2026, 2, 1),
    )
    measure = metrics.paragraph_measures(start, end)[12][0]
    assert measure["count"] == 3  # every recommendation issued up to the period's end
    assert [(i["id"], i["date"]) for i in measure["items"]] == [(in_period.pk, "2025-12-31")]
