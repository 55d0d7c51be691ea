from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from core import labels, registry
        from governance import choices, metrics, services  # noqa: F401 (services: the actions register)

        registry.paragraph_evidence(metrics.paragraph_evidence)
        registry.dashboard_card(metrics.dashboard_cards)
        for kind, values in {
            "implementation_status": choices.ImplementationStatus,
            "assessment_review_state": choices.ReviewState,
            "mandating_body": choices.MandatingBody,
            "followup_status": choices.FollowUpStatus,
            "enterprise_system": choices.System,
            "milestone_status": choices.MilestoneStatus,
        }.items():
            labels.register(kind, values)
