from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "operations"
    verbose_name = _("Operations")

    def ready(self):
        from core import imports
        from core.reads import sensitive_read
        from operations import celery_signals  # noqa: F401  (task log lines and metrics)
        from operations.metrics import count_imports

        sensitive_read.connect(_log_read, dispatch_uid="operations.access_log")
        if not getattr(imports.run, "__wrapped_by_operations__", False):
            imports.run = count_imports(imports.run)


def _log_read(sender, request, objects, listed=False, **kwargs):
    from operations.access import record_read

    record_read(request, *objects, listed=listed)
