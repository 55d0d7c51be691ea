"""The generic machinery of the permission table (in the manner of NetBox's APIViewTestCases):
each table row (table.py) becomes list, detail, create, update, delete, transition, history and
state-field cases for every persona, checked against the world (world.py).

Expected statuses come from the row's rules alone:
- anonymous: 401 or 403, for everything;
- read: 200 if the rule lets the persona see the record, else 404 (it does not exist for them);
- write (update, transition): 200 if allowed; 403 if they see the record but may not act; 404 if
  they do not see it; after any refusal the record is unchanged;
- create: 201 if allowed; 403 when the persona may never create one; 400 or 403 when they may
  create some but not this one (another unit, another body); after a refusal nothing is saved;
- delete: 204 if the row allows it; otherwise refused (405, or 403/404), and the record stays.
"""

import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient

from tests.permissions.table import ROWS, Row
from tests.permissions.world import PERSONAS, Ref, World

ANONYMOUS = (401, 403)


def client_for(world: World, persona: str) -> APIClient:
    client = APIClient()
    user = world.user(persona)
    if user is not None:
        client.force_authenticate(user=user)
    return client


def json_key(row: Row) -> str:
    return "id" if row.lookup == "pk" else row.lookup


def _identity(row: Row, obj) -> str:
    return str(getattr(obj, row.lookup))


def _snapshot(row: Row, world: World, key: str) -> dict:
    """The stored record, every concrete field, to show that a refusal changed nothing."""
    model = apps.get_model(row.model)
    obj = world.records[row.name][key]
    values = model._default_manager.filter(pk=obj.pk).values()
    return dict(values[0]) if values else {}


def _count(row: Row) -> int:
    return apps.get_model(row.model)._default_manager.count()


def _body(response) -> str:
    try:
        return str(response.json())[:600]
    except Exception:
        return response.content[:600].decode(errors="replace")


def _failure(what: str, expected, response) -> str:
    return f"{what}: expected {expected}, got {response.status_code}: {_body(response)}"


def _params(ids_and_values):
    return [pytest.param(*values, id=case_id) for case_id, values in ids_and_values]


# --- parametrisation ---------------------------------------------------------------------------


def list_params():
    return _params(
        (f"{row.name}-{persona}", (row.name, persona)) for row in ROWS for persona in PERSONAS
    )


def record_params(rows=ROWS):
    return _params(
        (f"{row.name}-{key}-{persona}", (row.name, key, persona))
        for row in rows
        for key in row.keys
        for persona in PERSONAS
    )


def create_params():
    return _params(
        (f"{row.name}-{key}-{persona}", (row.name, key, persona))
        for row in ROWS
        for key in row.creatable()
        for persona in PERSONAS
    )


def transition_params():
    return _params(
        (f"{row.name}-{t.id}-{key}-{persona}", (row.name, t.id, key, persona))
        for row in ROWS
        for t in row.transitions
        for key in (t.keys or row.keys)
        for persona in PERSONAS
    )


def state_field_params():
    """Each state field of each row, on the row's first record, as an administrator (who may
    do everything, so the only reason to refuse is the state field) and as the manager of the
    other department (for whom the record does not exist: 404 comes first)."""
    return _params(
        (f"{row.name}-{name}-{persona}", (row.name, name, persona))
        for row in ROWS
        for name in row.state_fields
        for persona in ("admin", "manager2")
    )


def query_count_params():
    return _params(
        (f"{row.name}-{persona}", (row.name, persona))
        for row in ROWS
        for persona in ("admin", "manager")
        # A list only administrators read (disciplinary cases) has no rows for the manager.
        if row.view(persona, Ref.of(row.keys[0]))
    )


# --- checks ------------------------------------------------------------------------------------


