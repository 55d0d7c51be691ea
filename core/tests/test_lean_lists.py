"""Lean list serialisation (core.api.lean): every API list page is the same JSON, byte for byte,
with the compiled plan and with DRF's own serialisers, for readers who see different records
(records in two units and two bodies: tests/permissions/world.py) and different fields (GA staff
and oversight users read some fields blanked)."""

import pytest

from core.api.lean import LeanListSerializer, plan
from tests.permissions.cases import client_for
from tests.permissions.table import ROWS
from tests.permissions.world import world  # noqa: F401

PERSONAS = ("admin", "manager", "manager2", "oios", "gastaff")


def _page(client, settings, url, lean: bool) -> bytes:
    settings.API_LEAN_LISTS = lean
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:300]
    return response.content


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[row.url for row in ROWS])
def test_every_list_page_is_the_same_json_with_the_plan_and_with_drf(world, settings, row):  # noqa: F811
    shown = 0
    for persona in PERSONAS:
        client = client_for(world, persona)
        for url in (row.url, f"{row.url}?page_size=1"):
            drf = _page(client, settings, url, lean=False)
            lean = _page(client, settings, url, lean=True)
            assert lean == drf, (persona, url)
        shown += len(client.get(row.url).json()["results"])
    assert shown, "no persona sees a record of this list: nothing was compared"


@pytest.mark.django_db
def test_the_plan_renders_most_lists_and_leaves_custom_ones_to_drf(world):  # noqa: F811
    from django.urls import resolve

    planned, drf = set(), set()
    for row in ROWS:
        view_class = resolve(row.url).func.cls
        serializer = view_class.serializer_class(many=True, context={"request": None})
        if not isinstance(serializer, LeanListSerializer):
            drf.add(row.url)
            continue
        (planned if plan(serializer.child) is not None else drf).add(row.url)
    # Assessments name their own list serializer (it reads the cited records' names first), a
    # LeanListSerializer: planned too.
    assert "/api/governance/assessments/" in planned
    # The resolution's paragraphs and the report editions are LeanModelSerializers (not action
    # ones): planned.
    assert {"/api/resolution/paragraphs/", "/api/reports/editions/"} <= planned
    # The policy's blanking (PolicyFieldsMixin) is applied by the plan too.
    assert {"/api/people/", "/api/risk/procurement-cases/"} <= planned
    assert not drf, sorted(drf)


# --- Lists whose rows are logged reads (core.reads, operations.access) -------------------------


def _logged_list(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"], [q["sql"] for q in captured]


@pytest.mark.django_db(transaction=True)
def test_a_logged_list_costs_the_same_statements_at_1_and_20_rows_and_links_its_reads(
    api, admin_user, units, monkeypatch
):
    from django.core.cache import cache

    from core import history, tasks
    from operations.access import verify_access_log
    from operations.models import AccessRecord
    from org.tests.factories import PersonFactory
    from performance.tests.factories import AppraisalFactory

    # The link is the worker's (operations/tests/test_access_log_link.py runs a real one): here
    # the queue only counts what the requests asked of it.
    queued = []
    monkeypatch.setattr(tasks.link_history, "apply_async", lambda **kw: queued.append(kw))
    cache.delete(history.LINK_QUEUED_KEY)  # no link queued by an earlier test
    url = "/api/performance/appraisals/"
    client = api(admin_user)
    AppraisalFactory(staff=PersonFactory(unit=units["ohr"]), unit=units["ohr"])
    # The process's first logged read fills its caches (the reader's label among them).
    client.get(url)
    one, one_sql = _logged_list(client, url)
    for i in range(19):
        unit = units["ohr"] if i % 2 else units["pd"]  # two units
        AppraisalFactory(staff=PersonFactory(unit=unit), unit=unit)
    twenty, twenty_sql = _logged_list(client, url)
    assert (len(one), len(twenty)) == (1, 20)
    # An administrator signed in by the test (no user or role query): the page, then the log:
    # the records and their history entries in one statement that numbers them. No
    # transaction, no chain lock in the request. (Session 6: 11, with the chain locked.)
    assert len(one_sql) == len(twenty_sql) == 2, twenty_sql
    assert twenty_sql[1].startswith("WITH shown AS (")
    assert 'INSERT INTO "operations_accessrecord"' in twenty_sql[1]
    assert not [sql for sql in twenty_sql if "advisory" in sql or "historychainhead" in sql]
    assert queued  # the worker is asked to link them (once while a link is queued)
    # Each read is in the access log and in the history. The set-up's writes (autocommit) link
    # at once, taking the first pages' reads with them; the last page's wait for the worker.
    assert AccessRecord.objects.count() == 1 + 1 + 20
    assert history.pending_count() == 20
    assert history.link_pending() == 20
    check = history.verify_chain()
    assert check.ok and check.pending == 0, check
    assert verify_access_log() == []
