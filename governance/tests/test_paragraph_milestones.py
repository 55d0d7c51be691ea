"""Paragraphs 20 (Inspira) and 28-29 (Umoja) answered by the deployment milestones: the report's
paragraph measures list them as at the period end (hand counts), and the paragraph page shows
them."""

import datetime

import pytest

from governance import metrics
from governance.tests.factories import MilestoneFactory
from reports import governance_figures

pytestmark = pytest.mark.django_db
d = datetime.date


@pytest.fixture
def milestones(db):
    return {
        "u_done": MilestoneFactory(
            system="umoja",
            title="Foundation",
            planned_on=d(2024, 6, 30),
            actual_on=d(2024, 9, 1),
            status="achieved",
        ),
        "u_late": MilestoneFactory(
            system="umoja", title="Budget release", planned_on=d(2025, 6, 30), status="delayed"
        ),
        # Achieved in 2026: as at 31 December 2025 it was late, not achieved.
        "u_later": MilestoneFactory(
            system="umoja",
            title="Supply chain",
            planned_on=d(2025, 3, 31),
            actual_on=d(2026, 1, 15),
            status="achieved",
        ),
        "u_cancelled": MilestoneFactory(
            system="umoja", title="Dropped module", planned_on=d(2025, 1, 31), status="cancelled"
        ),
        "u_future": MilestoneFactory(
            system="umoja", title="Analytics", planned_on=d(2026, 12, 31), status="in_progress"
        ),
        "i_done": MilestoneFactory(
            system="inspira",
            title="Performance module",
            planned_on=d(2025, 4, 1),
            actual_on=d(2025, 3, 20),
            status="achieved",
        ),
    }


def _measure(found, number, kind):
    return next(m for m in found[number] if m["kind"] == kind)


def test_paragraph_measures_as_at_the_period_end(milestones):
    found = metrics.paragraph_milestones(d(2025, 1, 1), d(2025, 12, 31))
    assert set(found) == {20, 28, 29}
    umoja = _measure(found, 28, "umoja_milestones")
    assert umoja == _measure(found, 29, "umoja_milestones")
    # Planned or achieved by 31 December 2025, cancelled left out: Foundation, Supply chain,
    # Budget release (in planned order); one achieved by then.
    assert [i["title"] for i in umoja["items"]] == ["Foundation", "Supply chain", "Budget release"]
    assert [i["status"] for i in umoja["items"]] == ["achieved", "delayed", "delayed"]
    assert [i["date"] for i in umoja["items"]] == ["2024-09-01", "2025-03-31", "2025-06-30"]
    assert (umoja["count"], umoja["achieved"]) == (3, 1)
    inspira = _measure(found, 20, "inspira_milestones")
    assert (inspira["count"], inspira["achieved"]) == (1, 1)

    # A year later the supply chain milestone counts as achieved, on its own date; Analytics is
    # still ahead of its planned date.
    later = _measure(
        metrics.paragraph_milestones(d(2026, 1, 1), d(2026, 6, 30)), 28, "umoja_milestones"
    )
    assert [(i["title"], i["status"]) for i in later["items"]] == [
        ("Foundation", "achieved"),
        ("Supply chain", "achieved"),
        ("Budget release", "delayed"),
    ]
    # Before any milestone: nothing answers the paragraphs.
    assert metrics.paragraph_milestones(d(2023, 1, 1), d(2023, 12, 31)) == {}


def test_the_report_adds_them_to_the_paragraphs(milestones, settings):
    settings.REPORT_METRIC_MODULES = None
    found = governance_figures.paragraph_measures(d(2025, 1, 1), d(2025, 12, 31), {})
    assert sorted(found) == [20, 28, 29]
    assert [m["kind"] for m in found[29]] == ["umoja_milestones"]
    settings.REPORT_METRIC_MODULES = {"oversight": "oversight.metrics"}  # governance left out
    assert governance_figures.paragraph_measures(d(2025, 1, 1), d(2025, 12, 31), {}) == {}


def test_the_paragraph_page_lists_them(milestones, resolution, web, gastaff):
    client = web(gastaff)
    page = client.get("/resolution/28/").content.decode()
    assert "Budget release" in page and "Analytics" in page and "Performance module" not in page
    page = client.get("/resolution/20/").content.decode()
    assert "Performance module" in page and "Budget release" not in page
    assert "Deployment milestones" not in client.get("/resolution/12/").content.decode()
