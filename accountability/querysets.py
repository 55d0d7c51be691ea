import datetime

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from org.access import access_for
from org.permissions import UnitScopedQuerySet


def valid_on_q(day, prefix: str = "") -> Q:
    """Instruments that confer authority on `day` (a date or an F() of one)."""
    return (
        Q(**{f"{prefix}valid_from__lte": day})
        & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day}))
        & (Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": day}))
    )


class DelegationQuerySet(UnitScopedQuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(valid_on_q(day))

    def in_state(self, state: str, today: datetime.date | None = None):
        """The register's tabs: active, expiring (within 30 days), future, expired, revoked."""
        from accountability.models import EXPIRING_WITHIN_DAYS

        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
        not_revoked = Q(revoked_on__isnull=True) | Q(revoked_on__gt=today)
        current = (
            not_revoked
            & Q(valid_from__lte=today)
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        )
        if state == "revoked":
            return self.filter(revoked_on__lte=today)
        if state == "expired":
            return self.filter(not_revoked, valid_to__lt=today)
        if state == "future":
            return self.filter(not_revoked, valid_from__gt=today)
        if state == "expiring":
            return self.filter(current, valid_to__lte=soon)
        if state == "active":
            return self.filter(current)
        return self.none()


class DecisionQuerySet(UnitScopedQuerySet):
    @staticmethod
    def authority_expression():
        """SQL form of Decision.compute_within_authority (CONTRACT.md's rule)."""
        covered = (
            Q(delegation__isnull=False)
            & Q(delegation__delegatee_id=F("decided_by_id"))
            & Q(delegation__area=F("area"))
            & valid_on_q(F("decided_on"), prefix="delegation__")
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

    def reviewable_by(self, user):
        """Administrators review every decision outside authority; a delegator those taken
        under the instruments they issued."""
        access = access_for(user)
        if access.is_admin:
            return self.all()
        if not access.authenticated:
            return self.none()
        return self.filter(delegation__delegator_id=user.pk)

    def visible_to(self, user):
        access = access_for(user)
        if access.can_read_all or not access.authenticated:
            return super().visible_to(user)
        # A delegator sees (and may review) what is done under the instruments they issued,
        # wherever the unit sits: paragraph 21's monitoring of the exercise of delegated authority.
        from accountability.models import Delegation

        issued = Delegation.objects.filter(delegator_id=user.pk).values("pk")
        under_issued = Q(delegation_id__in=issued)
        if access.is_manager:
            return self.filter(Q(unit_id__in=access.subtree_ids()) | under_issued)
        return self.filter(under_issued)


class CommitmentQuerySet(UnitScopedQuerySet):
    def open(self):
        from accountability.choices import OPEN_COMMITMENT_STATUSES

        return self.filter(status__in=OPEN_COMMITMENT_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())
