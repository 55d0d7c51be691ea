from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    MANAGER = "manager", _("Manager")
    OVERSIGHT = "oversight", _("Oversight body user")
    GA_STAFF = "ga_staff", _("General Assembly staff")


class UnitKind(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")
    DEPARTMENT = "department", _("Department")
    OFFICE = "office", _("Office")
    DIVISION = "division", _("Division")
    MISSION = "mission", _("Mission")
    COMMISSION = "commission", _("Regional commission")


class Grade(models.TextChoices):
    G1, G2, G3, G4, G5, G6, G7 = ((f"G-{n}", f"G-{n}") for n in range(1, 8))
    NOA, NOB, NOC, NOD = ((f"NO-{c}", f"NO-{c}") for c in "ABCD")
    FS4, FS5, FS6, FS7 = ((f"FS-{n}", f"FS-{n}") for n in range(4, 8))
    P1, P2, P3, P4, P5 = ((f"P-{n}", f"P-{n}") for n in range(1, 6))
    D1 = "D-1", "D-1"
    D2 = "D-2", "D-2"
    ASG = "ASG", _("Assistant Secretary-General")
    USG = "USG", _("Under-Secretary-General")
    DSG = "DSG", _("Deputy Secretary-General")
    SG = "SG", _("Secretary-General")


SENIOR_GRADES = {Grade.ASG, Grade.USG, Grade.DSG, Grade.SG}


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
