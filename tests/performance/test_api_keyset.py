"""API lists page by keyset (issue 13, core.api.keyset): the cursor carries the last row's whole
sort key, so a deep page starts at its place in the index; every row is listed once, forwards and
backwards, however many share a date (DRF's cursor kept only the date and an offset among its
ties, capped at 1,000: past it a page came back the same as the one before); the caller's scope
holds on every page; a bad cursor answers 404, never 500."""

import base64
import datetime
import urllib.parse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.models import Decision

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
URL = "/api/accountability/decisions/"


@pytest.fixture
def decisions(units, manager, manager2):
    """25 DMSPC decisions on three dates (ten on each of the first two: ties), and 12 DOS
    decisions on the same dates that the DMSPC manager does not see."""
    rows = [
        Decision(
            title=f"D{i:03d}",
            unit=units["dmspc"],
            decided_by=manager,
            decided_on=TODAY - datetime.timedelta(days=i // 10),
        )
        for i in range(25)
    ] + [
        Decision(title=f"X{i:03d}", unit=units["pd"], decided_by=manager2, decided_on=TODAY)
        for i in range(12)
    ]
    Decision.objects.bulk_create(rows)
    return rows


def _walk(api, url, key="next"):
    pages, body = [], api.get(url).json()
    while True:
        pages.append(body)
        if not body[key]:
            return pages
        body = api.get(body[key]).json()


def _expected(queryset, *ordering):
    return list(queryset.order_by(*ordering).values_list("id", flat=True))


def test_every_row_once_forwards_and_backwards_across_tied_dates(api, admin_user, decisions):
    client = api(admin_user)
    pages = _walk(client, f"{URL}?page_size=4")
    ids = [row["id"] for page in pages for row in page["results"]]
    assert ids == _expected(Decision.objects.all(), "-decided_on", "-id")
    assert len(pages) == 10 and pages[0]["previous"] is None and pages[-1]["next"] is None
    # Back from the last page by `previous`: the same pages in reverse.
    back = _walk(client, pages[-1]["next"] or pages[-2]["next"], key="previous")
    assert [[r["id"] for r in p["results"]] for p in back] == [
        [r["id"] for r in p["results"]] for p in reversed(pages)
    ]


def test_a_chosen_order_and_a_mixed_one_walk_every_row_once(api, admin_user, decisions):
    client = api(admin_user)
    for ordering, expected in (
        ("decided_on", ("decided_on", "id")),  # the key is completed by the id
        ("decided_on,-id", ("decided_on", "-id")),  # two directions: the expanded test
    ):
        pages = _walk(client, f"{URL}?page_size=6&ordering={ordering}")
        ids = [row["id"] for page in pages for row in page["results"]]
        assert ids == _expected(Decision.objects.all(), *expected), ordering


def test_the_scope_holds_on_every_page(api, manager, decisions):
    pages = _walk(api(manager), f"{URL}?page_size=4")
    titles = [row["title"] for page in pages for row in page["results"]]
    assert len(titles) == 25 and all(t.startswith("D") for t in titles)


def test_a_deep_page_starts_at_its_place_and_costs_what_the_first_does(api, admin_user, decisions):
    client = api(admin_user)
    first = client.get(f"{URL}?page_size=4")
    with CaptureQueriesContext(connection) as on_first:
        client.get(f"{URL}?page_size=4")
    deep = _walk(client, f"{URL}?page_size=4")[7]["next"]
    with CaptureQueriesContext(connection) as on_deep:
        assert client.get(deep).status_code == 200
    assert len(on_deep.captured_queries) == len(on_first.captured_queries)
    [listing] = [q["sql"] for q in on_deep.captured_queries if "LIMIT 5" in q["sql"]]
    assert '("accountability_decision"."decided_on", "accountability_decision"."id") <' in listing
    assert "OFFSET" not in listing
    assert first.json()["next"]


@pytest.mark.parametrize(
    "position",
    ["not json", '["2026-01-01"]', '["not a date","1"]', '{"a":1}', '["2026-01-01","x"]'],
)
def test_a_bad_cursor_is_refused_with_404(api, admin_user, decisions, position):
    token = base64.b64encode(urllib.parse.urlencode({"p": position}).encode()).decode()
    response = api(admin_user).get(f"{URL}?cursor={token}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}
