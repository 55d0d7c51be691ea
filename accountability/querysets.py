import datetime

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from accountability.choices import EXPIRING_WITHIN_DAYS, OPEN_COMMITMENT_STATUSES
from org.permissions import RestrictedQuerySet


def valid_on_q(day, prefix: str = "") -> Q:
    """Instruments that confer authority on `day` (a date or an F() of one)."""
    return (
        Q(**{f"{prefix}valid_from__lte": day})
        & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day}))
        & (Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": day}))
    )


class DelegationQuerySet(RestrictedQuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(valid_on_q(day))

    def confer_on(self, day: datetime.date):
        """Instruments valid on `day` whose whole chain was accepted by then."""
        return self.filter(valid_on_q(day), chain_accepted_on__lte=day)

    def pending(self):
        return self.filter(accepted_on__isnull=True)

    def in_state(self, state: str, today: datetime.date | None = None):
        """The register's tabs: active, expiring (within 30 days), future, expired, revoked."""
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
        not_revoked = Q(revoked_on__isnull=True) | Q(revoked_on__gt=today)
        current = (
            not_revoked
            & Q(accepted_on__isnull=False)
            & Q(valid_from__lte=today)
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        )
        if state == "revoked":
            return self.filter(revoked_on__lte=today)
        if state == "expired":
            return self.filter(not_revoked, valid_to__lt=today)
        if state == "pending":
            return self.filter(not_revoked, accepted_on__isnull=True).exclude(valid_to__lt=today)
        if state == "future":
            return self.filter(not_revoked, accepted_on__isnull=False, valid_from__gt=today)
        if state == "expiring":
            return self.filter(current, valid_to__lte=soon)
        if state == "active":
            return self.filter(current)
        return self.none()


class DecisionQuerySet(RestrictedQuerySet):
    @staticmethod
    def authority_expression():
        """SQL form of Decision.compute_within_authority (CONTRACT.md's rule)."""
        covered = (
            Q(delegation__isnull=False)
            & Q(delegation__delegatee_id=F("decided_by_id"))
            & Q(delegation__area=F("area"))
            & valid_on_q(F("decided_on"), prefix="delegation__")
            & Q(delegation__chain_accepted_on__lte=F("decided_on"))
            & (
                Q(delegation__limit_amount__isnull=True)
                | Q(amount__isnull=True, delegation__limit_amount__gte=0)
                | Q(delegation__limit_amount__gte=F("amount"))
            )
        )
        return Case(
            When(Q(delegation__isnull=True, area=""), then=Value(True)),
            When(covered, then=Value(True)),
            default=Value(False),
            output_field=models.BooleanField(),
        )

    def with_computed_authority(self):
        return self.annotate(computed_within=self.authority_expression())

    def outside_authority(self):
        return self.filter(within_authority=False)

    def awaiting_review(self):
        return self.filter(within_authority=False, review_outcome="")


class CommitmentQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_COMMITMENT_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        """The overdue rule (Commitment.is_overdue says the same for one record)."""
        return self.filter(overdue_q(today))


def overdue_q(today: datetime.date | None = None) -> Q:
    """Open (planned or in progress) and due before `today`: the one overdue rule of commitments,
    used by the list filter, the API, the dashboard and the figures."""
    from accountability.choices import OPEN_COMMITMENT_STATUSES

    return Q(status__in=OPEN_COMMITMENT_STATUSES, due_on__lt=today or timezone.localdate())
