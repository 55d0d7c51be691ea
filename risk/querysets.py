"""The SQL shapes the lists, heat map, metrics and policies share. Who sees what is decided in
risk.policies; each rule here (flagged, overdue, review due) is written once."""

import datetime

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from org.permissions import RestrictedQuerySet
from risk.choices import OPEN_TREATMENT, Band

REVIEW_CYCLE_DAYS = 365


def band_case(score_field: str, scale) -> Case:
    """The rating band of a score as SQL, from the configured thresholds."""
    return Case(
        When(**{f"{score_field}__gte": scale.critical_from}, then=Value(Band.CRITICAL)),
        When(**{f"{score_field}__gte": scale.high_from}, then=Value(Band.HIGH)),
        When(**{f"{score_field}__gte": scale.medium_from}, then=Value(Band.MEDIUM)),
        When(**{f"{score_field}__isnull": False}, then=Value(Band.LOW)),
        default=Value(""),
        output_field=models.CharField(),
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

    def with_bands(self, scale):
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
        """`is_flagged` computed in SQL for every row."""
        return self.annotate(is_flagged=flag_expression())

    def flagged(self, value: bool = True):
        # Filtering on the expression itself (not on an annotation) keeps it out of the SELECT
        # list, so the database evaluates it once.
        condition = flag_expression()
        return self.filter(condition if value else ~condition).annotate(
            is_flagged=Value(value, output_field=models.BooleanField())
        )


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
