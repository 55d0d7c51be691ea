"""Areas of authority as a managed list (ST/SGB/2019/2's groups) and the matters reserved to the
Secretary-General, through the API and the pages."""

import datetime

import pytest

from accountability.choices import AuthorityArea
from accountability.models import AuthorityItem, Delegation
from accountability.tests.factories import AcceptedDelegationFactory

TODAY = datetime.date.today()
DELEGATIONS = "/api/accountability/delegations/"


def test_the_list_is_grouped_as_the_bulletin_groups_it(db):
    groups = set(AuthorityItem.objects.values_list("group", flat=True))
    assert groups == set(AuthorityArea.values)
    assert AuthorityItem.objects.filter(reserved=True).count() >= 3
    assert AuthorityItem.objects.get(code="proc.award").limits.get(currency="USD").max_amount > 0


@pytest.fixture
def root_body(manager, admin_user):
    return {
        "delegator": "admin",
        "delegatee": "manager",
        "unit": "DMSPC",
        "valid_from": TODAY.isoformat(),
    }


def test_reserved_matter_cannot_be_delegated(api, admin_user, manager, units, root_body):
    response = api(admin_user).post(
        DELEGATIONS,
        {**root_body, "area": "human_resources", "authority": "hr.senior_appointments"},
        format="json",
    )
    assert response.status_code == 400
    assert "reserved to the Secretary-General" in str(response.data["authority"])
    assert Delegation.objects.count() == 0


def test_area_reads_as_its_group_and_the_limit_holds(api, admin_user, manager, units, root_body):
    over = api(admin_user).post(
        DELEGATIONS,
        {
            **root_body,
            "area": "procurement",
            "authority": "proc.low_value",
            "limit_amount": "10000.01",
        },
        format="json",
    )
    assert over.status_code == 400 and "USD 10,000.00" in str(over.data["limit_amount"])
    wrong_group = api(admin_user).post(
        DELEGATIONS,
        {**root_body, "area": "finance", "authority": "proc.low_value", "limit_amount": "5000.00"},
        format="json",
    )
    assert wrong_group.status_code == 400 and "area" in wrong_group.data
    ok = api(admin_user).post(
        DELEGATIONS,
        {
            **root_body,
            "area": "procurement",
            "authority": "proc.low_value",
            "limit_amount": "5000.00",
        },
        format="json",
    )
    assert ok.status_code == 201, ok.data
    assert ok.data["area"] == "procurement" and ok.data["authority"] == "proc.low_value"
    unknown = api(admin_user).post(
        DELEGATIONS, {**root_body, "area": "finance", "authority": "astrology"}, format="json"
    )
    assert unknown.status_code == 400 and "authority" in unknown.data
    assert Delegation.objects.count() == 1


def test_reserved_matter_refused_on_the_page(web, admin_user, manager, units):
    item = AuthorityItem.objects.get(code="fin.ex_gratia")
    response = web(admin_user).post(
        "/accountability/delegations/new/",
        {
            "reference": "DOA/X/1",
            "delegator": "admin",
            "delegatee": "manager",
            "unit": units["dmspc"].pk,
            "area": "finance",
            "authority": item.pk,
            "valid_from": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "reserved to the Secretary-General" in response.content.decode()
    assert Delegation.objects.count() == 0


def test_reserving_a_matter_in_force_is_refused(admin_user, manager2, units):
    from accountability.services import save_authority_item

    item = AuthorityItem.objects.get(code="prop.write_off")
    AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager2,
        unit=units["dos"],
        area="property",
        authority=item,
        limit_amount=None,
    )
    item.reserved = True
    with pytest.raises(Exception) as refused:
        save_authority_item(item, acting_user=admin_user)
    assert "revoke them" in str(refused.value)
    assert AuthorityItem.objects.get(pk=item.pk).reserved is False


def test_manager_cannot_issue_a_root_instrument_on_the_page(web, manager, units):
    from org.tests.factories import UserFactory

    UserFactory(username="deputy")
    response = web(manager).post(
        "/accountability/delegations/new/",
        {
            "reference": "DOA/X/2",
            "delegator": "manager",
            "delegatee": "deputy",
            "unit": units["dmspc"].pk,
            "area": "finance",
            "valid_from": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Only an administrator, on behalf of the Secretary-General" in response.content.decode()
    assert Delegation.objects.count() == 0
