"""The governance figures of a period, as at its end, on hand-counted data in two units (DMSPC
and DOS subtrees) and two oversight bodies (OIOS and BOA)."""

import datetime

import pytest

from core.actions import SYSTEM
from governance import metrics, services
from governance.tests.factories import (
    AssessmentFactory,
    ConsultationFactory,
    FollowUpFactory,
    LessonFactory,
    MandateFactory,
    MeetingFactory,
    MilestoneFactory,
)
from org.models import Paragraph
from oversight.models import OversightBody
from performance.tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db
d = datetime.date


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("minutes.txt", b"Minutes of the meeting.")


def _accepted(paragraph, unit, year, submitted, reviewed, status, evidence=False):
    assessment = AssessmentFactory(
        paragraph=Paragraph.objects.get(number=paragraph),
        unit=unit,
        period_start=d(year, 1, 1),
        period_end=d(year, 12, 31),
        status=status,
    )
    if evidence:
        services.add_evidence(assessment, acting_user=SYSTEM, upload=_text_file())
    services.submit_assessment(assessment, acting_user=SYSTEM, submitted_on=submitted)
    if reviewed:
        services.review_assessment(
            assessment, acting_user=SYSTEM, outcome="accept", reviewed_on=reviewed
        )
    return assessment


def test_the_assessment_in_force_at_the_periods_end(resolution, units):
    _accepted(12, units["dmspc"], 2024, d(2025, 1, 20), d(2025, 2, 20), "in_progress")
    _accepted(12, units["dmspc"], 2025, d(2026, 1, 25), d(2026, 2, 16), "implemented", True)
    _accepted(20, units["pd"], 2025, d(2026, 1, 25), None, "in_progress")  # only submitted
    _accepted(28, units["dos"], 2024, d(2025, 1, 10), d(2025, 3, 1), "not_started")

    at_2025 = metrics.paragraph_assessments(d(2025, 1, 1), d(2025, 12, 31))
    # 2025's own assessment was accepted in 2026: at 31 December 2025 the 2024 one was in force.
    assert set(at_2025) == {12, 28}
    assert (at_2025[12]["status"], at_2025[12]["period_end"], at_2025[12]["unit"]) == (
        "in_progress",
        "2024-12-31",
        "DMSPC",
    )
    assert (at_2025[28]["status"], at_2025[28]["unit"]) == ("not_started", "DOS")

    at_2026 = metrics.paragraph_assessments(d(2026, 1, 1), d(2026, 6, 30))
    assert at_2026[12]["status"] == "implemented"
    assert (at_2026[12]["accepted_on"], at_2026[12]["evidence"]) == ("2026-02-16", 1)
    assert 20 not in at_2026  # never accepted
    # Before any acceptance nothing is in force.
    assert metrics.paragraph_assessments(d(2024, 1, 1), d(2024, 12, 31)) == {}


FEBRUARY_MEETING = d(2025, 2, 12)


def _follow_up(unit, decision, due, changes=(), assigned=FEBRUARY_MEETING):
    follow_up = FollowUpFactory(unit=unit, decision=decision, due_on=due, assigned_on=assigned)
    for status, on, note in changes:
        services.change_follow_up_status(
            follow_up, acting_user=SYSTEM, status=status, changed_on=on, note=note
        )
    return follow_up


def test_follow_up_figures_as_at_the_periods_end(units):
    february = MeetingFactory(held_on=d(2025, 2, 12))
    decision = february.decisions.create(number=1, text="Plans for past-due recommendations.")
    _follow_up(units["ohr"], decision, d(2025, 4, 30), [("done", d(2025, 4, 22), "")])  # A
    _follow_up(units["pd"], decision, d(2025, 4, 30), [("done", d(2025, 5, 9), "")])  # B, late
    _follow_up(units["dmspc"], decision, d(2025, 7, 31))  # C, still open
    _follow_up(units["dos"], decision, d(2025, 9, 30), [("dropped", d(2025, 8, 15), "Moot.")])  # D
    _follow_up(  # E: assigned in 2026, absent from 2025's figures
        units["ohr"], decision, d(2026, 3, 31), [("done", d(2026, 3, 20), "")], d(2026, 2, 11)
    )

    year = metrics.follow_ups(d(2025, 1, 1), d(2025, 12, 31))
    assert {k: year[k] for k in ("total", "open", "done", "dropped", "overdue")} == {
        "total": 4,
        "open": 1,
        "done": 2,
        "dropped": 1,
        "overdue": 1,
    }
    # Due in 2025 and not dropped: A, B, C; done by 31 December: A, B.
    assert (year["due_in_period"], year["done_of_due"], year["completion_rate"]) == (3, 2, 66.7)

    half = metrics.follow_ups(d(2025, 1, 1), d(2025, 6, 30))
    # On 30 June D was still open (dropped in August) and C not yet due.
    assert {k: half[k] for k in ("open", "done", "dropped", "overdue")} == {
        "open": 2,
        "done": 2,
        "dropped": 0,
        "overdue": 0,
    }
    assert (half["due_in_period"], half["completion_rate"]) == (2, 100.0)

    committee = metrics.committee(d(2025, 1, 1), d(2025, 12, 31))
    assert (committee["meetings"], committee["decisions"], committee["meetings_published"]) == (
        1,
        1,
        1,
    )


