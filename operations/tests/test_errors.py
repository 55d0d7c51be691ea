import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_unhandled_error_is_logged_with_the_request_id_and_shown_to_quote(settings, log_lines):
    settings.ROOT_URLCONF = "operations.tests.boom_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_X_REQUEST_ID="req-boom-1")
    assert response.status_code == 500
    page = response.content.decode()
    assert "req-boom-1" in page and "quote this request id" in page
    errors = [r for r in log_lines.records() if r["level"] == "ERROR"]
    assert {r["logger"] for r in errors} >= {"django.request", "tracker.request"}
    assert all(r["request_id"] == "req-boom-1" for r in errors)
    traced = [r for r in errors if r.get("exc_info")]
    assert traced and "RuntimeError" in traced[0]["exc_info"]
    assert "hunter22" not in log_lines.text


@pytest.mark.django_db
def test_a_not_found_is_logged_with_the_request_id(client, log_lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-404-1")
    assert response.status_code == 404
    lines = [r for r in log_lines.records() if r["level"] == "WARNING"]
    assert {r["logger"] for r in lines} == {"django.request", "tracker.request"}
    assert all(r["request_id"] == "req-404-1" for r in lines)
    assert lines[0]["time"].endswith("+00:00")


def test_sentry_is_not_initialised_without_a_dsn():
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()


def test_an_error_event_sent_to_the_tracker_carries_no_personal_data():
    from operations.sentry import _before_send

    event = {
        "request": {"url": "/x/", "cookies": {"sessionid": "s"}, "data": {"password": "p"}},
        "user": {"id": 7, "email": "alice@example.org", "username": "alice"},
        "message": "failed for bob@example.org with token=abcdef123",
    }
    sent = _before_send(event, {})
    assert sent["request"] == {"url": "/x/"} and sent["user"] == {"id": 7}
    assert "bob@example.org" not in sent["message"] and "abcdef123" not in sent["message"]
