"""HTML lists page by keyset (issue 13): Next and Previous carry a cursor over the list's order
and the primary key, never an OFFSET; every row is listed once whatever the sort (ties and nulls
included); a deep page runs the same queries as the first; a bad cursor or an old `?page=` link
opens the first page; the size shows exact up to a cap, "more than" beyond it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.models import Decision
from core.generic import ScopedListView

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
LIST = "/accountability/decisions/"


@pytest.fixture
def decisions(units, manager, manager2):
    """120 DMSPC decisions on 12 dates (ten a day: the sort key ties), every seventh with no
    amount, and 30 DOS decisions the DMSPC manager does not see."""
    rows = [
        Decision(
            title=f"D{i:03d}",
            unit=units["ohr" if i % 2 else "dmspc"],
            decided_by=manager,
            decided_on=TODAY - datetime.timedelta(days=i // 10),
            amount=None if i % 7 == 0 else Decimal(1000 - (i * 37) % 500),
        )
        for i in range(120)
    ] + [
        Decision(title=f"X{i:03d}", unit=units["pd"], decided_by=manager2, decided_on=TODAY)
        for i in range(30)
    ]
    Decision.objects.bulk_create(rows)
    return rows


def _titles(response) -> list[str]:
    return re.findall(
        r'href="/accountability/decisions/\d+/">([DX]\d{3})<', response.content.decode()
    )


def _link(response, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def _walk(client, url):
    pages, response = [], client.get(url)
    while True:
        assert response.status_code == 200
        pages.append(response)
        following = _link(response, "next")
        if following is None:
            return pages
        response = client.get(LIST + following)


def test_next_links_list_every_visible_row_once_in_order(web, manager, admin_user, decisions):
    pages = _walk(web(manager), LIST)
    assert [len(_titles(p)) for p in pages] == [50, 50, 20]
    listed = [t for p in pages for t in _titles(p)]
    expected = [
        d.title
        for d in Decision.objects.filter(title__startswith="D").order_by("-decided_on", "-id")
    ]
    assert listed == expected
    assert "Page 3 of 3" in pages[-1].content.decode()
    assert "120 records" in pages[0].content.decode()
    admin_pages = _walk(web(admin_user), LIST)
    assert [len(_titles(p)) for p in admin_pages] == [50, 50, 50]
    assert len({t for p in admin_pages for t in _titles(p)}) == 150


def test_a_user_chosen_sort_with_nulls_and_ties_pages_without_gaps(web, manager, decisions):
    client = web(manager)
    for ordering in ("amount", "-amount", "title", "-decided_on"):
        pages = _walk(client, f"{LIST}?ordering={ordering}")
        listed = [t for p in pages for t in _titles(p)]
        assert sorted(listed) == sorted(d.title for d in decisions if d.title.startswith("D")), (
            ordering
        )
        assert len(listed) == 120
        if ordering == "amount":
            # 18 decisions have no amount (every seventh of 120): after every amount.
            amounts = dict(Decision.objects.values_list("title", "amount"))
            values = [amounts[t] for t in listed]
            assert values[:102] == sorted(values[:102]) and values[102:] == [None] * 18


def test_previous_returns_the_page_before(web, manager, decisions):
    client = web(manager)
    pages = _walk(client, LIST)
    back = client.get(LIST + _link(pages[2], "prev"))
    assert _titles(back) == _titles(pages[1])
    assert "Page 2 of 3" in back.content.decode()
    first = client.get(LIST + _link(back, "prev"))
    assert _titles(first) == _titles(pages[0])
    assert _link(first, "prev") is None


def test_a_deep_page_runs_the_same_queries_as_the_first_and_no_offset(web, manager, decisions):
    client = web(manager)
    pages = _walk(client, LIST)
    deep_url = LIST + _link(pages[1], "next")
    client.get(LIST)
    with CaptureQueriesContext(connection) as first:
        client.get(f"{LIST}?cursor=")  # the first page, with a count
    with CaptureQueriesContext(connection) as deep:
        client.get(deep_url)
    assert len(deep) == len(first)
    assert not [q for q in deep if "OFFSET" in q["sql"].upper()]


@pytest.mark.parametrize(
    "query", ["?cursor=not-a-cursor", "?cursor=WyJuIiwxXQ", "?page=5000", "?page=x&cursor=%25%25"]
)
def test_bad_cursors_and_old_page_links_open_the_first_page(web, manager, decisions, query):
    response = web(manager).get(LIST + query)
    assert response.status_code == 200
    assert len(_titles(response)) == 50 and _link(response, "prev") is None


def test_the_size_beyond_the_cap_reads_more_than(web, manager, decisions, monkeypatch):
    monkeypatch.setattr(ScopedListView, "count_cap", 100)
    response = web(manager).get(LIST)
    assert "More than 100 records" in response.content.decode()
    assert "Page 1 of" not in response.content.decode()


def test_a_cursor_with_a_control_character_is_refused(web, manager, decisions):
    assert web(manager).get(LIST + "?cursor=%00").status_code == 400


def test_a_list_sorted_through_a_relation_counts_its_own_table(web, admin_user, manager, units):
    """Recommendations sort by their report's date and symbol: the page reads the report, the
    count does not (at factor 1 it joined 3,000 reports to count 10,000 rows: 11 ms). The count
    reads as before, for an administrator and for a manager who sees one unit's."""
    from oversight.tests.factories import RecommendationFactory, ReportFactory

    for index, unit in enumerate(("dmspc", "pd", "dmspc")):
        report = ReportFactory(issued_on=TODAY - datetime.timedelta(days=index))
        RecommendationFactory(report=report, unit=units[unit])
        RecommendationFactory(report=report, unit=units[unit])
    for user, shown in ((admin_user, 6), (manager, 4)):
        client = web(user)
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/oversight/recommendations/").content.decode()
        assert f"{shown} records" in html
        counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
        assert len(counts) == 1
        assert "JOIN" not in counts[0], counts[0]


