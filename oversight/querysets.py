import datetime

from django.db import models
from django.utils import timezone

from org.access import access_for
from org.permissions import UnitScopedQuerySet
from oversight.choices import OPEN_STATUSES, Priority


class OversightBodyQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The list of bodies is reference data every signed-in user may read.
        return self.all() if access_for(user).authenticated else self.none()

    def editable_by(self, user):
        return self.all() if access_for(user).is_admin else self.none()


class OversightReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Oversight reports are documents issued to the General Assembly: anyone with a role reads them.
        access = access_for(user)
        return self.all() if access.authenticated and access.kind else self.none()

    def editable_by(self, user):
        access = access_for(user)
        if access.is_admin:
            return self.all()
        if access.is_oversight:
            return self.filter(body__code=access.body_code)
        return self.none()


class RecommendationQuerySet(UnitScopedQuerySet):
    """Reads: administrators, oversight bodies and GA staff all; managers their unit subtree.
    Edits of the record itself: administrators and the issuing body. Managers report progress
    through `services.change_status`, never by editing the recommendation."""

    def editable_by(self, user):
        access = access_for(user)
        if access.is_admin:
            return self.all()
        if access.is_oversight:
            return self.filter(report__body__code=access.body_code)
        return self.none()

    def still_open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.still_open().filter(target_date__lt=today)

    def critical(self):
        return self.filter(priority=Priority.CRITICAL)

    def of_body(self, code: str):
        return self.filter(report__body__code=code)


class RecommendationUpdateQuerySet(models.QuerySet):
    def visible_to(self, user):
        from oversight.models import Recommendation

        return self.filter(recommendation__in=Recommendation.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        # The timeline is a record of what was said: nobody edits it after the fact.
        return self.none()
