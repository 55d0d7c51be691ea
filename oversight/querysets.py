import datetime

from django.db.models import Q
from django.utils import timezone

from org.permissions import RestrictedQuerySet
from oversight.choices import OPEN_STATUSES, Priority


class OversightBodyQuerySet(RestrictedQuerySet):
    pass


class OversightReportQuerySet(RestrictedQuerySet):
    pass


def overdue_q(on: datetime.date | None = None, prefix: str = "") -> Q:
    """The overdue rule (CONTRACT.md), the one place it is written: the target date has passed
    and the recommendation is still open. `prefix` reaches the recommendation from another model
    (an aggregate's filter)."""
    on = on or timezone.localdate()
    return Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}target_date__lt": on})


class RecommendationQuerySet(RestrictedQuerySet):
    def still_open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, on: datetime.date | None = None):
        """Overdue on `on` (today by default); Recommendation.is_overdue says the same for one."""
        return self.filter(overdue_q(on))

    def not_overdue(self, on: datetime.date | None = None):
        return self.exclude(overdue_q(on))

    def critical(self):
        return self.filter(priority=Priority.CRITICAL)

    def of_body(self, code: str):
        return self.filter(report__body__code=code)


class RecommendationUpdateQuerySet(RestrictedQuerySet):
    pass


class EvidenceQuerySet(RestrictedQuerySet):
    pass
