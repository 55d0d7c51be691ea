from django.conf import settings
from django.core.checks import Warning, register


@register()
def oidc_settings(app_configs, **kwargs):
    found = []
    configured = bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)
    if configured and not settings.OIDC_GROUP_ROLES:
        found.append(
            Warning(
                "OIDC_GROUP_ROLES is empty: everyone who signs in through the provider gets no access.",
                id="signon.W001",
            )
        )
    if configured and not settings.OIDC_LOCAL_SIGNIN and not settings.OIDC_BREAK_GLASS_ADMINS:
        found.append(
            Warning(
                "OIDC_LOCAL_SIGNIN=0 and no OIDC_BREAK_GLASS_ADMINS: nobody can sign in with a "
                "password when the provider is down.",
                id="signon.W002",
            )
        )
    if not configured and (not settings.OIDC_LOCAL_SIGNIN or settings.OIDC_GROUP_ROLES):
        found.append(
            Warning(
                "OIDC_LOCAL_SIGNIN or OIDC_GROUP_ROLES is set but no provider is configured "
                "(OIDC_ISSUER, OIDC_CLIENT_ID): they are ignored.",
                id="signon.W003",
            )
        )
    return found
