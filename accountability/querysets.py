from accountability.access import UnitScopedQuerySet, access_for
from django.db import models


class OrgUnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The tree of units is reference data every signed-in user may read.
        return self.all() if access_for(user).authenticated else self.none()

    def editable_by(self, user):
        return self.all() if access_for(user).is_admin else self.none()

    def subtree(self, unit):
        return self.filter(path__startswith=unit.path)


class PersonQuerySet(UnitScopedQuerySet):
    pass
