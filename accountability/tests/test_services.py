"""Services: revocation, recomputation when an instrument changes, reviews, commitment status
transitions, reminders and the overdue job."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accountability import services
from accountability.choices import CommitmentStatus
from accountability.models import Commitment, Decision, Delegation
from accountability.tasks import commitment_reminders
from accountability.tests.factories import (
    AcceptedDelegationFactory,
    CommitmentFactory,
)
from core.models import HistoryEntry
from org.tests.factories import UserFactory

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def grant(units, manager, admin_user):
    return AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        area="finance",
        limit_amount=Decimal("10000.00"),
        valid_from=TODAY - 60 * DAY,
        valid_to=TODAY + 300 * DAY,
    )


def _decision(grant, manager, units, amount="5000.00", days_ago=10):
    d = Decision(
        title="Buy laptops",
        unit=units["dmspc"],
        decided_by=manager,
        decided_on=TODAY - days_ago * DAY,
        area="finance",
        amount=Decimal(amount),
        delegation=grant,
    )
    return services.save_decision(d, acting_user=manager)


def history_of(obj):
    return HistoryEntry.objects.for_object(obj)


def test_revocation_records_who_and_why_and_keeps_earlier_decisions(
    grant, manager, units, admin_user
):
    decision = _decision(grant, manager, units)
    revoked = services.revoke_delegation(grant, acting_user=admin_user, reason="Audit finding")
    grant.refresh_from_db()
    assert grant.revoked_on == TODAY and grant.revoked_by == admin_user
    assert grant.revocation_reason == "Audit finding"
    assert revoked == [grant]
    decision.refresh_from_db()
    assert decision.within_authority is True
    assert history_of(grant).filter(action="update", changes__has_key="revoked_on").exists()


def test_revocation_cascades_to_sub_delegations(grant, manager, units, admin_user):
    child = Delegation(
        delegator=manager,
        delegatee=UserFactory(),
        unit=units["dmspc"],
        area="finance",
        limit_amount=Decimal("100.00"),
        valid_from=TODAY - 10 * DAY,
        valid_to=TODAY + 10 * DAY,
        parent=grant,
    )
    services.save_delegation(child, acting_user=manager)
    services.revoke_delegation(grant, acting_user=manager, reason="Reorganisation")
    child.refresh_from_db()
    assert child.revoked_on == TODAY
    assert "Reorganisation" in child.revocation_reason


def test_revocation_cannot_be_backdated_or_repeated_or_unexplained(grant, admin_user):
    with pytest.raises(ValidationError) as exc:
        services.revoke_delegation(
            grant, acting_user=admin_user, reason="x", revoked_on=TODAY - DAY
        )
    assert "revoked_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.revoke_delegation(grant, acting_user=admin_user, reason="  ")
    assert "reason" in exc.value.message_dict
    services.revoke_delegation(grant, acting_user=admin_user, reason="x")
    with pytest.raises(ValidationError):
        services.revoke_delegation(grant, acting_user=admin_user, reason="again")


def test_other_units_manager_may_not_revoke(grant, manager2):
    # manager2 may not even see an instrument of DMSPC: 404, not 403.
    with pytest.raises(Http404):
        services.revoke_delegation(grant, acting_user=manager2, reason="x")
    grant.refresh_from_db()
    assert grant.revoked_on is None


def test_changing_the_instrument_recomputes_decisions_and_logs_it(grant, manager, units):
    decision = _decision(grant, manager, units, amount="8000.00")
    assert decision.within_authority
    grant = Delegation.objects.get(pk=grant.pk)
    grant.limit_amount = Decimal("7999.99")
    services.save_delegation(grant, acting_user=manager)
    decision.refresh_from_db()
    assert decision.within_authority is False
    entry = history_of(decision).filter(action="update").first()
    assert entry.changes["within_authority"] == [True, False]
    grant = Delegation.objects.get(pk=grant.pk)
    grant.limit_amount = Decimal("8000.00")
    services.save_delegation(grant, acting_user=manager)
    decision.refresh_from_db()
    assert decision.within_authority is True


def test_a_revoked_instrument_cannot_be_edited(grant, admin_user):
    services.revoke_delegation(grant, acting_user=admin_user, reason="x")
    grant = Delegation.objects.get(pk=grant.pk)
    grant.scope = "changed"
    with pytest.raises(ValidationError):
        services.save_delegation(grant, acting_user=admin_user)


def test_unrelated_edit_of_a_decision_survives_a_later_revocation(
    grant, manager, units, admin_user
):
    decision = _decision(grant, manager, units)
    services.revoke_delegation(grant, acting_user=admin_user, reason="x")
    decision = Decision.objects.get(pk=decision.pk)
    decision.title = "Buy laptops for the help desk"
    services.save_decision(decision, acting_user=manager)
    decision.refresh_from_db()
    assert decision.within_authority is True


def test_nothing_half_saved_when_the_unit_is_not_managed(grant, manager2, units):
    decision = Decision(title="x", unit=units["dmspc"], decided_by=manager2, decided_on=TODAY)
    with pytest.raises(PermissionDenied):
        services.save_decision(decision, acting_user=manager2)
    assert Decision.objects.count() == 0


def test_delegator_may_review(grant, manager, units, admin_user):
    decision = _decision(grant, manager, units, amount="20000.00")
    outsider = UserFactory()
    with pytest.raises(Http404):  # may not see it
        services.review_decision(decision, acting_user=outsider, outcome="justified")
    with pytest.raises(PermissionDenied):  # sees it (manages the unit) but may not review it
        services.review_decision(decision, acting_user=manager, outcome="justified")
    services.review_decision(
        decision, acting_user=admin_user, outcome="abuse", action_taken="Referred to OIOS"
    )
    decision.refresh_from_db()
    assert (decision.review_outcome, decision.reviewed_by) == ("abuse", admin_user)
    assert history_of(decision).filter(changes__has_key="review_outcome").exists()


# --- Commitments -------------------------------------------------------------------------------


def _commitment(units, manager, due_in=30):
    c = Commitment(
        title="Issue policy", unit=units["dmspc"], owner=manager, due_on=TODAY + due_in * DAY
    )
    return services.save_commitment(c, acting_user=manager)


def test_commitment_transitions_are_kept(units, manager):
    c = _commitment(units, manager)
    services.change_commitment_status(c, acting_user=manager, status="in_progress", note="Started")
    services.change_commitment_status(
        c, acting_user=manager, status="honoured", honoured_on=TODAY - DAY
    )
    c.refresh_from_db()
    assert c.status == "honoured" and c.honoured_on == TODAY - DAY
    assert c.honoured_on_time is True
    steps = list(c.transitions.order_by("id").values_list("from_status", "to_status", "note"))
    assert steps == [
        ("", "planned", ""),
        ("planned", "in_progress", "Started"),
        ("in_progress", "honoured", ""),
    ]
    assert history_of(c).filter(action="update", changes__has_key="status").count() == 2


@pytest.mark.parametrize(
    ("path", "target"),
    [(["honoured"], "planned"), (["cancelled"], "honoured"), ([], "unknown")],
)
def test_illegal_transitions_are_refused(units, manager, path, target):
    c = _commitment(units, manager)
    for status in path:
        services.change_commitment_status(c, acting_user=manager, status=status)
    with pytest.raises(ValidationError) as exc:
        services.change_commitment_status(c, acting_user=manager, status=target)
    assert "status" in exc.value.message_dict


def test_status_is_not_changed_by_a_plain_save(units, manager):
    c = _commitment(units, manager)
    c = Commitment.objects.get(pk=c.pk)
    c.status = "honoured"
    with pytest.raises(ValidationError) as exc:
        services.save_commitment(c, acting_user=manager)
    assert "status" in exc.value.message_dict
    assert Commitment.objects.get(pk=c.pk).status == "planned"


def test_reminders_fourteen_days_before_and_on_the_due_date_once_each(units, manager):
    manager.email = "manager@example.org"
    manager.save()
    soon = _commitment(units, manager, due_in=14)
    today = _commitment(units, manager, due_in=0)
    later = _commitment(units, manager, due_in=15)
    first = services.send_commitment_reminders(TODAY)
    assert first == {"before": 1, "due": 1}
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {"manager@example.org"}
    assert soon.title in mail.outbox[0].subject + mail.outbox[1].subject
    assert services.send_commitment_reminders(TODAY) == {"before": 0, "due": 0}
    assert len(mail.outbox) == 2
    later.refresh_from_db()
    assert later.reminded_before_on is None
    today.refresh_from_db()
    assert today.reminded_due_on == TODAY


def test_overdue_job_marks_missed_once_and_keeps_the_transition(units, manager):
    overdue = CommitmentFactory(unit=units["dmspc"], owner=manager, due_on=TODAY - DAY)
    honoured = CommitmentFactory(
        unit=units["dmspc"],
        owner=manager,
        due_on=TODAY - DAY,
        status="honoured",
        honoured_on=TODAY - 2 * DAY,
    )
    due_today = CommitmentFactory(unit=units["dmspc"], owner=manager, due_on=TODAY)
    result = commitment_reminders.delay().get()
    assert result["missed"] == 1
    overdue.refresh_from_db()
    assert overdue.status == CommitmentStatus.MISSED
    transition = overdue.transitions.get()
    assert transition.to_status == "missed" and transition.actor.startswith("task:")
    assert history_of(overdue).filter(actor="task:accountability.commitment_reminders").exists()
    honoured.refresh_from_db()
    due_today.refresh_from_db()
    assert honoured.status == "honoured" and due_today.status == "planned"
    assert commitment_reminders.delay().get()["missed"] == 0


def test_delegator_is_told_of_a_decision_beyond_the_instrument(
    grant, manager, units, admin_user, django_capture_on_commit_callbacks
):
    admin_user.email = "admin@example.org"
    admin_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        _decision(grant, manager, units, amount="5000.00")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        decision = _decision(grant, manager, units, amount="10000.01")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["admin@example.org"]
    assert decision.title in mail.outbox[0].subject
    assert "exceeds the delegation" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        decision.title = "Renamed"
        services.save_decision(decision, acting_user=manager)
    assert len(mail.outbox) == 1  # told once, not on every edit
