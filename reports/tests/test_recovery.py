"""Bounded recovery of a report run whose worker died: the heartbeat the worker keeps while it
compiles, the sweep that queues again (or fails) a run whose heartbeat went stale, the claim that
leaves a live attempt alone, and the administrator's retry of a run the sweep failed."""

import datetime
import time

import pytest
from django.utils import timezone

from core.actions import SYSTEM
from core.models import HistoryEntry
from reports import services
from reports.choices import RunStatus
from reports.models import ReportFile, ReportRun
from reports.tests.conftest import PERIOD

pytestmark = pytest.mark.django_db


def request(user, **fields):
    run, _created = services.request_report_run(
        ReportRun(**{**PERIOD, "language": "en", **fields}), acting_user=user, queue=False
    )
    return run


def claimed(user):
    """A run a worker claimed and then died holding (no heartbeat since)."""
    run = request(user)
    _run, token = services.claim_report_run(run.pk, acting_user=SYSTEM)
    return ReportRun.objects.get(pk=run.pk), token


def age(run, seconds):
    ReportRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


def test_the_sweep_queues_again_a_run_whose_worker_went_silent_and_it_completes_once(
    gastaff, metrics, settings, django_capture_on_commit_callbacks
):
    metrics()
    settings.REPORT_STALE_AFTER_SECONDS = 30
    run, dead_token = claimed(gastaff)
    age(run, 10)
    assert services.fail_stuck_runs() == {"requeued": 0, "resent": 0, "failed": 0}
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    age(run, 31)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs (eagerly)
        counts = services.fail_stuck_runs()
    assert counts == {"requeued": 1, "resent": 0, "failed": 0}
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.attempts == 2
    assert ReportFile.objects.filter(run=run).count() == 5
    # The attempt that went silent can no longer issue the run nor fail it.
    assert services.mark_failed(run.pk, acting_user=SYSTEM, message="x", token=dead_token) is False
    issued = [
        e
        for e in HistoryEntry.objects.for_object(run)
        if e.changes.get("status", [None, None])[1] == "done"
    ]
    assert len(issued) == 1


def test_after_the_last_attempt_the_sweep_fails_the_run_and_an_administrator_retries_it(
    gastaff, admin_user, api, metrics, settings, django_capture_on_commit_callbacks
):
    metrics()
    settings.REPORT_MAX_ATTEMPTS = 2
    run = request(gastaff)
    for attempt in (1, 2):
        services.claim_report_run(run.pk, acting_user=SYSTEM)
        age(run, 60)
        outcome = services.fail_stuck_runs()
        expected = "requeued" if attempt == 1 else "failed"
        assert outcome[expected] == 1, outcome
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.attempts == 2
    assert "2 attempts" in run.error
    # The administrator retries the swept run through the API: it compiles, with fresh attempts.
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin_user).post(f"/api/reports/{run.pk}/retry/")
    assert response.status_code == 202, response.content
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.attempts == 1 and run.error == ""
    assert ReportFile.objects.filter(run=run).count() == 5


def test_general_assembly_staff_may_not_retry_a_swept_run(gastaff, api, settings):
    settings.REPORT_MAX_ATTEMPTS = 1
    run, _token = claimed(gastaff)
    age(run, 60)
    assert services.fail_stuck_runs()["failed"] == 1
    assert api(gastaff).post(f"/api/reports/{run.pk}/retry/").status_code == 403
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.FAILED


def test_a_copy_of_the_task_leaves_a_live_attempt_alone_but_the_broker_redelivery_takes_over(
    gastaff,
):
    run, token = claimed(gastaff)
    # A fresh heartbeat: a second copy of the task (the sweep's, or a visibility timeout's)
    # does nothing.
    assert services.claim_report_run(run.pk, acting_user=SYSTEM) is None
    assert ReportRun.objects.get(pk=run.pk).attempt_token == token
    # The broker handing back the task of a worker that died takes the run over at once.
    again = services.claim_report_run(run.pk, acting_user=SYSTEM, redelivered=True)
    assert again is not None and again[1] != token
    assert ReportRun.objects.get(pk=run.pk).attempts == 2


def test_a_queued_run_no_worker_took_is_sent_again_then_failed(
    gastaff, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from reports import tasks

    sent = []
    monkeypatch.setattr(tasks.compile_report, "delay", lambda run_id: sent.append(run_id))
    settings.REPORT_STUCK_AFTER_MINUTES = 60
    run = request(gastaff)
    ReportRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.fail_stuck_runs()["resent"] == 1
    assert sent == [run.pk]
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    ReportRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    assert services.fail_stuck_runs()["failed"] == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "60 minutes" in run.error


def test_the_sweep_leaves_finished_runs_alone(gastaff, metrics, issue):
    metrics()
    done = issue(gastaff)
    later = timezone.now() + datetime.timedelta(hours=3)
    assert services.fail_stuck_runs(now=later) == {"requeued": 0, "resent": 0, "failed": 0}
    assert ReportRun.objects.get(pk=done.pk).status == RunStatus.DONE


def test_the_beat_schedule_runs_the_sweep_every_few_seconds_as_configured(settings):
    from config.celery import _recovery_schedule

    settings.REPORT_SWEEP_SECONDS = 7
    schedule = _recovery_schedule()
    assert schedule["reports-fail-stuck"]["schedule"] == 7.0
    assert schedule["reports-fail-stuck"]["task"] == "reports.tasks.fail_stuck_reports"


def test_the_default_settings_bound_recovery_to_two_minutes():
    from django.conf import settings as live

    # Worst case: the heartbeat goes stale, then the next sweep acts.
    assert live.REPORT_STALE_AFTER_SECONDS + live.REPORT_SWEEP_SECONDS <= 90
    assert live.REPORT_HEARTBEAT_SECONDS * 3 <= live.REPORT_STALE_AFTER_SECONDS


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_a_long_step_runs_and_stops_when_superseded(
    gastaff, metrics, make_module, settings
):
    settings.REPORT_HEARTBEAT_SECONDS = 1
    seen = {}

    def slow(start, end):
        run = ReportRun.objects.get(status=RunStatus.RUNNING)
        first = run.heartbeat_at
        time.sleep(2.5)  # one long step, no progress tick
        seen["beats"] = (first, ReportRun.objects.get(pk=run.pk).heartbeat_at)
        # Another attempt takes the run over: this one must stop without issuing anything.
        ReportRun.objects.filter(pk=run.pk).update(attempt_token="someone-else")
        time.sleep(1.5)
        return {"C": {}}

    metrics(oversight=make_module("oversight.metrics", slow))
    run = request(gastaff)
    with pytest.raises(services.Superseded):
        services.compile_report_run(run.pk)
    first, later = seen["beats"]
    assert later > first
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.attempt_token == "someone-else"
    assert not ReportFile.objects.filter(run=run).exists()
