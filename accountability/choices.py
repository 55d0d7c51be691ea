from django.db import models
from django.utils.translation import gettext_lazy as _


class AuthorityArea(models.TextChoices):
    """The areas in which authority is delegated (ST/SGB/2019/2)."""

    HUMAN_RESOURCES = "human_resources", _("Human resources")
    FINANCE = "finance", _("Finance")
    PROCUREMENT = "procurement", _("Procurement")
    PROPERTY = "property", _("Property management")
    OTHER = "other", _("Other")


class DelegationState(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRING = "expiring", _("Expiring within 30 days")
    PENDING = "pending", _("Awaiting acceptance")
    NOT_YET_VALID = "future", _("Not yet valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ReviewOutcome(models.TextChoices):
    """What the review of a decision taken outside delegated authority found (paragraphs 17, 21)."""

    JUSTIFIED = "justified", _("Justified")
    MISMANAGEMENT = "mismanagement", _("Mismanagement")
    ABUSE = "abuse", _("Abuse of authority")


class CommitmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    HONOURED = "honoured", _("Honoured")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


# An instrument ending within this many days is "expiring" (the register's tab, the dashboard).
EXPIRING_WITHIN_DAYS = 30

OPEN_COMMITMENT_STATUSES = (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS)

# Which status a commitment may move to from each status. Missed commitments may still be
# honoured late (they then count as honoured, but not on time).
COMMITMENT_TRANSITIONS = {
    CommitmentStatus.PLANNED: {
        CommitmentStatus.IN_PROGRESS,
        CommitmentStatus.HONOURED,
        CommitmentStatus.MISSED,
        CommitmentStatus.CANCELLED,
    },
    CommitmentStatus.IN_PROGRESS: {
        CommitmentStatus.PLANNED,
        CommitmentStatus.HONOURED,
        CommitmentStatus.MISSED,
        CommitmentStatus.CANCELLED,
    },
    CommitmentStatus.MISSED: {CommitmentStatus.HONOURED, CommitmentStatus.CANCELLED},
    CommitmentStatus.HONOURED: set(),
    CommitmentStatus.CANCELLED: set(),
}


class Authority(models.TextChoices):
    """Whether a decision was taken within delegated authority (the report's measure status)."""

    WITHIN = "within_authority", _("Within delegated authority")
    OUTSIDE = "outside_authority", _("Outside delegated authority")
