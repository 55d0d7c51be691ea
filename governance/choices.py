from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImplementationStatus(models.TextChoices):
    """How far the Secretariat has implemented a paragraph, in the accountable office's view."""

    IMPLEMENTED = "implemented", pgettext_lazy("paragraph", "Implemented")
    IN_PROGRESS = "in_progress", pgettext_lazy("paragraph", "In progress")
    NOT_STARTED = "not_started", pgettext_lazy("paragraph", "Not started")
    NOT_APPLICABLE = "not_applicable", pgettext_lazy("paragraph", "Not applicable")


class ReviewState(models.TextChoices):
    """Where an assessment stands in its review: the office drafts and submits, an
    administrator accepts it or returns it with a comment."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned to the office")


class ReviewOutcome(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return with a comment")


class MandatingBody(models.TextChoices):
    GENERAL_ASSEMBLY = "GA", _("General Assembly")
    SECURITY_COUNCIL = "SC", _("Security Council")
    ECOSOC = "ECOSOC", _("Economic and Social Council")
    HUMAN_RIGHTS_COUNCIL = "HRC", _("Human Rights Council")
    OTHER = "other", _("Other intergovernmental body")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up", "Open")
    DONE = "done", pgettext_lazy("follow-up", "Done")
    DROPPED = "dropped", pgettext_lazy("follow-up", "Dropped")


class System(models.TextChoices):
    """The enterprise systems whose deployment paragraphs 20, 28 and 29 follow."""

    UMOJA = "umoja", _("Umoja (enterprise resource planning)")
    INSPIRA = "inspira", _("Inspira (talent management)")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("milestone", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("milestone", "In progress")
    ACHIEVED = "achieved", pgettext_lazy("milestone", "Achieved")
    DELAYED = "delayed", pgettext_lazy("milestone", "Delayed")
    CANCELLED = "cancelled", pgettext_lazy("milestone", "Cancelled")
