from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("Accountability")

    def ready(self) -> None:
        from accountability import dashboard
        from core import registry

        registry.dashboard_card(dashboard.cards)
        registry.dashboard_card(dashboard.authority_cards)
        registry.paragraph_evidence(dashboard.paragraph_evidence)
