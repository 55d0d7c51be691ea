import datetime
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from core.actions import SYSTEM
from core.models import HistoryEntry
from reports import services
from reports.choices import RunStatus
from reports.models import IssuedReportImmutable, ReportFile, ReportRun
from reports.tests.conftest import PERIOD

pytestmark = pytest.mark.django_db


def request(user, **fields):
    run = ReportRun(**{**PERIOD, "language": "en", **fields})
    return services.request_report_run(run, acting_user=user)


def test_a_requested_run_is_compiled_and_issued_with_checksummed_files(
    gastaff, standard_metrics, issue
):
    run = issue(gastaff)
    assert run.status == RunStatus.DONE and run.progress == 100
    assert run.requested_by == gastaff
    # A run is no document of the General Assembly: it has no symbol, only a reference.
    assert run.symbol == "" and run.reference == f"Run {run.pk}"
    files = {f.format: f for f in run.files.all()}
    assert set(files) == {"json", "html", "pdf", "docx", "xlsx"}
    for file in files.values():
        with default_storage.open(file.name, "rb") as handle:
            content = handle.read()
        assert hashlib.sha256(content).hexdigest() == file.sha256
        assert len(content) == file.size
    assert set(run.timings) == {"snapshot", "html", "pdf", "docx", "xlsx", "store"}


def test_the_json_file_is_the_snapshot_and_regenerates_identically(
    gastaff, standard_metrics, issue
):
    run = issue(gastaff)
    json_file = run.files.get(format="json")
    with default_storage.open(json_file.name, "rb") as handle:
        stored = handle.read()
    fresh = ReportRun.objects.get(pk=run.pk)  # the snapshot as the database hands it back
    assert services.regenerated_json(fresh) == stored
    assert hashlib.sha256(services.regenerated_json(fresh)).hexdigest() == json_file.sha256
    data = json.loads(stored)
    assert data["period"] == {"start": "2024-01-01", "end": "2025-12-31"}
    # The run's own data (id, reference) stays on the run: two compiles give the same figures.
    assert "report" not in data and run.reference not in stored.decode()
    assert services.verify_file(fresh, "pdf")


def test_an_issued_run_never_changes(gastaff, standard_metrics, issue):
    run = issue(gastaff)
    run.title = "Edited"
    with pytest.raises(IssuedReportImmutable):
        run.save()
    with pytest.raises(IssuedReportImmutable):
        ReportRun.objects.get(pk=run.pk).delete()
    assert ReportRun.objects.filter(pk=run.pk).update(title="Edited") == 0
    with pytest.raises(PermissionError):
        ReportRun.objects.filter(pk=run.pk).delete()
    file = run.files.first()
    file.sha256 = "0" * 64
    with pytest.raises(IssuedReportImmutable):
        file.save()
    with pytest.raises(IssuedReportImmutable):
        file.delete()
    fresh = ReportRun.objects.get(pk=run.pk)
    assert fresh.title == "" and fresh.status == RunStatus.DONE
    assert not services.compile_report_run(run.pk)  # a redelivered task leaves it alone
    assert ReportFile.objects.filter(run=run).count() == 5


def test_history_records_the_request_and_the_issue(gastaff, standard_metrics, issue):
    run = issue(gastaff)
    entries = list(HistoryEntry.objects.for_object(run).order_by("seq"))
    # The request is the acting user's even outside a request; the worker's steps the task's.
    assert entries[0].action == "create" and entries[0].actor == "user:gastaff"
    statuses = [(e.changes["status"][1], e.actor) for e in entries if "status" in e.changes]
    task = "task:reports.compile_report"
    assert statuses[-2:] == [("running", task), ("done", task)]


@pytest.mark.parametrize(
    "fields, field, message",
    [
        (
            {"period_start": datetime.date(2025, 1, 1), "period_end": datetime.date(2024, 1, 1)},
            "period_end",
            "ends before it starts",
        ),
        ({"period_end": datetime.date(2999, 1, 1)}, "period_end", "future"),
        ({"language": "de"}, "language", "Unknown language"),
    ],
)
def test_bad_requests_are_refused_with_a_field_message(admin_user, fields, field, message):
    with pytest.raises(ValidationError) as caught:
        request(admin_user, **fields)
    assert message in " ".join(caught.value.message_dict[field])
    assert not ReportRun.objects.exists()


def test_only_administrators_and_ga_staff_request_runs(manager, oios, outsider, admin_user):
    for user in (manager, oios, outsider):
        with pytest.raises(PermissionDenied):
            request(user)
    assert not ReportRun.objects.exists()
    run, created = request(admin_user)
    assert created


def test_an_identical_request_while_one_is_active_returns_the_active_one(gastaff, admin_user):
    first, created = request(gastaff)
    second, created_again = request(admin_user)
    assert created and not created_again and second.pk == first.pk
    other, created_other = request(admin_user, language="zh-hans")
    assert created_other and other.pk != first.pk


