from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    """The organisation every domain app hangs on: org units, people, roles, the permission engine
    and the resolution's paragraphs that records cite. It imports no domain app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from org import services  # noqa: F401  (declares the organisation's named actions)
