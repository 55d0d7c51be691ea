from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("Accountability")

    def ready(self) -> None:
        from accountability import dashboard, services  # noqa: F401  (the actions register)
        from accountability.choices import (
            Authority,
            AuthorityArea,
            CommitmentStatus,
            DelegationState,
            ReviewOutcome,
        )
        from core import labels, registry

        labels.register("delegation_area", AuthorityArea)
        labels.register("decision_area", AuthorityArea)
        labels.register("delegation_state", DelegationState)
        labels.register("decision_review_outcome", ReviewOutcome)
        labels.register("commitment_status", CommitmentStatus)
        labels.register("decision_authority", Authority)

        registry.dashboard_card(dashboard.cards)
        registry.dashboard_card(dashboard.authority_cards)
        registry.paragraph_evidence(dashboard.paragraph_evidence)
