"""The API as a whole, from its OpenAPI schema: the contract's endpoints exist, every list endpoint
has a row in the permission table (tests/permissions/table.py, which checks who sees and does what
on records in two units and two bodies), anonymous callers are refused, and no persona gets a
server error, even on garbage query parameters, over a database that holds records."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.permissions.cases import client_for
from tests.permissions.table import ROWS
from tests.permissions.world import PERSONAS, world  # noqa: F401

# Endpoints that list no model: the schema itself, an object's history (checked per record by
# the table), and aggregates.
NOT_MODEL_LISTS = {
    "/api/schema/",
    "/api/docs/",
    "/api/history/",
    "/api/performance/appraisal-compliance/",
    "/api/performance/learning-completion/",
    "/api/performance/disciplinary-summary/",
}


def _list_paths():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        path
        for path, operations in schema["paths"].items()
        if path.startswith("/api/") and "{" not in path and "get" in operations
    )


LIST_PATHS = _list_paths()
# The schema and its page are public documentation; everything else holds data.
DATA_PATHS = [path for path in LIST_PATHS if path not in ("/api/schema/", "/api/docs/")]
AGGREGATES = sorted(NOT_MODEL_LISTS & set(LIST_PATHS) - {"/api/schema/", "/api/docs/"})

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
    "/api/performance/compact-objectives/",
    "/api/performance/appraisals/",
    "/api/performance/indicators/",
    "/api/performance/indicator-results/",
    "/api/risk/risks/",
    "/api/risk/controls/",
    "/api/risk/control-tests/",
    "/api/risk/procurement-cases/",
    "/api/risk/interest-declarations/",
    "/api/risk/recovery-cases/",
    "/api/risk/recovery-actions/",
    "/api/reports/",
}

GARBAGE = {
    "ordering": "no_such_field",
    "unit": "NOPE",
    "within": "NOPE",
    "page_size": "x",
    "cursor": "garbage",
    "search": "\x00",
    "status": "no-such-status",
    "id": "abc",
    "year": "-1",
    "due_on": "31/12/2025",
}


def test_the_schema_lists_the_contract_endpoints():
    missing = CONTRACT_LISTS - set(LIST_PATHS)
    assert not missing, f"endpoints missing from the API: {sorted(missing)}"


def test_every_model_list_in_the_schema_has_a_row_in_the_permission_table():
    covered = {row.url for row in ROWS}
    uncovered = set(LIST_PATHS) - NOT_MODEL_LISTS - covered
    assert not uncovered, f"add rows to tests/permissions/table.py for {sorted(uncovered)}"
    stale = covered - set(LIST_PATHS)
    assert not stale, f"table rows for endpoints the schema no longer has: {sorted(stale)}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", DATA_PATHS)
def test_anonymous_callers_are_refused(api, path):
    assert api(None).get(path).status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("path", AGGREGATES)
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anon"])
def test_aggregates_answer_every_persona_without_an_error(world, path, persona):  # noqa: F811
    response = client_for(world, persona).get(path)
    # An aggregate may ask for parameters (400) or be refused (403); never a server error.
    assert response.status_code in (200, 400, 403), response.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("path", DATA_PATHS)
@pytest.mark.parametrize("persona", ["admin", "manager", "gastaff", "outsider"])
def test_garbage_query_parameters_never_cause_a_server_error(world, path, persona):  # noqa: F811
    client = client_for(world, persona)
    response = client.get(path, GARBAGE)
    assert response.status_code < 500, response.content[:300]
    for name, value in GARBAGE.items():
        response = client.get(path, {name: value})
        assert response.status_code < 500, (name, value, response.content[:300])
