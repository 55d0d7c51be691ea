"""The API contract checked generically across every app: each list endpoint in the OpenAPI
schema refuses anonymous callers, answers every persona without a server error, and pages as
CONTRACT.md says."""

import pytest
from drf_spectacular.generators import SchemaGenerator

PERSONAS = ["admin_user", "manager", "manager2", "oios", "boa", "gastaff", "outsider"]


def _list_paths():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations or not path.startswith("/api/"):
            continue
        if path in ("/api/schema/", "/api/docs/", "/api/history/"):
            continue
        paths.append(path)
    return sorted(paths)


LIST_PATHS = _list_paths()


CONTRACT_LISTS = {
    "/api/org-units/",
    "/api/people/",
    "/api/resolution/paragraphs/",
    "/api/accountability/delegations/",
    "/api/accountability/decisions/",
    "/api/accountability/commitments/",
    "/api/oversight/bodies/",
    "/api/oversight/reports/",
    "/api/oversight/recommendations/",
    "/api/performance/compacts/",
    "/api/performance/appraisals/",
    "/api/performance/indicators/",
    "/api/performance/indicator-results/",
    "/api/risk/risks/",
    "/api/risk/controls/",
    "/api/risk/control-tests/",
    "/api/risk/procurement-cases/",
    "/api/risk/interest-declarations/",
    "/api/risk/recovery-cases/",
    "/api/reports/",
}


def test_the_schema_lists_the_contract_endpoints():
    missing = CONTRACT_LISTS - set(LIST_PATHS)
    assert not missing, f"endpoints missing from the API: {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_PATHS)
def test_anonymous_callers_are_refused(api, path):
    assert api(None).get(path).status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_gets_an_answer_not_an_error(api, request, path, persona):
    user = request.getfixturevalue(persona)
    response = api(user).get(path)
    # Aggregate endpoints may ask for parameters (400); contract lists answer or refuse.
    allowed = (200, 403) if path in CONTRACT_LISTS else (200, 400, 403)
    assert response.status_code in allowed, response.content[:300]
    if response.status_code == 200 and path in CONTRACT_LISTS:
        body = response.json()
        assert {"next", "previous", "results"} <= set(body), (
            f"{path} does not page as the contract says"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_PATHS)
def test_bad_query_parameters_never_cause_a_server_error(api, admin_user, path):
    response = api(admin_user).get(
        path, {"ordering": "no_such_field", "unit": "NOPE", "page_size": "x", "cursor": "garbage"}
    )
    assert response.status_code < 500
