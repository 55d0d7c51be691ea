"""The dashboard `/` reads its figures from the cache, one entry per scope (role, unit, body):
what each persona sees, that a warm page costs a fixed handful of queries, that a write
refreshes the figures, and that no scope is ever served another's."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accountability import services as accountability_services
from accountability.models import Decision
from accountability.tests.factories import AcceptedDelegationFactory, DecisionFactory
from org.choices import RoleKind
from org.tests.factories import UserWithRoleFactory
from oversight.choices import RecommendationStatus
from oversight.tests.factories import RecommendationFactory, ReportFactory, body

pytestmark = pytest.mark.django_db

AWAITING = "Decisions outside authority awaiting review"
IN_FORCE = "Delegations of authority in force"
VERIFY = "Awaiting verification"
# Session, user, role, the personal-rows check: nothing that grows with the data.
WARM_QUERIES = 6


def figure(response, label):
    for _app, _title, cards in response.context["card_groups"]:
        for card in cards:
            if str(card.label) == label:
                return card.value
    return None


def pending_review(unit, n):
    # A financial decision citing no instrument is outside delegated authority.
    return [DecisionFactory(unit=unit, area="finance", amount=1_000) for _ in range(n)]


@pytest.fixture
def two_units(units):
    """Three decisions awaiting review in DMSPC's subtree, two in DOS's."""
    pending_review(units["ohr"], 3)
    pending_review(units["pd"], 2)
    return units


def test_each_unit_sees_its_own_figures_cold_and_warm(
    two_units, web, manager, manager2, admin_user
):
    expected = {manager: 3, manager2: 2, admin_user: 5}
    for _round in ("cold", "warm"):
        for user, count in expected.items():
            assert figure(web(user).get("/"), AWAITING) == count


def test_managers_of_one_unit_share_one_entry(two_units, web, manager):
    colleague = UserWithRoleFactory(
        username="colleague", role_kind=RoleKind.MANAGER, role_unit=two_units["dmspc"]
    )
    assert figure(web(manager).get("/"), AWAITING) == 3
    client = web(colleague)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    # The colleague's first visit computes nothing: the figures are the first manager's entry.
    assert figure(response, AWAITING) == 3
    assert len(queries) <= WARM_QUERIES
    assert not any("COUNT(" in q["sql"] for q in queries)


def test_a_recorded_decision_refreshes_the_figures(two_units, web, manager, manager2):
    assert figure(web(manager).get("/"), AWAITING) == 3
    assert figure(web(manager2).get("/"), AWAITING) == 2
    decision = Decision(
        title="Outside authority",
        rationale="Urgent purchase",
        unit=two_units["ohr"],
        decided_by=manager,
        decided_on=timezone.localdate(),
        area="procurement",
        amount=50_000,
    )
    accountability_services.save_decision(decision, acting_user=manager)
    decision.refresh_from_db()
    assert decision.within_authority is False
    assert figure(web(manager).get("/"), AWAITING) == 4
    # The other unit's figures are recomputed too, and unchanged.
    assert figure(web(manager2).get("/"), AWAITING) == 2


def test_oversight_bodies_are_separate_scopes(units, web, oios, boa):
    oios_report = ReportFactory(body=body("OIOS"))
    boa_report = ReportFactory(body=body("BOA"))
    for report, n in ((oios_report, 2), (boa_report, 1)):
        for _ in range(n):
            RecommendationFactory(
                report=report,
                unit=units["ohr"],
                status=RecommendationStatus.PENDING_VERIFICATION,
            )
    for _round in ("cold", "warm"):
        assert figure(web(oios).get("/"), VERIFY) == 2
        assert figure(web(boa).get("/"), VERIFY) == 1


def test_an_instrument_held_outside_the_unit_makes_the_figures_personal(units, web, manager):
    colleague = UserWithRoleFactory(
        username="colleague", role_kind=RoleKind.MANAGER, role_unit=units["dmspc"]
    )
    AcceptedDelegationFactory(unit=units["ohr"])
    # Held by the manager in DOS's subtree: theirs to see, not their colleague's.
    AcceptedDelegationFactory(unit=units["pd"], delegatee=manager)
    assert figure(web(colleague).get("/"), IN_FORCE) == 1
    assert figure(web(manager).get("/"), IN_FORCE) == 2
    assert figure(web(colleague).get("/"), IN_FORCE) == 1


@pytest.mark.parametrize("persona", ["admin_user", "manager", "oios", "boa", "gastaff"])
def test_a_warm_dashboard_takes_the_same_few_queries_whatever_the_rows(
    persona, two_units, web, request
):
    client = web(request.getfixturevalue(persona))

    def warm_queries():
        client.get("/")  # fills the entry
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/")
        assert response.status_code == 200
        return len(queries)

    few = warm_queries()
    pending_review(two_units["ohr"], 20)
    assert few <= WARM_QUERIES
    assert warm_queries() == few


@pytest.mark.parametrize("persona", ["admin_user", "manager", "oios", "gastaff"])
def test_computing_the_figures_takes_the_same_queries_whatever_the_rows(
    persona, two_units, web, request
):
    from core import dashboard

    client = web(request.getfixturevalue(persona))
    client.get("/")  # per-process caches (content types, the rating scale)

    def cold_queries():
        dashboard.invalidate()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    few = cold_queries()
    pending_review(two_units["ohr"], 20)
    assert cold_queries() == few


def test_the_page_says_when_its_figures_were_computed(two_units, web, manager):
    before = timezone.localtime()
    first = web(manager).get("/")
    text = first.content.decode()
    match = re.search(r"Figures as at (\d\d):(\d\d)", text)
    assert match, "the dashboard names the time of its figures"
    shown = datetime.time(int(match[1]), int(match[2]))
    assert before.time().replace(second=0, microsecond=0) <= shown
    # A warm page shows the time the figures were computed, not the time of the request.
    again = web(manager).get("/")
    assert again.context["computed_at"] == first.context["computed_at"]


def test_monitoring_figures_are_kept_per_scope_and_filter(units, web, manager, manager2):
    report = ReportFactory(body=body("OIOS"))
    for unit, n in ((units["ohr"], 3), (units["pd"], 2)):
        for _ in range(n):
            RecommendationFactory(report=report, unit=unit)

    def total(user, query=""):
        response = web(user).get(f"/oversight/monitoring/{query}")
        assert response.status_code == 200
        return response.context["data"]["totals"]["total"]

    for _round in ("cold", "warm"):
        assert total(manager) == 3
        assert total(manager2) == 2
    # Another filter is another entry: BOA issued none of these.
    assert total(manager, "?body=BOA") == 0
    assert total(manager) == 3
    RecommendationFactory(report=report, unit=units["ohr"])
    assert total(manager) == 4


def test_a_write_moves_the_figures_version_on_in_one_cache_command(db, monkeypatch):
    """With Redis, dashboard.invalidate is one INCRBY (core.cache.RedisCache.incr_creating),
    starting from 0 when the version is not there yet (a flushed cache)."""
    from django.core.cache import cache

    from core import dashboard

    if not hasattr(cache, "incr_creating"):
        pytest.skip("the per-process cache (no REDIS_URL) keeps Django's add and incr")
    key = dashboard._version_key()
    cache.delete(key)
    client = cache._cache.get_client(write=True)
    sent = []
    real = client.execute_command
    monkeypatch.setattr(
        client, "execute_command", lambda *a, **k: sent.append(a[0]) or real(*a, **k)
    )
    dashboard.invalidate()
    dashboard.invalidate()
    assert sent == ["INCRBY", "INCRBY"]
    assert cache.get(key) == 2
