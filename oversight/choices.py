from django.db import models
from django.utils.translation import gettext_lazy as _

# One set of labels for every page, export and report (registered in core.labels by
# OversightConfig.ready): the wording of the contract and of the bodies' own reports.


class RecommendationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("Under implementation")
    PENDING_VERIFICATION = "pending_verification", _("Pending verification")
    IMPLEMENTED = "implemented", _("Implemented")
    NOT_IMPLEMENTED = "not_implemented", _("Closed, not implemented")
    OVERTAKEN = "overtaken", _("Overtaken by events")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")


class Priority(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    IMPORTANT = "important", _("Important")
    NONE = "", _("Not set")


# A recommendation still owes action while it is in one of these; past its target date it is overdue.
OPEN_STATUSES = (
    RecommendationStatus.OPEN,
    RecommendationStatus.IN_PROGRESS,
    RecommendationStatus.PENDING_VERIFICATION,
)
# Only the issuing body (or an administrator) may put a recommendation in one of these.
BODY_ONLY_STATUSES = (
    RecommendationStatus.IMPLEMENTED,
    RecommendationStatus.NOT_IMPLEMENTED,
    RecommendationStatus.OVERTAKEN,
)
CLOSED_STATUSES = (*BODY_ONLY_STATUSES, RecommendationStatus.NOT_ACCEPTED)
