from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = _("Performance")

    def ready(self) -> None:
        from core import registry
        from performance import dashboard

        registry.dashboard_card(dashboard.cards)
        registry.paragraph_evidence(dashboard.evidence)
