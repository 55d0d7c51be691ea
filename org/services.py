"""Changes to the organisation: org units, people and roles. Administrators make them (the
policies in org.models say so); each is one named action that writes its history."""

from core.actions import action
from org.models import OrgUnit, Person, Role


@action(OrgUnit, "save")
def save_org_unit(unit: OrgUnit, *, acting_user) -> OrgUnit:
    unit.full_clean()
    unit.save()
    return unit


@action(Person, "save")
def save_person(person: Person, *, acting_user) -> Person:
    person.full_clean()
    person.save()
    return person


@action(Role, "save")
def save_role(role: Role, *, acting_user) -> Role:
    role.full_clean()
    role.save()
    return role
