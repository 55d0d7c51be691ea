"""`Authorization: Token <key>`: the expiring tokens issued from the profile page (`trk_...`), and
the ones POST /api/auth/token/ hands out (DRF's, checked as before). One class for both, so the
OpenAPI schema keeps its one `tokenAuth` scheme."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from signon.models import TOKEN_PREFIX, APIToken, hash_key

# Last use is written at most this often per token (a script may call many times a second).
LAST_USED_RESOLUTION = timedelta(minutes=5)


class APITokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        if not key.startswith(TOKEN_PREFIX):
            user, token = super().authenticate_credentials(key)
            if token.created <= timezone.now() - timedelta(days=settings.API_TOKEN_MAX_DAYS):
                # POST /api/auth/token/ answers a fresh key once this one has expired.
                raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
            return user, token
        token = (
            APIToken.objects.select_related("user")
            .filter(key_hash=hash_key(key), revoked_at__isnull=True)
            .first()
        )
        now = timezone.now()
        if token is None or token.expires_at <= now or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
            # Bookkeeping, not a change anyone reviews: no history entry (and no version bump).
            APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (token.user, token)
