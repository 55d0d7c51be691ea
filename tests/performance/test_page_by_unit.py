"""A department manager's list read unit by unit (core.db.pages, issue 13): when the scope is
`unit_id IN (...)` (a subtree past the ids cap), a page is the first rows of each unit's first
rows, so the database reads a page a unit from the `(unit, sort key)` index instead of walking
the whole table in the list's order. The pages must list exactly the rows, in exactly the order,
the plain query lists: first pages and every page after, forwards and back, API and HTML, with
the rows seen under an instrument the manager issued (the OR of the scope) listed once."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability import policies
from accountability.models import Commitment, Decision
from accountability.tests.factories import DelegationFactory
from core.db import pages
from org import permissions

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
API = "/api/accountability/decisions/"
HTML = "/accountability/decisions/"


@pytest.fixture
def many(units, manager, manager2, monkeypatch):
    """DMSPC's decisions are old and DOS's recent (the walk by date passes every DOS decision
    before it finds a DMSPC one); dates repeat, so the primary key breaks ties. The caps are
    lowered so that DMSPC's eleven decisions count as many: the scope is then the units."""
    monkeypatch.setattr(policies, "UNDER_ISSUED_BY_ID", 3)
    monkeypatch.setattr(permissions, "FEW_ROWS", 3)
    rows = [
        Decision(
            title=f"D{i:03d}",
            unit=units["ohr" if i % 3 else "dmspc"],
            decided_by=manager,
            decided_on=TODAY - datetime.timedelta(days=400 + i // 4),
        )
        for i in range(11)
    ] + [
        Decision(
            title=f"X{i:03d}",
            unit=units["pd"],
            decided_by=manager2,
            decided_on=TODAY - datetime.timedelta(days=i // 5),
        )
        for i in range(30)
    ]
    Decision.objects.bulk_create(rows)
    return rows


def _expected(**filters) -> list[str]:
    return list(
        Decision.objects.filter(**filters)
        .order_by("-decided_on", "-id")
        .values_list("title", flat=True)
    )


def _api_walk(client, url):
    titles, statements = [], []
    while url:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        statements += [q["sql"] for q in captured.captured_queries]
        body = response.json()
        titles += [row["title"] for row in body["results"]]
        url = body["next"]
    return titles, statements


def _listing(statements) -> list[str]:
    return [s for s in statements if s.startswith('SELECT "accountability_decision"."id"')]


def test_api_pages_read_unit_by_unit_list_the_plain_order(api, manager, many):
    titles, statements = _api_walk(api(manager), f"{API}?page_size=4")
    assert titles == _expected(unit__code__startswith="DMSPC")
    assert len(titles) == 11 and not any(t.startswith("X") for t in titles)
    listings = _listing(statements)
    assert listings and all(" UNION ALL " in s and "page_by_unit" in s for s in listings)


def test_api_pages_backwards_list_the_same_rows(api, manager, many):
    client = api(manager)
    body = client.get(f"{API}?page_size=4").json()
    body = client.get(body["next"]).json()
    second = [row["title"] for row in body["results"]]
    third = client.get(body["next"]).json()
    back = client.get(third["previous"]).json()
    assert [row["title"] for row in back["results"]] == second


def test_a_decision_under_an_issued_instrument_is_listed_once_in_its_place(
    api, units, manager, manager2, many
):
    """The scope ORs the subtree with the decisions under instruments the manager issued: one
    more branch, and a decision on both sides listed once."""
    issued = DelegationFactory(delegator=manager, delegatee=manager2, unit=units["pd"])
    outside = Decision.objects.filter(unit=units["pd"]).order_by("-decided_on", "-id")[7]
    inside = Decision.objects.filter(unit=units["ohr"]).order_by("id")[0]
    Decision.objects.filter(pk__in=[outside.pk, inside.pk]).update(delegation=issued)
    # Few decisions under the instrument: their ids; the cap at 0 makes them "many" too.
    titles, statements = _api_walk(api(manager), f"{API}?page_size=4")
    assert titles == [
        d.title
        for d in Decision.objects.filter(unit__code__startswith="DMSPC")
        .union(Decision.objects.filter(pk=outside.pk))
        .order_by("-decided_on", "-id")
    ]
    assert titles.count(inside.title) == 1 and titles[0] == outside.title
    assert all(" UNION " in s for s in _listing(statements))


def _html_titles(response) -> list[str]:
    return re.findall(
        r'href="/accountability/decisions/\d+/">([DX]\d{3})<', response.content.decode()
    )


def _next(response) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def test_html_pages_read_unit_by_unit_list_the_plain_order(web, units, manager, many):
    Decision.objects.bulk_create(
        Decision(
            title=f"D{i:03d}",
            unit=units["dmspc"],
            decided_by=manager,
            decided_on=TODAY - datetime.timedelta(days=300 + i // 7),
        )
        for i in range(11, 111)
    )
    client, titles, url, statements = web(manager), [], HTML, []
    while url:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        statements += [q["sql"] for q in captured.captured_queries]
        titles += _html_titles(response)
        following = _next(response)
        url = HTML + following if following else None
    assert titles == _expected(unit__code__startswith="DMSPC") and len(titles) == 111
    assert sum("page_by_unit" in s for s in statements) == 3  # one a page
    # A sort through another table (the unit's code) is read as before, with the same rows.
    sorted_by_unit = _html_titles(client.get(f"{HTML}?sort=unit"))
    assert len(sorted_by_unit) == 50 and set(sorted_by_unit) <= set(titles)


def test_commitments_in_ascending_order_read_unit_by_unit(
    api, units, manager, manager2, monkeypatch
):
    monkeypatch.setattr(permissions, "FEW_ROWS", 2)
    for i in range(9):
        Commitment.objects.create(
            title=f"C{i:03d}",
            deliverable="A report",
            unit=units["ohr" if i % 2 else "dmspc"],
            owner=manager,
            due_on=TODAY + datetime.timedelta(days=300 + i // 3),
        )
        Commitment.objects.create(
            title=f"Y{i:03d}",
            deliverable="A report",
            unit=units["pd"],
            owner=manager2,
            due_on=TODAY + datetime.timedelta(days=i // 3),
        )
    client, url, titles, statements = (
        api(manager),
        "/api/accountability/commitments/?page_size=2",
        [],
        [],
    )
    while url:
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).json()
        statements += [q["sql"] for q in captured.captured_queries]
        titles += [row["title"] for row in body["results"]]
        url = body["next"]
    assert titles == list(
        Commitment.objects.filter(unit__code__startswith="DMSPC")
        .order_by("due_on", "id")
        .values_list("title", flat=True)
    )
    assert any("page_by_unit" in s for s in statements)


def test_only_a_unit_subtree_list_served_by_an_index_is_read_unit_by_unit(units):
    """One unit, a sort by another table, or no `(unit, key)` index: the queryset as it was."""
    subtree = [units["dmspc"].pk, units["ohr"].pk]
    by_date = Decision.objects.filter(unit_id__in=subtree).order_by("-decided_on", "-id")
    assert pages.page_queryset(by_date, 5) is not by_date
    for unchanged in (
        Decision.objects.filter(unit_id__in=subtree[:1]).order_by("-decided_on", "-id"),
        Decision.objects.filter(unit_id__in=subtree).order_by("unit__code", "-id"),
        Decision.objects.filter(unit_id__in=subtree).order_by("-amount", "-id"),  # nullable
        Decision.objects.filter(unit_id__in=subtree).order_by("title", "-id"),  # no index
        Decision.objects.exclude(unit_id__in=subtree).order_by("-decided_on", "-id"),
    ):
        assert pages.page_queryset(unchanged, 5) is unchanged


def test_an_or_whose_other_side_holds_nothing_reads_the_units_alone(units, many):
    """`id = ANY('{}')` compiles to nothing (Django drops it from the OR): the page is the
    units' branches alone, with the plain query's rows."""
    from django.db.models import Q

    subtree = [units["dmspc"].pk, units["ohr"].pk]
    either = Decision.objects.filter(Q(unit_id__in=subtree) | Q(pk__any_of=[])).order_by(
        "-decided_on", "-id"
    )
    narrowed = pages.page_queryset(either, 5)
    assert narrowed is not either
    assert (
        list(narrowed[:5])
        == list(either[:5])
        == list(
            Decision.objects.filter(unit__code__startswith="DMSPC").order_by("-decided_on", "-id")[
                :5
            ]
        )
    )


@pytest.mark.parametrize(
    ("url", "table"),
    [
        (API, "accountability_decision"),
        ("/api/accountability/commitments/", "accountability_commitment"),
    ],
)
def test_a_subtree_found_large_is_not_counted_again(
    api, units, manager, manager2, many, url, table
):
    """org.permissions.known_large: after one count finds the subtree past the cap, the next
    pages skip it (one round trip fewer) and list the same rows; another manager's subtree is
    counted on its own, and a subtree under a lower cap is another verdict."""
    for i in range(5):
        Commitment.objects.create(
            title=f"C{i}",
            deliverable="A report",
            unit=units["ohr"],
            owner=manager,
            due_on=TODAY + datetime.timedelta(days=i),
        )
    client = api(manager)

    def read():
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).json()
        counts = [q["sql"] for q in captured.captured_queries if "LIMIT 4)" in q["sql"]]
        return sorted(row["id"] for row in body["results"]), counts

    permissions._large_since.clear()
    first, counted = read()
    assert counted and f'FROM "{table}"' in counted[0]
    again, counted_again = read()
    assert again == first and counted_again == []
    other = api(manager2)
    with CaptureQueriesContext(connection) as captured:
        other.get(url)
    assert any("LIMIT 4)" in q["sql"] for q in captured.captured_queries)


def test_appraisals_by_cycle_and_staff_name_list_the_plain_order(web, units, manager, monkeypatch):
    """An order through a relation (the staff member's name after the cycle) is read as before,
    not unit by unit (each unit's rows would be joined and sorted whole): the pages list the
    plain order across the end of a cycle."""
    from performance.models import Appraisal
    from performance.tests.factories import AppraisalFactory

    monkeypatch.setattr(permissions, "FEW_ROWS", 3)
    for i in range(70):
        unit = units[("dmspc", "ohr", "pd")[i % 3]]
        AppraisalFactory(
            unit=unit, cycle=2024 if i < 50 else 2023, staff__name=f"N{(i * 37) % 70:02d}"
        )
    client, url, names, statements = web(manager), "/performance/appraisals/", [], []
    while url:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        statements += [q["sql"] for q in captured.captured_queries]
        names += re.findall(r">(N\d\d)<", response.content.decode())
        following = _next(response)
        url = "/performance/appraisals/" + following if following else None
    expected = [
        a.staff.name
        for a in Appraisal.objects.filter(unit__code__startswith="DMSPC")
        .select_related("staff")
        .order_by("-cycle", "staff__name", "id")
    ]
    assert names == expected and len(names) == 47
    assert not any("page_by_unit" in s for s in statements)
