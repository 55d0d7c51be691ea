from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from core import labels, registry
        from reports import dashboard, services  # noqa: F401  (services: the actions register)
        from reports.choices import FileFormat, ParagraphProgress, ReportLanguage, RunStatus

        registry.dashboard_card(dashboard.cards)
        labels.register("report_run_status", RunStatus)
        labels.register("report_run_language", ReportLanguage)
        labels.register("report_file_format", FileFormat)
        labels.register("report_paragraph_status", ParagraphProgress)
