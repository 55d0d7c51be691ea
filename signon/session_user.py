"""The signed-in user of a session, and their role, read from the shared cache (issue 13).

Django reads the user's row on every request, and the permission engine (org.access) reads the
user's role with a manager's unit subtree: two queries a request, about 2-3 ms of CPU on an API
page that answers in 5-10. Here both come with one cache read (Redis MGET) and are read from the
database only when the cache holds no current copy.

A copy never outlives a change:
- a save or deletion of the user (deactivation, a new password, superuser status, sign-in's
  last_login) replaces the user's generation, a save or deletion of any role or org unit (a
  moved unit changes managers' subtrees) the global one, and a copy is used only under the two
  generations that were current before it was read from the database. Each is replaced at once
  and again when the transaction commits, so a copy read from rows that were not yet committed
  is not used either;
- signing in and signing out replace the user's generation;
- a copy lives at most USER_CACHE_SECONDS, for a change made without the ORM's signals (SQL by
  hand, QuerySet.update);
- the copy holds no password hash: the field is deferred (read from the database if a view asks
  for it), and the session is checked against the session hash computed from the row when the
  copy was made, as django.contrib.auth.get_user checks it. Any other case (no hash, another
  secret, a backend outside CACHED_BACKENDS) goes through Django's own get_user.

The session (sessions in the cache: SESSION_ENGINE cached_db) and the copy come in one round trip
to Redis (`_prefetch`, a script): the session's user id is kept beside it under the session's key
(`pointer`), so the script reads the session, the generations and the copy together. The session
read is the one Django's session store would make; a pointer that names another user than the
session's is ignored (the copy is then read as before).

Only with a cache every process shares (Redis: settings.AUTH_USER_CACHE); with the embedded
per-process cache every request reads the database, as before."""

import secrets

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import DEFERRED
from django.db.models.signals import post_delete, post_save
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

# The backends whose get_user is "the row by id, if active" (ModelBackend's and the provider's).
CACHED_BACKENDS = frozenset(
    {"django.contrib.auth.backends.ModelBackend", "signon.backends.ProviderBackend"}
)
USER_CACHE_SECONDS = 60
_HIDDEN_FIELDS = frozenset({"password"})


def enabled() -> bool:
    return bool(getattr(settings, "AUTH_USER_CACHE", False))


def _prefix() -> str:
    # Two databases behind one Redis (a copy of a database, a test database) never share copies.
    return f"signon:user:{connections[DEFAULT_DB_ALIAS].settings_dict['NAME']}"


def _keys(user_id) -> tuple[str, str, str]:
    prefix = _prefix()
    return f"{prefix}:generation", f"{prefix}:{user_id}:generation", f"{prefix}:{user_id}"


def _pointer_key(session_key: str) -> str:
    return f"{_prefix()}:session:{session_key}"


# One round trip: the session, the global generation and the session's user id (the pointer);
# with a user id, that user's generation and copy. Keys of a user are ARGV[1] .. id .. ARGV[2|3]
# (the cache's own key for `{prefix}:{id}:generation` and `{prefix}:{id}`).
_PREFETCH = """
local found = redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])
local user_id = found[3]
if user_id then
    local user = redis.call('MGET', ARGV[1] .. user_id .. ARGV[2], ARGV[1] .. user_id .. ARGV[3])
    found[4] = user[1]
    found[5] = user[2]
end
return found
"""
_MARK = "\x00"
_script = []


def _user_key_template(default, prefix: str):
    """The cache's keys of a user's generation and copy as (head, generation tail, copy tail),
    or None if the cache's key function does not keep the user id a plain part of them."""
    generation = default.make_key(f"{prefix}:{_MARK}:generation").split(_MARK)
    entry = default.make_key(f"{prefix}:{_MARK}").split(_MARK)
    if len(generation) != 2 or len(entry) != 2 or generation[0] != entry[0]:
        return None
    return generation[0], generation[1], entry[1]


def _prefetch(request) -> dict | None:
    """Reads the request's session into its session store, and returns the session's pointer
    with the generations and the copy of the user it names (keyed as `_keys` names them); None
    when the session store is not the cached one or was read already."""
    session = getattr(request, "session", None)
    default = caches[DEFAULT_CACHE_ALIAS]
    if (
        type(session) is not CachedDbSessionStore
        or not isinstance(default, RedisCache)
        or session.session_key is None
        or hasattr(session, "_session_cache")
        or session._cache is not default
    ):
        return None
    prefix = _prefix()
    template = _user_key_template(default, prefix)
    if template is None:
        return None
    head, generation_tail, entry_tail = template
    client = default._cache.get_client()
    if not _script:
        _script.append(client.register_script(_PREFETCH))
    keys = [
        default.make_key(session.cache_key),
        default.make_key(_keys(0)[0]),
        default.make_key(_pointer_key(session.session_key)),
    ]
    values = _script[0](keys=keys, args=[head, generation_tail, entry_tail], client=client)
    loads = default._cache._serializer.loads
    values = [None if v is None else loads(v) for v in values]
    values += [None] * (5 - len(values))
    data, global_generation, user_id, user_generation, entry = values
    if data is not None:
        session._session_cache = data  # what SessionStore.load reads from the cache
    found = {"pointer": user_id}
    if user_id is not None:
        global_key, user_key, entry_key = _keys(user_id)
        found.update({global_key: global_generation, user_key: user_generation, entry_key: entry})
    return {k: v for k, v in found.items() if v is not None}


