"""Who sees which risk records, and the SQL shapes the lists, heat map and metrics share."""

import datetime

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from org.access import access_for
from org.permissions import UnitScopedQuerySet
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


class OwnedUnitScopedQuerySet(UnitScopedQuerySet):
    """Unit-scoped, and also visible to the people named as owners: risk management is the
    responsibility of staff at all levels (para 30), so an owner sees what they own."""

    owner_fields: tuple[str, ...] = ()

    def visible_to(self, user):
        access = access_for(user)
        if access.can_read_all:
            return self.all()
        if not access.authenticated:
            return self.none()
        condition = Q(pk__in=[])
        for field in self.owner_fields:
            condition |= Q(**{field: user.pk})
        if access.is_manager:
            condition |= Q(**{f"{self.unit_field}__in": access.subtree_ids()})
        return self.filter(condition)


class RiskQuerySet(OwnedUnitScopedQuerySet):
    owner_fields = ("owner",)

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
        cutoff = (today or timezone.localdate()) - datetime.timedelta(days=REVIEW_CYCLE_DAYS)
        return self.filter(Q(reviewed_on__isnull=True) | Q(reviewed_on__lt=cutoff))


class TreatmentQuerySet(OwnedUnitScopedQuerySet):
    unit_field = "risk__unit"
    owner_fields = ("owner", "risk__owner")

    def overdue(self, today: datetime.date | None = None):
        return self.filter(status__in=OPEN_TREATMENT, due_on__lt=today or timezone.localdate())


class AssessmentQuerySet(OwnedUnitScopedQuerySet):
    unit_field = "risk__unit"
    owner_fields = ("risk__owner",)


class ControlQuerySet(OwnedUnitScopedQuerySet):
    owner_fields = ("owner",)


class ControlTestQuerySet(OwnedUnitScopedQuerySet):
    unit_field = "control__unit"
    owner_fields = ("control__owner", "tester")


class DeficiencyQuerySet(OwnedUnitScopedQuerySet):
    unit_field = "test__control__unit"
    owner_fields = ("owner",)

    def open(self):
        return self.filter(closed_on__isnull=True)


class SelfAssessmentQuerySet(UnitScopedQuerySet):
    pass


class ProcurementCaseQuerySet(UnitScopedQuerySet):
    def visible_to(self, user):
        """Unit-scoped, and a case is visible to the members of its panel, who declare for it."""
        from risk.models import ProcurementCase

        access = access_for(user)
        if access.can_read_all:
            return self.all()
        if not access.authenticated:
            return self.none()
        condition = Exists(
            ProcurementCase.panel.through.objects.filter(
                procurementcase_id=OuterRef("pk"), person__user_id=user.pk
            )
        )
        if access.is_manager:
            condition = Q(unit__in=access.subtree_ids()) | condition
        return self.filter(condition)

    @staticmethod
    def _flag_conditions() -> tuple[Exists, Exists]:
        """A panel member has made no declaration for the case; a panel member declared an
        interest in one of the case's vendors (CONTRACT.md)."""
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
        return Exists(undeclared), Exists(conflicted)

    def with_flag(self):
        """`is_flagged` computed in SQL for every row."""
        undeclared, conflicted = self._flag_conditions()
        return self.annotate(has_undeclared=undeclared, has_conflict=conflicted).annotate(
            is_flagged=Q(has_undeclared=True) | Q(has_conflict=True)
        )

    def flagged(self):
        # Filtering on the conditions themselves (not on an annotation) keeps them out of the
        # SELECT list, so the database evaluates them once.
        undeclared, conflicted = self._flag_conditions()
        return self.filter(undeclared | conflicted).annotate(
            is_flagged=Value(True, output_field=models.BooleanField())
        )


class VendorQuerySet(UnitScopedQuerySet):
    unit_field = "case__unit"


class DeclarationQuerySet(UnitScopedQuerySet):
    """Declarations name people and their interests: personal data that General Assembly staff
    do not read; the declarant reads and makes their own."""

    unit_field = "case__unit"

    def visible_to(self, user):
        access = access_for(user)
        if access.is_admin or access.is_oversight:
            return self.all()
        if not access.authenticated or access.is_ga_staff:
            return self.none()
        condition = Q(person__user_id=user.pk)
        if access.is_manager:
            condition |= Q(case__unit__in=access.subtree_ids())
        return self.filter(condition)

    def editable_by(self, user):
        access = access_for(user)
        if access.is_admin:
            return self.all()
        if not access.authenticated:
            return self.none()
        condition = Q(person__user_id=user.pk)
        if access.is_manager:
            condition |= Q(case__unit__in=access.subtree_ids())
        return self.filter(condition)


class RecoveryCaseQuerySet(UnitScopedQuerySet):
    pass


class RecoveryActionQuerySet(UnitScopedQuerySet):
    unit_field = "case__unit"


class ReferenceQuerySet(models.QuerySet):
    """Reference data (the rating scale): every signed-in user reads it, administrators change it."""

    def visible_to(self, user):
        return self.all() if access_for(user).authenticated else self.none()

    def editable_by(self, user):
        return self.all() if access_for(user).is_admin else self.none()
