"""Section D and E figures as at the period end (issue 11): Management Performance Board findings
open whatever their compact's year, compact coverage over the senior managers required to have
one, one appraisal compliance figure. Two units, hand counts in the comments."""

import datetime

import pytest

from org.models import Person
from org.tests.factories import PersonFactory
from performance import metrics
from performance.tests.factories import AppraisalFactory, CompactFactory, FindingFactory

pytestmark = pytest.mark.django_db
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


def test_mpb_findings_open_at_the_period_end_whatever_the_compact_year(units):
    old = CompactFactory(senior_manager__unit=units["dmspc"], year=2022)
    current = CompactFactory(senior_manager__unit=units["dos"], year=2025)
    FindingFactory(compact=old)  # 2022, still open: the old code dropped it
    FindingFactory(compact=old, status="closed", closed_on=datetime.date(2025, 5, 1))
    FindingFactory(compact=current, status="closed", closed_on=datetime.date(2026, 2, 1))
    FindingFactory(compact=old, status="closed", closed_on=datetime.date(2023, 1, 1))
    d = metrics.report_metrics(START, END)["D"]
    assert d["mpb_findings_open"] == 2  # the open 2022 one, and the one closed in 2026
    assert d["mpb_findings_closed"] == 1  # closed in May 2025
    assert d["mpb_findings"] == 1  # raised on a 2025 compact
    measures = metrics.paragraph_measures(START, END)[18][0]
    assert measures["count"] == 2  # the 2025 finding and the 2022 one still open on the end
    statuses = sorted(item["status"] for item in measures["items"])
    assert statuses == ["open", "open"]  # the 2026 closure does not show


def test_compact_coverage_is_over_the_senior_managers_required_to_have_one(units):
    base = Person.objects.filter(is_active=True, grade__in=["ASG", "USG", "DSG", "SG"]).count()
    base += (
        Person.objects.filter(is_active=True, is_head_of_entity=True)
        .exclude(grade__in=["ASG", "USG", "DSG", "SG"])
        .count()
    )
    asg = PersonFactory(unit=units["dmspc"], grade="ASG")
    PersonFactory(unit=units["dos"], grade="D-2", is_head_of_entity=True)  # no compact
    PersonFactory(unit=units["dos"], grade="USG", is_active=False)  # not in post
    p4 = PersonFactory(unit=units["dos"], grade="P-4")  # not required
    CompactFactory(
        senior_manager=asg, year=2025, status="signed", signed_on=datetime.date(2025, 3, 1)
    )
    CompactFactory(
        senior_manager=p4, year=2025, status="signed", signed_on=datetime.date(2025, 3, 1)
    )
    late = PersonFactory(unit=units["dmspc"], grade="ASG")
    CompactFactory(
        senior_manager=late, year=2025, status="signed", signed_on=datetime.date(2026, 1, 5)
    )
    e = metrics.report_metrics(START, END)["E"]
    assert e["senior_managers_required_compact"] == base + 3
    assert e["senior_managers_with_compact"] == 1  # the late signature is after the end
    assert e["compact_coverage_rate"] == round(100 * 1 / (base + 3), 1)
    assert "compacts_signed_rate" not in e
    assert metrics.report_metrics(START, END)["D"]["compacts_signed"] == 2  # all compacts signed


def test_one_appraisal_compliance_figure(units):
    for unit, on_time in ((units["ohr"], True), (units["ohr"], True), (units["pd"], False)):
        for _ in range(2):
            AppraisalFactory(unit=unit, on_time=on_time)
    data = metrics.report_metrics(datetime.date(2025, 1, 1), datetime.date(2026, 12, 31))
    assert "appraisal_completion_rate" not in data["F"]
    assert data["D"]["appraisals_due"] == 6
    assert data["D"]["appraisal_compliance_rate"] == 66.7  # 4 of 6 completed by their due date
