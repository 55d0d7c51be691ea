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
    # Assessments name their own list serializer (it reads the cited records' names first).
    assert "/api/governance/assessments/" in drf
    assert "/api/resolution/paragraphs/" in drf  # a plain ModelSerializer, not an action one
    # The policy's blanking (PolicyFieldsMixin) is applied by the plan too.
    assert {"/api/people/", "/api/risk/procurement-cases/"} <= planned
    assert len(planned) >= len(ROWS) - 3, sorted(drf)