def check_list(world: World, row: Row, persona: str) -> None:
    response = client_for(world, persona).get(row.url, {"page_size": 500})
    if persona == "anon":
        assert response.status_code in ANONYMOUS, _failure("list", ANONYMOUS, response)
        return
    assert response.status_code == 200, _failure("list", 200, response)
    body = response.json()
    assert {"next", "previous", "results"} <= set(body), f"{row.url} does not page: {body}"
    listed = {str(item.get(json_key(row))) for item in body["results"]}
    records = world.all(row.name)
    expected = {
        _identity(row, obj) for key, obj in records.items() if row.view(persona, Ref.of(key))
    }
    hidden = {_identity(row, obj) for key, obj in records.items()} - expected
    missing = expected - listed
    leaked = hidden & listed
    assert not missing and not leaked, (
        f"{row.url} as {persona}: missing {sorted(missing)}, leaked {sorted(leaked)}"
    )
    if not expected:
        assert body["results"] == [], f"{row.url} as {persona} lists {listed}; expected nothing"


def check_detail(world: World, row: Row, key: str, persona: str) -> None:
    response = client_for(world, persona).get(row.detail(world, key))
    ref = Ref.of(key)
    if persona == "anon":
        expected = ANONYMOUS
    else:
        expected = (200,) if row.view(persona, ref) else (404,)
    assert response.status_code in expected, _failure("detail", expected, response)
    if response.status_code == 200:
        assert str(response.json().get(json_key(row))) == _identity(
            row, world.records[row.name][key]
        )


def check_history(world: World, row: Row, key: str, persona: str) -> None:
    """`/api/history/?object=...` is read by whoever may read the object."""
    obj = world.records[row.name][key]
    label = f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"
    response = client_for(world, persona).get("/api/history/", {"object": label})
    if persona == "anon":
        expected = ANONYMOUS
    else:
        expected = (200,) if row.view(persona, Ref.of(key)) else (404,)
    assert response.status_code in expected, _failure("history", expected, response)


def _write_expectation(allowed, view, persona: str, ref: Ref, ok: int) -> tuple[int, ...]:
    if persona == "anon":
        return ANONYMOUS
    if allowed is None:
        return (405,)
    if allowed(persona, ref):
        return (ok,)
    return (403,) if view(persona, ref) else (404,)


def check_create(world: World, row: Row, key: str, persona: str) -> None:
    ref = Ref.of(key)
    before = _count(row)
    payload = row.payload(world, ref) if row.payload else {}
    response = client_for(world, persona).post(row.url, payload, format="json")
    if persona == "anon":
        expected = ANONYMOUS
    elif row.add is None:
        expected = (405,)
    elif row.add(persona, ref):
        expected = (row.created,)
    elif row.self_service or any(row.add(persona, Ref.of(k)) for k in row.creatable()):
        expected = (400, 403)  # may create some, not this one (another unit or body)
    else:
        expected = (403,)
    assert response.status_code in expected, _failure(f"create {payload}", expected, response)
    if response.status_code >= 400:
        assert _count(row) == before, "a refused create saved a record"
    else:
        assert _count(row) == before + 1


def check_update(world: World, row: Row, key: str, persona: str) -> None:
    ref = Ref.of(key)
    before = _snapshot(row, world, key)
    payload = row.patch(world, ref) if row.patch else {"version": before.get("version")}
    response = client_for(world, persona).patch(row.detail(world, key), payload, format="json")
    expected = _write_expectation(row.change, row.view, persona, ref, 200)
    assert response.status_code in expected, _failure(f"update {payload}", expected, response)
    if response.status_code >= 400:
        assert _snapshot(row, world, key) == before, "a refused update changed the record"
    else:
        after = _snapshot(row, world, key)
        assert after != before, "an accepted update changed nothing"


def check_delete(world: World, row: Row, key: str, persona: str) -> None:
    ref = Ref.of(key)
    before = _snapshot(row, world, key)
    response = client_for(world, persona).delete(row.detail(world, key))
    if persona == "anon":
        expected = ANONYMOUS
    elif row.delete is not None and row.delete(persona, ref):
        expected = (204,)
    elif row.delete is None:
        # Never deleted: the method is not offered at all, or refused by who one is.
        expected = (405, 403 if row.view(persona, ref) else 404)
    else:
        expected = (403,) if row.view(persona, ref) else (404,)
    assert response.status_code in expected, _failure("delete", expected, response)
    if response.status_code != 204:
        assert _snapshot(row, world, key) == before, "a refused delete changed the record"


