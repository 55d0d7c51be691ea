from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accountability.models import OrgUnit, Person
from core.registry import Card


def cards(user) -> list[Card]:
    return [
        Card("accountability", _("Org units"), OrgUnit.objects.visible_to(user).count(), reverse("accountability:index")),
        Card("accountability", _("Staff on record"), Person.objects.visible_to(user).count(), reverse("accountability:person_list")),
    ]
