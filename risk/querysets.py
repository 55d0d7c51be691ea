"""The SQL shapes the lists, heat map, metrics and policies share. Who sees what is decided in
risk.policies; each rule here (flagged, overdue, review due) is written once."""

import datetime

from django.db import connection, models
from django.db.models import Exists, F, Func, OuterRef, Q, Value
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from org.permissions import RestrictedQuerySet
from risk.choices import OPEN_TREATMENT, Band

REVIEW_CYCLE_DAYS = 365


class Switch(Func):
    """`CASE operand WHEN value THEN result ... ELSE default END`, the operand written once. A
    searched CASE (`When(score__gte=...)`) repeats its operand in every branch: when the operand
    is a sub-select (a risk's score as at a date), PostgreSQL planned it once a branch, and a
    page of the critical risk register spent 7 ms planning fourteen sub-plans."""

    output_field = models.CharField()

    def __init__(self, operand, results: dict, default: str):
        pairs = [Value(item) for pair in results.items() for item in pair]
        super().__init__(operand, *pairs, Value(default))

    def as_sql(self, compiler, connection, **extra_context):
        (operand, params), *rest = [compiler.compile(e) for e in self.get_source_expressions()]
        *pairs, (default, default_params) = rest
        whens = []
        for (value, value_params), (result, result_params) in zip(
            pairs[::2], pairs[1::2], strict=True
        ):
            whens.append(f"WHEN {value} THEN {result}")
            params = [*params, *value_params, *result_params]
        return f"CASE {operand} {' '.join(whens)} ELSE {default} END", [*params, *default_params]


def band_case(score_field: str, scale) -> Switch:
    """The rating band of a score as SQL, from the configured thresholds: the number of
    thresholds (medium, high, critical) the score reaches, 0 to 3; no score, no band. `scale`
    None: the scale stored when the statement runs (PostgreSQL only; StoredThresholds)."""
    if scale is None:
        bounds = None
    else:
        bounds = [int(b) for b in (scale.medium_from, scale.high_from, scale.critical_from)]
    return Switch(
        ThresholdsReached(F(score_field), bounds),
        {0: Band.LOW, 1: Band.MEDIUM, 2: Band.HIGH, 3: Band.CRITICAL},
        default="",
    )


class ThresholdsReached(Func):
    """How many of the ascending `bounds` a score reaches (NULL for no score): PostgreSQL's
    width_bucket writes the score once; elsewhere (SQLite, `make run`) a searched CASE."""

    output_field = models.IntegerField()

    def __init__(self, score, bounds: list[int]):
        super().__init__(score)
        self.bounds = bounds

    def as_sql(self, compiler, connection, **extra_context):
        score, params = compiler.compile(self.get_source_expressions()[0])
        if self.bounds is None:
            return f"width_bucket(({score})::integer, {_stored_thresholds(connection)})", params
        array = ", ".join(str(bound) for bound in self.bounds)
        return f"width_bucket(({score})::integer, ARRAY[{array}]::integer[])", params

    def as_sqlite(self, compiler, connection, **extra_context):
        score, params = compiler.compile(self.get_source_expressions()[0])
        whens = [
            f"WHEN ({score}) >= {bound} THEN {reached}"
            for reached, bound in reversed(list(enumerate(self.bounds, start=1)))
        ]
        return (
            f"CASE {' '.join(whens)} WHEN ({score}) IS NOT NULL THEN 0 END",
            params * (len(self.bounds) + 1),
        )


def _stored_thresholds(connection) -> str:
    """The stored rating scale's thresholds as an array, read by the statement itself (a
    sub-select PostgreSQL runs once, an InitPlan), the fields' defaults when none is stored:
    what RatingScale.current() answers, without a query of its own before a risk list."""
    from risk.models import RatingScale

    qn = connection.ops.quote_name
    names = ("medium_from", "high_from", "critical_from")
    fields = [RatingScale._meta.get_field(name) for name in names]
    columns = ", ".join(qn(field.column) for field in fields)
    defaults = ", ".join(str(int(field.get_default())) for field in fields)
    return (
        f"COALESCE((SELECT ARRAY[{columns}]::integer[] FROM {qn(RatingScale._meta.db_table)} "
        f"ORDER BY {qn(RatingScale._meta.pk.column)} LIMIT 1), ARRAY[{defaults}]::integer[])"
    )


