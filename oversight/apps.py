from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Oversight")

    def ready(self) -> None:
        from core import registry
        from oversight import dashboard

        registry.dashboard_card(dashboard.cards)
        registry.paragraph_evidence(dashboard.paragraph_evidence)
