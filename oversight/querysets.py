import datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from org.permissions import RestrictedQuerySet
from oversight.choices import CLOSED_STATUSES, OPEN_STATUSES, Priority, RecommendationStatus


class OversightBodyQuerySet(RestrictedQuerySet):
    pass


class OversightReportQuerySet(RestrictedQuerySet):
    def with_codes(self):
        """What a list shows of a report's body (its code), read as a column of the page's
        query instead of a body record a row (OversightReportListSerializer); on PostgreSQL the
        cited paragraphs' numbers too (`paragraph_numbers`, as with_paragraph_numbers gives
        them), so a page is one query."""
        from performance.querysets import _on_postgresql, paragraph_numbers

        queryset = self.select_related(None).prefetch_related(None)
        if _on_postgresql(self):
            queryset = queryset.annotate(paragraph_numbers=paragraph_numbers(self.model))
        return queryset.annotate(body_code=F("body__code"))


def with_paragraph_numbers(reports: list) -> None:
    """Give each of a page's reports `paragraph_numbers`: the numbers of the paragraphs it
    cites, in the paragraphs' order, read in one query of the citations themselves (a
    prefetch built a Paragraph record for each, most of a page's cost)."""
    from oversight.models import OversightReport

    if all("paragraph_numbers" in report.__dict__ for report in reports):
        return  # read in their rows already (OversightReportQuerySet.with_codes)
    numbers = {report.pk: [] for report in reports}
    citations = OversightReport.paragraphs.through.objects.filter(
        oversightreport_id__in=list(numbers)
    )
    for report_id, number in citations.order_by("paragraph__number").values_list(
        "oversightreport_id", "paragraph__number"
    ):
        numbers[report_id].append(number)
    for report in reports:
        report.paragraph_numbers = numbers[report.pk]


def overdue_q(on: datetime.date | None = None, prefix: str = "") -> Q:
    """The overdue rule (CONTRACT.md), the one place it is written: the target date has passed
    and the recommendation is still open. `prefix` reaches the recommendation from another model
    (an aggregate's filter)."""
    on = on or timezone.localdate()
    return Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}target_date__lt": on})


# Stand-ins for "no target date" / "no amount" inside the timeline subqueries, so that an entry
# that records an empty value is told apart from no entry at all (a subquery's NULL).
NO_DATE = datetime.date(1, 1, 1)
NO_AMOUNT = Decimal("-1")


def _in_force(on: datetime.date, before_field: str, after_field: str, output, empty, current):
    """The value in force on `on`: the latest timeline entry dated on or before it says what it
    became; failing that, the earliest entry after it says what it was before; failing that
    (no timeline), `current`."""
    from oversight.models import RecommendationUpdate

    entries = RecommendationUpdate.objects.filter(recommendation=OuterRef("pk")).order_by()
    before = (
        entries.filter(effective_on__lte=on)
        .order_by("-effective_on", "-created_at", "-pk")
        .annotate(v=Coalesce(before_field, Value(empty, output_field=output)))
        .values("v")[:1]
    )
    after = (
        entries.filter(effective_on__gt=on)
        .order_by("effective_on", "created_at", "pk")
        .annotate(v=Coalesce(after_field, Value(empty, output_field=output)))
        .values("v")[:1]
    )
    value = Coalesce(
        Subquery(before, output_field=output),
        Subquery(after, output_field=output),
        Coalesce(current, Value(empty, output_field=output)),
        output_field=output,
    )
    return NullIf(value, Value(empty, output_field=output), output_field=output)


def status_as_at(on: datetime.date):
    """A recommendation's status on `on` (CONTRACT.md, Reports): the latest status dated on or
    before it; failing that, the status the first later change started from; failing any
    timeline, its status if that was set on or before `on` (status_changed_on), else `open`, or
    `not_accepted` if it was not accepted."""
    from oversight.models import RecommendationUpdate

    S = RecommendationStatus
    entries = RecommendationUpdate.objects.filter(recommendation=OuterRef("pk")).order_by()
    before = (
        entries.filter(effective_on__lte=on)
        .order_by("-effective_on", "-created_at", "-pk")
        .values("to_status")[:1]
    )
    after = (
        entries.filter(effective_on__gt=on)
        .order_by("effective_on", "created_at", "pk")
        .values("from_status")[:1]
    )
    untimed = Case(
        When(status_changed_on__lte=on, then=F("status")),
        When(accepted=False, then=Value(S.NOT_ACCEPTED)),
        default=Value(S.OPEN),
    )
    return Coalesce(Subquery(before), Subquery(after), untimed)


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

    def with_codes(self):
        """What a list shows of a recommendation's report, body and unit (the report's symbol,
        the body's and the unit's codes), read as columns of the page's query instead of three
        related records a row (RecommendationListSerializer)."""
        return self.select_related(None).annotate(
            report_symbol=F("report__symbol"),
            body_code=F("report__body__code"),
            unit_code=F("unit__code"),
        )

    def of_body(self, code: str):
        from oversight.models import OversightBody

        # The code resolved to the body's id first: the filter compares ids on the report.
        ids = list(OversightBody.objects.filter(code=code).values_list("pk", flat=True))
        return self.filter(report__body_id__in=ids)

    def as_at(self, on: datetime.date):
        """Each recommendation as in force on `on`, read from its dated timeline in SQL:
        `status_at`, `accepted_at` (not accepted on that date = status not_accepted),
        `target_date_at` and `amount_realised_at` (the timeline's values when it dates them,
        otherwise the current ones). On or after today these are the stored values: the
        timeline ends where the record stands (every change writes its entry, none is dated in
        the future; tested), and reading the fields costs nothing."""
        if on >= timezone.localdate():
            return self.annotate(
                status_at=F("status"),
                target_date_at=F("target_date"),
                amount_realised_at=F("amount_realised"),
            ).annotate(
                accepted_at=ExpressionWrapper(
                    ~Q(status_at=RecommendationStatus.NOT_ACCEPTED), output_field=BooleanField()
                )
            )
        return self.annotate(
            status_at=status_as_at(on),
            target_date_at=_in_force(
                on, "target_date", "from_target_date", DateField(), NO_DATE, F("target_date")
            ),
            amount_realised_at=_in_force(
                on,
                "amount_realised",
                "from_amount_realised",
                DecimalField(max_digits=16, decimal_places=2),
                NO_AMOUNT,
                F("amount_realised"),
            ),
        ).annotate(
            accepted_at=ExpressionWrapper(
                ~Q(status_at=RecommendationStatus.NOT_ACCEPTED), output_field=BooleanField()
            )
        )

    def overdue_at(self, on: datetime.date):
        """Overdue as at `on`: target date (as in force then) before `on` and not closed on
        `on` (CONTRACT.md). As at today it is the same set as `overdue()` (tested)."""
        return self.as_at(on).filter(overdue_at_q(on))


def overdue_at_q(on: datetime.date, prefix: str = "") -> Q:
    """The overdue rule over the as_at() annotations: target date before `on`, not closed."""
    return Q(**{f"{prefix}target_date_at__lt": on}) & ~Q(
        **{f"{prefix}status_at__in": CLOSED_STATUSES}
    )


class RecommendationUpdateQuerySet(RestrictedQuerySet):
    pass


class EvidenceQuerySet(RestrictedQuerySet):
    pass
