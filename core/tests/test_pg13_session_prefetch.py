"""A signed-in request reads its session and its user's copy in one round trip to Redis
(signon.session_user._prefetch): the same user, the same refusals, one command instead of two."""

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signon import session_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.AUTH_USER_CACHE, reason="the copy lives in Redis"),
]
URL = "/api/oversight/recommendations/"


@pytest.fixture
def redis_commands(monkeypatch):
    sent = []
    original = redis.Redis.execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]).upper())
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return sent


def listed(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}, len(queries)


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_session_and_the_user_come_in_one_redis_command(web, manager, recs, redis_commands):
    client = web(manager)
    assert listed(client)[0] == {recs["ohr"].pk, recs["boa"].pk}  # reads the rows, makes the copy
    redis_commands.clear()
    rows, queries = listed(client)
    assert rows == {recs["ohr"].pk, recs["boa"].pk}
    # The subtree's few recommendation ids and the page: no session, user or role query.
    assert queries == 2
    assert redis_commands == ["EVALSHA"], redis_commands


def test_two_users_each_get_their_own_rows(web, manager, manager2, recs):
    first, second = web(manager), web(manager2)
    for _ in range(3):
        assert listed(first)[0] == {recs["ohr"].pk, recs["boa"].pk}
        assert listed(second)[0] == {recs["pd"].pk}


def test_a_pointer_naming_another_user_is_not_followed(web, manager, manager2, recs):
    client, other = web(manager), web(manager2)
    listed(client), listed(other)  # both copies made
    # The session's pointer names manager2: the copy read is still the session's user's.
    pointer = session_user._pointer_key(session_key(client))
    cache.set(pointer, manager2.pk)
    # The session's user's own copy (no user or role query), and the pointer set right.
    assert listed(client) == ({recs["ohr"].pk, recs["boa"].pk}, 2)
    assert cache.get(pointer) == manager.pk
    assert listed(client) == ({recs["ohr"].pk, recs["boa"].pk}, 2)


def test_a_session_gone_from_cache_and_database_signs_no_one_in(web, manager, recs):
    client = web(manager)
    listed(client)
    listed(client)  # pointer and copy in place
    key = session_key(client)
    Session.objects.filter(session_key=key).delete()
    cache.delete(f"django.contrib.sessions.cached_db{key}")
    assert client.get(URL).status_code in (401, 403)


def test_a_session_evicted_from_the_cache_is_read_from_the_database(web, manager, recs):
    client = web(manager)
    listed(client)
    cache.delete(f"django.contrib.sessions.cached_db{session_key(client)}")
    assert listed(client)[0] == {recs["ohr"].pk, recs["boa"].pk}
    assert listed(client)[0] == {recs["ohr"].pk, recs["boa"].pk}


def test_signing_out_and_in_again_is_a_new_session(web, manager, manager2, recs):
    client = web(manager)
    listed(client)
    old = session_key(client)
    assert client.post("/accounts/logout/").status_code in (200, 302)
    client.force_login(manager2, backend="django.contrib.auth.backends.ModelBackend")
    assert session_key(client) != old
    assert listed(client)[0] == {recs["pd"].pk}
    client.cookies[settings.SESSION_COOKIE_NAME] = old
    assert client.get(URL).status_code in (401, 403)
