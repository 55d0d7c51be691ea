"""The risk area's big tables read a manager's rows by their ids while few (issue 13,
risk.policies.narrowed_by_ids): the rows of their unit subtree and the rows that name them
(owner, tester, panel member, declarant), read together by one small query, then listed by
`id IN (...)`; past FEW_ROWS, by the OR of units and people as before. Same rows either way.

Two departments: `manager` (DMSPC) and `manager2` (DOS) each have rows in their units, and
`manager` is named on one row in DOS (owns it, tested it, sits on its panel, declared on it)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.models import Person
from org.tests.factories import PersonFactory
from risk.models import Deficiency
from risk.tests.factories import (
    ControlFactory,
    ControlTestFactory,
    DeclarationFactory,
    ProcurementCaseFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(units, manager, manager2):
    """{url: (the ids manager reads, the ids manager2 reads)}."""
    me = Person.objects.get(user=manager)

    def made(unit, named: bool) -> dict:
        user = manager if named else None
        member = me if named else PersonFactory(unit=unit)
        control = ControlFactory(unit=unit, owner=user)
        test = ControlTestFactory(control=control, tester=user)
        case = ProcurementCaseFactory(unit=unit, panel=[member])
        return {
            "/api/risk/risks/": RiskFactory(unit=unit, owner=user).pk,
            "/api/risk/controls/": control.pk,
            "/api/risk/control-tests/": test.pk,
            "/api/risk/deficiencies/": Deficiency.objects.create(
                test=test, description="Gap", owner=user
            ).pk,
            "/api/risk/procurement-cases/": case.pk,
            "/api/risk/interest-declarations/": DeclarationFactory(case=case, person=member).pk,
        }

    in_dmspc, in_dos = made(units["ohr"], False), made(units["pd"], False)
    naming_manager_in_dos = made(units["pd"], True)
    return {
        url: (
            {in_dmspc[url], naming_manager_in_dos[url]},
            {in_dos[url], naming_manager_in_dos[url]},
        )
        for url in in_dmspc
    }


def _listing(api, user, url, table) -> tuple[str, set[int]]:
    """The WHERE of the list's page query, and the ids the list answers."""
    client = api(user)
    client.get(url)  # warm caches (content types, the rating scale)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200, response.content
    [page] = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith(f'SELECT "{table}".') and "ORDER BY" in q["sql"]
    ]
    return page.split(" WHERE ", 1)[1], {row["id"] for row in response.json()["results"]}


TABLES = {
    "/api/risk/risks/": "risk_risk",
    "/api/risk/controls/": "risk_control",
    "/api/risk/procurement-cases/": "risk_procurementcase",
    "/api/risk/interest-declarations/": "risk_interestdeclaration",
}
# Narrowed by their parents' ids (a test's control, a deficiency's test), read a hop at a time.
BY_PARENT = {
    "/api/risk/control-tests/": ("risk_controltest", "control_id"),
    "/api/risk/deficiencies/": ("risk_deficiency", "test_id"),
}
# The column a list names a manager's units by when their rows are many.
MANY_BY = {
    "/api/risk/risks/": "unit_id",
    "/api/risk/controls/": "unit_id",
    "/api/risk/procurement-cases/": "unit_id",
    "/api/risk/interest-declarations/": "case_id",
}


@pytest.mark.parametrize("url", list(TABLES))
def test_a_managers_risk_rows_are_listed_by_their_ids_while_few(
    api, manager, manager2, rows, monkeypatch, url
):
    from org import permissions

    table = TABLES[url]
    mine, theirs = rows[url]
    where, listed = _listing(api, manager, url, table)
    assert listed == mine
    # The page query names rows, not units or people: the ids were read first.
    assert where.startswith(f'"{table}"."id" = ANY('), where
    assert "unit_id" not in where and "owner_id" not in where and "person_id" not in where

    assert _listing(api, manager2, url, table)[1] == theirs

    monkeypatch.setattr(permissions, "FEW_ROWS", 0)
    where, listed = _listing(api, manager, url, table)
    assert listed == mine
    # Many rows: the units' side by its own column again.
    assert f'"{table}"."{MANY_BY[url]}" IN (' in where or (
        f'"{table}"."{MANY_BY[url]}" = ANY(' in where
    ), where


