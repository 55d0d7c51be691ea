"""Issue 13: a list page reads its cells with each column's reader, worked out once a page
(core.generic.Column.reader): what it gives must be what Column.value gives, cell for cell, for
every list's columns, in each language, and for a row of another class than the page's."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from accountability.models import Decision, Delegation
from accountability.tests.factories import DecisionFactory, DelegationFactory
from core.generic import Column, ScopedListView

pytestmark = pytest.mark.django_db


def list_views() -> list[type[ScopedListView]]:
    found = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None)
                if view is not None and issubclass(view, ScopedListView) and view.columns:
                    found.append(view)

    walk(get_resolver().url_patterns)
    return found


def test_every_list_has_columns_read_as_value_reads_them(units, manager, manager2):
    DecisionFactory(unit=units["dmspc"], decided_by=manager, area="procurement")
    DecisionFactory(unit=units["pd"], decided_by=manager2, amount=None)
    DelegationFactory(unit=units["dmspc"], delegator=manager, delegatee=manager2)
    views = list_views()
    assert len(views) >= 20
    compared = 0
    for language in ("en", "fr", "zh-hans"):
        with translation.override(language):
            for view in views:
                model = view.model
                for obj in model._default_manager.all()[:3]:
                    for column in view.columns:
                        try:
                            expected = column.value(obj)
                        except Exception as exc:  # noqa: BLE001 - the reader must fail alike
                            with pytest.raises(type(exc)):
                                column.reader(model)(obj)
                            continue
                        assert column.reader(model)(obj) == expected, (view, column.accessor)
                        compared += 1
    assert compared > 50


def test_a_choice_reads_in_the_language_of_the_page(units, manager):
    decision = DecisionFactory(unit=units["dmspc"], decided_by=manager, area="procurement")
    column = Column("Area", "get_area_display")
    for language in ("en", "fr", "ar"):
        with translation.override(language):
            read = column.reader(Decision)
            assert read(decision) == decision.get_area_display()
    decision.area = "not-a-choice"
    with translation.override("en"):
        assert column.reader(Decision)(decision) == "not-a-choice"


def test_a_row_of_another_class_is_read_as_value_reads_it(units, manager, manager2):
    delegation = DelegationFactory(unit=units["dmspc"], delegator=manager, delegatee=manager2)
    for accessor in ("reference", "get_state_display", "unit.code", "delegator_name"):
        column = Column("x", accessor)
        # A reader made for decisions, given a delegation: Column.value's answer.
        assert column.reader(Decision)(delegation) == column.value(delegation)
        assert column.reader(Delegation)(delegation) == column.value(delegation)