def check_transition(world: World, row: Row, transition_id: str, key: str, persona: str) -> None:
    transition = next(t for t in row.transitions if t.id == transition_id)
    ref = Ref.of(key)
    before = _snapshot(row, world, key)
    payload = transition.payload(world, ref)
    url = f"{row.detail(world, key)}{transition.name}/"
    response = client_for(world, persona).post(url, payload, format="json")
    expected = _write_expectation(transition.allowed, row.view, persona, ref, 200)
    assert response.status_code in expected, _failure(f"POST {url} {payload}", expected, response)
    if response.status_code >= 400:
        assert _snapshot(row, world, key) == before, "a refused transition changed the record"


ACTION_URL = re.compile(r"POST (/api/\S*?)(\d+)/([\w-]+)/")


def check_state_field(world: World, row: Row, name: str, persona: str) -> None:
    key = row.keys[0]
    ref = Ref.of(key)
    obj = world.records[row.name][key]
    before = _snapshot(row, world, key)
    payload = {name: row.state_fields[name](world, ref)}
    response = client_for(world, persona).patch(row.detail(world, key), payload, format="json")
    if not row.view(persona, ref):
        assert response.status_code == 404, _failure(f"state PATCH {payload}", 404, response)
        assert _snapshot(row, world, key) == before
        return
    assert response.status_code == 400, _failure(f"state PATCH {payload}", 400, response)
    assert _snapshot(row, world, key) == before, "a refused state PATCH changed the record"
    body = response.json()
    messages = " ".join(str(m) for m in body.get(name, [])) if isinstance(body, dict) else ""
    found = ACTION_URL.search(messages)
    assert found, f"the 400 for {name!r} names no `POST /api/.../{obj.pk}/<action>/`: {body}"
    base, pk, action = found.groups()
    assert base == row.url, f"the endpoint named ({found.group(0)}) is not under {row.url}"
    assert int(pk) == obj.pk, f"the endpoint named ({found.group(0)}) is not record {obj.pk}"
    try:
        resolve(f"{base}{pk}/{action}/")
    except Resolver404:
        pytest.fail(f"the endpoint named for {name!r} does not exist: {found.group(0)}")


def _clones(row: Row, world: World, n: int) -> None:
    """n more records of the row on the DMSPC side, copied from the world's one."""
    original = world.records[row.name][row.keys[0]]
    model = type(original)
    for i in range(n):
        copy = model._default_manager.get(pk=original.pk)
        copy.pk = None
        copy.id = None
        copy._state.adding = True
        for attr, value in (row.clone(original, i) if row.clone else {}).items():
            setattr(copy, attr, value)
        copy.save()


def _list_queries(world: World, row: Row, persona: str) -> tuple[int, int]:
    client = client_for(world, persona)
    client.get(row.url)  # warm caches (content types, the rating scale...)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(row.url, {"page_size": 500})
    assert response.status_code == 200, _failure("list", 200, response)
    return len(ctx.captured_queries), len(response.json()["results"])


def check_query_count(world: World, row: Row, persona: str) -> None:
    few, listed_few = _list_queries(world, row, persona)
    if row.name in ("underperformance-cases",):
        _clone_cases(world, 19)
    else:
        _clones(row, world, 19)
    many, listed_many = _list_queries(world, row, persona)
    assert listed_many >= listed_few + 19, (
        f"the clones are not listed ({listed_few}, {listed_many})"
    )
    assert many == few, (
        f"{row.url} as {persona}: {few} queries with {listed_few} rows, {many} with {listed_many}"
    )


def _clone_cases(world: World, n: int) -> None:
    """An underperformance case belongs to one appraisal: each copy gets its own."""
    case = world.records["underperformance-cases"]["dmspc"]
    model = type(case)
    for i in range(n):
        appraisal = type(case.appraisal)._default_manager.get(pk=case.appraisal_id)
        appraisal.pk = None
        appraisal.id = None
        appraisal._state.adding = True
        appraisal.cycle = 2040 + i
        appraisal.save()
        copy = model._default_manager.get(pk=case.pk)
        copy.pk = None
        copy.id = None
        copy._state.adding = True
        copy.appraisal = appraisal
        copy.save()
