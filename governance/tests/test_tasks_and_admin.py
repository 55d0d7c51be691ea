"""The beat job reminds through the same action; the admin saves through the actions and keeps
state fields read-only."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from governance.models import FollowUpAction, Milestone
from governance.tests.factories import AssessmentFactory, FollowUpFactory

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_runs_the_reminder_task(units, manager):
    from celery import current_app

    from config.celery import _gather_beat_schedules
    from governance import tasks

    _gather_beat_schedules(current_app)
    entry = current_app.conf.beat_schedule["governance-follow-up-reminders"]
    assert entry["task"] == tasks.send_follow_up_reminders.name
    manager.email = "maria@un.org"
    manager.save()
    overdue = FollowUpFactory(
        unit=units["ohr"], due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    assert tasks.send_follow_up_reminders.delay().get() == {"units": 1, "actions": 1}
    assert [m.to for m in mail.outbox] == [["maria@un.org"]]
    assert FollowUpAction.objects.get(pk=overdue.pk).reminded_on == timezone.localdate()


def test_admin_saves_through_the_actions_and_keeps_state_read_only(
    resolution, units, web, admin_user
):
    client = web(admin_user)
    for model in (
        "paragraphassessment",
        "mandate",
        "committeemeeting",
        "committeedecision",
        "followupaction",
        "consultation",
        "lesson",
        "milestone",
    ):
        assert client.get(f"/admin/governance/{model}/").status_code == 200, model
    response = client.post(
        "/admin/governance/milestone/add/",
        {"system": "inspira", "title": "Cloud", "planned_on": "2026-12-31", "status": "achieved"},
    )
    assert response.status_code == 200  # the rule refused it: achieved needs its date
    assert not Milestone.objects.exists()
    assessment = AssessmentFactory(unit=units["ohr"])
    page = client.get(f"/admin/governance/paragraphassessment/{assessment.pk}/change/")
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    assert 'name="accepted_on"' not in page.content.decode()
