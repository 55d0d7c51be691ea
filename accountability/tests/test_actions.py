"""The action layer of delegations, decisions and commitments: state fields change only through
their actions (a PATCH answers 400 naming the endpoint), each action answers its own 403 and 409,
the history names the acting user, reviews are revised (not overwritten), and the rules written
once agree with their twins."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accountability import services
from accountability.choices import CommitmentStatus
from accountability.models import Commitment, Decision, Delegation
from accountability.policies import recordable_units
from accountability.tests.factories import (
    AcceptedDelegationFactory,
    CommitmentFactory,
)
from core import actions, labels
from core.actions import SYSTEM
from core.models import HistoryEntry

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
DECISIONS = "/api/accountability/decisions/"
DELEGATIONS = "/api/accountability/delegations/"
COMMITMENTS = "/api/accountability/commitments/"


@pytest.fixture
def records(units, manager, manager2, admin_user):
    """A delegation, a decision outside authority and a commitment in each of two units."""
    made = {}
    for key, unit, holder in (("dmspc", units["dmspc"], manager), ("dos", units["dos"], manager2)):
        grant = AcceptedDelegationFactory(
            delegator=admin_user,
            delegatee=holder,
            unit=unit,
            limit_amount=Decimal("100.00"),
            valid_from=TODAY - 30 * DAY,
            valid_to=TODAY + 300 * DAY,
        )
        decision = services.save_decision(
            Decision(
                title=f"Over the limit in {key}",
                unit=unit,
                decided_by=holder,
                decided_on=TODAY - DAY,
                area="finance",
                amount=Decimal("500.00"),
                delegation=grant,
            ),
            acting_user=holder,
        )
        commitment = services.save_commitment(
            Commitment(title=f"Deliver in {key}", unit=unit, owner=holder, due_on=TODAY + 9 * DAY),
            acting_user=holder,
        )
        made[key] = {"delegation": grant, "decision": decision, "commitment": commitment}
    return made


STATE_PATCHES = [
    (DELEGATIONS, "delegation", {"revoked_on": TODAY.isoformat()}, "revoke"),
    (DECISIONS, "decision", {"review_outcome": "justified"}, "review"),
    (DECISIONS, "decision", {"review_action": "Ratified"}, "review"),
    (DECISIONS, "decision", {"reviewed_on": TODAY.isoformat()}, "review"),
    (DECISIONS, "decision", {"review_revision_reason": "New facts"}, "revise-review"),
    (COMMITMENTS, "commitment", {"status": "honoured"}, "status"),
    (COMMITMENTS, "commitment", {"status": "cancelled"}, "status"),
    (COMMITMENTS, "commitment", {"honoured_on": TODAY.isoformat()}, "status"),
]


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize(("base", "kind", "change", "action_name"), STATE_PATCHES)
def test_a_state_field_changes_only_through_its_action(
    api, records, admin_user, method, base, kind, change, action_name
):
    obj = records["dmspc"][kind]
    url = f"{base}{obj.pk}/"
    body = dict(change)
    if method == "put":
        body = {**api(admin_user).get(url).data, **change}
        body.pop("attachments", None)
    response = getattr(api(admin_user), method)(url, body, format="json")
    assert response.status_code == 400, response.data
    field = next(iter(change))
    assert f"POST {base}{obj.pk}/{action_name}/" in str(response.data[field])
    before = type(obj).objects.get(pk=obj.pk)
    assert before.version == obj.version


def test_a_state_field_patch_of_a_record_out_of_sight_is_404(api, records, manager2):
    commitment = records["dmspc"]["commitment"]
    response = api(manager2).patch(f"{COMMITMENTS}{commitment.pk}/", {"status": "honoured"})
    assert response.status_code == 404


def test_a_commitment_created_in_another_status_is_400(api, manager, units):
    response = api(manager).post(
        COMMITMENTS,
        {"title": "x", "unit": "DMSPC", "due_on": TODAY.isoformat(), "status": "honoured"},
        format="json",
    )
    assert response.status_code == 400
    assert f"POST {COMMITMENTS}<id>/status/" in str(response.data["status"])
    assert not Commitment.objects.filter(title="x").exists()


def test_each_action_endpoint_changes_with_the_same_fields(api, records, manager, admin_user):
    commitment = records["dmspc"]["commitment"]
    moved = api(manager).post(
        f"{COMMITMENTS}{commitment.pk}/status/",
        {"status": "honoured", "honoured_on": (TODAY - DAY).isoformat(), "version": 1},
        format="json",
    )
    assert moved.status_code == 200, moved.data
    assert (moved.data["status"], moved.data["honoured_on"]) == (
        "honoured",
        (TODAY - DAY).isoformat(),
    )
    decision = records["dmspc"]["decision"]
    reviewed = api(admin_user).post(
        f"{DECISIONS}{decision.pk}/review/",
        {"outcome": "mismanagement", "action_taken": "Retrained", "version": decision.version},
        format="json",
    )
    assert reviewed.status_code == 200, reviewed.data
    assert reviewed.data["review_outcome"] == "mismanagement"
    assert reviewed.data["reviewed_by"] == admin_user.username
    delegation = records["dmspc"]["delegation"]
    revoked = api(manager).post(
        f"{DELEGATIONS}{delegation.pk}/revoke/", {"reason": "Audit"}, format="json"
    )
    assert revoked.status_code == 200, revoked.data
    assert revoked.data["revoked_on"] == TODAY.isoformat()


@pytest.mark.parametrize(
    ("base", "kind", "action_name", "body"),
    [
        (COMMITMENTS, "commitment", "status", {"status": "in_progress"}),
        (DECISIONS, "decision", "review", {"outcome": "justified"}),
        (DELEGATIONS, "delegation", "revoke", {"reason": "Audit"}),
    ],
)
def test_a_stale_version_on_an_action_is_409_and_changes_nothing(
    api, records, admin_user, base, kind, action_name, body
):
    obj = records["dmspc"][kind]
    stale = obj.version - 1 if obj.version > 1 else obj.version + 5
    response = api(admin_user).post(
        f"{base}{obj.pk}/{action_name}/", {**body, "version": stale}, format="json"
    )
    assert response.status_code == 409
    fresh = type(obj).objects.get(pk=obj.pk)
    assert fresh.version == obj.version


@pytest.mark.parametrize(
    ("base", "kind", "action_name", "body"),
    [
        (COMMITMENTS, "commitment", "status", {"status": "in_progress"}),
        (DECISIONS, "decision", "review", {"outcome": "justified"}),
        (DELEGATIONS, "delegation", "revoke", {"reason": "Audit"}),
    ],
)
def test_a_reader_who_may_not_act_gets_403_and_others_404(
    api, records, gastaff, boa, manager2, outsider, base, kind, action_name, body
):
    obj = records["dmspc"][kind]
    url = f"{base}{obj.pk}/{action_name}/"
    for reader in (gastaff, boa):
        assert api(reader).post(url, body, format="json").status_code == 403
    for stranger in (manager2, outsider):
        assert api(stranger).post(url, body, format="json").status_code == 404
    assert type(obj).objects.get(pk=obj.pk).version == obj.version


def test_the_decider_may_not_review_their_own_decision(api, records, manager):
    decision = records["dmspc"]["decision"]
    response = api(manager).post(f"{DECISIONS}{decision.pk}/review/", {"outcome": "justified"})
    assert response.status_code == 403


def test_history_names_the_acting_user_outside_a_request(records, manager, admin_user):
    commitment = records["dmspc"]["commitment"]
    services.change_commitment_status(commitment, acting_user=manager, status="in_progress")
    entry = HistoryEntry.objects.for_object(commitment).filter(action="update").first()
    assert entry.actor == "user:manager"
    assert commitment.transitions.last().actor == "user:manager"
    decision = records["dmspc"]["decision"]
    services.review_decision(decision, acting_user=admin_user, outcome="justified")
    entry = HistoryEntry.objects.for_object(decision).filter(action="update").first()
    assert entry.actor == f"user:{admin_user.username}"
    delegation = records["dos"]["delegation"]
    services.revoke_delegation(delegation, acting_user=admin_user, reason="Audit")
    entry = HistoryEntry.objects.for_object(delegation).filter(action="update").first()
    assert entry.actor == f"user:{admin_user.username}"


def test_a_second_review_is_a_revision_with_its_reason(api, records, admin_user):
    decision = records["dmspc"]["decision"]
    url = f"{DECISIONS}{decision.pk}/"
    first = api(admin_user).post(f"{url}review/", {"outcome": "justified"}, format="json")
    assert first.status_code == 200, first.data
    again = api(admin_user).post(f"{url}review/", {"outcome": "abuse", "action_taken": "x"})
    assert again.status_code == 400
    assert f"{url}revise-review/" in str(again.data["outcome"])
    no_reason = api(admin_user).post(
        f"{url}revise-review/", {"outcome": "abuse", "action_taken": "Referred"}, format="json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.data
    revised = api(admin_user).post(
        f"{url}revise-review/",
        {"outcome": "abuse", "action_taken": "Referred to OIOS", "reason": "New evidence"},
        format="json",
    )
    assert revised.status_code == 200, revised.data
    assert revised.data["review_outcome"] == "abuse"
    assert revised.data["review_revision_reason"] == "New evidence"
    outcomes = [
        e.changes["review_outcome"]
        for e in HistoryEntry.objects.for_object(decision).filter(
            action="update", changes__has_key="review_outcome"
        )
    ]
    # Both findings stay in the history: the review, then its revision.
    assert [after for _before, after in outcomes] == ["abuse", "justified"]  # newest first
    assert outcomes[0][0] == "justified"


def test_a_revision_needs_a_review_first(records, admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.revise_review(
            records["dmspc"]["decision"], acting_user=admin_user, outcome="abuse", reason="x"
        )
    assert "outcome" in refused.value.message_dict


def test_revise_review_page(web, records, admin_user):
    decision = records["dmspc"]["decision"]
    services.review_decision(decision, acting_user=admin_user, outcome="justified")
    page = web(admin_user).get(f"/accountability/decisions/{decision.pk}/")
    assert f"/accountability/decisions/{decision.pk}/revise-review/" in page.content.decode()
    decision.refresh_from_db()
    response = web(admin_user).post(
        f"/accountability/decisions/{decision.pk}/revise-review/",
        {
            "outcome": "mismanagement",
            "action_taken": "Retrained",
            "reason": "The file was incomplete",
            "version": decision.version,
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.review_outcome == "mismanagement"


def test_delegator_and_delegatee_see_an_instrument_wherever_it_sits(
    api, units, manager, manager2, outsider
):
    """manager2 (DOS) issued an instrument in DMSPC to an outsider: both see it; the delegator
    revokes it but cannot edit it."""
    grant = AcceptedDelegationFactory(delegator=manager2, delegatee=outsider, unit=units["dmspc"])
    url = f"{DELEGATIONS}{grant.pk}/"
    assert api(outsider).get(url).status_code == 200
    assert api(manager2).get(url).status_code == 200
    assert api(manager2).patch(url, {"scope": "x"}, format="json").status_code == 403
    assert api(outsider).post(f"{url}revoke/", {"reason": "x"}).status_code == 403
    revoked = api(manager2).post(f"{url}revoke/", {"reason": "Reorganisation"}, format="json")
    assert revoked.status_code == 200, revoked.data


def test_the_overdue_job_acts_as_system(records):
    commitment = records["dos"]["commitment"]
    Commitment.objects.filter(pk=commitment.pk).update(due_on=TODAY - DAY)
    assert services.mark_overdue_commitments() == 1
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.MISSED
    assert commitment.transitions.last().changed_by is None


def test_overdue_queryset_and_property_agree(units, manager):
    today = timezone.localdate()
    cases = []
    for status in CommitmentStatus.values:
        for due in (today - DAY, today, today + DAY):
            cases.append(CommitmentFactory(unit=units["dmspc"], owner=manager, due_on=due))
            Commitment.objects.filter(pk=cases[-1].pk).update(status=status)
    overdue = set(Commitment.objects.overdue().values_list("pk", flat=True))
    by_property = {c.pk for c in Commitment.objects.all() if c.is_overdue}
    assert overdue == by_property and len(overdue) == 2  # planned and in progress, due yesterday


def test_every_model_with_a_write_has_a_save_action():
    for model in (Delegation, Decision, Commitment):
        assert actions.get(model, "save") is not None
    assert actions.get(Delegation, "revoke") is not None
    assert actions.get(Decision, "review") is not None
    assert actions.get(Decision, "revise_review") is not None
    assert actions.get(Decision, "attach") is not None
    assert actions.get(Commitment, "status") is not None


def test_labels_are_registered():
    assert labels.label("commitment_status", "in_progress") == "In progress"
    assert labels.label("decision_review_outcome", "abuse") == "Abuse of authority"
    assert labels.label("delegation_area", "property") == "Property management"
    assert labels.label("delegation_state", "future") == "Not yet valid"


def test_units_offered_on_forms_follow_the_policy(units, manager, gastaff, admin_user):
    assert set(recordable_units(manager)) >= {units["dmspc"], units["ohr"]}
    assert units["dos"] not in set(recordable_units(manager))
    assert not recordable_units(gastaff).exists()
    assert recordable_units(admin_user).count() == len(units)


def test_attachments_and_transitions_follow_their_parent(records, manager, manager2, boa):
    from accountability.models import CommitmentTransition, DecisionAttachment

    commitment = records["dmspc"]["commitment"]
    visible = CommitmentTransition.objects.restrict(manager, "view")
    assert visible.filter(commitment=commitment).exists()
    assert (
        not CommitmentTransition.objects.restrict(manager2, "view")
        .filter(commitment=commitment)
        .exists()
    )
    assert not CommitmentTransition.objects.restrict(manager, "change").exists()
    assert CommitmentTransition.objects.restrict(boa, "view").filter(commitment=commitment).exists()
    decision = records["dmspc"]["decision"]
    DecisionAttachment.objects.create(decision=decision, file="x.pdf", name="x.pdf")
    assert DecisionAttachment.objects.restrict(manager, "view").count() == 1
    assert DecisionAttachment.objects.restrict(manager2, "view").count() == 0


def test_a_job_saves_as_system_and_the_history_keeps_its_label(units):
    from org.tests.factories import UserFactory

    decision = services.save_decision(
        Decision(title="Seeded", unit=units["dos"], decided_by=UserFactory(), decided_on=TODAY),
        acting_user=SYSTEM,
    )
    entry = HistoryEntry.objects.for_object(decision).get(action="create")
    assert not entry.actor.startswith("user:")
