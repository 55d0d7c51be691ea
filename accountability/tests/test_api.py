"""The API of delegations, decisions and commitments: CONTRACT.md's shapes, bad input, rights,
stale versions, history, and a fixed number of queries per page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.models import Commitment, Decision, Delegation
from accountability.tests.factories import (
    AcceptedDelegationFactory,
    CommitmentFactory,
    DecisionFactory,
    DelegationFactory,
)
from core.models import HistoryEntry
from org.tests.factories import UserFactory

TODAY = datetime.date.today()
DECISIONS = "/api/accountability/decisions/"
DELEGATIONS = "/api/accountability/delegations/"
COMMITMENTS = "/api/accountability/commitments/"


@pytest.fixture
def grant(units, manager, admin_user):
    """manager holds finance authority up to USD 10,000 in DMSPC."""
    return AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        area="finance",
        limit_amount=Decimal("10000.00"),
        valid_from=TODAY - datetime.timedelta(days=30),
        valid_to=TODAY + datetime.timedelta(days=300),
    )


def _payload(grant, **overrides):
    data = {
        "title": "Approve the travel plan",
        "rationale": "Needed for the mission",
        "unit": "DMSPC",
        "decided_on": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "area": "finance",
        "amount": "2500.00",
        "delegation": grant.pk,
        "paragraphs": [8, 21],
    }
    data.update(overrides)
    return data


def test_log_decision_within_authority(api, manager, grant, resolution):
    response = api(manager).post(DECISIONS, _payload(grant), format="json")
    assert response.status_code == 201, response.data
    body = response.data
    assert body["within_authority"] is True
    assert body["decided_by"] == "manager"
    assert body["unit"] == "DMSPC"
    assert body["amount"] == "2500.00"
    assert sorted(body["paragraphs"]) == [8, 21]
    assert body["version"] == 1
    entries = HistoryEntry.objects.filter(
        object_type="accountability.decision", object_id=str(body["id"])
    )
    assert entries.filter(action="create").exists()
    assert entries.filter(action="update", changes__has_key="paragraphs").exists()


def test_decision_over_the_limit_is_logged_and_flagged(api, manager, grant, resolution):
    response = api(manager).post(DECISIONS, _payload(grant, amount="10000.01"), format="json")
    assert response.status_code == 201
    assert response.data["within_authority"] is False
    flagged = api(manager).get(DECISIONS, {"within_authority": "false"}).data["results"]
    assert [d["id"] for d in flagged] == [response.data["id"]]


def test_within_authority_is_read_only(api, manager, grant, resolution):
    response = api(manager).post(
        DECISIONS, _payload(grant, amount="20000.00", within_authority=True), format="json"
    )
    assert response.status_code == 201
    assert response.data["within_authority"] is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"decided_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "decided_on"),
        ({"amount": "-1.00"}, "amount"),
        ({"area": "", "delegation": None}, "amount"),
        ({"title": ""}, "title"),
        ({"unit": "NOPE"}, "unit"),
        ({"paragraphs": [99]}, "paragraphs"),
        ({"area": "astrology"}, "area"),
        ({"decided_on": "yesterday"}, "decided_on"),
    ],
    ids=[
        "future",
        "negative",
        "amount-without-area",
        "no-title",
        "unknown-unit",
        "unknown-paragraph",
        "unknown-area",
        "bad-date",
    ],
)
def test_bad_decision_input_is_400_with_field_message(
    api, manager, grant, resolution, overrides, field
):
    response = api(manager).post(DECISIONS, _payload(grant, **overrides), format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert Decision.objects.count() == 0


def test_someone_elses_delegation_is_logged_and_flagged(
    api, manager, units, admin_user, resolution
):
    other = AcceptedDelegationFactory(
        delegatee=UserFactory(username="colleague"), unit=units["dmspc"]
    )
    response = api(manager).post(DECISIONS, _payload(other), format="json")
    assert response.status_code == 201, response.data
    assert response.data["within_authority"] is False
    assert response.data["delegation"] == other.pk
    assert response.data["authority_problems"] == [
        "The delegation was not given to the person who decided."
    ]
    assert "colleague" not in str(response.data["authority_problems"])
    assert Decision.objects.awaiting_review().count() == 1


@pytest.mark.parametrize(
    "state,problem",
    [
        ("expired", "The delegation had expired on the date of the decision"),
        ("revoked", "The delegation was revoked on"),
        ("not_yet", "The delegation was not yet valid on the date of the decision."),
        ("pending", "The delegatee has not accepted the delegation."),
        ("accepted_later", "The delegation was accepted only after the decision."),
    ],
)
def test_invalid_instrument_is_logged_and_flagged(api, manager, grant, resolution, state, problem):
    if state == "expired":
        Delegation.objects.filter(pk=grant.pk).update(
            valid_from=TODAY - datetime.timedelta(days=90),
            valid_to=TODAY - datetime.timedelta(days=10),
        )
    elif state == "revoked":
        Delegation.objects.filter(pk=grant.pk).update(revoked_on=TODAY - datetime.timedelta(days=5))
    elif state == "not_yet":
        Delegation.objects.filter(pk=grant.pk).update(valid_from=TODAY)
    elif state == "pending":
        Delegation.objects.filter(pk=grant.pk).update(accepted_on=None, chain_accepted_on=None)
    else:
        Delegation.objects.filter(pk=grant.pk).update(accepted_on=TODAY, chain_accepted_on=TODAY)
    response = api(manager).post(DECISIONS, _payload(grant), format="json")
    assert response.status_code == 201, response.data
    assert response.data["within_authority"] is False
    assert any(p.startswith(problem) for p in response.data["authority_problems"])
    decision = Decision.objects.get()
    assert decision.within_authority is False and decision.delegation_id == grant.pk
    assert list(Decision.objects.awaiting_review()) == [decision]
    # The SQL twin agrees with what was stored.
    assert Decision.objects.with_computed_authority().get().computed_within is False


def test_invisible_instrument_is_not_found_and_named_nowhere(
    api, manager, units, admin_user, resolution
):
    hidden = AcceptedDelegationFactory(
        delegatee=UserFactory(username="hidden.holder"),
        delegator=admin_user,
        unit=units["dos"],
        reference="DOA/SECRET/1",
    )
    response = api(manager).post(DECISIONS, _payload(hidden), format="json")
    assert response.status_code == 400
    text = str(response.data["delegation"])
    assert "does not exist" in text
    assert "hidden.holder" not in text and "SECRET" not in text
    assert Decision.objects.count() == 0


def test_pending_instrument_confers_nothing_until_accepted(
    api, manager, admin_user, units, resolution
):
    pending = DelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        valid_from=TODAY - datetime.timedelta(days=30),
    )
    assert pending.accepted_on is None
    before = api(manager).post(DECISIONS, _payload(pending), format="json")
    assert before.status_code == 201 and before.data["within_authority"] is False
    # The delegatee accepts today: a decision of yesterday stays outside, today's is within.
    accepted = api(manager).post(f"{DELEGATIONS}{pending.pk}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.data
    assert accepted.data["accepted_on"] == TODAY.isoformat()
    assert accepted.data["accepted_by"] == "manager"
    assert Decision.objects.get(pk=before.data["id"]).within_authority is False
    today = api(manager).post(
        DECISIONS, _payload(pending, decided_on=TODAY.isoformat()), format="json"
    )
    assert today.data["within_authority"] is True
    # Accepting twice is 400 and changes nothing.
    again = api(manager).post(f"{DELEGATIONS}{pending.pk}/accept/", {}, format="json")
    assert again.status_code == 400 and "accepted_on" in again.data
    assert Delegation.objects.get(pk=pending.pk).accepted_on == TODAY


def test_only_an_administrator_backdates_an_acceptance_and_it_rejudges(
    api, manager, admin_user, units, resolution
):
    pending = DelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        valid_from=TODAY - datetime.timedelta(days=30),
    )
    logged = api(manager).post(DECISIONS, _payload(pending), format="json").data
    assert logged["within_authority"] is False
    earlier = (TODAY - datetime.timedelta(days=20)).isoformat()
    refused = api(manager).post(
        f"{DELEGATIONS}{pending.pk}/accept/", {"accepted_on": earlier}, format="json"
    )
    assert refused.status_code == 400 and "administrator" in str(refused.data["accepted_on"])
    future = api(admin_user).post(
        f"{DELEGATIONS}{pending.pk}/accept/",
        {"accepted_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert future.status_code == 400
    assert Delegation.objects.get(pk=pending.pk).accepted_on is None
    recorded = api(admin_user).post(
        f"{DELEGATIONS}{pending.pk}/accept/", {"accepted_on": earlier}, format="json"
    )
    assert recorded.status_code == 200, recorded.data
    assert recorded.data["accepted_on"] == earlier
    # The decision of yesterday is re-judged: now within authority.
    assert api(manager).get(f"{DECISIONS}{logged['id']}/").data["within_authority"] is True


def test_someone_else_cannot_accept(api, manager, manager2, admin_user, units):
    pending = DelegationFactory(delegator=admin_user, delegatee=manager, unit=units["dmspc"])
    assert api(manager2).post(f"{DELEGATIONS}{pending.pk}/accept/", {}).status_code == 404
    mine_elsewhere = DelegationFactory(
        delegator=admin_user, delegatee=manager2, unit=units["dmspc"]
    )
    # manager sees it (their unit) but is not its delegatee: 403.
    assert api(manager).post(f"{DELEGATIONS}{mine_elsewhere.pk}/accept/", {}).status_code == 403


def test_accepted_on_is_a_state_field(api, admin_user, manager, units):
    pending = DelegationFactory(delegator=admin_user, delegatee=manager, unit=units["dmspc"])
    response = api(admin_user).patch(
        f"{DELEGATIONS}{pending.pk}/", {"accepted_on": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert f"POST /api/accountability/delegations/{pending.pk}/accept/" in str(
        response.data["accepted_on"]
    )
    assert Delegation.objects.get(pk=pending.pk).accepted_on is None


def test_pending_parent_confers_nothing(api, manager, admin_user, units, resolution):
    root = DelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        valid_from=TODAY - datetime.timedelta(days=60),
    )
    deputy = UserFactory(username="deputy")
    child = AcceptedDelegationFactory(
        delegator=manager,
        delegatee=deputy,
        unit=units["dmspc"],
        parent=root,
        valid_from=TODAY - datetime.timedelta(days=50),
        valid_to=root.valid_to,
        limit_amount=Decimal("5000.00"),
    )
    decision = DecisionFactory(
        unit=units["dmspc"],
        decided_by=deputy,
        delegation=child,
        area="finance",
        amount=Decimal("100.00"),
    )
    assert decision.within_authority is False
    assert "An instrument above it in the chain was not accepted by that date." in [
        str(p) for p in decision.authority_problems
    ]
    # The head of entity's acceptance (recorded by an administrator with its date) carries down.
    response = api(admin_user).post(
        f"{DELEGATIONS}{root.pk}/accept/",
        {"accepted_on": (TODAY - datetime.timedelta(days=55)).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.data
    decision.refresh_from_db()
    assert decision.within_authority is True
    child.refresh_from_db()
    assert child.chain_accepted_on == TODAY - datetime.timedelta(days=50)


def test_revocation_rejudges_decisions_after_it(api, manager, admin_user, grant, resolution):
    today = (
        api(manager)
        .post(DECISIONS, _payload(grant, decided_on=TODAY.isoformat()), format="json")
        .data
    )
    assert today["within_authority"] is True
    response = api(admin_user).post(
        f"{DELEGATIONS}{grant.pk}/revoke/", {"reason": "Audit finding."}, format="json"
    )
    assert response.status_code == 200, response.data
    after = api(manager).get(f"{DECISIONS}{today['id']}/").data
    assert after["within_authority"] is False
    assert after["authority_problems"][0].startswith("The delegation was revoked on")


def test_root_instruments_come_from_the_secretary_general(
    api, manager, manager2, admin_user, units
):
    deputy = UserFactory(username="deputy")
    body = {
        "delegator": "manager",
        "delegatee": "deputy",
        "unit": "DMSPC",
        "area": "finance",
        "valid_from": TODAY.isoformat(),
    }
    # A manager cannot issue a root instrument.
    refused = api(manager).post(DELEGATIONS, body, format="json")
    assert refused.status_code == 400 and "parent" in refused.data
    # An administrator issues it in their own name, on behalf of the Secretary-General...
    on_behalf = {**body, "delegator": "admin"}
    not_head = api(admin_user).post(DELEGATIONS, on_behalf, format="json")
    assert not_head.status_code == 400 and "head of entity" in str(not_head.data["delegatee"])
    other_name = api(admin_user).post(
        DELEGATIONS, {**body, "delegatee": "manager2", "delegator": "manager"}, format="json"
    )
    assert other_name.status_code == 400 and "delegator" in other_name.data
    # ... to a head of entity, and it is pending until accepted.
    ok = api(admin_user).post(DELEGATIONS, {**on_behalf, "delegatee": "manager"}, format="json")
    assert ok.status_code == 201, ok.data
    assert ok.data["accepted_on"] is None and ok.data["state"] == "pending"
    assert ok.data["delegator"] == "admin" and ok.data["parent"] is None
    assert Delegation.objects.count() == 1
    assert deputy.pk


def test_stale_edit_is_409_and_changes_nothing(api, manager, grant, resolution):
    decision = api(manager).post(DECISIONS, _payload(grant), format="json").data
    url = f"{DECISIONS}{decision['id']}/"
    based_on = f'"{decision["version"]}"'
    first = api(manager).patch(url, {"title": "First edit"}, format="json", HTTP_IF_MATCH=based_on)
    assert first.status_code == 200, first.data
    stale = api(manager).patch(url, {"title": "Second edit"}, format="json", HTTP_IF_MATCH=based_on)
    assert stale.status_code == 409
    assert Decision.objects.get(pk=decision["id"]).title == "First edit"
    body_version = api(manager).patch(url, {"title": "Third", "version": 1}, format="json")
    assert body_version.status_code == 409


def test_edit_recomputes_within_authority(api, manager, grant, resolution):
    decision = api(manager).post(DECISIONS, _payload(grant), format="json").data
    response = api(manager).patch(
        f"{DECISIONS}{decision['id']}/", {"amount": "12000.00"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["within_authority"] is False


def test_other_units_manager_gets_404_on_read_and_edit(api, manager, manager2, grant, resolution):
    decision = api(manager).post(DECISIONS, _payload(grant), format="json").data
    url = f"{DECISIONS}{decision['id']}/"
    assert api(manager2).get(url).status_code == 404
    assert api(manager2).patch(url, {"title": "x"}, format="json").status_code == 404
    assert api(manager2).get(DECISIONS).data["results"] == []


def test_manager_cannot_log_for_another_unit(api, manager2, grant, resolution):
    response = api(manager2).post(
        DECISIONS,
        _payload(grant, unit="DMSPC", delegation=None, area="", amount=None),
        format="json",
    )
    assert response.status_code == 403
    assert Decision.objects.count() == 0


def test_ga_staff_and_oversight_read_only(api, manager, gastaff, oios, grant, resolution):
    decision = api(manager).post(DECISIONS, _payload(grant), format="json").data
    url = f"{DECISIONS}{decision['id']}/"
    for user in (gastaff, oios):
        assert api(user).get(url).status_code == 200
        assert api(user).patch(url, {"title": "x"}, format="json").status_code == 403
        assert api(user).post(DECISIONS, _payload(grant), format="json").status_code == 403


def test_outsider_sees_nothing_and_anonymous_is_refused(api, manager, outsider, grant, resolution):
    decision = api(manager).post(DECISIONS, _payload(grant), format="json").data
    assert api(outsider).get(f"{DECISIONS}{decision['id']}/").status_code == 404
    assert api(None).get(DECISIONS).status_code in (401, 403)


def test_decisions_cannot_be_deleted(api, admin_user, manager, grant, resolution):
    decision = api(manager).post(DECISIONS, _payload(grant), format="json").data
    assert api(admin_user).delete(f"{DECISIONS}{decision['id']}/").status_code == 405


def test_review_by_delegator_and_refused_for_the_decider(
    api, manager, admin_user, grant, resolution
):
    decision = api(manager).post(DECISIONS, _payload(grant, amount="50000.00"), format="json").data
    url = f"{DECISIONS}{decision['id']}/review/"
    refused = api(manager).post(url, {"outcome": "justified"}, format="json")
    assert refused.status_code == 403
    missing = api(admin_user).post(url, {"outcome": "abuse"}, format="json")
    assert missing.status_code == 400 and "action_taken" in missing.data
    done = api(admin_user).post(
        url, {"outcome": "mismanagement", "action_taken": "Payment held"}, format="json"
    )
    assert done.status_code == 200, done.data
    assert done.data["review_outcome"] == "mismanagement"
    assert done.data["reviewed_by"] == "admin"


def test_review_of_a_decision_within_authority_is_refused(
    api, admin_user, manager, grant, resolution
):
    decision = api(manager).post(DECISIONS, _payload(grant), format="json").data
    response = api(admin_user).post(
        f"{DECISIONS}{decision['id']}/review/", {"outcome": "justified"}, format="json"
    )
    assert response.status_code == 400 and "outcome" in response.data


def test_filters_search_and_ordering(api, manager, grant, units, resolution):
    api(manager).post(
        DECISIONS, _payload(grant, title="Alpha purchase", amount="100.00"), format="json"
    )
    api(manager).post(
        DECISIONS,
        _payload(grant, title="Beta hire", amount="300.00", unit="DMSPC-OHR", paragraphs=[13]),
        format="json",
    )
    client = api(manager)
    assert [d["title"] for d in client.get(DECISIONS, {"search": "alpha"}).data["results"]] == [
        "Alpha purchase"
    ]
    assert [d["title"] for d in client.get(DECISIONS, {"unit": "DMSPC-OHR"}).data["results"]] == [
        "Beta hire"
    ]
    assert len(client.get(DECISIONS, {"within": "DMSPC"}).data["results"]) == 2
    assert client.get(DECISIONS, {"within": "DOS"}).data["results"] == []
    assert [d["title"] for d in client.get(DECISIONS, {"paragraph": 13}).data["results"]] == [
        "Beta hire"
    ]
    client.post(
        DECISIONS,
        _payload(
            grant, title="Gamma", decided_on="2020-01-01", amount=None, area="", delegation=None
        ),
        format="json",
    )
    ordered = client.get(DECISIONS, {"ordering": "decided_on", "page_size": 1})
    assert ordered.data["results"][0]["title"] == "Gamma"
    seen = []
    url = f"{DECISIONS}?ordering=decided_on&page_size=1"
    while url:
        page = client.get(url).data
        seen += [d["title"] for d in page["results"]]
        url = page["next"]
    assert sorted(seen) == ["Alpha purchase", "Beta hire", "Gamma"]


@pytest.mark.parametrize("path", [DECISIONS, DELEGATIONS, COMMITMENTS])
def test_unknown_unit_code_in_subtree_filter_is_400(api, manager, grant, path):
    # An unknown code is bad input with a message on the field, not a silently empty list.
    response = api(manager).get(path, {"within": "NO-SUCH-UNIT"})
    assert response.status_code == 400
    assert "within" in response.data


def _seed_decisions(n, units, user, delegation):
    objs = [
        Decision(
            title=f"D{i}",
            unit=units["dmspc"],
            decided_by=user,
            decided_on=TODAY,
            area="finance",
            amount=Decimal(i),
            delegation=delegation,
        )
        for i in range(n)
    ]
    Decision.objects.bulk_create(objs)
    through = Decision.paragraphs.through
    from org.models import Paragraph

    p8 = Paragraph.objects.get(number=8)
    through.objects.bulk_create([through(decision_id=o.pk, paragraph_id=p8.pk) for o in objs])


def _count_queries(client, url):
    client.get(url)  # warm: the first request of a persona also loads its role
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_api_list_queries_do_not_grow_with_rows(api, manager, grant, units, resolution):
    client = api(manager)
    _seed_decisions(10, units, manager, grant)
    small = _count_queries(client, DECISIONS)
    _seed_decisions(990, units, manager, grant)
    large = _count_queries(client, f"{DECISIONS}?page_size=500")
    assert small == large
    assert small <= 10


def test_delegation_api_create_and_sub_delegation_caps(api, manager, admin_user, units):
    root = AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        area="human_resources",
        limit_amount=None,
        valid_from=TODAY - datetime.timedelta(days=10),
        valid_to=TODAY + datetime.timedelta(days=300),
    )
    UserFactory(username="deputy")
    response = api(manager).post(
        DELEGATIONS,
        {
            "delegator": "manager",
            "delegatee": "deputy",
            "unit": "DMSPC-OHR",
            "area": "human_resources",
            "limit_amount": "5000.00",
            "valid_from": TODAY.isoformat(),
            "valid_to": (TODAY + datetime.timedelta(days=100)).isoformat(),
            "parent": root.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["state"] == "pending"
    parent = response.data["id"]
    UserFactory(username="clerk")
    over = api(manager).post(
        DELEGATIONS,
        {
            "delegator": "deputy",
            "delegatee": "clerk",
            "unit": "DMSPC-OHR",
            "area": "human_resources",
            "limit_amount": "5000.01",
            "valid_from": TODAY.isoformat(),
            "valid_to": (TODAY + datetime.timedelta(days=100)).isoformat(),
            "parent": parent,
        },
        format="json",
    )
    # Not the holder (the delegator must be the one issuing), and over the parent's limit.
    assert over.status_code == 400
    assert "limit_amount" in over.data and "delegator" in over.data
    assert Delegation.objects.count() == 2


def test_delegation_revoke_through_api(api, manager, manager2, grant, resolution):
    url = f"{DELEGATIONS}{grant.pk}/revoke/"
    assert api(manager2).post(url, {"reason": "x"}, format="json").status_code == 404
    missing = api(manager).post(url, {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.data
    done = api(manager).post(url, {"reason": "Reorganisation"}, format="json")
    assert done.status_code == 200, done.data
    assert done.data["revoked_on"] == TODAY.isoformat()
    assert done.data["revoked_by"] == "manager"
    assert done.data["state"] == "revoked"


def test_stale_delegation_and_commitment_edits_are_409(api, manager, grant, units, resolution):
    commitment = (
        api(manager)
        .post(
            COMMITMENTS,
            {
                "title": "Publish",
                "unit": "DMSPC",
                "due_on": (TODAY + datetime.timedelta(days=9)).isoformat(),
            },
            format="json",
        )
        .data
    )
    for path, pk, field, model in (
        (DELEGATIONS, grant.pk, "scope", Delegation),
        (COMMITMENTS, commitment["id"], "title", Commitment),
    ):
        url = f"{path}{pk}/"
        based_on = f'"{api(manager).get(url).data["version"]}"'
        first = api(manager).patch(url, {field: "First"}, format="json", HTTP_IF_MATCH=based_on)
        assert first.status_code == 200, first.data
        stale = api(manager).patch(url, {field: "Second"}, format="json", HTTP_IF_MATCH=based_on)
        assert stale.status_code == 409
        assert getattr(model.objects.get(pk=pk), field) == "First"
        body = api(manager).patch(url, {field: "Third", "version": 1}, format="json")
        assert body.status_code == 409
        assert getattr(model.objects.get(pk=pk), field) == "First"


def test_commitment_status_changes_only_through_its_action(api, manager, units, resolution):
    created = api(manager).post(
        COMMITMENTS,
        {
            "title": "Publish the policy",
            "unit": "DMSPC",
            "due_on": (TODAY + datetime.timedelta(days=20)).isoformat(),
            "paragraphs": [8],
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["status"] == "planned"
    assert created.data["owner"] == "manager"
    pk = created.data["id"]
    url = f"{COMMITMENTS}{pk}/"
    endpoint = f"POST {COMMITMENTS}{pk}/status/"
    patched = api(manager).patch(url, {"status": "honoured"}, format="json")
    assert patched.status_code == 400 and endpoint in str(patched.data["status"])
    dated = api(manager).patch(url, {"honoured_on": TODAY.isoformat()}, format="json")
    assert dated.status_code == 400 and endpoint in str(dated.data["honoured_on"])
    unchanged = api(manager).patch(url, {"status": "planned", "title": "Publish it"}, format="json")
    assert unchanged.status_code == 200, unchanged.data  # a state field sent unchanged is ignored
    bad = api(manager).post(
        f"{url}status/",
        {"status": "honoured", "honoured_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert bad.status_code == 400 and "honoured_on" in bad.data
    done = api(manager).post(
        f"{url}status/",
        {"status": "honoured", "note": "Published", "version": unchanged.data["version"]},
        format="json",
    )
    assert done.status_code == 200, done.data
    assert done.data["status"] == "honoured" and done.data["honoured_on"] == TODAY.isoformat()
    again = api(manager).post(f"{url}status/", {"status": "planned"}, format="json")
    assert again.status_code == 400 and "status" in again.data
    commitment = Commitment.objects.get(pk=pk)
    assert [(t.from_status, t.to_status) for t in commitment.transitions.order_by("id")] == [
        ("", "planned"),
        ("planned", "honoured"),
    ]
    assert commitment.transitions.last().note == "Published"


def test_commitment_list_queries_do_not_grow(api, manager, units):
    client = api(manager)
    CommitmentFactory.create_batch(10, unit=units["dmspc"], owner=manager)
    small = _count_queries(client, COMMITMENTS)
    CommitmentFactory.create_batch(200, unit=units["dmspc"], owner=manager)
    large = _count_queries(client, f"{COMMITMENTS}?page_size=500")
    assert small == large


def test_delegation_list_queries_do_not_grow(api, manager, units):
    client = api(manager)
    DelegationFactory.create_batch(10, unit=units["dmspc"])
    small = _count_queries(client, DELEGATIONS)
    DelegationFactory.create_batch(100, unit=units["dmspc"])
    large = _count_queries(client, f"{DELEGATIONS}?page_size=500")
    assert small == large


def test_attachment_upload_through_api(
    api, manager, gastaff, grant, resolution, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    decision = api(manager).post(DECISIONS, _payload(grant), format="json").data
    url = f"{DECISIONS}{decision['id']}/attachments/"
    bad = api(manager).post(
        url,
        {
            "file": SimpleUploadedFile(
                "x.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
            )
        },
        format="multipart",
    )
    assert bad.status_code == 400 and "attachments" in bad.data
    assert (
        api(gastaff)
        .post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF")}, format="multipart")
        .status_code
        == 403
    )
    ok = api(manager).post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF")}, format="multipart")
    assert ok.status_code == 201, ok.data
    assert [a["name"] for a in ok.data["attachments"]] == ["a.pdf"]


@pytest.mark.parametrize("kind", ["delegation", "decision", "commitment"])
def test_rights_matrix_for_each_resource(
    api, kind, units, manager, manager2, gastaff, boa, outsider, admin_user
):
    if kind == "delegation":
        obj, base, change = (
            AcceptedDelegationFactory(unit=units["ohr"]),
            DELEGATIONS,
            {"scope": "changed"},
        )
    elif kind == "decision":
        obj, base, change = DecisionFactory(unit=units["ohr"]), DECISIONS, {"title": "changed"}
    else:
        obj, base, change = CommitmentFactory(unit=units["ohr"]), COMMITMENTS, {"title": "changed"}
    url = f"{base}{obj.pk}/"
    assert api(manager).get(url).status_code == 200  # a unit below DMSPC
    assert api(manager2).get(url).status_code == 404
    assert api(manager2).patch(url, change, format="json").status_code == 404
    assert api(outsider).get(url).status_code == 404
    for reader in (gastaff, boa):
        assert api(reader).get(url).status_code == 200
        assert api(reader).patch(url, change, format="json").status_code == 403
    assert api(admin_user).delete(url).status_code == 405
    response = api(manager).patch(url, change, format="json")
    assert response.status_code == 200, response.data
    assert response.data["version"] == obj.version + 1
    entry = HistoryEntry.objects.for_object(obj).filter(action="update").first()
    assert entry is not None and entry.actor == "user:manager"
    history = api(manager).get("/api/history/", {"object": f"accountability.{kind}:{obj.pk}"})
    assert history.status_code == 200 and history.data["results"][0]["action"] == "update"
    assert (
        api(manager2)
        .get("/api/history/", {"object": f"accountability.{kind}:{obj.pk}"})
        .status_code
        == 404
    )


def test_a_delegator_in_another_unit_sees_and_reviews_but_cannot_edit(
    api, units, manager, manager2, resolution
):
    """manager2 (DOS) issued an instrument to manager (DMSPC): decisions under it reach them."""
    grant = AcceptedDelegationFactory(
        delegator=manager2,
        delegatee=manager,
        unit=units["dmspc"],
        limit_amount=Decimal("100.00"),
        valid_from=TODAY - datetime.timedelta(days=10),
        valid_to=TODAY + datetime.timedelta(days=10),
    )
    decision = api(manager).post(DECISIONS, _payload(grant, amount="150.00"), format="json").data
    url = f"{DECISIONS}{decision['id']}/"
    assert api(manager2).get(url).status_code == 200
    assert api(manager2).patch(url, {"title": "x"}, format="json").status_code == 403
    review = api(manager2).post(f"{url}review/", {"outcome": "justified"}, format="json")
    assert review.status_code == 200, review.data
    others = DecisionFactory(unit=units["ohr"])
    assert api(manager2).get(f"{DECISIONS}{others.pk}/").status_code == 404
