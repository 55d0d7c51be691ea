"""A decision list costs the same number of queries whatever the depth of the delegation chains
its decisions cite (at Secretariat scale chains run several levels deep: the decisions API walked the chain of each
decision outside authority, a query per level per row: 118 queries for a page in `make bench`)."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.tests.factories import AcceptedDelegationFactory, DecisionFactory


def _chain(depth, unit, users):
    node = AcceptedDelegationFactory(unit=unit, delegator=users[0], delegatee=users[1], parent=None)
    for level in range(1, depth):
        node = AcceptedDelegationFactory(
            unit=unit, parent=node, delegator=users[level], delegatee=users[level + 1]
        )
    return node


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response, [q["sql"][:160] for q in captured.captured_queries]


def test_decision_list_queries_do_not_grow_with_chain_depth(api, admin_user, units):
    from org.tests.factories import UserFactory

    users = [UserFactory() for _ in range(8)]
    shallow = _chain(1, units["dmspc"], users)
    deep = _chain(6, units["dos"], users)
    for delegation in (shallow, deep):
        for _ in range(3):
            DecisionFactory(
                unit=delegation.unit,
                decided_by=delegation.delegatee,
                delegation=delegation,
                area=delegation.area,
                amount=Decimal("250000.00"),  # over the limit: the reasons are worked out
            )
    client = api(admin_user)
    client.get("/api/accountability/decisions/")  # the caller's rights, read once and kept
    at_one, one, one_sql = _queries(
        client, f"/api/accountability/decisions/?unit={units['dmspc'].code}"
    )
    at_six, six, six_sql = _queries(
        client, f"/api/accountability/decisions/?unit={units['dos'].code}"
    )
    assert len(one.json()["results"]) == len(six.json()["results"]) == 3
    assert at_six == at_one, (one_sql, six_sql)
    for decision in six.json()["results"]:
        assert decision["within_authority"] is False
        assert decision["authority_problems"] == [
            "The amount exceeds the delegation's limit of USD 100,000.00."
        ]
