from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "operations"
    verbose_name = _("Operations")

    def ready(self):
        from core import imports
        from operations import celery_signals  # noqa: F401  (task log lines and metrics)
        from operations.metrics import count_imports

        if not getattr(imports.run, "__wrapped_by_operations__", False):
            imports.run = count_imports(imports.run)
