"""The lists of the tables that reach tens of thousands of rows at Secretariat scale read their
first page from an index in the list's own order (issue 13): without one, PostgreSQL sorts every
row the reader may see to return 50 (at factor 1, 130 ms for course completions, 58 ms for
treatment actions, 43 ms for people; under 1 ms with the index). A list ordered through a join
(recommendations by their report's date, appraisals by the staff member's name) cannot be
served so and is not listed here."""

import pytest
from django.apps import apps

# The big tables' lists whose order is on their own columns.
BIG = (
    "accountability.Decision",
    "accountability.Commitment",
    "accountability.Delegation",
    "governance.FollowUpAction",
    "governance.Mandate",
    "org.Person",
    "performance.CourseCompletion",
    "risk.Risk",
    "risk.Control",
    "risk.ControlTest",
    "risk.Deficiency",
    "risk.Treatment",
    "risk.ProcurementCase",
    "risk.InterestDeclaration",
)


def _ordering(model) -> list[str]:
    names = [name.lstrip("-") for name in model._meta.ordering]
    while names and names[-1] in ("pk", "id"):
        names.pop()
    return names


def _leading_columns(model) -> list[list[str]]:
    """Every index's fields in order: declared indexes and unique constraints without a condition,
    and the single-column indexes of unique, indexed and foreign-key fields."""
    found = [
        [name.lstrip("-") for name in index.fields]
        for index in model._meta.indexes
        if index.fields and index.condition is None
    ]
    found += [
        list(constraint.fields)
        for constraint in model._meta.constraints
        if getattr(constraint, "fields", None) and getattr(constraint, "condition", None) is None
    ]
    found += [
        [field.name]
        for field in model._meta.concrete_fields
        if field.unique or field.db_index or field.is_relation
    ]
    return found


@pytest.mark.parametrize("label", BIG)
def test_a_big_lists_order_is_an_index(label):
    model = apps.get_model(label)
    order = _ordering(model)
    assert order, f"{label} has no default order"
    assert "__" not in "".join(order), f"{label} is ordered through a join"
    assert any(columns[: len(order)] == order for columns in _leading_columns(model)), (
        f"{label}: no index leads with its list order {order}"
    )
