"""Changes to the organisation: org units, people and roles. Administrators make them (the
policies in org.models say so); each is one named action that writes its history."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.actions import action
from org.access import access_for
from org.models import OrgUnit, Person, Role


@action(OrgUnit, "save")
def save_org_unit(unit: OrgUnit, *, acting_user) -> OrgUnit:
    unit.full_clean()
    unit.save()
    return unit


@action(Person, "save")
def save_person(person: Person, *, acting_user) -> Person:
    stored = (
        Person.objects.filter(pk=person.pk).values_list("separated_on", flat=True).first()
        if person.pk
        else None
    )
    if person.separated_on != stored and not access_for(acting_user).is_admin:
        # The separation date starts the retention period: an administrator records it.
        raise ValidationError(
            {"separated_on": _("Only an administrator records the date of separation.")}
        )
    person.full_clean()
    person.save()
    return person


@action(Role, "save")
def save_role(role: Role, *, acting_user) -> Role:
    role.full_clean()
    role.save()
    return role
