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


# --- Learning, discipline and recognition (paragraphs 6, 8 and 17) ---------------------------


class CourseArea(models.TextChoices):
    ETHICS = "ethics", _("Ethics and integrity")
    FRAUD = "fraud_awareness", _("Fraud and corruption awareness")
    DELEGATION = "delegation_of_authority", _("Delegation of authority")
    RBM = "results_based_management", _("Results-based management")
    OTHER = "other", _("Other")


class DisciplinaryCategory(models.TextChoices):
    """The kinds of misconduct the Secretary-General's annual report on the practice in
    disciplinary matters groups its cases by."""

    FRAUD = "fraud", _("Fraud, misrepresentation or false certification")
    MISUSE = "misuse_of_resources", _("Misuse of United Nations property or resources")
    THEFT = "theft", _("Theft or misappropriation")
    PROCUREMENT = "procurement", _("Procurement irregularities")
    CONFLICT = "conflict_of_interest", _("Conflict of interest")
    HARASSMENT = "harassment", _("Harassment or abuse of authority")
    SEA = "sexual_exploitation", _("Sexual exploitation and abuse")
    OTHER = "other", _("Other misconduct")


class DisciplinaryMeasure(models.TextChoices):
    """Staff rule 10.2 measures, and recovery of a financial loss (staff rule 10.1 (b)), as the
    annual practice report lists them. Empty while the case is pending."""

    PENDING = "", _("Pending")
    SEPARATION = "separation", _("Separation from service")
    DISMISSAL = "dismissal", _("Dismissal")
    DEMOTION = "demotion", _("Demotion")
    LOSS_OF_STEPS = "loss_of_steps", _("Loss of steps in grade")
    DEFERMENT = "deferment", _("Deferment of within-grade increment or of promotion")
    SUSPENSION = "suspension", _("Suspension without pay")
    FINE = "fine", _("Fine")
    CENSURE = "written_censure", _("Written censure")
    RECOVERY = "recovery", _("Recovery of the financial loss")
    NO_MEASURE = "no_measure", _("Closed without a disciplinary measure")


class RecognitionKind(models.TextChoices):
    SG_AWARD = "sg_award", _("Secretary-General's award")
    TEAM_AWARD = "team_award", _("Team award")
    INNOVATION = "innovation", _("Innovation award")
    COMMENDATION = "commendation", _("Letter of commendation")
