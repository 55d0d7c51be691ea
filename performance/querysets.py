"""Who may read and change what in performance. Appraisals are personal data: only the
staff member's unit managers and administrators read them by name; everyone else gets
aggregates (metrics.py), with small groups suppressed."""

from django.db.models import F, OuterRef, Q, Subquery

from org.access import access_for
from org.permissions import UnitScopedQuerySet
from performance.choices import Direction


class CompactQuerySet(UnitScopedQuerySet):
    unit_field = "unit"


class CompactPartQuerySet(UnitScopedQuerySet):
    """Objectives and findings follow their compact's unit."""

    unit_field = "compact__unit"


class AppraisalQuerySet(UnitScopedQuerySet):
    """Named appraisals: administrators and the unit's managers only. Oversight bodies and
    GA staff read all other records, but not these."""

    unit_field = "unit"

    def visible_to(self, user):
        access = access_for(user)
        if access.is_admin:
            return self.all()
        if access.is_manager:
            return self.in_subtree_of(access)
        return self.none()

    def due_by(self, date):
        return self.filter(due_on__lte=date)

    def on_time(self):
        return self.filter(completed_on__isnull=False, completed_on__lte=F("due_on"))


class UnderperformanceQuerySet(AppraisalQuerySet):
    unit_field = "appraisal__unit"


class AccomplishmentQuerySet(UnitScopedQuerySet):
    unit_field = "unit"


def target_met_q(prefix: str = "") -> Q:
    """A result meets its indicator's target: at or above it, or at or below it when lower
    is better. `prefix` leads from the queried model to the result ('' on IndicatorResult)."""
    indicator = f"{prefix}indicator__"
    up = Q(
        **{
            f"{indicator}direction": Direction.INCREASE,
            f"{prefix}value__gte": F(f"{indicator}target"),
        }
    )
    down = Q(
        **{
            f"{indicator}direction": Direction.DECREASE,
            f"{prefix}value__lte": F(f"{indicator}target"),
        }
    )
    return up | down


class IndicatorQuerySet(UnitScopedQuerySet):
    unit_field = "unit"

    def with_latest(self):
        """Annotate the latest period's value and whether it meets the target, in SQL."""
        from performance.models import IndicatorResult

        latest = IndicatorResult.objects.filter(indicator=OuterRef("pk")).order_by("-start_year")
        return self.annotate(
            latest_period=Subquery(latest.values("period")[:1]),
            latest_value=Subquery(latest.values("value")[:1]),
        )

    def off_target(self):
        """Indicators whose latest result misses the target (those with no result are not)."""
        return self.with_latest().filter(
            Q(direction=Direction.INCREASE, latest_value__lt=F("target"))
            | Q(direction=Direction.DECREASE, latest_value__gt=F("target"))
        )

    def on_target(self):
        return self.with_latest().filter(
            Q(direction=Direction.INCREASE, latest_value__gte=F("target"))
            | Q(direction=Direction.DECREASE, latest_value__lte=F("target"))
        )


class IndicatorResultQuerySet(UnitScopedQuerySet):
    unit_field = "indicator__unit"

    def target_met(self):
        return self.filter(target_met_q())


class ReferenceQuerySet(UnitScopedQuerySet):
    """Secretariat-wide records every signed-in user reads; administrators change them."""

    def visible_to(self, user):
        return self.all() if access_for(user).authenticated else self.none()

    def editable_by(self, user):
        return self.all() if access_for(user).is_admin else self.none()