def band_range(band: str, scale) -> tuple[int, int]:
    """The inclusive score range of a band."""
    return {
        Band.LOW: (1, scale.medium_from - 1),
        Band.MEDIUM: (scale.medium_from, scale.high_from - 1),
        Band.HIGH: (scale.high_from, scale.critical_from - 1),
        Band.CRITICAL: (scale.critical_from, 25),
    }[band]


def review_due(today: datetime.date | None = None, prefix: str = "") -> Q:
    """A risk is due for review when it was never reviewed or not within the review cycle."""
    cutoff = (today or timezone.localdate()) - datetime.timedelta(days=REVIEW_CYCLE_DAYS)
    return Q(**{f"{prefix}reviewed_on__isnull": True}) | Q(**{f"{prefix}reviewed_on__lt": cutoff})


def treatment_overdue(today: datetime.date | None = None) -> Q:
    """A treatment action is overdue when it is still open and its due date has passed
    (Treatment.is_overdue says the same for one row)."""
    return Q(status__in=OPEN_TREATMENT, due_on__lt=today or timezone.localdate())


class RiskQuerySet(RestrictedQuerySet):
    def active(self):
        return self.filter(closed_on__isnull=True)

    def with_bands(self, scale=None):
        """Each risk's rating bands, by `scale`; None: by the scale stored when the list is read
        (on PostgreSQL in the list's own statement, elsewhere RatingScale.current())."""
        if scale is None and connection.vendor != "postgresql":
            from risk.models import RatingScale

            scale = RatingScale.current()
        return self.annotate(
            rating_band=band_case("score", scale), residual_band=band_case("residual_score", scale)
        )

    def in_band(self, band: str, scale, *, residual: bool = False):
        low, high = band_range(band, scale)
        field = "residual_score" if residual else "score"
        return self.filter(**{f"{field}__gte": low, f"{field}__lte": high})

    def review_overdue(self, today: datetime.date | None = None):
        return self.filter(review_due(today))


class TreatmentQuerySet(RestrictedQuerySet):
    def overdue(self, today: datetime.date | None = None):
        return self.filter(treatment_overdue(today))


class AssessmentQuerySet(RestrictedQuerySet):
    pass


class ControlQuerySet(RestrictedQuerySet):
    pass


class ControlTestQuerySet(RestrictedQuerySet):
    pass


class DeficiencyQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)


class SelfAssessmentQuerySet(RestrictedQuerySet):
    pass


def flag_expression() -> Exists:
    """The procurement `flagged` rule (CONTRACT.md), as one SQL expression: a member of the case's
    panel has made no declaration for it, or declared an interest in one of its vendors.
    ProcurementCase.flagged says the same for one loaded case."""
    from risk.models import InterestDeclaration, ProcurementCase, Vendor

    panel = ProcurementCase.panel.through
    undeclared = panel.objects.filter(procurementcase_id=OuterRef("pk")).exclude(
        Exists(
            InterestDeclaration.objects.filter(
                case_id=OuterRef("procurementcase_id"), person_id=OuterRef("person_id")
            )
        )
    )
    conflicted = (
        InterestDeclaration.objects.filter(case_id=OuterRef("pk"))
        .exclude(vendor="")
        .filter(
            Exists(
                panel.objects.filter(
                    procurementcase_id=OuterRef("case_id"), person_id=OuterRef("person_id")
                )
            ),
            Exists(Vendor.objects.filter(case_id=OuterRef("case_id"), name=OuterRef("vendor"))),
        )
    )
    return Exists(undeclared) | Exists(conflicted)


