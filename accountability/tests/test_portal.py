"""The portal views: "My authority", the chain from the Secretary-General, and the expiry
reminders the beat job sends to delegator and delegatee."""

import datetime
from decimal import Decimal

from django.core import mail

from accountability.models import Delegation
from accountability.services import send_delegation_expiry_reminders
from accountability.tests.factories import AcceptedDelegationFactory, DelegationFactory
from org.tests.factories import UserFactory

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def test_my_authority_lists_held_sub_delegated_and_awaiting(
    web, manager, manager2, admin_user, units
):
    root = AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        reference="DOA/SG/DMSPC",
        valid_to=TODAY + 300 * DAY,
    )
    deputy = UserFactory(username="deputy")
    AcceptedDelegationFactory(
        delegator=manager,
        delegatee=deputy,
        unit=units["ohr"],
        parent=root,
        reference="DOA/DMSPC/DEP",
        limit_amount=Decimal("100.00"),
        valid_to=TODAY + 100 * DAY,
    )
    DelegationFactory(
        delegator=admin_user, delegatee=manager, unit=units["dmspc"], reference="DOA/SG/NEW"
    )
    AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        reference="DOA/SG/OLD",
        valid_from=TODAY - 400 * DAY,
        valid_to=TODAY - DAY,
    )
    # Someone else's instrument in the other department appears nowhere.
    AcceptedDelegationFactory(
        delegator=admin_user, delegatee=manager2, unit=units["dos"], reference="DOA/SG/DOS"
    )
    page = web(manager).get("/accountability/my-authority/").content.decode()
    held = page.split('id="held-heading"')[1].split('id="sub-heading"')[0]
    awaiting = page.split('id="awaiting-heading"')[1].split('id="held-heading"')[0]
    sub = page.split('id="sub-heading"')[1]
    assert "DOA/SG/DMSPC" in held and "Secretary-General" in held
    assert "DOA/SG/NEW" not in held and "DOA/SG/OLD" not in held
    assert "DOA/SG/NEW" in awaiting
    assert "DOA/DMSPC/DEP" in sub
    assert "DOA/SG/DOS" not in page
    chain = web(deputy).get(
        f"/accountability/delegations/{Delegation.objects.get(reference='DOA/DMSPC/DEP').pk}/"
    )
    assert chain.status_code == 200
    text = chain.content.decode()
    assert (
        text.index("Secretary-General") < text.index("DOA/SG/DMSPC") < text.rindex("DOA/DMSPC/DEP")
    )


def test_expiry_reminders_go_to_both_once(db, units, admin_user, manager):
    manager.email, admin_user.email = "m@example.org", "a@example.org"
    manager.save()
    admin_user.save()
    ending = AcceptedDelegationFactory(
        delegator=admin_user, delegatee=manager, unit=units["dmspc"], valid_to=TODAY + 10 * DAY
    )
    AcceptedDelegationFactory(
        delegator=admin_user, delegatee=manager, unit=units["dos"], valid_to=TODAY + 90 * DAY
    )
    revoked = AcceptedDelegationFactory(
        delegator=admin_user, delegatee=manager, unit=units["dos"], valid_to=TODAY + 5 * DAY
    )
    Delegation.objects.filter(pk=revoked.pk).update(revoked_on=TODAY)
    assert send_delegation_expiry_reminders() == 1
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {"m@example.org", "a@example.org"}
    assert ending.reference in mail.outbox[0].subject
    assert send_delegation_expiry_reminders() == 0 and len(mail.outbox) == 1