def test_a_failing_app_fails_the_run_with_the_error_and_an_admin_retries(
    admin_user, gastaff, metrics, make_module, issue
):
    def broken(start, end):
        raise ZeroDivisionError("no recommendations to divide by")

    metrics(oversight=make_module("oversight.metrics", broken))
    run = issue(gastaff)
    assert run.status == RunStatus.FAILED
    assert "no recommendations to divide by" in run.error
    assert not run.files.exists()
    with pytest.raises(PermissionDenied):
        services.retry_report_run(run, acting_user=gastaff)
    metrics()
    services.retry_report_run(run, acting_user=admin_user)
    services.compile_report_run(run.pk)
    run.refresh_from_db()
    # The retry gives the run a fresh budget of attempts (the sweep counts them).
    assert run.status == RunStatus.DONE and run.error == "" and run.attempts == 1


def test_a_superseded_attempt_issues_nothing(gastaff, metrics):
    metrics()
    run, _ = request(gastaff)
    old_run, old_token = services.claim_report_run(run.pk, acting_user=SYSTEM)
    # The broker's redelivery claims it and issues it.
    services.compile_report_run(run.pk, redelivered=True)
    with pytest.raises(services.Superseded):
        services._tick(run.pk, old_token, 50, "pdf")
    issued = services.issue_report_run(
        run.pk, acting_user=SYSTEM, token=old_token, snapshot={}, stored=[], timings={}
    )
    assert issued is None
    assert ReportFile.objects.filter(run=run).count() == 5


def test_stale_files_of_an_interrupted_attempt_are_removed(gastaff, metrics):
    from django.core.files.base import ContentFile

    metrics()
    run, _ = request(gastaff)
    orphan = default_storage.save(
        f"reports/runs/{run.pk}/deadbeef/report-{run.pk}.pdf", ContentFile(b"half")
    )
    services.compile_report_run(run.pk)
    assert not default_storage.exists(orphan)
    assert all(default_storage.exists(f.name) for f in ReportFile.objects.filter(run=run))


def test_compile_report_command(resolution, standard_metrics, capsys):
    call_command(
        "compile_report",
        "--period-start",
        "2024-01-01",
        "--period-end",
        "2025-12-31",
        "--language",
        "zh-hans",
    )
    run = ReportRun.objects.get()
    assert run.status == RunStatus.DONE and run.language == "zh-hans" and run.requested_by is None
    out = capsys.readouterr().out
    assert "Issued run" in out and "pdf" in out
    with pytest.raises(CommandError, match="future"):
        call_command("compile_report", "--period-start", "2024-01-01", "--period-end", "2999-01-01")


def test_the_scheduled_job_requests_the_last_biennium(
    resolution, metrics, django_capture_on_commit_callbacks
):
    from reports.tasks import compile_biennial_report, last_biennium

    metrics()
    assert last_biennium(datetime.date(2026, 11, 27)) == (
        datetime.date(2024, 1, 1),
        datetime.date(2025, 12, 31),
    )
    assert last_biennium(datetime.date(2027, 1, 15)) == (
        datetime.date(2024, 1, 1),
        datetime.date(2025, 12, 31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        compile_biennial_report()
    assert sorted(ReportRun.objects.values_list("language", "status")) == [
        ("en", "done"),
        ("zh-hans", "done"),
    ]


def test_transient_errors_are_retried_then_succeed(
    gastaff, metrics, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    from reports import tasks

    metrics()
    real = services.compile_report_run
    calls = []

    def flaky(run_id, **kwargs):  # the task's call: the worker acts as SYSTEM inside
        calls.append(run_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(run_id, **kwargs)

    from config.celery import app

    monkeypatch.setattr(tasks.services, "compile_report_run", flaky)
    monkeypatch.setattr(tasks, "backoff", lambda retries: 0)
    app.conf.task_eager_propagates = False  # an eager retry is a re-run, not an error
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run, _ = request(gastaff)
    finally:
        app.conf.task_eager_propagates = True
    run.refresh_from_db()
    assert len(calls) == 2 and run.status == RunStatus.DONE


def test_compile_report_command_can_hand_the_run_to_a_worker(
    resolution, metrics, capsys, django_capture_on_commit_callbacks
):
    metrics()
    args = [
        "compile_report",
        "--period-start",
        "2024-01-01",
        "--period-end",
        "2024-12-31",
        "--queue",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        call_command(*args)
    assert "Queued run" in capsys.readouterr().out
    assert ReportRun.objects.get().status == RunStatus.DONE  # the (eager) worker issued it


def test_template_uploads_are_checked_before_anything_is_saved(admin_user, gastaff, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reports.models import ReportTemplate

    def upload(content=b"not a word file", name="letterhead.docx"):
        return SimpleUploadedFile(name, content)

    def store(user, name, content):
        return services.upload_template(ReportTemplate(name=name), acting_user=user, upload=content)

    with pytest.raises(PermissionDenied):
        store(gastaff, "GA", upload())
    with pytest.raises(ValidationError) as bad:
        store(admin_user, "Broken", upload())
    assert "Word document" in bad.value.message_dict["file"][0]
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as large:
        store(admin_user, "Huge", upload(b"x" * (2 * 1024 * 1024)))
    # The size check every upload of the project passes (core.uploads), with its message.
    assert large.value.message_dict["file"] == ["The file is 2.0 MB; the largest accepted is 1 MB."]
    assert not ReportTemplate.objects.exists()
