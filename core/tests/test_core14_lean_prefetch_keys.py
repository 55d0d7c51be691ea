"""A list page's to-many relations read by core.api.lean with the page's keys as one parameter
(`__any_of`): the same JSON as DRF's own rendering for readers of two units, the same number of
queries whatever the rows, each related row knowing its parent as Django's prefetch leaves it,
and what the lean reader does not know (a sliced queryset) still read by Django's prefetch."""

import json

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from accountability.models import Commitment, Decision, DecisionAttachment
from accountability.tests.factories import CommitmentFactory, DecisionFactory
from core.api.lean import LEAN_PREFIX, LeanPrefetch
from org.models import Paragraph

URL = "/api/accountability/commitments/"


def _get(client, settings, url, lean):
    settings.API_LEAN_LISTS = lean
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:300]
    return response.content, captured.captured_queries


def _commitment(unit, paragraphs):
    made = CommitmentFactory(unit=unit)
    made.paragraphs.set(paragraphs)
    return made


@pytest.mark.django_db
def test_commitments_and_their_paragraphs_are_the_same_json_for_readers_of_two_units(
    api, admin_user, manager, units, resolution, settings
):
    paragraphs = list(Paragraph.objects.order_by("number")[:3])
    _commitment(units["ohr"], paragraphs[:1])
    admin, unit_manager = api(admin_user), api(manager)
    _get(admin, settings, URL, lean=True)  # the reader's roles, read once and kept
    few = len(_get(admin, settings, URL, lean=True)[1])
    for i in range(6):
        _commitment(units["pd"] if i % 2 else units["ohr"], paragraphs[i % 3 :])
    _commitment(units["pd"], [])
    for client in (admin, unit_manager):
        for url in (URL, f"{URL}?page_size=2", f"{URL}?unit={units['pd'].code}"):
            drf, _ = _get(client, settings, url, lean=False)
            lean, _ = _get(client, settings, url, lean=True)
            assert lean == drf, url
    body, queries = _get(admin, settings, URL, lean=True)
    assert len(queries) == few
    rows = json.loads(body)["results"]
    assert len(rows) == 8
    assert sum(len(row["paragraphs"]) for row in rows) == 1 + 3 + 2 + 1 + 3 + 2 + 1
    # The manager of DMSPC sees the commitments of OHR only, with their paragraphs.
    mine = json.loads(_get(unit_manager, settings, URL, lean=True)[0])["results"]
    assert {row["unit"] for row in mine} == {units["ohr"].code}
    assert sum(len(row["paragraphs"]) for row in mine) == 1 + 3 + 1 + 2
    if connection.vendor == "postgresql":
        # The page's keys as one array parameter, not a placeholder a key.
        (paragraph_query,) = [q["sql"] for q in queries if "org_paragraph" in q["sql"]]
        assert "= ANY(" in paragraph_query and " IN (" not in paragraph_query


@pytest.mark.django_db
def test_a_reverse_foreign_keys_rows_know_their_parent_without_a_query(
    units, django_assert_num_queries
):
    decisions = [DecisionFactory(unit=unit) for unit in (units["ohr"], units["pd"], units["ohr"])]
    for n, decision in enumerate(decisions[:2]):
        for m in range(n + 1):
            DecisionAttachment.objects.create(decision=decision, file=f"d/{m}.pdf", name=f"{m}")
    queryset = Decision.objects.filter(pk__in=[d.pk for d in decisions]).order_by("pk")
    plain = list(queryset.prefetch_related("attachments"))
    lean = LeanPrefetch(queryset.prefetch_related("attachments"))
    with django_assert_num_queries(2):
        rows = list(lean.queryset())
        lean.install(rows)
    with django_assert_num_queries(0):
        for before, after in zip(plain, rows, strict=True):
            attachments = after.__dict__[f"{LEAN_PREFIX}attachments"]
            assert attachments == list(before.attachments.all())
            assert all(attachment.decision is after for attachment in attachments)
            assert list(after.attachments.all()) == attachments
    assert [len(row.__dict__[f"{LEAN_PREFIX}attachments"]) for row in rows] == [1, 2, 0]


@pytest.mark.django_db
def test_a_sliced_prefetch_is_left_to_djangos_prefetch_into_the_same_lists(
    units, resolution, django_assert_num_queries
):
    paragraphs = list(Paragraph.objects.order_by("number")[:3])
    for unit in (units["ohr"], units["pd"]):
        _commitment(unit, paragraphs)
    first_two = Prefetch("paragraphs", Paragraph.objects.order_by("number")[:2])
    queryset = Commitment.objects.prefetch_related(first_two).order_by("pk")
    lean = LeanPrefetch(queryset)
    assert lean.tree["paragraphs"].read is None
    with django_assert_num_queries(2):
        rows = list(lean.queryset())
        lean.install(rows)
    for row in rows:
        assert row.__dict__[f"{LEAN_PREFIX}paragraphs"] == paragraphs[:2]
    assert (
        LeanPrefetch(Commitment.objects.prefetch_related("paragraphs")).tree["paragraphs"].read
        is not None
    )


@pytest.mark.django_db
def test_a_relations_statement_compiled_once_reads_each_pages_own_rows(units, resolution):
    from core.api import lean

    paragraphs = list(Paragraph.objects.order_by("number")[:4])
    by_unit = {"ohr": paragraphs[:1], "pd": paragraphs[1:]}
    for code, cited in by_unit.items():
        for n in range(3):
            _commitment(units[code], cited[n % len(cited) :])
    lean._STATEMENTS.clear()
    statements = []
    for code in ("ohr", "pd", "ohr"):
        queryset = Commitment.objects.filter(unit=units[code]).prefetch_related("paragraphs")
        plain = list(queryset.order_by("pk"))
        page = LeanPrefetch(queryset.order_by("pk"))
        with CaptureQueriesContext(connection) as captured:
            rows = list(page.queryset())
            page.install(rows)
        assert len(captured) == 2
        statements.append(captured.captured_queries[1]["sql"])
        for before, after in zip(plain, rows, strict=True):
            assert after.__dict__[f"{LEAN_PREFIX}paragraphs"] == list(before.paragraphs.all())
        assert {p for row in rows for p in row.__dict__[f"{LEAN_PREFIX}paragraphs"]} == set(
            by_unit[code]
        )
    if connection.vendor == "postgresql":
        # One statement for every page: kept after the first, each page's keys its parameter.
        assert len(lean._STATEMENTS) == 1 and None not in lean._STATEMENTS.values()
        assert statements[1].split(" WHERE ")[0] == statements[0].split(" WHERE ")[0]
    # A view's own queryset for the relation is compiled each time, with its own filter.
    first = Prefetch("paragraphs", Paragraph.objects.filter(number=paragraphs[1].number))
    queryset = Commitment.objects.filter(unit=units["pd"]).prefetch_related(first)
    page = LeanPrefetch(queryset.order_by("pk"))
    assert not page.tree["paragraphs"].plain
    rows = list(page.queryset())
    page.install(rows)
    assert [row.__dict__[f"{LEAN_PREFIX}paragraphs"] for row in rows] == [
        [paragraphs[1]],
        [],
        [],
    ]