def test_consultations_lessons_mandates_and_milestones(units):
    oios = OversightBody.objects.get_or_create(code="OIOS", defaults={"name": "OIOS"})[0]
    boa = OversightBody.objects.get_or_create(code="BOA", defaults={"name": "BOA"})[0]
    ConsultationFactory(body=oios, held_on=d(2025, 3, 20))
    ConsultationFactory(body=oios, held_on=d(2025, 11, 2))
    ConsultationFactory(body=boa, held_on=d(2025, 7, 10), system="umoja")
    ConsultationFactory(body=boa, held_on=d(2024, 7, 10))  # another year
    assert metrics.consultations(d(2025, 1, 1), d(2025, 12, 31)) == {
        "total": 3,
        "by_body": {"BOA": 1, "OIOS": 2},
    }

    LessonFactory(applied_unit=units["ohr"], source_organisation="UNDP", system="umoja")
    LessonFactory(applied_unit=units["pd"], source_organisation="UNICEF")
    LessonFactory(applied_unit=units["pd"], learned_on=d(2024, 5, 1))
    lessons = metrics.lessons(d(2025, 1, 1), d(2025, 12, 31))
    assert (lessons["total"], lessons["by_source"], lessons["about_umoja"]) == (
        2,
        {"UNDP": 1, "UNICEF": 1},
        1,
    )

    served = MandateFactory(adopted_on=d(2024, 12, 1))
    served.indicators.add(IndicatorFactory(unit=units["ohr"]))
    MandateFactory(body="SC", adopted_on=d(2025, 6, 1))
    MandateFactory(adopted_on=d(2025, 12, 31))
    MandateFactory(adopted_on=d(2026, 1, 5))  # after the period
    assert metrics.mandates(d(2025, 12, 31)) == {
        "total": 3,
        "with_results": 1,
        "with_results_rate": 33.3,
        "by_body": {"GA": 2, "SC": 1},
    }

    MilestoneFactory(planned_on=d(2025, 3, 31), actual_on=d(2025, 3, 15), status="achieved")
    MilestoneFactory(planned_on=d(2025, 6, 30), actual_on=d(2025, 9, 30), status="achieved")
    MilestoneFactory(planned_on=d(2025, 11, 30), status="delayed")
    MilestoneFactory(planned_on=d(2026, 6, 30), status="planned")
    MilestoneFactory(planned_on=d(2025, 1, 31), status="cancelled")
    figures = metrics.milestones(d(2025, 12, 31))
    assert figures["umoja"] == {
        "planned": 3,
        "achieved": 2,
        "on_time": 1,
        "late": 1,
        "on_time_rate": 33.3,
    }
    assert figures["inspira"] == {
        "planned": 0,
        "achieved": 0,
        "on_time": 0,
        "late": 0,
        "on_time_rate": None,
    }
    # On 30 June: the first achieved on time; the second due that very day (not yet late).
    assert metrics.milestones(d(2025, 6, 30))["umoja"] == {
        "planned": 2,
        "achieved": 1,
        "on_time": 1,
        "late": 0,
        "on_time_rate": 50.0,
    }


def test_a_closed_period_reads_the_same_after_later_changes(resolution, units):
    decision = MeetingFactory(held_on=d(2025, 2, 12)).decisions.create(number=1, text="Act.")
    follow_up = _follow_up(units["ohr"], decision, d(2025, 10, 31))
    before = metrics.report_figures(d(2025, 1, 1), d(2025, 12, 31))
    services.change_follow_up_status(follow_up, acting_user=SYSTEM, status="done")  # today
    _accepted(12, units["dmspc"], 2025, d(2026, 1, 25), d(2026, 2, 16), "implemented")
    assert metrics.report_figures(d(2025, 1, 1), d(2025, 12, 31)) == before
    assert before["committee"]["follow_up"]["overdue"] == 1
