from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Oversight")

    def ready(self) -> None:
        from core import labels, registry
        from oversight import dashboard, services  # noqa: F401 (registers the named actions)
        from oversight.choices import Priority, RecommendationStatus

        labels.register("recommendation_status", RecommendationStatus)
        labels.register("recommendation_priority", Priority)
        registry.dashboard_card(dashboard.cards)
        registry.paragraph_evidence(dashboard.paragraph_evidence)
