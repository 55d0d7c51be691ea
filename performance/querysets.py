"""Querysets of performance: every one is scoped by `restrict(user, action)` (the rules are in
performance.policies), and the rules about records are written here once, in SQL."""

from django.db.models import BooleanField, Case, F, OuterRef, Q, Subquery, Value, When

from org.permissions import RestrictedQuerySet
from performance.choices import Direction, FindingStatus


class CompactQuerySet(RestrictedQuerySet):
    pass


class CompactPartQuerySet(RestrictedQuerySet):
    """Objectives follow their compact's unit."""


# An appraisal is on time when it was completed on or before its due date (CONTRACT.md). The one
# expression every list, filter, metric, export and report counts with; Appraisal.on_time says
# the same for one record (checked against each other in test_models).
ON_TIME = Q(completed_on__isnull=False, completed_on__lte=F("due_on"))


def on_time_q(prefix: str = "") -> Q:
    """ON_TIME from another model (`prefix` leads to the appraisal, e.g. 'appraisal__')."""
    if not prefix:
        return ON_TIME
    return Q(
        **{
            f"{prefix}completed_on__isnull": False,
            f"{prefix}completed_on__lte": F(f"{prefix}due_on"),
        }
    )


class AppraisalQuerySet(RestrictedQuerySet):
    def due_by(self, date):
        return self.filter(due_on__lte=date)

    def on_time(self):
        return self.filter(ON_TIME)

    def not_on_time(self):
        return self.exclude(ON_TIME)

    def with_on_time(self):
        """Annotate `is_on_time` (the SQL twin of Appraisal.on_time)."""
        return self.annotate(
            is_on_time=Case(
                When(ON_TIME, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )


class UnderperformanceQuerySet(RestrictedQuerySet):
    pass


def finding_overdue_q(today) -> Q:
    """A Board finding is overdue when it is not closed and its action was due before `today`
    (BoardFinding.is_overdue says the same for one record)."""
    return ~Q(status=FindingStatus.CLOSED) & Q(due_on__lt=today)


class BoardFindingQuerySet(RestrictedQuerySet):
    def open(self):
        return self.exclude(status=FindingStatus.CLOSED)

    def overdue(self, today):
        return self.filter(finding_overdue_q(today))


class AccomplishmentQuerySet(RestrictedQuerySet):
    pass


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


class IndicatorQuerySet(RestrictedQuerySet):
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


class IndicatorResultQuerySet(RestrictedQuerySet):
    def target_met(self):
        return self.filter(target_met_q())


class ReferenceQuerySet(RestrictedQuerySet):
    """Secretariat-wide records every signed-in user reads; administrators change them."""


# --- Learning, discipline, recognition, budget performance ------------------------------------


def _rounded_ratio(numerator, denominator, scale: float, places: int, condition: Q):
    """numerator * scale / denominator rounded to `places`, as a decimal; NULL unless
    `condition`. Divided in floating point (SQLite keeps whole amounts as integers and would
    divide them as integers); Round hands PostgreSQL a numeric, which it rounds half away from
    zero, core.figures.rate's rule for these non-negative figures."""
    from django.db.models import DecimalField, ExpressionWrapper, FloatField
    from django.db.models.functions import Round

    ratio = ExpressionWrapper(numerator * Value(scale) / denominator, output_field=FloatField())
    return Case(
        When(condition, then=Round(ratio, places)),
        default=Value(None),
        output_field=DecimalField(max_digits=20, decimal_places=places),
    )


def percentage(part: str, whole: str):
    """part / whole as a percentage with one decimal, in SQL (NULL when whole is 0 or NULL)."""
    return _rounded_ratio(F(part), F(whole), 100.0, 1, Q(**{f"{whole}__gt": 0}))


def cost_per_output_q():
    """Cost per output of an indicator result: its `cost` over its `outputs` (NULL unless both
    are recorded), rounded to the cent."""
    return _rounded_ratio(F("cost"), F("outputs"), 1.0, 2, Q(cost__isnull=False, outputs__gt=0))


class CourseQuerySet(RestrictedQuerySet):
    pass


class CourseCompletionQuerySet(RestrictedQuerySet):
    def by(self, date):
        """Completions recorded as done on or before `date`."""
        return self.filter(completed_on__lte=date)


class DisciplinaryCaseQuerySet(RestrictedQuerySet):
    pass


class RecognitionQuerySet(RestrictedQuerySet):
    pass


class BudgetPerformanceQuerySet(RestrictedQuerySet):
    def with_utilisation(self):
        """Annotate `utilisation`: expenditure over appropriation, in per cent (the SQL twin of
        BudgetPerformance.utilisation_rate)."""
        return self.annotate(utilisation=percentage("expenditure", "appropriation"))
