"""Log lines carry the request id (the history's) and never a secret."""

import logging

import pytest

from core.models import HistoryEntry
from performance.tests.factories import AppraisalFactory

PASSWORD = "a-long-test-password-1"


def _request_lines(lines, path):
    return [r for r in lines.records() if r["logger"] == "tracker.request" and r["path"] == path]


@pytest.mark.django_db
def test_a_sign_in_logs_its_request_id_and_not_the_password(client, manager, log_lines):
    response = client.post(
        "/accounts/login/?next=/&token=query-secret-123",
        {"username": "manager", "password": PASSWORD},
    )
    assert response.status_code == 302
    [line] = _request_lines(log_lines, "/accounts/login/")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["status"] == 302 and line["method"] == "POST"
    assert line["level"] == "INFO" and line["time"] and line["duration_ms"] >= 0
    assert line["user_id"] == manager.pk  # signed in by the end of the request
    assert PASSWORD not in log_lines.text
    assert "query-secret-123" not in log_lines.text  # the query string is not logged


@pytest.mark.django_db
def test_a_token_request_logs_no_password_and_no_token(api, manager, log_lines):
    response = api(None).post(
        "/api/auth/token/", {"username": "manager", "password": PASSWORD}, format="json"
    )
    token = response.json()["token"]
    [line] = _request_lines(log_lines, "/api/auth/token/")
    assert line["request_id"] == response["X-Request-ID"] and line["status"] == 200
    # the token used afterwards, logged by mistake in a message, is scrubbed too
    logging.getLogger("tracker.test").info("client sent Authorization: Token %s", token)
    assert PASSWORD not in log_lines.text
    assert token not in log_lines.text
    assert "[redacted]" in log_lines.text


@pytest.mark.django_db
def test_an_appraisal_save_logs_the_history_request_id(web, manager, units, log_lines):
    appraisal = AppraisalFactory(unit=units["ohr"])
    client = web(manager)
    response = client.post(
        f"/performance/appraisals/{appraisal.pk}/edit/",
        {
            "cycle": "2024",
            "due_on": "2025-05-31",
            "completed_on": "2025-05-01",
            "rating": "meets",
            "version": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [line] = _request_lines(log_lines, f"/performance/appraisals/{appraisal.pk}/edit/")
    entry = HistoryEntry.objects.filter(
        object_type="performance.appraisal", object_id=str(appraisal.pk), action="update"
    ).get()
    assert line["request_id"] == entry.request_id == response["X-Request-ID"]
    assert line["user_id"] == manager.pk and line["view"] == "performance:appraisal_edit"
    assert line["db_queries"] > 0
    assert PASSWORD not in log_lines.text
    assert appraisal.staff.name not in log_lines.text


def test_the_filter_scrubs_extras_messages_and_configured_secrets(settings, log_lines):
    log = logging.getLogger("tracker.test")
    log.info("login password=hunter22 for alice@example.org", extra={"api_key": "k-123456"})
    log.warning("settings: %s", settings.SECRET_KEY)
    text = log_lines.text
    for secret in ("hunter22", "alice@example.org", "k-123456", settings.SECRET_KEY):
        assert secret not in text
    records = log_lines.records()
    assert records[0]["api_key"] == "[redacted]" and records[1]["level"] == "WARNING"


@pytest.mark.django_db
def test_a_celery_task_logs_its_name_id_and_outcome(log_lines):
    from core.tasks import checkpoint_history

    result = checkpoint_history.apply_async()
    lines = [r for r in log_lines.records() if r["logger"] == "tracker.task"]
    assert [r["message"] for r in lines] == [
        "task core.tasks.checkpoint_history started",
        "task core.tasks.checkpoint_history success",
    ]
    done = lines[-1]
    assert done["task_name"] == "core.tasks.checkpoint_history" and done["outcome"] == "success"
    assert done["task_id"] == done["request_id"] == result.id and done["duration_ms"] >= 0
    # Celery's own line keeps its name and id but not the task's arguments
    [trace] = [r for r in log_lines.records() if r["logger"] == "celery.app.trace"]
    assert trace["request_id"] == result.id and trace["data"]["args"] == "[redacted]"
