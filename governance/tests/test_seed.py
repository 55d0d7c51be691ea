"""The demo data is coherent and answers every paragraph governance covers; seeding twice
changes nothing; the scale seed adds only what is missing."""

import datetime

import pytest
from django.core.management import call_command

from core.models import HistoryEntry
from governance import metrics
from governance import seed as governance_seed
from governance.models import CommitteeMeeting, FollowUpAction, ParagraphAssessment

pytestmark = pytest.mark.django_db
d = datetime.date


def test_seed_demo_is_coherent_idempotent_and_scales(resolution):
    call_command("seed_demo")
    entries = HistoryEntry.objects.count()
    call_command("seed_demo")
    again = HistoryEntry.objects.filter(seq__gt=entries, object_type__startswith="governance.")
    assert list(again.values_list("object_type", "action")) == []

    # Four consultations in 2025, one with each body consulted that year.
    assert metrics.consultations(d(2025, 1, 1), d(2025, 12, 31))["by_body"] == {
        "BOA": 1,
        "IAAC": 1,
        "JIU": 1,
        "OIOS": 1,
    }
    # 2025's meetings assigned seven actions: four done, one dropped, two open, one of them
    # (the Umoja recovery plan, due 31 July) overdue on 31 December.
    follow_up = metrics.follow_ups(d(2025, 1, 1), d(2025, 12, 31))
    assert {k: follow_up[k] for k in ("total", "done", "dropped", "open", "overdue")} == {
        "total": 7,
        "done": 4,
        "dropped": 1,
        "open": 2,
        "overdue": 1,
    }
    # On 31 December 2025 the 2024 assessments accepted in February 2025 were in force (8, 12,
    # 20, 28); after the February 2026 review every paragraph that asks something (4 to 33) has
    # one: 2025's, or 2024's where 2025's awaits review (20), was returned (8) or is a draft (28).
    assert set(metrics.paragraph_assessments(d(2025, 1, 1), d(2025, 12, 31))) == {8, 12, 20, 28}
    in_force = metrics.paragraph_assessments(d(2026, 1, 1), d(2026, 6, 30))
    assert set(in_force) == set(range(4, 34))
    assert {n: a["period_start"][:4] for n, a in in_force.items() if n in (8, 20, 28)} == {
        8: "2024",
        20: "2024",
        28: "2024",
    }
    assert all(a["evidence"] > 0 for a in in_force.values())
    states = dict(
        ParagraphAssessment.objects.filter(period_start=d(2025, 1, 1)).values_list(
            "paragraph__number", "state"
        )
    )
    assert (states[20], states[8], states[28]) == ("submitted", "returned", "draft")
    assert all(
        a.evidence.exists()
        for a in ParagraphAssessment.objects.filter(state="accepted", period_start=d(2025, 1, 1))
    )
    milestones = metrics.milestones(d(2025, 12, 31))
    assert (milestones["umoja"]["achieved"], milestones["umoja"]["late"]) == (3, 1)
    assert (milestones["inspira"]["achieved"], milestones["inspira"]["late"]) == (3, 0)
    mandates = metrics.mandates(d(2025, 12, 31))
    assert mandates["total"] == 5 and mandates["by_body"] == {"GA": 4, "SC": 1}
    evidence = {n for n in metrics.paragraph_evidence_numbers()}
    assert {5, 8, 9, 12, 20, 26, 28, 29} <= evidence

    demo_meetings = CommitteeMeeting.objects.count()
    counts = governance_seed.seed_scale(0.01, lambda *args: None)
    # 33 paragraphs x 10 years; the demo's assessments of 2024-2025 are kept, not doubled.
    assert counts["paragraph assessments"] == 330
    assert CommitteeMeeting.objects.count() == demo_meetings + 1
    assert FollowUpAction.objects.filter(title__startswith="S-follow-up").count() == 20
    assert governance_seed.seed_scale(0.01, lambda *args: None) == counts