def _new_generation(key: str) -> None:
    cache.set(key, secrets.randbits(62), timeout=None)


def _renew(key: str) -> None:
    """Replaces a generation now and again when the transaction commits."""
    _new_generation(key)
    transaction.on_commit(lambda: _new_generation(key))


def forget_user(user_id) -> None:
    if enabled() and user_id is not None:
        _renew(_keys(user_id)[1])


def forget_everyone() -> None:
    if enabled():
        _renew(_keys(0)[0])


def _generations(user_id, found: dict) -> tuple | None:
    global_key, user_key, _entry = _keys(user_id)
    tags = (found.get(global_key), found.get(user_key))
    return None if None in tags else tags


def _user_from(entry: dict):
    model = auth.get_user_model()
    values = entry["values"]
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    row = [
        values[f.attname] if f.attname in values else DEFERRED for f in model._meta.concrete_fields
    ]
    return model.from_db(DEFAULT_DB_ALIAS, names, row)


def _copy(user, backend_path: str, tags: tuple) -> dict:
    from org.access import role_of

    values = {
        f.attname: getattr(user, f.attname)
        for f in user._meta.concrete_fields
        if f.attname not in _HIDDEN_FIELDS
    }
    return {
        "tags": tags,
        "backend": backend_path,
        "values": values,
        "auth_hash": user.get_session_auth_hash(),
        "role": role_of(user.pk),
    }


def get_user(request):
    """django.contrib.auth.get_user, with the user and their access from the cache when a current
    copy is there."""
    if not enabled():
        return auth.get_user(request)
    prefetched = _prefetch(request)
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in CACHED_BACKENDS or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    from org.access import access_from_role

    session_hash = request.session.get(auth.HASH_SESSION_KEY)
    global_key, user_key, entry_key = _keys(user_id)
    if prefetched is not None and str(prefetched.get("pointer")) == str(user_id):
        found = prefetched
    else:
        found = cache.get_many([global_key, user_key, entry_key])
        if prefetched is not None:
            # The session's user, for the next request's single read (a session's key never
            # changes user: signing in gives a new key).
            _point(request.session.session_key, user_id)
    tags = _generations(user_id, found)
    entry = found.get(entry_key)
    if (
        entry is not None
        and tags is not None
        and entry["tags"] == tags
        and entry["backend"] == backend_path
        and session_hash
        and constant_time_compare(session_hash, entry["auth_hash"])
    ):
        user = _user_from(entry)
        user._tracker_access = access_from_role(user, entry["role"])
        return user
    if tags is None:
        # First use (or the generations were evicted): new ones, read back before the rows.
        for key in (global_key, user_key):
            if found.get(key) is None:
                cache.add(key, secrets.randbits(62), timeout=None)
        tags = _generations(user_id, cache.get_many([global_key, user_key]))
    user = auth.get_user(request)  # the row, is_active, the session hash: Django's own checks
    if user.is_authenticated and tags is not None and str(user.pk) == str(user_id):
        entry = _copy(user, backend_path, tags)
        cache.set(entry_key, entry, timeout=USER_CACHE_SECONDS)
        user._tracker_access = access_from_role(user, entry["role"])
    return user


def _point(session_key, user_id) -> None:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return  # the pointer holds a number (the script joins it into the user's keys)
    cache.set(_pointer_key(session_key), user_id, timeout=settings.SESSION_COOKIE_AGE)


def _lazy_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    """django.contrib.auth's middleware, reading the user through `get_user` above."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _lazy_user(request))


# --- Invalidation ----------------------------------------------------------------------------


def _user_changed(sender, instance, **kwargs):
    forget_user(instance.pk)


def _access_changed(sender, instance, **kwargs):
    forget_everyone()


def _signed_in_or_out(sender, request, user, **kwargs):
    if user is not None:
        forget_user(user.pk)


post_save.connect(_user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="signon-user-save")
post_delete.connect(
    _user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="signon-user-delete"
)
for _label in ("org.Role", "org.OrgUnit"):
    post_save.connect(_access_changed, sender=_label, dispatch_uid=f"signon-access-{_label}")
    post_delete.connect(_access_changed, sender=_label, dispatch_uid=f"signon-access-del-{_label}")
user_logged_in.connect(_signed_in_or_out, dispatch_uid="signon-user-signed-in")
user_logged_out.connect(_signed_in_or_out, dispatch_uid="signon-user-signed-out")
