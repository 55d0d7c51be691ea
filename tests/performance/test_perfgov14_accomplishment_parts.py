"""A list page of expected accomplishments reads the cited paragraphs' numbers in each
record's own row on PostgreSQL (AccomplishmentQuerySet.with_parts; prefetched for one record
and on SQLite): the same JSON as the record's own page, one query for the page whatever the
citations, and each manager sees only their units' accomplishments."""

import pytest
from django.db import connection

from org.models import Paragraph
from performance.models import ExpectedAccomplishment
from tests.performance.sql_shape import queries_of

pytestmark = pytest.mark.django_db

URL = "/api/performance/expected-accomplishments/"


def _accomplishments(units, count: int, start: int = 0) -> list:
    paragraphs = list(Paragraph.objects.order_by("-number")[:3])  # given out of order
    made = []
    for n in range(start, start + count):
        unit = units["ohr"] if n % 2 else units["pd"]
        accomplishment = ExpectedAccomplishment.objects.create(unit=unit, title=f"EA {n} «ü»")
        accomplishment.paragraphs.set(paragraphs[: n % 4])
        made.append(accomplishment)
    return made


def test_a_list_row_is_what_the_accomplishment_s_own_page_writes(
    api, admin_user, manager, units, resolution
):
    _accomplishments(units, 6)
    for user in (admin_user, manager):
        client = api(user)
        rows = client.get(URL).json()["results"]
        assert rows
        if user is admin_user:
            assert sorted(len(r["paragraphs"]) for r in rows) == [0, 0, 1, 1, 2, 3]
        for row in rows:
            assert row["paragraphs"] == sorted(row["paragraphs"])
            assert client.get(f"{URL}{row['id']}/").json() == row


def test_each_manager_lists_only_their_units_accomplishments(
    api, manager, manager2, units, resolution
):
    made = _accomplishments(units, 4)
    ohr = sorted(a.pk for a in made if a.unit_id == units["ohr"].pk)
    pd = sorted(a.pk for a in made if a.unit_id == units["pd"].pk)
    assert sorted(r["id"] for r in api(manager).get(URL).json()["results"]) == ohr
    assert sorted(r["id"] for r in api(manager2).get(URL).json()["results"]) == pd


def test_a_page_of_accomplishments_is_one_query_whatever_its_citations(
    api, admin_user, units, resolution
):
    client = api(admin_user)
    _accomplishments(units, 2)
    few = queries_of(client, URL)
    _accomplishments(units, 12, start=2)
    assert queries_of(client, URL) == few
    if connection.vendor == "postgresql":
        assert few <= 3  # the page itself, and what signing in costs (session, role)


def test_a_changed_accomplishment_lists_its_new_paragraphs(api, admin_user, units, resolution):
    accomplishment = _accomplishments(units, 4)[3]
    number = Paragraph.objects.order_by("number").first().number
    client = api(admin_user)
    response = client.patch(f"{URL}{accomplishment.pk}/", {"paragraphs": [number]}, format="json")
    assert response.status_code == 200, response.content
    row = next(r for r in client.get(URL).json()["results"] if r["id"] == accomplishment.pk)
    assert row["paragraphs"] == [number] and row == response.json()
