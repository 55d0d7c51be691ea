"""The signed-in user and their role come from the shared cache (signon.session_user), and no
change to the user, a role or a unit is missed: the next request sees it."""

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.choices import RoleKind
from org.models import Role
from oversight.tests.factories import RecommendationFactory, ReportFactory, body
from signon import session_user

pytestmark = pytest.mark.django_db
URL = "/api/oversight/recommendations/"


@pytest.fixture
def recs(units):
    """Recommendations of two bodies in three units (OHR and DMSPC under DMSPC, PD under DOS)."""
    oios = ReportFactory(body=body("OIOS"), symbol="2024/087")
    boa = ReportFactory(body=body("BOA"), symbol="A/79/5")
    return {
        "ohr": RecommendationFactory(
            report=oios, number="1", unit=units["ohr"], target_date=datetime.date(2020, 1, 1)
        ),
        "pd": RecommendationFactory(report=oios, number="2", unit=units["pd"]),
        "boa": RecommendationFactory(report=boa, number="1", unit=units["dmspc"]),
    }


def listed(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}, [q["sql"] for q in captured]


def user_queries(queries):
    return [q for q in queries if 'FROM "auth_user"' in q or 'FROM "org_role"' in q]


def test_a_signed_in_request_reads_neither_the_user_nor_the_role_once_they_are_cached(
    web, manager, manager2, admin_user, recs
):
    for user, sees in (
        (manager, {"ohr", "boa"}),
        (manager2, {"pd"}),
        (admin_user, {"ohr", "boa", "pd"}),
    ):
        client = web(user)
        first, queries = listed(client)
        assert len(user_queries(queries)) == 2  # read once: the user, the role
        for _ in range(2):
            rows, queries = listed(client)
            assert rows == first == {recs[name].pk for name in sees}
            assert user_queries(queries) == []


def test_the_cached_copy_holds_no_password_hash(web, manager, recs):
    client = web(manager)
    listed(client)
    entry = cache.get(session_user._keys(manager.pk)[2])
    assert entry is not None
    assert "password" not in entry["values"]
    assert manager.password not in repr(entry)
    # Code that needs it still gets it: read from the database when asked for.
    user = session_user._user_from(entry)
    assert user.password == get_user_model().objects.get(pk=manager.pk).password


def test_a_deactivated_account_is_refused_on_its_next_request(web, manager, manager2, recs):
    client, other = web(manager), web(manager2)
    listed(client), listed(other)
    manager.is_active = False
    manager.save()
    assert client.get(URL).status_code in (401, 403)
    # Someone else's cached copy is not touched by it.
    assert listed(other)[0] == {recs["pd"].pk}


def test_a_new_password_ends_the_other_sessions(web, manager, recs):
    client = web(manager)
    listed(client)
    manager.set_password("a new and long password 42")
    manager.save()
    assert client.get(URL).status_code in (401, 403)
    # Signed in again, with the new password's session, the list answers again.
    again = web(manager)
    assert listed(again)[0] == {recs["ohr"].pk, recs["boa"].pk}


def test_superuser_status_taken_away_counts_from_the_next_request(web, manager, recs):
    manager.is_superuser = True
    manager.save()
    client = web(manager)
    assert listed(client)[0] == {r.pk for r in recs.values()}  # a superuser reads every unit
    listed(client)
    manager.is_superuser = False
    manager.save()
    assert listed(client)[0] == {recs["ohr"].pk, recs["boa"].pk}


def test_a_role_given_to_someone_else_or_a_unit_moved_counts_from_the_next_request(
    web, manager, manager2, units, recs
):
    client, other = web(manager), web(manager2)
    listed(client), listed(other)
    # A change to another user's role drops every copy (a role names its user, who may change).
    role = Role.objects.get(user=manager2)
    role.kind, role.unit, role.body_code = RoleKind.OVERSIGHT, None, "OIOS"
    role.save()
    assert listed(other)[0] == {r.pk for r in recs.values()}
    assert listed(client)[0] == {recs["ohr"].pk, recs["boa"].pk}
    pd = units["pd"]
    pd.parent = units["dmspc"]
    pd.save()
    assert listed(client)[0] == {r.pk for r in recs.values()}


def test_signing_out_and_in_as_someone_else_on_the_same_browser(web, manager, manager2, recs):
    client = web(manager)
    assert listed(client)[0] == {recs["ohr"].pk, recs["boa"].pk}
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert client.get(URL).status_code in (401, 403)
    client.force_login(manager2, backend="django.contrib.auth.backends.ModelBackend")
    assert listed(client)[0] == {recs["pd"].pk}


def test_a_change_made_without_signals_counts_once_the_copy_expires(
    web, manager, recs, monkeypatch
):
    monkeypatch.setattr(session_user, "USER_CACHE_SECONDS", 1)
    client = web(manager)
    listed(client)
    get_user_model().objects.filter(pk=manager.pk).update(is_active=False)  # no post_save
    time.sleep(1.2)
    assert client.get(URL).status_code in (401, 403)


def test_a_change_is_dropped_again_when_its_transaction_commits(
    web, manager, recs, django_capture_on_commit_callbacks
):
    client = web(manager)
    listed(client)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        manager.is_active = False
        manager.save()
    assert callbacks  # the generation is replaced again at commit
    assert client.get(URL).status_code in (401, 403)


def test_without_a_shared_cache_every_request_reads_the_user_and_the_role(
    web, manager, recs, settings
):
    settings.AUTH_USER_CACHE = False
    client = web(manager)
    listed(client)
    rows, queries = listed(client)
    assert rows == {recs["ohr"].pk, recs["boa"].pk}
    assert len(user_queries(queries)) == 2


def test_the_middleware_is_djangos_authentication_middleware():
    # The admin's system check and anything else that looks for Django's middleware finds it.
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.utils.module_loading import import_string

    found = [import_string(path) for path in settings.MIDDLEWARE]
    assert any(issubclass(m, AuthenticationMiddleware) for m in found if isinstance(m, type))
