from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignOnConfig(AppConfig):
    name = "signon"
    verbose_name = _("Sign-on")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from signon import (
            checks,  # noqa: F401  (registers the system checks)
            session_user,  # noqa: F401  (drops cached users on every change)
        )
