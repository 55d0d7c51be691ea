"""The within-authority rule of CONTRACT.md, at every edge, in Python and in SQL alike."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accountability.models import Decision, Delegation
from accountability.tests.factories import AcceptedDelegationFactory
from org.tests.factories import UserFactory

D0 = datetime.date(2025, 1, 1)
D1 = datetime.date(2025, 12, 31)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def setup(units):
    holder = UserFactory(username="holder")
    delegation = AcceptedDelegationFactory(
        delegatee=holder,
        unit=units["dmspc"],
        area="finance",
        limit_amount=Decimal("1000.00"),
        valid_from=D0,
        valid_to=D1,
    )
    return {"holder": holder, "delegation": delegation, "unit": units["dmspc"]}


def _decide(setup, **overrides) -> Decision:
    values = {
        "title": "T",
        "unit": setup["unit"],
        "decided_by": setup["holder"],
        "decided_on": datetime.date(2025, 6, 1),
        "area": "finance",
        "amount": Decimal("500.00"),
        "delegation": setup["delegation"],
    }
    values.update(overrides)
    decision = Decision(**values)
    decision.save()
    computed = Decision.objects.with_computed_authority().get(pk=decision.pk).computed_within
    assert computed == decision.within_authority, "the SQL twin of the rule disagrees"
    return decision


@pytest.mark.parametrize(
    ("overrides", "within"),
    [
        ({"decided_on": D0}, True),  # first valid day
        ({"decided_on": D0 - DAY}, False),  # the day before
        ({"decided_on": D1}, True),  # last valid day
        ({"decided_on": D1 + DAY}, False),  # the day after
        ({"amount": Decimal("1000.00")}, True),  # exactly the limit
        ({"amount": Decimal("1000.01")}, False),  # one cent over
        ({"amount": None}, True),  # no amount
        ({"area": "procurement"}, False),  # area not covered
        ({"delegation": None, "area": "", "amount": None}, True),  # needs no delegation
        ({"delegation": None}, False),  # an area but no delegation
    ],
    ids=[
        "first-day",
        "day-before",
        "last-day",
        "day-after",
        "exactly-limit",
        "cent-over",
        "no-amount",
        "other-area",
        "no-delegation-needed",
        "area-without-delegation",
    ],
)
def test_rule_edges(setup, overrides, within):
    assert _decide(setup, **overrides).within_authority is within


def test_someone_elses_delegation_is_outside(setup):
    assert _decide(setup, decided_by=UserFactory()).within_authority is False


@pytest.mark.parametrize(
    ("revoked_on", "within"),
    [
        (datetime.date(2025, 5, 31), False),
        (datetime.date(2025, 6, 1), False),
        (datetime.date(2025, 6, 2), True),
    ],
    ids=["revoked-day-before", "revoked-same-day", "revoked-day-after"],
)
def test_revocation_edges(setup, revoked_on, within):
    Delegation.objects.filter(pk=setup["delegation"].pk).update(revoked_on=revoked_on)
    setup["delegation"].refresh_from_db()
    assert _decide(setup, decided_on=datetime.date(2025, 6, 1)).within_authority is within


def test_no_limit_covers_any_amount(setup):
    Delegation.objects.filter(pk=setup["delegation"].pk).update(limit_amount=None)
    setup["delegation"].refresh_from_db()
    assert _decide(setup, amount=Decimal("99999999.99")).within_authority is True


def test_open_ended_validity(setup):
    Delegation.objects.filter(pk=setup["delegation"].pk).update(valid_to=None)
    setup["delegation"].refresh_from_db()
    assert _decide(setup, decided_on=datetime.date(2030, 1, 1)).within_authority is True


def test_sub_delegated_limit_applies_to_the_child(setup):
    officer = UserFactory(username="officer")
    child = Delegation(
        delegator=setup["holder"],
        delegatee=officer,
        unit=setup["unit"],
        area="finance",
        limit_amount=Decimal("400.00"),
        valid_from=D0,
        valid_to=D1,
        parent=setup["delegation"],
        accepted_on=D0,
    )
    child.full_clean()
    child.save()
    assert _decide(
        setup, decided_by=officer, delegation=child, amount=Decimal("400.00")
    ).within_authority
    assert not _decide(
        setup, decided_by=officer, delegation=child, amount=Decimal("400.01")
    ).within_authority


# --- Sub-delegation caps -----------------------------------------------------------------------


def _child(setup, **overrides) -> Delegation:
    values = {
        "delegator": setup["holder"],
        "delegatee": UserFactory(),
        "unit": setup["unit"],
        "area": "finance",
        "limit_amount": Decimal("500.00"),
        "valid_from": D0,
        "valid_to": D1,
        "parent": setup["delegation"],
    }
    values.update(overrides)
    return Delegation(**values)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"limit_amount": Decimal("1000.01")}, "limit_amount"),
        ({"limit_amount": None}, "limit_amount"),
        ({"area": "procurement"}, "area"),
        ({"valid_from": D0 - DAY}, "valid_from"),
        ({"valid_to": D1 + DAY}, "valid_to"),
        ({"valid_to": None}, "valid_to"),
    ],
    ids=[
        "over-limit",
        "unlimited-under-limited",
        "other-area",
        "starts-early",
        "ends-late",
        "open-ended",
    ],
)
def test_sub_delegation_cannot_exceed_parent(setup, overrides, field):
    with pytest.raises(ValidationError) as exc:
        _child(setup, **overrides).full_clean()
    assert field in exc.value.message_dict
    assert "parent" in " ".join(exc.value.message_dict[field])


def test_sub_delegation_at_exactly_parents_caps_is_accepted(setup):
    _child(setup, limit_amount=Decimal("1000.00")).full_clean()


def test_only_the_parents_delegatee_may_sub_delegate(setup):
    with pytest.raises(ValidationError) as exc:
        _child(setup, delegator=UserFactory()).full_clean()
    assert "delegator" in exc.value.message_dict


def test_sub_delegation_cannot_outlast_a_revoked_parent(setup):
    Delegation.objects.filter(pk=setup["delegation"].pk).update(
        revoked_on=datetime.date(2025, 7, 1)
    )
    setup["delegation"].refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        _child(setup, valid_to=datetime.date(2025, 7, 1)).full_clean()
    assert "valid_to" in exc.value.message_dict
    _child(setup, valid_to=datetime.date(2025, 6, 30)).full_clean()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"limit_amount": Decimal("499.99")}, "limit_amount"),
        ({"limit_amount": Decimal("500.00")}, None),
        ({"area": "procurement"}, "area"),
        ({"valid_from": D0 + DAY}, "valid_from"),
        ({"valid_to": D1 - DAY}, "valid_to"),
        ({"valid_to": D1}, None),
    ],
    ids=["limit-below-child", "limit-at-child", "area", "starts-later", "ends-earlier", "same"],
)
def test_narrowing_a_parent_cannot_leave_a_sub_delegation_exceeding_it(setup, change, field):
    child = _child(setup)
    child.full_clean()
    child.save()
    parent = Delegation.objects.get(pk=setup["delegation"].pk)
    for name, value in change.items():
        setattr(parent, name, value)
    if field is None:
        parent.full_clean()
        return
    with pytest.raises(ValidationError) as exc:
        parent.full_clean()
    assert field in exc.value.message_dict
    assert "sub-delegation" in " ".join(exc.value.message_dict[field])


@pytest.mark.parametrize(
    ("accepted_on", "parent_accepted_on", "within"),
    [
        (datetime.date(2025, 6, 1), D0, True),  # accepted on the day of the decision
        (datetime.date(2025, 6, 2), D0, False),  # the day after
        (None, D0, False),  # pending
        (D0, None, False),  # its parent pending
        (D0, datetime.date(2025, 6, 2), False),  # its parent accepted after the decision
        (D0, datetime.date(2025, 6, 1), True),  # its parent accepted that day
    ],
)
def test_acceptance_edges_in_python_and_sql(setup, accepted_on, parent_accepted_on, within):
    parent = setup["delegation"]
    Delegation.objects.filter(pk=parent.pk).update(accepted_on=parent_accepted_on)
    parent.refresh_from_db()
    parent.save()  # keeps the chain date the SQL twin reads
    officer = UserFactory(username="officer")
    child = Delegation(
        delegator=setup["holder"],
        delegatee=officer,
        unit=setup["unit"],
        area="finance",
        limit_amount=Decimal("400.00"),
        valid_from=D0,
        valid_to=D1,
        parent=parent,
        accepted_on=accepted_on,
    )
    child.full_clean()
    child.save()
    decision = _decide(setup, decided_by=officer, delegation=child, amount=Decimal("100.00"))
    assert decision.within_authority is within
    assert decision.compute_within_authority() is within
