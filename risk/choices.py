from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RiskCategory(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    GOVERNANCE = "governance", _("Governance")
    OPERATIONAL = "operational", _("Operational")
    FINANCIAL = "financial", _("Financial")
    COMPLIANCE = "compliance", _("Compliance")
    FRAUD = "fraud", _("Fraud")


class RiskResponse(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    MITIGATE = "mitigate", _("Mitigate")
    TRANSFER = "transfer", _("Transfer")
    AVOID = "avoid", _("Avoid")


class Band(models.TextChoices):
    LOW = "low", pgettext_lazy("risk rating", "Low")
    MEDIUM = "medium", pgettext_lazy("risk rating", "Medium")
    HIGH = "high", pgettext_lazy("risk rating", "High")
    CRITICAL = "critical", pgettext_lazy("risk rating", "Critical")


class TreatmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TREATMENT = (TreatmentStatus.PLANNED, TreatmentStatus.IN_PROGRESS)


class ControlKind(models.TextChoices):
    PREVENTIVE = "preventive", _("Preventive")
    DETECTIVE = "detective", _("Detective")


class ControlFrequency(models.TextChoices):
    CONTINUOUS = "continuous", _("Continuous")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUALLY = "annually", _("Annually")
    AD_HOC = "ad_hoc", _("As needed")


class TestResult(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PARTIALLY_EFFECTIVE = "partially_effective", _("Partially effective")
    INEFFECTIVE = "ineffective", _("Ineffective")


class Conclusion(models.TextChoices):
    EFFECTIVE = "effective", _("Internal control is effective")
    EXCEPTIONS = "exceptions", _("Effective, with exceptions")
    NOT_EFFECTIVE = "not_effective", _("Internal control is not effective")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    EVALUATION = "evaluation", _("Under evaluation")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


class Finding(models.TextChoices):
    FRAUD = "fraud", _("Fraud")
    MISMANAGEMENT = "mismanagement", _("Mismanagement")
    OTHER = "other", _("Other")


class RecoveryKind(models.TextChoices):
    REPAYMENT = "repayment", _("Repayment")
    SALARY_DEDUCTION = "salary_deduction", _("Deduction from salary or entitlements")
    LEGAL = "legal", _("Recovery through national authorities")
    INSURANCE = "insurance", _("Insurance or vendor claim")
    CORRECTION = "correction", _("Correction of the amount recorded")


class DeficiencyStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class DeficiencySeverity(models.TextChoices):
    DEFICIENCY = "deficiency", _("Control deficiency")
    SIGNIFICANT = "significant", _("Significant deficiency")
    MATERIAL = "material_weakness", _("Material weakness")


# What the statement of internal control lists (paragraph 31): the significant ones and worse.
SIGNIFICANT_SEVERITIES = (DeficiencySeverity.SIGNIFICANT, DeficiencySeverity.MATERIAL)


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class Trend(models.TextChoices):
    IMPROVING = "improving", _("Improving")
    STABLE = "stable", _("Stable")
    WORSENING = "worsening", _("Worsening")


class SanctionMeasure(models.TextChoices):
    SUSPENSION = "suspension", _("Suspension")
    DEBARMENT = "debarment", _("Debarment")
    CENSURE = "censure", _("Censure")


# A censure is a reprimand: the vendor stays eligible. Suspension and debarment bar an award.
BARRING_MEASURES = (SanctionMeasure.SUSPENSION, SanctionMeasure.DEBARMENT)


class CommitteeOutcome(models.TextChoices):
    RECOMMENDED = "recommended", _("Recommended for award")
    CONDITIONS = "conditions", _("Recommended with conditions")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")
    DEFERRED = "deferred", _("Deferred for more information")


# The outcomes of a committee on contracts review that let the case proceed to award.
CLEARING_OUTCOMES = (CommitteeOutcome.RECOMMENDED, CommitteeOutcome.CONDITIONS)


class ReferralKind(models.TextChoices):
    DISCIPLINARY = "disciplinary", _("Referred for disciplinary action")
    NATIONAL = "national", _("Referred to national authorities")
