from django.db import models
from django.utils.translation import gettext_lazy as _


class CompactStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    ASSESSED = "assessed", _("Assessed")


class ObjectiveKind(models.TextChoices):
    PROGRAMME = "programme", _("Programme priority")
    MANAGEMENT = "management", _("Management target")


class ObjectiveOutcome(models.TextChoices):
    PENDING = "", _("Not yet assessed")
    ACHIEVED = "achieved", _("Achieved")
    PARTIALLY = "partially", _("Partially achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class MPBRating(models.TextChoices):
    NONE = "", _("Not yet assessed")
    SATISFACTORY = "satisfactory", _("Satisfactory")
    NEEDS_IMPROVEMENT = "needs_improvement", _("Needs improvement")
    UNSATISFACTORY = "unsatisfactory", _("Unsatisfactory")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("Action plan under way")
    CLOSED = "closed", _("Closed")


class Rating(models.TextChoices):
    NONE = "", _("Not rated")
    EXCEEDS = "exceeds", _("Exceeds performance expectations")
    MEETS = "meets", _("Successfully meets performance expectations")
    PARTIALLY_MEETS = "partially_meets", _("Partially meets performance expectations")
    DOES_NOT_MEET = "does_not_meet", _("Does not meet performance expectations")


UNDERPERFORMANCE_RATINGS = (Rating.PARTIALLY_MEETS, Rating.DOES_NOT_MEET)
RATED = (Rating.EXCEEDS, Rating.MEETS, Rating.PARTIALLY_MEETS, Rating.DOES_NOT_MEET)


class CaseOutcome(models.TextChoices):
    PENDING = "", _("Pending")
    IMPROVED = "improved", _("Performance improved")
    NOT_IMPROVED = "not_improved", _("Did not improve")
    WITHHELD_INCREMENT = "withheld_increment", _("Within-grade increment withheld")
    NON_RENEWAL = "non_renewal", _("Appointment not renewed")
    SEPARATION = "separation", _("Separated from service")


class RebuttalOutcome(models.TextChoices):
    NONE = "", _("No rebuttal")
    PENDING = "pending", _("Rebuttal pending")
    MAINTAINED = "maintained", _("Rating maintained")
    REVISED = "revised", _("Rating revised")


class IndicatorKind(models.TextChoices):
    ACCOMPLISHMENT = "accomplishment", _("Expected accomplishment")
    EFFICIENCY = "efficiency", _("Efficiency measure")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


class Trend(models.TextChoices):
    """Which way a series of rates moved over the periods shown."""

    IMPROVING = "improving", _("Improving")
    DECLINING = "declining", _("Declining")
    STABLE = "stable", _("Stable")


class ResponsibilityStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