def test_a_managers_lists_read_their_ids_by_one_query_each(api, manager, rows):
    """One small query of the ids per list (and its relations' ids once): a list still
    counts few queries."""
    for url, table in TABLES.items():
        api(manager).get(url)  # warm caches; the ids are kept by the user's Access (a request)
        fresh = type(manager).objects.get(pk=manager.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert api(fresh).get(url).status_code == 200
        ids_reads = [
            q["sql"]
            for q in ctx.captured_queries
            if (
                # counted first (org.permissions.ids_when_few), or both sides read at once
                q["sql"].startswith("WITH n0 AS MATERIALIZED") and f'FROM "{table}"' in q["sql"]
            )
            or q["sql"].startswith(
                (f'SELECT "{table}"."id" AS "pk" FROM "{table}"', f'(SELECT "{table}"."id"')
            )
            and "ORDER BY" not in q["sql"]
        ]
        assert len(ids_reads) == 1, (url, ids_reads)
        assert "LIMIT 1001" in ids_reads[0], ids_reads[0]


def test_an_owner_without_a_managers_role_reads_what_names_them(api, units, outsider):
    """No unit side: the owner's condition stays as it was (no ids read first)."""
    owned = RiskFactory(unit=units["pd"], owner=outsider)
    RiskFactory(unit=units["pd"])
    where, listed = _listing(api, outsider, "/api/risk/risks/", "risk_risk")
    assert listed == {owned.pk}
    assert '"risk_risk"."owner_id" IN (' in where


def test_deficiencies_listed_by_ids_keep_the_list_order(api, units, manager):
    """`id IN (...)` narrows, the list's order is the view's (newest first)."""
    control = ControlFactory(unit=units["ohr"])
    made = [
        Deficiency.objects.create(
            test=ControlTestFactory(control=control, tested_on=datetime.date(2025, 6, day)),
            description=f"Gap {day}",
        ).pk
        for day in (1, 2, 3)
    ]
    response = api(manager).get("/api/risk/deficiencies/")
    assert [row["id"] for row in response.json()["results"]] == sorted(made, reverse=True)


@pytest.mark.parametrize("url", list(BY_PARENT))
def test_control_tests_and_deficiencies_are_narrowed_by_their_parents_ids(
    api, manager, manager2, rows, url
):
    """No join in any query of the list: the manager's controls (their units', their own) are
    read by their ids, then (for deficiencies) those controls' tests, then the list."""
    table, parent = BY_PARENT[url]
    mine, theirs = rows[url]
    client = api(manager)
    client.get(url)
    fresh = type(manager).objects.get(pk=manager.pk)
    with CaptureQueriesContext(connection) as ctx:
        response = api(fresh).get(url, {"page_size": 200})
    assert {row["id"] for row in response.json()["results"]} == mine
    reads = [q["sql"] for q in ctx.captured_queries if '"risk_' in q["sql"]]
    assert all(" JOIN " not in sql for sql in reads if "auth_user" not in sql), reads
    [page] = [sql for sql in reads if sql.startswith(f'SELECT "{table}".') and "ORDER BY" in sql]
    assert f'"{table}"."{parent}" = ANY(' in page
    assert _listing(api, manager2, url, table)[1] == theirs


def test_long_id_lists_are_one_array_parameter_of_the_columns_type(api, units, manager):
    """risk.policies.AnyOf: `= ANY(%s::bigint[])`, not a parameter an id; of the column's type,
    which PostgreSQL searches by hash (an int2[] against a bigint column it searched in order)."""
    control = ControlFactory(unit=units["ohr"])
    tests = [ControlTestFactory(control=control).pk for _ in range(12)]
    client = api(manager)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/risk/control-tests/")
    assert sorted(row["id"] for row in response.json()["results"]) == sorted(tests)
    [page] = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('SELECT "risk_controltest".') and "ORDER BY" in q["sql"]
    ]
    assert f"ANY('{{{control.pk}}}'::bigint[])" in page, page  # the ids as one array literal