class ProcurementCaseQuerySet(RestrictedQuerySet):
    def with_flag(self):
        """Kept for its callers: the flag is a stored column (`is_flagged`), loaded with the row."""
        return self

    def flagged(self, value: bool = True):
        # The stored flag, indexed with the list's order (proc_flagged_idx): no anti-join of the
        # panel and declaration tables per request.
        return self.filter(is_flagged=value)

    def refresh_flags(self) -> dict[int, bool]:
        """Recompute the flag of these cases from the rule (flag_expression), store what
        differs, and answer {case id: flag} for every case in the queryset. One SELECT, and one
        UPDATE per value that changed."""
        rows = self.order_by().annotate(should_flag=flag_expression())
        flags, turned = {}, {True: [], False: []}
        for pk, stored, should in rows.values_list("pk", "is_flagged", "should_flag"):
            flags[pk] = should
            if stored != should:
                turned[should].append(pk)
        for value, ids in turned.items():
            for start in range(0, len(ids), 10_000):
                type(self)(self.model).filter(pk__in=ids[start : start + 10_000]).update(
                    is_flagged=value
                )
        return flags


def refresh_case_flags(case_ids, *instances) -> None:
    """Store the flag of these cases (after a write to a case, its panel, vendors or
    declarations), and set it on the case objects in memory, so a page or an API answer built
    from them after the write reads the new flag."""
    from risk.models import ProcurementCase

    case_ids = {pk for pk in case_ids if pk is not None}
    if not case_ids:
        return
    flags = ProcurementCase.objects.filter(pk__in=case_ids).refresh_flags()
    for instance in instances:
        if instance is not None and instance.pk in flags:
            instance.is_flagged = flags[instance.pk]


def _case_written(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_case_flags([instance.pk], instance)


def _part_written(sender, instance, raw=False, **kwargs):
    # A declaration or a vendor changed: its case's flag may have. The case object in memory
    # (declaration.case, vendor.case) gets the new flag too.
    if raw:
        return
    case = instance._state.fields_cache.get("case")
    refresh_case_flags([instance.case_id], case)


def _panel_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_case_flags([instance.pk], instance)
    elif pk_set:
        refresh_case_flags(pk_set)
    # A person's panels cleared from the person's side name no cases (no action does it);
    # check_procurement_flags repairs such a write.


for _sender in ("risk.InterestDeclaration", "risk.Vendor"):
    post_save.connect(_part_written, sender=_sender, dispatch_uid=f"flag-{_sender}")
    post_delete.connect(_part_written, sender=_sender, dispatch_uid=f"flag-del-{_sender}")
post_save.connect(_case_written, sender="risk.ProcurementCase", dispatch_uid="flag-case")
m2m_changed.connect(_panel_changed, sender="risk.ProcurementCase_panel", dispatch_uid="flag-panel")


class VendorQuerySet(RestrictedQuerySet):
    pass


class DeclarationQuerySet(RestrictedQuerySet):
    pass


class RecoveryCaseQuerySet(RestrictedQuerySet):
    pass


class RecoveryActionQuerySet(RestrictedQuerySet):
    pass


class ReferenceQuerySet(RestrictedQuerySet):
    pass


class StatementQuerySet(RestrictedQuerySet):
    pass


class CriticalRiskQuerySet(RestrictedQuerySet):
    def active(self, on: datetime.date | None = None):
        """On the register on `on` (default: now): flagged by then and not withdrawn by then."""
        if on is None:
            return self.filter(withdrawn_on__isnull=True)
        return self.filter(flagged_on__lte=on).filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on)
        )


def sanction_in_force(day: datetime.date, prefix: str = "") -> Q:
    """A sanction is in force on `day` from its first day to its last, inclusive; with no end
    date, until further notice (VendorSanction.in_force_on says the same for one row)."""
    return Q(**{f"{prefix}sanctioned_from__lte": day}) & (
        Q(**{f"{prefix}sanctioned_to__isnull": True}) | Q(**{f"{prefix}sanctioned_to__gte": day})
    )


class VendorSanctionQuerySet(RestrictedQuerySet):
    def in_force(self, day: datetime.date | None = None):
        return self.filter(sanction_in_force(day or timezone.localdate()))

    def barring(self, vendor: str, day: datetime.date):
        """The suspensions and debarments of `vendor` (name, any case) in force on `day`."""
        from risk.choices import BARRING_MEASURES

        return self.in_force(day).filter(
            vendor__iexact=(vendor or "").strip(), measure__in=BARRING_MEASURES
        )


class ContractsReviewQuerySet(RestrictedQuerySet):
    pass
