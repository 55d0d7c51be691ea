"""A manager's appraisals and underperformance cases (performance.policies.AppraisalPolicy): once
the subtree's rows have been counted, a small subtree's ids are read inside the page's own
statement and a large subtree is narrowed by its units, without the count's round trip. The
count is a hint for the plan only: each form lists the rows of the manager's units and no other,
rows written since the count (by another process: no write here to drop it) included."""

import datetime

import pytest

from org import access as org_access
from org import permissions
from performance.models import UnderperformanceCase
from performance.tests.factories import AppraisalFactory

pytestmark = pytest.mark.django_db

APPRAISALS = "/api/performance/appraisals/"
CASES = "/api/performance/underperformance-cases/"


def _appraisal(unit, with_case: bool):
    appraisal = AppraisalFactory(unit=unit, late=True)
    if with_case:
        UnderperformanceCase.objects.create(
            appraisal=appraisal, improvement_plan="PIP", plan_start=datetime.date(2025, 8, 1)
        )
    return appraisal


def _records(units) -> dict:
    """An appraisal with a case and one without in each department's unit."""
    return {key: [_appraisal(units[key], n == 0) for n in range(2)] for key in ("ohr", "pd")}


def _ids(client, url) -> list[int]:
    response = client.get(url, {"page_size": 200})
    assert response.status_code == 200
    return sorted(row["id"] for row in response.json()["results"])


def _expected(made, key, url) -> list[int]:
    if url == APPRAISALS:
        return sorted(a.pk for a in made[key])
    return sorted(
        a.underperformance_case.pk for a in made[key] if hasattr(a, "underperformance_case")
    )


def _statements(client, url) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _main_statement(client, url, table) -> str:
    [main] = [
        sql
        for sql in _statements(client, url)
        if sql.startswith(f'SELECT "{table}"."id"') and "LIMIT" in sql
    ]
    return main


def _fresh(api, user):
    """A client whose user is read again: a new request's Access, nothing kept from the last."""
    return api(type(user).objects.get(pk=user.pk))


@pytest.mark.parametrize(
    ("url", "table"),
    [(APPRAISALS, "performance_appraisal"), (CASES, "performance_underperformancecase")],
)
def test_a_counted_small_subtree_is_read_in_the_page_statement(
    api, manager, manager2, units, url, table
):
    made = _records(units)
    for user, key in ((manager, "ohr"), (manager2, "pd")):
        client = api(user)
        client.get(url)  # the session, content types
        org_access._forget_resolved_ids()  # as after a write in this process: counted again
        counting = len(_statements(client, url))
        assert len(_statements(client, url)) == counting - 1  # the count kept: no statement
        assert _ids(client, url) == _expected(made, key, url)
        main = _main_statement(client, url, table)
        assert f'"{table}"."id" = ANY(' in main and "ARRAY(SELECT " in main


@pytest.mark.parametrize("url", [APPRAISALS, CASES])
def test_rows_written_after_the_count_are_listed(api, manager, manager2, units, monkeypatch, url):
    made = _records(units)
    users = {"ohr": manager, "pd": manager2}
    for key, user in users.items():
        assert _ids(api(user), url) == _expected(made, key, url)
    # Another process's writes do not move this process's generation: keep it where it was.
    generation = org_access._generation
    for key in users:
        made[key].append(_appraisal(units[key], with_case=True))
    monkeypatch.setattr(org_access, "_generation", generation)
    for key, user in users.items():
        assert _ids(_fresh(api, user), url) == _expected(made, key, url)


@pytest.mark.parametrize(
    ("url", "table"),
    [(APPRAISALS, "performance_appraisal"), (CASES, "performance_underperformancecase")],
)
def test_a_counted_large_subtree_is_narrowed_by_its_units(
    api, manager, units, monkeypatch, url, table
):
    made = _records(units)
    monkeypatch.setattr(permissions, "FEW_ROWS", 0)  # every subtree counts as large
    client = api(manager)
    assert _ids(client, url) == _expected(made, "ohr", url)
    main = _main_statement(client, url, table)
    assert "ARRAY(SELECT" not in main and '"unit_id" IN (' in main
    generation = org_access._generation
    made["ohr"].append(_appraisal(units["ohr"], with_case=True))
    _appraisal(units["pd"], with_case=True)
    monkeypatch.setattr(org_access, "_generation", generation)
    assert _ids(_fresh(api, manager), url) == _expected(made, "ohr", url)
