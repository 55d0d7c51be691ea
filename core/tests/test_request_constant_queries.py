"""The constant cost of a signed-in request (issue 13): the session is read from the shared cache
(Redis) instead of its database row, and so are the user and the user's role with a manager's unit
subtree (signon.session_user; one query when they are read). Neither may outlive a change:
signing out ends the session, and a role change counts from the next request."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.choices import RoleKind
from org.models import Role

pytestmark = pytest.mark.django_db
URL = "/api/oversight/recommendations/"


def listed(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}, [q["sql"] for q in captured]


def test_sessions_live_in_the_shared_cache_when_redis_is_the_cache():
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


@pytest.mark.parametrize(("persona", "sees"), [("manager", {"ohr", "boa"}), ("manager2", {"pd"})])
def test_a_managers_list_reads_no_session_row_and_the_role_and_subtree_in_one_query(
    request, web, recs, persona, sees
):
    client = web(request.getfixturevalue(persona))
    rows, queries = listed(client)  # the first request after signing in reads the database
    assert rows == {recs[name].pk for name in sees}
    assert not [q for q in queries if "django_session" in q]
    assert len([q for q in queries if 'FROM "org_role"' in q]) == 1
    # The subtree comes with the role: no query of its own over the units' paths.
    assert not [q for q in queries if q.startswith('SELECT "org_orgunit"."id" FROM "org_orgunit"')]
    # user, role with subtree, the ids of the subtree's few recommendations
    # (org.permissions.UnitPolicy.by_ids_when_few), the page
    assert len(queries) == 4, queries
    assert 'WHERE "oversight_recommendation"."id" = ANY(' in queries[-1]
    # The next ones take the user and the role from the cache (signon.session_user): the ids
    # and the page.
    rows, queries = listed(client)
    assert rows == {recs[name].pk for name in sees}
    assert len(queries) == 2, queries


def test_signing_out_ends_the_cached_session(web, manager, recs):
    client = web(manager)
    assert listed(client)[0] == {recs["ohr"].pk, recs["boa"].pk}
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie, sent again, no longer signs anyone in.
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    assert client.get(URL).status_code in (401, 403)


def test_a_deactivated_account_is_refused_on_its_next_request(web, manager2, recs):
    client = web(manager2)
    assert listed(client)[0] == {recs["pd"].pk}
    manager2.is_active = False
    manager2.save()
    assert client.get(URL).status_code in (401, 403)


def test_a_role_change_counts_from_the_next_request(web, manager, units, recs):
    client = web(manager)
    assert listed(client)[0] == {recs["ohr"].pk, recs["boa"].pk}
    role = Role.objects.get(user=manager)
    role.unit = units["dos"]
    role.save()
    assert listed(client)[0] == {recs["pd"].pk}
    role.kind, role.unit, role.body_code = RoleKind.OVERSIGHT, None, "BOA"
    role.save()
    assert listed(client)[0] == {r.pk for r in recs.values()}  # oversight reads every unit
    role.delete()
    assert listed(client)[0] == set()  # no role: no rows


def test_a_unit_moved_under_a_managers_department_is_in_scope_on_the_next_request(
    web, manager2, units, recs
):
    client = web(manager2)
    assert listed(client)[0] == {recs["pd"].pk}
    ohr = units["ohr"]
    ohr.parent = units["dos"]
    ohr.save()
    assert listed(client)[0] == {recs["pd"].pk, recs["ohr"].pk}


def _session_engine(env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")
    }
    script = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=settings.BASE_DIR,
        env=env | env_overrides | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_redis_sessions_stay_in_the_database():
    # The embedded default's cache is per process (locmem): a session there would not be seen
    # by the other processes, so the database keeps them.
    assert _session_engine({}) == "django.contrib.sessions.backends.db"
    assert (
        _session_engine({"REDIS_URL": "redis://127.0.0.1:6379/11"})
        == "django.contrib.sessions.backends.cached_db"
    )
