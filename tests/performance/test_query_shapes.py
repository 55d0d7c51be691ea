"""Query shapes the planner can use, pinned for every persona and every list of the permission
table (issue 13): the SQL a list runs ORs no sub-select or EXISTS with other predicates (the
caller's unit subtree, instruments issued, panels sat on are resolved to ids first), and a unit
filter compares ids, never the unit's code."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.performance.sql_shape import compares_unit_codes, ors_over_subselects
from tests.permissions.cases import client_for
from tests.permissions.table import ROWS
from tests.permissions.test_pages_table import PAGES
from tests.permissions.world import world  # noqa: F401

pytestmark = pytest.mark.django_db

SIGNED_IN = ("admin", "manager", "manager2", "oios", "boa", "gastaff", "outsider")
# Lists that filter by unit (`unit` = that unit, `within` = its subtree).
UNIT_FILTERED = {
    "people",
    "delegations",
    "decisions",
    "commitments",
    "recommendations",
    "compacts",
    "appraisals",
    "indicators",
    "risks",
    "procurement-cases",
    "recovery-cases",
}


def _captured(client, url, params=None) -> list[str]:
    client.get(url, params or {})  # warm caches (content types, the rating scale...)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code in (200, 403), (url, response.status_code)
    return [q["sql"] for q in ctx.captured_queries]


def _where(sql: str) -> str:
    """The statement's own WHERE clause and what follows it: a sub-select in its select list (a
    list row's related values, read by correlated sub-selects) has a WHERE of its own."""
    depth = 0
    for i, ch in enumerate(sql):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif not depth and sql.startswith(" WHERE ", i):
            return sql[i + len(" WHERE ") :]
    raise AssertionError(f"no WHERE: {sql[:300]}")


def _shape_failures(statements: list[str]) -> list[str]:
    return [bad for sql in statements for bad in ors_over_subselects(sql)]


@pytest.mark.parametrize(
    ("url", "persona"),
    [
        pytest.param(row.url, persona, id=f"{row.name}-{persona}")
        for row in ROWS
        for persona in SIGNED_IN
    ],
)
def test_api_list_ors_no_sub_select(world, url, persona):  # noqa: F811
    assert _shape_failures(_captured(client_for(world, persona), url)) == []


