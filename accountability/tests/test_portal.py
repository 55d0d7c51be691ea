"""The portal views: "My authority", the chain from the Secretary-General, and the expiry
reminders the beat job sends to delegator and delegatee."""

import datetime
from decimal import Decimal

from django.core import mail

from accountability.models import Decision, Delegation
from accountability.services import send_delegation_expiry_reminders
from accountability.tests.factories import AcceptedDelegationFactory, DelegationFactory
from core.templatetags.core_tags import un_date
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


def test_my_authority_keeps_what_ended_with_its_last_day_and_reason(
    web, manager, manager2, admin_user, units
):

    from accountability.services import revoke_delegation

    AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        reference="DOA/SG/HELD",
        valid_to=TODAY + 300 * DAY,
    )
    AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        reference="DOA/SG/EXPIRED",
        valid_from=TODAY - 400 * DAY,
        valid_to=TODAY - 20 * DAY,
    )
    revoked = AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        reference="DOA/SG/REVOKED",
        valid_to=TODAY + 300 * DAY,
    )
    revoke_delegation(revoked, acting_user=admin_user, reason="Functions moved to DOS")
    AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager2,
        unit=units["dos"],
        reference="DOA/SG/DOS-OLD",
        valid_from=TODAY - 400 * DAY,
        valid_to=TODAY - DAY,
    )
    page = web(manager).get("/accountability/my-authority/").content.decode()
    held = page.split('id="held-heading"')[1].split('id="sub-heading"')[0]
    ended = page.split('id="ended-heading"')[1].split('id="language-heading"')[0]
    assert "DOA/SG/HELD" in held and "DOA/SG/REVOKED" not in held
    assert "DOA/SG/HELD" not in ended
    rows = ended.split("<tr>")[2:]
    # Most recently ended first: revoked today (last day yesterday), then the one that expired.
    assert "DOA/SG/REVOKED" in rows[0] and "DOA/SG/EXPIRED" in rows[1] and len(rows) == 2
    assert un_date(TODAY - DAY) in rows[0]
    assert "Functions moved to DOS" in rows[0]
    assert un_date(TODAY - 20 * DAY) in rows[1] and "Expired" in rows[1]
    assert "DOA/SG/DOS-OLD" not in page


def test_accept_and_revoke_tell_deciders_and_reviewers_in_their_language(
    db, web, manager, admin_user, units, django_capture_on_commit_callbacks
):
    from accountability.services import (
        accept_delegation,
        revoke_delegation,
        save_decision,
        set_notice_language,
    )
    from accountability.tests.factories import DecisionFactory

    deputy = UserFactory(username="deputy", email="deputy@example.org")
    manager.email, admin_user.email = "manager@example.org", "admin@example.org"
    manager.save()
    admin_user.save()
    set_notice_language(deputy, "zh-hans")
    root = AcceptedDelegationFactory(
        delegator=admin_user, delegatee=manager, unit=units["dmspc"], reference="SG/DMSPC"
    )
    sub = AcceptedDelegationFactory(
        delegator=manager,
        delegatee=deputy,
        unit=units["ohr"],
        parent=root,
        reference="DMSPC/DEP",
        limit_amount=Decimal("5000.00"),
        valid_from=root.valid_from,
        valid_to=root.valid_to,
    )

    def log(title, who, unit, delegation, day):
        decision = DecisionFactory.build(
            title=title,
            decided_by=who,
            unit=unit,
            delegation=delegation,
            area="finance",
            amount=Decimal("100.00"),
            decided_on=day,
        )
        return save_decision(decision, acting_user=manager)

    today_by_deputy = log("Deputy's purchase today", deputy, units["ohr"], sub, TODAY)
    earlier = log("Deputy's purchase last week", deputy, units["ohr"], sub, TODAY - 7 * DAY)
    today_by_head = log("Head's purchase today", manager, units["dmspc"], root, TODAY)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        revoke_delegation(root, acting_user=admin_user, reason="Restructuring")
    flags = dict(
        Decision.objects.filter(
            pk__in=[today_by_deputy.pk, earlier.pk, today_by_head.pk]
        ).values_list("title", "within_authority")
    )
    assert flags == {
        "Deputy's purchase today": False,
        "Deputy's purchase last week": True,
        "Head's purchase today": False,
    }
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"deputy@example.org", "manager@example.org", "admin@example.org"}
    # The head decided one and reviews the deputy's (as delegator of the sub-delegation).
    head = sent["manager@example.org"]
    assert head.subject == "Delegated authority re-judged: 2 decisions changed"
    assert "Head's purchase today" in head.body and "Deputy's purchase today" in head.body
    assert "last week" not in head.body and "now outside delegated authority" in head.body
    assert "Deputy's purchase today" not in sent["admin@example.org"].body
    # The deputy reads it in Chinese, their chosen language.
    assert "已重新判断" in sent["deputy@example.org"].subject
    assert "Deputy's purchase today" in sent["deputy@example.org"].body

    # A decision logged under a pending instrument, then its acceptance recorded with an
    # earlier date by an administrator: the flag turns, decider and delegator are told.
    pending = DelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        reference="SG/DMSPC/2",
        valid_from=TODAY - 30 * DAY,
    )
    waiting = log("Purchase before acceptance", manager, units["dmspc"], pending, TODAY - 3 * DAY)
    assert not waiting.within_authority
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accept_delegation(pending, acting_user=admin_user, accepted_on=TODAY - 10 * DAY)
    waiting.refresh_from_db()
    assert waiting.within_authority
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.org", "manager@example.org"]
    assert all("now within delegated authority" in m.body for m in mail.outbox)
    # Nothing changed flag: no e-mail.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        revoke_delegation(pending, acting_user=admin_user, reason="Replaced")
    assert mail.outbox == []


def test_the_language_of_notices_is_chosen_on_my_authority(web, manager, units):
    from accountability.services import notice_language

    client = web(manager)
    assert notice_language(manager) == "en"
    response = client.post("/accountability/my-authority/language/", {"language": "zh-hans"})
    assert response.status_code == 302
    manager.refresh_from_db()
    assert notice_language(manager) == "zh-hans"
    client.post("/accountability/my-authority/language/", {"language": "xx"})
    manager.refresh_from_db()
    assert notice_language(manager) == "zh-hans"


def test_a_long_re_judgement_lists_the_first_decisions_and_counts_the_rest(
    db, manager, admin_user, units, settings, monkeypatch
):
    from accountability import services
    from accountability.tests.factories import DecisionFactory

    monkeypatch.setattr(services, "NOTICE_MAX_LISTED", 2)
    manager.email = "manager@example.org"
    manager.save()
    grant = AcceptedDelegationFactory(delegator=admin_user, delegatee=manager, unit=units["dmspc"])
    ids = [
        DecisionFactory(
            title=f"Purchase {i}", unit=units["dmspc"], decided_by=manager, delegation=grant
        ).pk
        for i in range(5)
    ]
    mail.outbox.clear()
    services.send_rejudged_notices(ids)
    body = next(m.body for m in mail.outbox if m.to == ["manager@example.org"])
    assert body.count("- Purchase") == 2 and "and 3 more" in body
