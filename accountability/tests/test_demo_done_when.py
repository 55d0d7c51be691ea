"""Issue 14's "done when", on the demo data, through the API and the pages: the chain from the
Secretary-General is complete, a decision under a revoked instrument is stored, flagged and
reviewable, and the KPI table shows every entity with its figures and targets for two years."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model

from accountability import kpis, seed
from accountability.models import Decision, Delegation
from core.context import acting_as
from org.models import OrgUnit, Person
from org.seed_base import seed_demo_base

TODAY = datetime.date.today()


@pytest.fixture
def demo(db, resolution):
    with acting_as("command:seed_demo"):
        seed_demo_base(StringIO())
        seed.seed_demo(StringIO())
    return get_user_model().objects.get(username="admin")


def test_every_head_of_entity_holds_authority_from_the_secretary_general(demo, web):
    demo_instruments = Delegation.objects.filter(reference__startswith=seed.DEMO_PREFIX)
    heads = Person.objects.filter(is_head_of_entity=True, user__isnull=False)
    assert heads.count() >= 4
    for head in heads:
        roots = demo_instruments.filter(parent__isnull=True, delegatee=head.user_id)
        assert roots.exists(), head.name
        assert all(r.delegator.username == "admin" for r in roots)
    client = web(demo)
    for instrument in demo_instruments.filter(parent__isnull=False):
        chain = instrument.chain()
        # Complete: it climbs to an instrument from the Secretary-General to a head of entity.
        assert chain[0].parent_id is None and chain[0].delegator.username == "admin"
        assert Person.objects.get(user=chain[0].delegatee_id).is_head_of_entity
        page = client.get(f"/accountability/delegations/{instrument.pk}/").content.decode()
        page = page.split('id="chain-heading"')[1]
        positions = [page.index("Secretary-General")] + [
            page.index(link.reference) for link in chain
        ]
        assert positions == sorted(positions), instrument.reference


def test_decision_under_a_revoked_instrument_is_flagged_and_reviewable(demo, api, web):
    decision = Decision.objects.get(delegation__revoked_on__isnull=False)
    listed = api(demo).get("/api/accountability/decisions/?within_authority=false").data
    row = next(r for r in listed["results"] if r["id"] == decision.pk)
    assert any("revoked" in p for p in row["authority_problems"])
    page = web(demo).get(f"/accountability/decisions/{decision.pk}/").content.decode()
    assert "Awaiting review" in page and f"/accountability/decisions/{decision.pk}/review/" in page
    reviewed = api(demo).post(
        f"/api/accountability/decisions/{decision.pk}/review/",
        {"outcome": "justified", "action_taken": ""},
        format="json",
    )
    assert reviewed.status_code == 200 and reviewed.data["review_outcome"] == "justified"


def test_kpi_table_shows_every_entity_for_two_years(demo, web):
    entities = sorted(
        OrgUnit.objects.filter(parent__isnull=False, parent__parent__isnull=True).values_list(
            "code", flat=True
        )
    )
    assert {"DMSPC", "DOS", "DPPA", "UNOG"} <= set(entities)
    for year in (TODAY.year - 1, TODAY.year):
        end = min(datetime.date(year, 12, 31), TODAY)
        table = kpis.kpi_table(datetime.date(year, 1, 1), end)
        assert [row["entity"] for row in table] == entities
        for row in table:
            assert set(row["kpis"]) == {k.code for k in kpis.ALL_KPIS}
            for cell in row["kpis"].values():
                assert cell["target"] is not None
                assert cell["status"] in ("met", "not_met", "no_data")
        # The demo's own entities have figures in both years, computed and entered.
        for code in ("DMSPC", "DOS"):
            figures = next(r for r in table if r["entity"] == code)["kpis"]
            assert figures["decisions_within_authority"]["denominator"] > 0, (code, year)
            assert figures["exceptions_reviewed_on_time"]["denominator"] > 0, (code, year)
            assert figures["appraisal_compliance_delegatees"]["value"] is not None, (code, year)
            # Trained delegatees are computed from the learning records (performance's seed,
            # not loaded here): never an entered figure.
            assert not figures["delegatees_trained"].get("entered"), (code, year)
    gastaff = get_user_model().objects.get(username="gastaff")
    page = web(gastaff).get(f"/accountability/kpis/?year={TODAY.year}").content.decode()
    assert str(TODAY.year - 1) in page and str(TODAY.year) in page
    for code in entities:
        assert f"/accountability/kpis/{code}/" in page