def _web(world, persona):  # noqa: F811
    client = Client()
    client.force_login(world.user(persona), backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize(
    ("list_name", "persona"),
    [
        pytest.param(page.list_name, persona, id=f"{page.resource}-{persona}")
        for page in PAGES
        for persona in SIGNED_IN
    ],
)
def test_html_list_ors_no_sub_select(world, list_name, persona):  # noqa: F811
    assert _shape_failures(_captured(_web(world, persona), reverse(list_name))) == []


@pytest.mark.parametrize(
    ("url", "persona", "param"),
    [
        pytest.param(row.url, persona, param, id=f"{row.name}-{persona}-{param}")
        for row in ROWS
        if row.name in UNIT_FILTERED
        for persona in ("admin", "manager")
        for param in ("unit", "within")
    ],
)
def test_unit_filters_compare_ids(world, url, persona, param):  # noqa: F811
    code = world.units["dmspc"].code
    statements = _captured(client_for(world, persona), url, {param: code})
    assert not [sql for sql in statements if compares_unit_codes(sql)]
    assert _shape_failures(statements) == []
    ids = sorted(u.pk for u in world.units.values() if u.path.startswith(world.units["dmspc"].path))
    wanted = [world.units["dmspc"].pk] if param == "unit" else ids
    # The list's own statement compares its unit column with the resolved ids.
    compared = [
        sql
        for sql in statements
        if '"unit_id" IN (' in sql
        and all(str(pk) in sql.split('"unit_id" IN (', 1)[1].split(")", 1)[0] for pk in wanted)
        or (param == "unit" and f'"unit_id" = {wanted[0]}' in sql)
    ]
    assert compared, statements


def test_decisions_of_a_delegator_are_found_by_instrument_ids(world):  # noqa: F811
    """The manager sees the decisions under instruments they issued through the instruments' ids
    (resolved by one small query), not a join OR-ed with the unit test."""
    statements = _captured(client_for(world, "manager"), "/api/accountability/decisions/")
    listing = [s for s in statements if 'FROM "accountability_decision"' in s and "LIMIT" in s]
    assert listing
    where = [_where(s) for s in listing]
    assert all('"delegator_id"' not in w and "JOIN" not in w for w in where), listing


@pytest.mark.parametrize(
    ("url", "table"),
    [
        ("/api/risk/control-tests/", "risk_controltest"),
        ("/api/risk/deficiencies/", "risk_deficiency"),
        ("/api/risk/treatments/", "risk_treatment"),
        ("/api/risk/controls/", "risk_control"),
    ],
)
@pytest.mark.parametrize("persona", ["manager", "manager2"])
def test_owned_records_are_narrowed_on_their_own_table(world, url, table, persona):  # noqa: F811
    """A manager's control tests, deficiencies and treatments are narrowed by conditions on the
    list's own columns (the parent rows resolved to ids first): an OR across a join made
    PostgreSQL read both tables whole."""
    import re

    statements = _captured(client_for(world, persona), url)
    [listing] = [s for s in statements if s.startswith(f'SELECT "{table}"."id"')]
    where = listing.split(" WHERE ", 1)[1].split(" ORDER BY ")[0]
    assert set(re.findall(r'"(\w+)"\."\w+"', where)) == {table}, where


def test_a_small_scope_is_listed_by_decision_ids_and_a_large_one_by_units(world, monkeypatch):  # noqa: F811
    """The manager's subtree holds few decisions: the list filters on their ids (estimated
    exactly), not on `unit_id IN (...)`, which the planner estimates from the average unit and
    at ten million decisions answered by walking them all by date. Past the cap the unit test
    comes back, with the same rows."""
    from accountability import policies

    client = client_for(world, "manager")
    url = "/api/accountability/decisions/"

    def listing_where():
        statements = _captured(client, url)
        [listing] = [
            s
            for s in statements
            if s.startswith('SELECT "accountability_decision"."id"') and "LIMIT" in s
        ]
        return _where(listing)

    shown = sorted(row["id"] for row in client.get(url, {"page_size": 200}).json()["results"])
    assert shown
    where = listing_where()
    assert '"accountability_decision"."id" = ANY(' in where and '"unit_id" IN (' not in where
    monkeypatch.setattr(policies, "UNDER_ISSUED_BY_ID", 0)
    where = listing_where()
    assert '"accountability_decision"."unit_id" IN (' in where
    assert (
        sorted(row["id"] for row in client.get(url, {"page_size": 200}).json()["results"]) == shown
    )


@pytest.mark.parametrize(
    ("url", "table"),
    [
        ("/api/accountability/commitments/", "accountability_commitment"),
        ("/api/oversight/recommendations/", "oversight_recommendation"),
        ("/api/performance/appraisals/", "performance_appraisal"),
        ("/api/people/", "org_person"),
    ],
)
def test_the_big_tables_list_a_small_subtree_by_ids(world, monkeypatch, url, table):  # noqa: F811
    """org.permissions.UnitPolicy.by_ids_when_few: the same rows, by their ids while the
    subtree holds few, by the units' ids past FEW_ROWS."""
    from org import permissions

    client = client_for(world, "manager")

    def listing():
        statements = _captured(client, url)
        [main] = [s for s in statements if s.startswith(f'SELECT "{table}"."id"') and "LIMIT" in s]
        rows = sorted(r["id"] for r in client.get(url, {"page_size": 200}).json()["results"])
        return _where(main), rows

    where, rows = listing()
    assert rows and f'"{table}"."id" = ANY(' in where and '"unit_id" IN (' not in where
    monkeypatch.setattr(permissions, "FEW_ROWS", 0)
    where, rows_by_units = listing()
    assert f'"{table}"."unit_id" IN (' in where and rows_by_units == rows


def test_ids_when_few_answers_as_the_plain_query_does(world):  # noqa: F811
    """org.permissions.ids_when_few, the probe behind every `by_ids_when_few` list: for each
    side the ids the ORM finds, or None past the limit; a side through a join (an
    underperformance case's appraisal's unit), an empty side and an impossible one (no units)
    answer too, all in one round trip."""
    from accountability.models import Decision
    from org.models import OrgUnit
    from org.permissions import ids_when_few
    from performance.models import UnderperformanceCase

    units = list(OrgUnit.objects.values_list("pk", flat=True))
    sides = {
        "decisions": Decision.objects.filter(unit_id__in=units),
        "cases": UnderperformanceCase.objects.filter(appraisal__unit__in=units),
        "none": Decision.objects.none(),
        "no units": Decision.objects.filter(unit_id__in=[]),
    }
    expected = {
        name: tuple(sorted(rows.values_list("pk", flat=True))) for name, rows in sides.items()
    }
    assert expected["decisions"] and expected["cases"]
    with CaptureQueriesContext(connection) as ctx:
        assert ids_when_few(sides, limit=10_000) == expected
    assert len(ctx.captured_queries) == 1
    few = len(expected["decisions"])
    found = ids_when_few(sides, limit=few - 1)
    assert found["decisions"] is None  # one more than the limit: "many"
    assert found["none"] == found["no units"] == ()
    assert ids_when_few(sides, limit=few)["decisions"] == expected["decisions"]


def test_any_of_finds_what_in_finds_with_one_statement_whatever_the_count(world):  # noqa: F811
    """core.db.lookups.AnyOf: `pk__any_of=ids` lists the rows `pk__in=ids` lists; on
    PostgreSQL the ids are one array parameter, so the statement's text is the same for two ids
    as for all; no ids is no row and no query, as with `__in`."""
    from accountability.models import Decision

    every = sorted(Decision.objects.values_list("pk", flat=True))
    assert len(every) > 2
    texts = []
    for ids in (every[:2], every):
        with CaptureQueriesContext(connection) as ctx:
            found = sorted(Decision.objects.filter(pk__any_of=ids).values_list("pk", flat=True))
        assert found == sorted(Decision.objects.filter(pk__in=ids).values_list("pk", flat=True))
        texts.append(Decision.objects.filter(pk__any_of=ids).query.sql_with_params()[0])
        assert len(ctx.captured_queries) == 1
    assert texts[0] == texts[1] and "= ANY(" in texts[0]
    with CaptureQueriesContext(connection) as ctx:
        assert list(Decision.objects.filter(pk__any_of=[])) == []
    assert ctx.captured_queries == []
