from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("Risk")

    def ready(self) -> None:
        from core import registry
        from risk import metrics

        registry.dashboard_card(metrics.dashboard_cards)
        registry.paragraph_evidence(metrics.paragraph_evidence)
