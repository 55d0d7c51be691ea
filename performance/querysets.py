"""Querysets of performance: every one is scoped by `restrict(user, action)` (the rules are in
performance.policies), and the rules about records are written here once, in SQL."""

import functools

from django.db import connection, connections
from django.db.models import BooleanField, Case, F, JSONField, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL

from org.permissions import RestrictedQuerySet
from performance.choices import Direction, FindingStatus

# The parts the API writes with each record, prefetched for one record (and on SQLite).
COMPACT_PARTS = ("paragraphs", "objectives__indicators", "findings")
OBJECTIVE_PARTS = ("paragraphs", "indicators")
INDICATOR_PARTS = ("paragraphs", "results")

# A list page reads each record's parts in the record's own row, on PostgreSQL, by correlated
# sub-selects written here once per process: the ORM took about 7 ms of CPU a request to build
# and compile the same sub-selects from expressions, more than the prefetches they replace. Each
# names the list's own table (a list query's base table goes by its name) and gives an array of
# keys or a JSON array of objects, each with the columns the API writes, in the relation's own
# order (the models' Meta.ordering within one record).


def _on_postgresql(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _keys(sql: str):
    """An array of integer keys, read as a list."""
    from django.contrib.postgres.fields import ArrayField
    from django.db.models import BigIntegerField

    return RawSQL(sql, (), output_field=ArrayField(BigIntegerField()))


def _json_rows(select: str, columns: dict[str, str], order_by: str):
    """A JSON array (`[]` for none) of one object per row of `select` (FROM ... WHERE ...):
    {name: SQL expression}, in `order_by`'s order; text to the database driver, parsed once."""
    pairs = ", ".join(f"'{name}', {expression}" for name, expression in columns.items())
    sql = (
        f"COALESCE((SELECT json_agg(json_build_object({pairs}) ORDER BY {order_by}) {select}),"
        " '[]')::text"
    )
    return RawSQL(sql, (), output_field=JSONField())


@functools.cache
def _paragraph_numbers_sql(model) -> str:
    """The numbers of the paragraphs a record of `model` (CitesParagraphs) cites, in the
    paragraphs' order."""
    from org.models import Paragraph

    field = model._meta.get_field("paragraphs")
    cites = field.remote_field.through
    owner = _column(cites, field.m2m_field_name())
    paragraph = _column(cites, field.m2m_reverse_field_name())
    number = _column(Paragraph, "number")
    return (
        f"ARRAY(SELECT p.{number} FROM {_table(cites)} c JOIN {_table(Paragraph)} p"
        f" ON p.{_column(Paragraph, 'id')} = c.{paragraph}"
        f" WHERE c.{owner} = {_table(model)}.{_column(model, 'id')} ORDER BY p.{number})"
    )


def paragraph_numbers(model):
    return _keys(_paragraph_numbers_sql(model))


@functools.cache
def _indicator_ids_sql(objective: str) -> str:
    """The ids of an objective's indicators (`objective`: the SQL of its id), in the
    indicators' order: by their unit's code, then title."""
    from org.models import OrgUnit
    from performance.models import CompactObjective, Indicator

    linked = CompactObjective.indicators.through
    indicator = _column(linked, "indicator")
    return (
        f"ARRAY(SELECT l.{indicator} FROM {_table(linked)} l"
        f" JOIN {_table(Indicator)} i ON i.{_column(Indicator, 'id')} = l.{indicator}"
        f" LEFT JOIN {_table(OrgUnit)} u ON u.{_column(OrgUnit, 'id')} = i.{_column(Indicator, 'unit')}"
        f" WHERE l.{_column(linked, 'compactobjective')} = {objective}"
        f" ORDER BY u.{_column(OrgUnit, 'code')}, i.{_column(Indicator, 'title')})"
    )


def indicator_ids():
    from performance.models import CompactObjective

    return _keys(
        _indicator_ids_sql(f"{_table(CompactObjective)}.{_column(CompactObjective, 'id')}")
    )


@functools.cache
def _compact_parts() -> dict:
    from performance.models import BoardFinding, Compact, CompactObjective

    compact = f"{_table(Compact)}.{_column(Compact, 'id')}"

    def of(model, alias: str, names) -> dict[str, str]:
        return {name: f"{alias}.{_column(model, name)}" for name in names}

    objective = of(
        CompactObjective,
        "o",
        ("id", "kind", "title", "indicator", "target", "result", "outcome", "commitment"),
    )
    objective["indicators"] = _indicator_ids_sql(objective["id"])
    finding = of(
        BoardFinding, "f", ("id", "finding", "action_plan", "due_on", "status", "closed_on")
    )
    return {
        "paragraph_numbers": _paragraph_numbers_sql(Compact),
        "objectives": (
            f"FROM {_table(CompactObjective)} o"
            f" WHERE o.{_column(CompactObjective, 'compact')} = {compact}",
            objective,
            # CompactObjective's own order, within one compact.
            f"o.{_column(CompactObjective, 'kind')}, {objective['id']}",
        ),
        "findings": (
            f"FROM {_table(BoardFinding)} f WHERE f.{_column(BoardFinding, 'compact')} = {compact}",
            finding,
            finding["id"],  # BoardFinding's own order, within one compact
        ),
    }


def _codes(queryset, **columns):
    """What a list shows of a record's related records (a unit's code, a person's index
    number), read as columns of the page's query (`name=path`) instead of a record each."""
    return queryset.select_related(None).annotate(**{n: F(path) for n, path in columns.items()})


class CompactQuerySet(RestrictedQuerySet):
    def with_codes(self):
        """The senior manager's index number and the unit's code as columns
        (`senior_manager_index`, `unit_code`: CompactListRowSerializer)."""
        return _codes(
            self, senior_manager_index="senior_manager__index_number", unit_code="unit__code"
        )

    def with_parts(self):
        """Each compact with its paragraphs' numbers, its objectives (each with its indicators'
        ids) and its Board findings, read in the compact's own row on PostgreSQL
        (`paragraph_numbers`, `objective_rows`, `finding_rows`: JSON objects of the columns the
        API writes). A page of 50 compacts was five queries and about 270 records built (four
        prefetches, 200 objectives); now one query. Elsewhere (SQLite) the parts are
        prefetched."""
        if not _on_postgresql(self):
            return self.prefetch_related(*COMPACT_PARTS)
        parts = _compact_parts()
        return self.annotate(
            paragraph_numbers=_keys(parts["paragraph_numbers"]),
            objective_rows=_json_rows(*parts["objectives"]),
            finding_rows=_json_rows(*parts["findings"]),
        )


class CompactPartQuerySet(RestrictedQuerySet):
    """Objectives follow their compact's unit."""

    def with_parts(self):
        """Each objective with its paragraphs' numbers and its indicators' ids in its own row
        (`paragraph_numbers`, `indicator_ids`) on PostgreSQL, as CompactQuerySet.with_parts;
        prefetched elsewhere."""
        if not _on_postgresql(self):
            return self.prefetch_related(*OBJECTIVE_PARTS)
        return self.annotate(
            paragraph_numbers=paragraph_numbers(self.model), indicator_ids=indicator_ids()
        )


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
    def with_codes(self):
        """The staff member's index number and the unit's code as columns (`staff_index`,
        `unit_code`: AppraisalListRowSerializer)."""
        return _codes(self, staff_index="staff__index_number", unit_code="unit__code")

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
    def with_parts(self):
        """Each expected accomplishment with its paragraphs' numbers in its own row
        (`paragraph_numbers`) on PostgreSQL, as CompactQuerySet.with_parts; prefetched
        elsewhere."""
        if not _on_postgresql(self):
            return self.prefetch_related("paragraphs")
        return self.annotate(paragraph_numbers=paragraph_numbers(self.model))


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
    def with_parts(self):
        """Each indicator with its paragraphs' numbers and its results (period and value, by
        start year) in its own row (`paragraph_numbers`, `result_rows`) on PostgreSQL, as
        CompactQuerySet.with_parts; prefetched elsewhere. The value is read as the column's
        text ("70.00"): the two decimals the API writes, which a JSON number would lose."""
        if not _on_postgresql(self):
            return self.prefetch_related(*INDICATOR_PARTS)
        from performance.models import Indicator, IndicatorResult

        indicator = f"{_table(Indicator)}.{_column(Indicator, 'id')}"
        result = IndicatorResult
        return self.annotate(
            paragraph_numbers=paragraph_numbers(self.model),
            result_rows=_json_rows(
                f"FROM {_table(result)} r WHERE r.{_column(result, 'indicator')} = {indicator}",
                {
                    "period": f"r.{_column(result, 'period')}",
                    "value": f"r.{_column(result, 'value')}::text",
                },
                # IndicatorResult's own order, within one indicator.
                f"r.{_column(result, 'start_year')}",
            ),
        )

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
