"""The permission table over the API: every row of table.py, for every persona, on records that
exist in two units and two oversight bodies (world.py). See cases.py for what each test checks."""

import pytest

from tests.permissions import cases
from tests.permissions.table import ROW_BY_NAME
from tests.permissions.world import world  # noqa: F401  (the module-scoped fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("row", "persona"), cases.list_params())
def test_list(world, row, persona):  # noqa: F811
    cases.check_list(world, ROW_BY_NAME[row], persona)


@pytest.mark.parametrize(("row", "key", "persona"), cases.record_params())
def test_detail(world, row, key, persona):  # noqa: F811
    cases.check_detail(world, ROW_BY_NAME[row], key, persona)


@pytest.mark.parametrize(("row", "key", "persona"), cases.record_params())
def test_history(world, row, key, persona):  # noqa: F811
    cases.check_history(world, ROW_BY_NAME[row], key, persona)


@pytest.mark.parametrize(("row", "key", "persona"), cases.create_params())
def test_create(world, row, key, persona):  # noqa: F811
    cases.check_create(world, ROW_BY_NAME[row], key, persona)


@pytest.mark.parametrize(("row", "key", "persona"), cases.record_params())
def test_update(world, row, key, persona):  # noqa: F811
    cases.check_update(world, ROW_BY_NAME[row], key, persona)


@pytest.mark.parametrize(("row", "key", "persona"), cases.record_params())
def test_delete(world, row, key, persona):  # noqa: F811
    cases.check_delete(world, ROW_BY_NAME[row], key, persona)


@pytest.mark.parametrize(("row", "transition", "key", "persona"), cases.transition_params())
def test_transition(world, row, transition, key, persona):  # noqa: F811
    cases.check_transition(world, ROW_BY_NAME[row], transition, key, persona)


@pytest.mark.parametrize(("row", "field", "persona"), cases.state_field_params())
def test_state_field_patch_names_its_action(world, row, field, persona):  # noqa: F811
    cases.check_state_field(world, ROW_BY_NAME[row], field, persona)


@pytest.mark.parametrize(("row", "persona"), cases.query_count_params())
def test_list_query_count_does_not_grow_with_rows(world, row, persona):  # noqa: F811
    cases.check_query_count(world, ROW_BY_NAME[row], persona)
