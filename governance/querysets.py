"""The SQL rules the lists, metrics and reminders share, each written once: a follow-up action's
status as at a date, overdue, an assessment in force at a date."""

import datetime

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from governance.choices import FollowUpStatus, ReviewState
from org.permissions import RestrictedQuerySet


class GovernanceQuerySet(RestrictedQuerySet):
    pass


class AssessmentQuerySet(RestrictedQuerySet):
    def in_force(self, on: datetime.date):
        """Accepted on or before `on` for a period that had begun by then; the latest period (then
        the latest acceptance) per paragraph is the one in force (metrics.paragraph_assessments)."""
        return self.filter(
            state=ReviewState.ACCEPTED, accepted_on__lte=on, period_start__lte=on
        ).order_by("paragraph_id", "-period_end", "-accepted_on", "-pk")


class FollowUpQuerySet(RestrictedQuerySet):
    def with_status_on(self, on: datetime.date):
        """`status_then`: the status in force on `on`, from the dated status changes (an action
        with no change dated by then was open, as every action starts)."""
        from governance.models import FollowUpTransition

        latest = (
            FollowUpTransition.objects.filter(action=OuterRef("pk"), changed_on__lte=on)
            .order_by("-changed_on", "-pk")
            .values("to_status")[:1]
        )
        return self.filter(assigned_on__lte=on).annotate(
            status_then=Coalesce(Subquery(latest), Value(FollowUpStatus.OPEN))
        )

    def overdue(self, today: datetime.date | None = None):
        """Open with its due date passed (FollowUpAction.is_overdue says the same for one row)."""
        return self.filter(overdue_condition(today))


def overdue_condition(today: datetime.date | None = None) -> Q:
    return Q(status=FollowUpStatus.OPEN, due_on__lt=today or timezone.localdate())
