"""Codes of the organisation: role kinds, kinds of org unit, grades."""

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
