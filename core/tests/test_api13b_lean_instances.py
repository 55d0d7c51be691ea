"""Lean instances (core.api.lean.LeanModelIterable): a list page's rows, their select_related
records and their prefetched records built by filling the instance's dict, equal to what
Model.from_db builds, for every model of the permission tests' world (records in two units and
two oversight bodies). In a module of their own: the world is built once per module."""

import pytest

from tests.permissions.world import world  # noqa: F401

# --- Lean instances (LeanModelIterable) ---------------------------------------------------------


def _state(instance) -> dict:
    attributes = dict(instance.__dict__)
    state = attributes.pop("_state")
    caches = {
        name: _state(value) if hasattr(value, "_state") else value
        for name, value in state.fields_cache.items()
    }
    return {"adding": state.adding, "db": state.db, "cache": caches, **attributes}


@pytest.mark.django_db
def test_lean_instances_are_the_instances_from_db_builds_for_every_model(world):  # noqa: F811
    from django.apps import apps

    from core.api.lean import _BUILDERS, lean_rows

    compared = built = 0
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        queryset = model._base_manager.order_by("pk")[:20]
        django_rows, lean = list(queryset), list(lean_rows(queryset))
        assert [_state(row) for row in lean] == [_state(row) for row in django_rows], model
        compared += bool(django_rows)
        built += bool(django_rows) and bool(
            _BUILDERS.get((model, tuple(f.attname for f in model._meta.concrete_fields)))
        )
    assert compared >= 30 and built >= 20, (compared, built)


@pytest.mark.django_db
def test_lean_instances_with_their_related_records_and_annotations(world):  # noqa: F811
    from accountability.models import Decision
    from core.api.lean import lean_rows

    queryset = Decision.objects.select_related(
        "unit", "decided_by", "reviewed_by", "delegation__parent"
    ).order_by("pk")
    django_rows, lean = list(queryset), list(lean_rows(queryset))
    assert len(lean) >= 2
    assert [_state(row) for row in lean] == [_state(row) for row in django_rows]
    # The history's "before" of a later change is the loaded row, as from_db keeps it.
    assert lean[0]._history_loaded == django_rows[0]._history_loaded


@pytest.mark.django_db
def test_lean_instances_of_a_list_that_reads_only_some_columns(world):  # noqa: F811
    """A list that reads only the columns its rows print (only(), defer(), on the row and on its
    select_related records) gets the instances from_db builds: the deferred columns absent, read
    from the database when asked, and the history's "before" of the columns that were loaded."""
    from accountability.models import Decision
    from core.api.lean import lean_rows

    queryset = (
        Decision.objects.select_related("unit", "decided_by")
        .only("id", "title", "decided_on", "unit__code", "decided_by__username")
        .order_by("pk")
    )
    django_rows, lean = list(queryset), list(lean_rows(queryset))
    assert len(lean) >= 2
    assert [_state(row) for row in lean] == [_state(row) for row in django_rows]
    assert lean[0].get_deferred_fields() == django_rows[0].get_deferred_fields()
    assert "rationale" in lean[0].get_deferred_fields()
    assert lean[0].rationale == Decision.objects.get(pk=lean[0].pk).rationale  # read when asked
    assert lean[0]._history_loaded == django_rows[0]._history_loaded

    deferred = Decision.objects.defer("rationale", "review_action").order_by("pk")
    django_rows, lean = list(deferred), list(lean_rows(deferred))
    assert [_state(row) for row in lean] == [_state(row) for row in django_rows]


def test_a_model_with_an_init_of_its_own_or_a_signal_is_built_by_from_db():
    from django.db.models import signals

    from accountability.models import Decision
    from core.api.lean import _make_builder

    names = [f.attname for f in Decision._meta.concrete_fields]
    assert _make_builder(Decision, names) is not None
    assert _make_builder(Decision, names[:-1]) is not None  # only()/defer(): in model order
    assert _make_builder(Decision, names[::-1]) is None  # any other order: from_db's work

    def receiver(**kwargs):
        pass

    signals.post_init.connect(receiver, sender=Decision)
    try:
        assert _make_builder(Decision, names) is None
    finally:
        signals.post_init.disconnect(receiver, sender=Decision)
