"""Authentication, error shapes and optimistic concurrency of the API, seen from a client."""

import pytest

from core.models import HistoryEntry
from org.models import OrgUnit


@pytest.mark.django_db
def test_token_for_good_credentials_and_it_authenticates(api, manager):
    response = api(None).post(
        "/api/auth/token/",
        {"username": "manager", "password": "a-long-test-password-1"},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/org-units/").status_code == 200


@pytest.mark.django_db
def test_token_refused_for_a_wrong_password_with_a_plain_message(api, manager):
    response = api(None).post(
        "/api/auth/token/", {"username": "manager", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The username or password is not correct."]}


@pytest.mark.django_db
def test_token_request_missing_fields_names_them(api):
    response = api(None).post("/api/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


@pytest.mark.django_db
def test_repeated_failures_are_locked_out(api, manager, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = api(None)
    codes = [
        client.post(
            "/api/auth/token/", {"username": "manager", "password": "wrong"}, format="json"
        ).status_code
        for _ in range(4)
    ]
    assert codes[:2] == [400, 400]
    assert codes[-1] == 429
    # Even the right password is refused while locked out.
    good = client.post(
        "/api/auth/token/",
        {"username": "manager", "password": "a-long-test-password-1"},
        format="json",
    )
    assert good.status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/org-units/",
        "/api/people/",
        "/api/resolution/paragraphs/",
        "/api/history/?object=org.orgunit:1",
    ],
)
def test_anonymous_requests_are_refused(api, path):
    assert api(None).get(path).status_code in (401, 403)


@pytest.mark.django_db
def test_lists_have_next_previous_results(api, admin_user, units):
    body = api(admin_user).get("/api/org-units/?page_size=2").json()
    assert set(body) >= {"next", "previous", "results"}
    assert len(body["results"]) == 2 and body["next"] is not None and body["previous"] is None
    second = api(admin_user).get(body["next"]).json()
    assert {u["code"] for u in second["results"]}.isdisjoint({u["code"] for u in body["results"]})


@pytest.mark.django_db
def test_bad_input_gets_400_with_field_messages(api, admin_user, units):
    response = api(admin_user).post(
        "/api/org-units/", {"code": "", "name": "X", "parent": "NOPE"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "code" in body and "parent" in body
    assert not OrgUnit.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_malformed_json_is_400_not_500(api, admin_user):
    response = api(admin_user).generic(
        "POST", "/api/org-units/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_edit_with_stale_version_gets_409_and_changes_nothing(api, admin_user, units):
    client = api(admin_user)
    detail = client.get("/api/org-units/DOS/")
    assert detail["ETag"] == f'"{detail.json()["version"]}"'
    version = detail.json()["version"]
    first = client.patch(
        "/api/org-units/DOS/",
        {"name": "Operational Support"},
        format="json",
        HTTP_IF_MATCH=f'"{version}"',
    )
    assert first.status_code == 200 and first.json()["version"] == version + 1
    stale = client.patch(
        "/api/org-units/DOS/", {"name": "Overwritten"}, format="json", HTTP_IF_MATCH=f'"{version}"'
    )
    assert stale.status_code == 409
    assert "version" in stale.json()
    stale_body = client.patch(
        "/api/org-units/DOS/", {"name": "Overwritten", "version": version}, format="json"
    )
    assert stale_body.status_code == 409
    assert OrgUnit.objects.get(code="DOS").name == "Operational Support"


@pytest.mark.django_db
def test_malformed_if_match_is_400(api, admin_user, units):
    response = api(admin_user).patch(
        "/api/org-units/DOS/", {"name": "x"}, format="json", HTTP_IF_MATCH="abc"
    )
    assert response.status_code == 400 and "version" in response.json()


@pytest.mark.django_db
def test_history_api_lists_an_objects_changes_newest_first(api, admin_user, units):
    client = api(admin_user)
    client.patch("/api/org-units/DOS/", {"name": "Operational Support"}, format="json")
    unit = OrgUnit.objects.get(code="DOS")
    body = client.get(f"/api/history/?object=org.orgunit:{unit.pk}").json()
    first, second = body["results"][:2]
    assert first["action"] == "update" and first["user"] == "admin"
    assert first["changes"] == {
        "name": ["Department of Operational Support", "Operational Support"]
    }
    assert first["request_id"] and len(first["sha256"]) == 64
    assert second["action"] == "create"
    entry = HistoryEntry.objects.get(sha256=first["sha256"])
    assert entry.request_id == first["request_id"]


@pytest.mark.django_db
def test_history_api_hides_what_the_caller_may_not_read(api, manager, units):
    from org.tests.factories import PersonFactory

    other = PersonFactory(unit=units["dos"])
    mine = PersonFactory(unit=units["ohr"])
    client = api(manager)
    assert client.get(f"/api/history/?object=org.person:{other.pk}").status_code == 404
    assert client.get(f"/api/history/?object=org.person:{mine.pk}").status_code == 200
    assert client.get("/api/history/?object=nonsense").status_code == 400
    assert client.get("/api/history/?object=nope.model:1").status_code == 404


@pytest.mark.django_db
def test_request_id_is_echoed(api, admin_user):
    response = api(admin_user).get("/api/org-units/", HTTP_X_REQUEST_ID="trace-123")
    assert response["X-Request-ID"] == "trace-123"


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn(web, admin_user):
    client = web(admin_user)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower() and "https://" not in html


@pytest.mark.django_db
def test_ga_staff_read_history_without_who_did_it(api, admin_user, gastaff, units):
    api(admin_user).patch("/api/org-units/DOS/", {"name": "Operational Support"}, format="json")
    unit = OrgUnit.objects.get(code="DOS")
    first = api(gastaff).get(f"/api/history/?object=org.orgunit:{unit.pk}").json()["results"][0]
    assert first["changes"] == {
        "name": ["Department of Operational Support", "Operational Support"]
    }
    assert first["user"] is None and first["actor"] is None
