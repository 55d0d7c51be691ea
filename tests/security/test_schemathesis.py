"""Issue 12, item 4: schemathesis over the whole API, bounded (a fixed number of generated
examples per operation, as an administrator and as a manager), over the permission table's world
of records in two units and two bodies: no server error and no response outside the schema.

Marked `schemathesis` and left out of `make test` (pyproject addopts); .ci/run runs it as its own
step: `pytest -m schemathesis`. SCHEMATHESIS_EXAMPLES (default 2) sets the examples per operation.
"""

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token

from tests.permissions.world import world  # noqa: F401

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "2"))
# Endpoints outside the data API: the schema and its docs, the token exchange (axes counts its
# failures and would lock the personas out).
SKIPPED = {"/api/schema/", "/api/docs/", "/api/auth/token/"}


def _run(schema, headers) -> dict:
    figures: Counter = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue
        figures["operations"] += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            figures["requests"] += 1
            response = case.call(headers=headers)
            if response.status_code >= 500:
                figures["server_errors"] += 1
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
                return
            try:
                case.validate_response(response, checks=[response_schema_conformance])
            except (AssertionError, BaseExceptionGroup) as exc:  # a violation: count it, go on
                found = getattr(exc, "exceptions", None) or [exc]
                figures["schema_violations"] += len(found)
                for failure in found:
                    failures.append(
                        f"{case.method} {case.operation.path}: {' '.join(str(failure).split())[:400]}"
                    )

        check()
    return {"figures": dict(figures), "failures": failures}


@pytest.fixture
def in_process():
    """Requests run in the test's transaction: no connection closed between them (as Django's
    test client does)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.schemathesis
@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["admin", "manager"])
def test_no_server_error_and_no_schema_violation(world, in_process, settings, persona):  # noqa: F811
    from django.core.handlers.wsgi import WSGIHandler

    application = WSGIHandler()
    settings.ALLOWED_HOSTS = ["*"]
    token, _created = Token.objects.get_or_create(user=world.users[persona])
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=headers
    )
    outcome = _run(schema, headers)
    figures = outcome["figures"]
    print(persona, figures)
    for line in sorted(set(outcome["failures"])):
        print("  ", line)
    assert figures["operations"] > 50 and figures["requests"] >= figures["operations"]
    assert figures.get("server_errors", 0) == 0, outcome["failures"][:20]
    assert figures.get("schema_violations", 0) == 0, outcome["failures"][:20]


assert not_a_server_error  # imported so the check's name is at hand when debugging
