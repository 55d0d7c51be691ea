"""The reports app on the action layer: each right asked of the policy, each change a named
action attributed to its acting user, and no code reaching a reader of the report."""

import re

import pytest
from django.core.exceptions import PermissionDenied

from core import actions
from core.actions import SYSTEM
from core.models import HistoryEntry
from reports import services
from reports.choices import RunStatus
from reports.models import LiveHeadline, ReportFile, ReportRun, ReportTemplate

pytestmark = pytest.mark.django_db


def failed_run(**fields) -> ReportRun:
    values = {
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "language": "en",
        "status": RunStatus.FAILED,
        "error": "boom",
        **fields,
    }
    return ReportRun.objects.create(**values)


def test_every_state_change_is_a_declared_action():
    declared = {(spec.model, spec.name) for spec in actions.declared()}
    for name in ("request", "retry", "claim", "issue", "fail"):
        assert (ReportRun, name) in declared
    for name in ("upload", "activate"):
        assert (ReportTemplate, name) in declared


@pytest.mark.parametrize(
    "persona, may_request, may_manage_templates",
    [
        ("admin_user", True, True),
        ("gastaff", True, False),
        ("manager", False, False),
        ("oios", False, False),
        ("outsider", False, False),
    ],
)
def test_who_may_request_runs_and_manage_templates(
    persona, may_request, may_manage_templates, request
):
    user = request.getfixturevalue(persona)
    assert actions.may(user, "add", ReportRun) is may_request
    assert actions.may(user, "add", ReportTemplate) is may_manage_templates
    assert actions.may(user, "activate", ReportTemplate) is may_manage_templates


def test_readers_see_done_runs_and_their_files_only(manager, gastaff, outsider, metrics, issue):
    metrics()
    done = issue(gastaff)
    queued = failed_run(status=RunStatus.QUEUED, period_end="2024-06-30")
    assert list(ReportRun.objects.restrict(manager, "view")) == [done]
    assert set(ReportRun.objects.restrict(gastaff, "view")) == {done, queued}
    assert set(ReportFile.objects.restrict(manager, "view")) == set(done.files.all())
    assert not ReportRun.objects.restrict(None, "view").exists()
    assert LiveHeadline.objects.restrict(outsider, "view").model is LiveHeadline
    # Nobody edits or deletes a run, not even an administrator: it moves through its actions.
    assert not ReportRun.objects.restrict(gastaff, "change").exists()
    assert not ReportRun.objects.restrict(gastaff, "delete").exists()


def test_the_worker_steps_are_for_jobs_only(admin_user, metrics):
    metrics()
    run = failed_run(status=RunStatus.QUEUED)
    with pytest.raises(PermissionDenied):
        services.claim_report_run(run.pk, acting_user=admin_user)
    with pytest.raises(PermissionDenied):
        services.mark_failed(run.pk, acting_user=admin_user, message="no")
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    assert services.mark_failed(run.pk, acting_user=SYSTEM, message="stopped")
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.FAILED


def test_a_retry_is_attributed_to_its_acting_user_outside_a_request(admin_user):
    run = failed_run()
    services.retry_report_run(run, acting_user=admin_user)
    entry = HistoryEntry.objects.for_object(run).order_by("-seq").first()
    assert entry.changes["status"] == ["failed", "queued"]
    assert entry.actor == "user:admin"


def test_a_template_upload_and_activation_are_attributed_to_the_administrator(admin_user):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    template = services.upload_template(
        ReportTemplate(name="Letterhead"),
        acting_user=admin_user,
        upload=SimpleUploadedFile("letterhead.docx", buffer.getvalue()),
        activate=False,
    )
    services.activate_template(template, acting_user=admin_user)
    actors = set(HistoryEntry.objects.for_object(template).values_list("actor", flat=True))
    assert actors == {"user:admin"}
    assert ReportTemplate.objects.get(pk=template.pk).uploaded_by == admin_user


def test_a_retry_based_on_a_stale_version_is_a_409(api, admin_user):
    run = failed_run()
    stale = run.version
    ReportRun.objects.filter(pk=run.pk).update(error="boom again", version=stale + 1)
    response = api(admin_user).post(
        f"/api/reports/{run.pk}/retry/", {"version": stale}, format="json"
    )
    assert response.status_code == 409
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.FAILED
    current = api(admin_user).post(
        f"/api/reports/{run.pk}/retry/", {"version": stale + 1}, format="json"
    )
    assert current.status_code == 202 and current.data["status"] == "queued"


def test_a_reader_who_may_see_a_run_may_not_retry_it(api, web, gastaff):
    run = failed_run()
    assert api(gastaff).get(f"/api/reports/{run.pk}/").status_code == 200
    assert api(gastaff).post(f"/api/reports/{run.pk}/retry/").status_code == 403
    assert web(gastaff).post(f"/reports/{run.pk}/retry/").status_code == 403
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.FAILED


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_a_run_is_never_edited_through_the_api(api, admin_user, method):
    run = failed_run()
    client = getattr(api(admin_user), method)
    response = client(f"/api/reports/{run.pk}/", {"status": "queued"}, format="json")
    assert response.status_code == 405
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.FAILED


def test_the_page_retry_shows_the_refusal_on_the_run_page(web, admin_user, metrics, issue):
    metrics()
    done = issue(admin_user)
    response = web(admin_user).post(f"/reports/{done.pk}/retry/", follow=True)
    assert "Only a failed run can be retried." in response.content.decode()
    assert web(admin_user).get(f"/reports/{done.pk}/retry/").status_code == 405


def _words_with_underscores(html: str) -> set[str]:
    text = re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
    return {w for w in re.findall(r"\b\w+_\w+\b", text) if not w.isupper()}


def test_no_code_reaches_the_report(
    resolution, units, admin_user, manager, manager2, gastaff, issue
):
    """Status codes, ratings and the authority of decisions read as their labels in the issued
    files, on the real world of reports/tests/world.py (every format: test_render.py)."""
    from django.core.files.storage import default_storage

    from reports.tests import world

    people = {"admin_user": admin_user, "manager": manager, "manager2": manager2}
    world.build(units, {**people, "gastaff": gastaff})
    run = issue(gastaff, **world.PERIOD)
    html_file = run.files.get(format="html")
    with default_storage.open(html_file.name, "rb") as handle:
        html = handle.read().decode()
    assert _words_with_underscores(html) == {"verify_audit_trail"}  # a command's name
    for label in (
        "Under implementation",
        "Pending verification",
        "Within delegated authority",
        "Overtaken by events",
        "Not accepted",
    ):
        assert label in html, label
    # The snapshot keeps the codes (the JSON file is data); the renderings show their labels.
    section_c = next(s for s in run.snapshot["sections"] if s["code"] == "C")
    assert section_c["labels"]["not_accepted"] == "Not accepted"
    assert "not_accepted" in section_c["metrics"]["by_body"]["BOA"]


def test_the_headline_rate_is_the_one_rounding_rule():
    from core.figures import rate
    from reports.snapshot import SECTION_CODES, headline

    metrics = {code: {} for code in SECTION_CODES}
    metrics["C"] = {"by_body": {"BOA": {"total": 3, "implemented": 2, "overdue": 0}}}
    figures = {item["key"]: item["value"] for item in headline(metrics)}
    assert figures["recommendations_implementation_rate"] == rate(2, 3) == 66.7
