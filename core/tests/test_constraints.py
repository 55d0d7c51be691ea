"""Constraints the record's own values settle are validated without a query (core.constraints),
with the same answers as the database's, and every violation still gets Django's message."""

import datetime
import decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext

from accountability.models import Decision
from accountability.tests.factories import DecisionFactory, DelegationFactory
from core.constraints import Undecided, decide

D = decimal.Decimal
DAY = datetime.date(2026, 3, 1)

# (condition, field values) pairs: every combination is asked of Python and of the database.
CONDITIONS = [
    Q(amount__gte=0),
    Q(amount__isnull=True) | Q(amount__gte=0),
    ~Q(reference=""),
    Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
    Q(amount__gt=10) & ~Q(reference="x"),
    ~(Q(amount__lt=0) | Q(amount__isnull=True)),
    Q(amount=None),
    Q(amount__lte=D("5.50")),
]
VALUES = [
    {"amount": None, "reference": "", "valid_from": DAY, "valid_to": None},
    {"amount": D("-1"), "reference": "R-1", "valid_from": DAY, "valid_to": DAY},
    {"amount": D("0"), "reference": "x", "valid_from": DAY, "valid_to": DAY.replace(day=2)},
    {"amount": D("5.50"), "reference": "", "valid_from": DAY.replace(day=3), "valid_to": DAY},
    {"amount": D("12"), "reference": "R-2", "valid_from": None, "valid_to": DAY},
]


FIELDS = {
    "amount": models.DecimalField(max_digits=14, decimal_places=2),
    "reference": models.CharField(max_length=50),
    "valid_from": models.DateField(),
    "valid_to": models.DateField(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("condition", CONDITIONS, ids=str)
def test_python_answers_as_the_database_does(condition):
    decided = 0
    for values in VALUES:
        against = {
            name: models.Value(value, output_field=FIELDS[name]) for name, value in values.items()
        }
        database = Q(condition).check(against)  # COALESCE(condition, true), as Django asks it
        try:
            python = decide(condition, against)
        except Undecided:
            continue
        decided += 1
        assert (python is not False) == database, (condition, values, python)
    assert decided == len(VALUES)  # none of these needed the database


def test_what_python_cannot_settle_goes_to_the_database():
    against = {"reference": models.Value("b"), "unit": models.Value(3)}
    for condition in (Q(reference__gt="a"), Q(unit__code="DMSPC"), Q(reference__icontains="b")):
        with pytest.raises(Undecided):
            decide(condition, against)


def _django_errors(instance):
    try:
        models.Model.validate_constraints(instance)  # Django's own, every condition queried
    except ValidationError as error:
        return error.message_dict
    return {}


def _errors(instance):
    try:
        instance.validate_constraints()
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.mark.django_db
def test_the_same_errors_as_django_and_no_query_for_what_holds(units):
    DecisionFactory(unit=units["ohr"], reference="D-1")
    cases = [
        Decision(unit=units["ohr"], title="t", amount=None, reference=""),
        Decision(unit=units["ohr"], title="t", amount=D("10"), reference="D-2"),
        Decision(unit=units["ohr"], title="t", amount=D("-1"), reference=""),
        Decision(unit=units["ohr"], title="t", amount=D("1"), reference="D-1"),  # taken in OHR
        Decision(unit=units["pd"], title="t", amount=D("1"), reference="D-1"),  # free in PD
    ]
    found = [_errors(case) for case in cases]
    assert found == [_django_errors(case) for case in cases]
    assert [bool(errors) for errors in found] == [False, False, True, True, False]

    delegation = DelegationFactory(unit=units["ohr"])
    delegation.valid_to = delegation.valid_from - datetime.timedelta(days=1)
    assert _errors(delegation) == _django_errors(delegation) != {}

    # A decision without a reference or an amount: both conditions settled here, no statement.
    with CaptureQueriesContext(connection) as queries:
        assert _errors(cases[0]) == {}
    assert len(queries) == 0
    # With a reference, only the uniqueness is asked (one statement and its savepoints).
    with CaptureQueriesContext(connection) as queries:
        assert _errors(cases[1]) == {}
    assert sum("EXISTS" in q["sql"] for q in queries.captured_queries) == 1
    assert not [q for q in queries.captured_queries if "COALESCE(true" in q["sql"]]


@pytest.mark.django_db
def test_a_bad_decision_through_the_api_is_still_refused_with_its_message(api, admin_user, units):
    client = api(admin_user)
    body = {"title": "Lease", "rationale": "r", "unit": "DMSPC-OHR", "decided_on": "2026-03-01"}
    DecisionFactory(unit=units["ohr"], reference="D-9")
    refused = client.post("/api/accountability/decisions/", {**body, "amount": "-5"}, format="json")
    assert refused.status_code == 400, refused.content
    taken = client.post(
        "/api/accountability/decisions/", {**body, "reference": "D-9"}, format="json"
    )
    assert taken.status_code == 400, taken.content
    assert refused.json() == {"amount": ["An amount cannot be negative."]}
    assert taken.json() == {"reference": ["This unit already has a decision with this reference."]}
    assert Decision.objects.filter(title="Lease").count() == 0
    made = client.post("/api/accountability/decisions/", body, format="json")
    assert made.status_code == 201, made.content
    assert Decision.objects.filter(title="Lease").count() == 1  # nothing half-saved before


# --- The permission check after a save (core.actions.allowed) ---------------------------------


@pytest.mark.django_db
def test_a_save_asks_the_database_whether_its_record_is_allowed_only_when_the_rule_narrows(
    admin_user, manager, units
):
    from core.actions import allowed, visible
    from org.access import access_for

    mine = DecisionFactory(unit=units["ohr"])  # DMSPC's, the manager's subtree
    theirs = DecisionFactory(unit=units["pd"])  # DOS's
    access_for(admin_user), access_for(manager)  # their roles, read once a request
    # The administrator's rule leaves every row: answered without a query.
    with CaptureQueriesContext(connection) as queries:
        assert allowed(admin_user, "change", theirs) and visible(admin_user, mine)
    assert len(queries) == 0
    # A manager's rule narrows to the subtree: asked, and answered per record.
    with CaptureQueriesContext(connection) as queries:
        assert allowed(manager, "change", mine)
        assert not allowed(manager, "change", theirs)
        assert not visible(manager, theirs)
    asked = [q for q in queries.captured_queries if "accountability_decision" in q["sql"]]
    # One per record, and the view rule's one read of the subtree's few decision ids
    # (accountability.policies.decision_scope).
    assert len(asked) == 4
    assert sum("UNION ALL" in q["sql"] or '"side"' in q["sql"] for q in asked) == 1
    # A record not saved yet is never taken as one of the rows.
    unsaved = Decision(unit=units["pd"], title="t")
    assert not allowed(manager, "change", unsaved)
