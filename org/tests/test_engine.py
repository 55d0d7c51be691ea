"""The permission engine and the named actions, on the organisation's own records (people in two
units): one rule per action, 404 before 403, the acting user in the history, no move out of
reach, and the adapters' answers."""

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from core import actions
from core.actions import SYSTEM
from core.models import HistoryEntry
from org import services
from org.models import OrgUnit, Person, Role
from org.permissions import Policy
from org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(units):
    return {
        "dmspc": PersonFactory(unit=units["ohr"], name="Ada Ohr", index_number="90000001"),
        "dos": PersonFactory(unit=units["pd"], name="Dan Pd", index_number="90000002"),
    }


def test_restrict_scopes_people_by_the_managers_subtree(manager, manager2, gastaff, people):
    assert set(Person.objects.restrict(manager, "view")) >= {people["dmspc"]}
    assert people["dos"] not in Person.objects.restrict(manager, "view")
    assert people["dmspc"] not in Person.objects.restrict(manager2, "change")
    assert not Person.objects.restrict(gastaff, "change").exists()


def test_an_unknown_action_is_a_configuration_error_not_a_silent_yes(manager):
    with pytest.raises(ImproperlyConfigured):
        Person.objects.restrict(manager, "launch")


def test_may_answers_without_a_query(gastaff, manager, django_assert_num_queries):
    actions.may(manager, "add", Person)  # warms the user's access
    actions.may(gastaff, "add", Person)
    with django_assert_num_queries(0):
        assert actions.may(manager, "add", Person)
        assert not actions.may(gastaff, "add", Person)
        assert not actions.may(manager, "change", Role)


def test_an_action_records_its_acting_user_even_outside_a_request(manager, people):
    person = Person.objects.get(pk=people["dmspc"].pk)
    person.name = "Ada Lovelace"
    services.save_person(person, acting_user=manager)
    entry = HistoryEntry.objects.for_object(person).first()
    assert entry.actor == "user:manager"
    assert entry.user_id == manager.pk
    assert entry.changes["name"] == ["Ada Ohr", "Ada Lovelace"]


def test_an_action_needs_an_explicit_acting_user(people):
    with pytest.raises(TypeError):
        services.save_person(people["dmspc"], acting_user=None)


def test_system_acts_under_the_ambient_label(people):
    person = Person.objects.get(pk=people["dos"].pk)
    person.name = "Dan Procurement"
    services.save_person(person, acting_user=SYSTEM)
    assert HistoryEntry.objects.for_object(person).first().actor == "system"


def test_invisible_is_404_and_visible_but_not_allowed_is_403(manager, gastaff, oios, people):
    other = Person.objects.get(pk=people["dos"].pk)
    other.name = "Renamed"
    with pytest.raises(Http404):
        services.save_person(other, acting_user=manager)
    with pytest.raises(Http404):  # GA staff read no personal data: the directory is empty
        services.save_person(other, acting_user=gastaff)
    with pytest.raises(PermissionDenied):
        services.save_person(other, acting_user=oios)
    assert Person.objects.get(pk=other.pk).name == "Dan Pd"


def test_a_record_cannot_be_moved_out_of_the_users_reach(manager, units, people):
    person = Person.objects.get(pk=people["dmspc"].pk)
    person.unit = units["dos"]
    with pytest.raises(PermissionDenied) as refused:
        services.save_person(person, acting_user=manager)
    assert "Dan" not in str(refused.value) and "DOS" not in str(refused.value)
    assert Person.objects.get(pk=person.pk).unit_id == units["ohr"].pk
    assert not HistoryEntry.objects.for_object(person).filter(action="update").exists()


def test_a_new_record_outside_the_users_units_is_refused_and_not_saved(manager, units):
    with pytest.raises(PermissionDenied):
        services.save_person(
            Person(index_number="90000009", name="New", unit=units["pd"], grade="P-3"),
            acting_user=manager,
        )
    assert not Person.objects.filter(index_number="90000009").exists()


def test_a_policy_without_a_rule_refuses_everyone():
    class Closed(Policy):
        pass

    queryset = OrgUnit.objects.all()
    assert Closed().rows(queryset, None, "view").query.is_empty()


def test_api_people_write_answers_404_before_403(api, manager, manager2, oios, people):
    url = f"/api/people/{people['dos'].index_number}/"
    assert api(manager).patch(url, {"name": "X"}, format="json").status_code == 404
    assert api(oios).patch(url, {"name": "X"}, format="json").status_code == 403
    ok = api(manager2).patch(url, {"name": "Dan Renamed"}, format="json")
    assert ok.status_code == 200, ok.content
    assert Person.objects.get(pk=people["dos"].pk).name == "Dan Renamed"
    assert HistoryEntry.objects.for_object(people["dos"]).first().actor == "user:manager2"


def test_api_create_refused_for_a_role_that_may_never_add(api, gastaff, units):
    response = api(gastaff).post(
        "/api/people/",
        {"index_number": "90000010", "name": "N", "unit": "DOS", "grade": "P-2"},
        format="json",
    )
    assert response.status_code == 403
    assert not Person.objects.filter(index_number="90000010").exists()


def test_org_units_change_only_through_the_admin_role(api, admin_user, manager, units):
    assert (
        api(manager).patch("/api/org-units/DOS/", {"name": "X"}, format="json").status_code == 403
    )
    response = api(admin_user).patch("/api/org-units/DOS/", {"name": "Ops"}, format="json")
    assert response.status_code == 200
    assert HistoryEntry.objects.for_object(units["dos"]).first().actor == "user:admin"