def _appraisal_ids(response) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(r'href="/performance/appraisals/(\d+)/"', response.content.decode())
    ]


def _stable(response) -> str:
    """The page less what differs on every response (the CSRF token, the script nonce)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    return re.sub(r'nonce="[^"]+"', "nonce", html)


def _walk_appraisals(client, url="/performance/appraisals/"):
    pages, response = [], client.get(url)
    while True:
        assert response.status_code == 200
        pages.append(response)
        following = _link(response, "next")
        if following is None:
            return pages
        response = client.get("/performance/appraisals/" + following)


@pytest.mark.parametrize("persona", ["admin_user", "manager"])
def test_appraisals_page_cycle_by_cycle_as_the_plain_keyset_did(
    request, web, persona, units, monkeypatch
):
    """Appraisals list by cycle (newest first), then the staff member's name: a page is read one
    cycle at a time (the names from their index). Pages of 4 over three cycles of 7 and 3 people
    (two of the same name) cross from one cycle to the next: forward and back, every row once in
    the list's order, and every page the same HTML as the plain keyset read it, for an
    administrator (both units) and a manager (DMSPC's)."""
    from org.tests.factories import PersonFactory
    from performance.models import Appraisal
    from performance.tests.factories import AppraisalFactory
    from performance.views import AppraisalListView

    user = request.getfixturevalue(persona)
    names = ["Ana", "Zed", "Ana", "Bo", "Cy", "Di", "Ed"]
    people = [PersonFactory(unit=units["ohr"], name=name) for name in names] + [
        PersonFactory(unit=units["pd"], name=name) for name in ("Al", "Ana", "Yu")
    ]
    for cycle in (2022, 2024, 2023):
        for person in people:
            AppraisalFactory(staff=person, unit=person.unit, cycle=cycle)
    expected = list(
        Appraisal.objects.filter(
            unit__in=[units["ohr"], units["pd"]] if persona == "admin_user" else [units["ohr"]]
        )
        .order_by("-cycle", "staff__name", "id")
        .values_list("pk", flat=True)
    )
    monkeypatch.setattr(AppraisalListView, "paginate_by", 4)
    client = web(user)
    walks = {}
    for split in (True, False):
        monkeypatch.setattr(AppraisalListView, "split_first_key", split)
        walks[split] = _walk_appraisals(client)
    pages = walks[True]
    assert [pk for page in pages for pk in _appraisal_ids(page)] == expected
    assert [len(_appraisal_ids(page)) for page in pages[:-1]] == [4] * (len(pages) - 1)
    plain = [_stable(page) for page in walks[False]]
    assert [_stable(page) for page in pages] == plain
    # And back from the last page, page by page, to the first.
    monkeypatch.setattr(AppraisalListView, "split_first_key", True)
    response, back = pages[-1], []
    while (previous := _link(response, "prev")) is not None:
        response = client.get("/performance/appraisals/" + previous)
        back.insert(0, _appraisal_ids(response))
    assert [pk for ids in back for pk in ids] == expected[
        : len(expected) - len(_appraisal_ids(pages[-1]))
    ]
