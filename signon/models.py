"""Sign-on records: the link between a provider's subject and a tracker account, and the API
tokens a signed-in user issues to their scripts."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TrackedModel
from org.permissions import RestrictedQuerySet
from signon.policies import APITokenPolicy

TOKEN_PREFIX = "trk_"


class ProviderIdentity(models.Model):
    """An account's identity at an OpenID Connect provider: the provider's `sub` for it. Once
    linked, the account is found by this, whatever its name or e-mail become."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="provider_identities",
    )
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(pgettext_lazy("identity", "subject"), max_length=255)
    first_seen = models.DateTimeField(_("first sign-in"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last sign-in"), default=timezone.now)

    class Meta:
        verbose_name = _("provider identity")
        verbose_name_plural = _("provider identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="signon_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class APITokenQuerySet(RestrictedQuerySet):
    def live(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class APIToken(TrackedModel):
    """A key a script sends as `Authorization: Token trk_...`, acting as its holder. Only its
    SHA-256 is stored (the key is shown once, when issued); it expires, and can be revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("key begins"), max_length=12, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = APITokenQuerySet.as_manager()
    policy = APITokenPolicy()

    # The hash never goes to the history; last use is bookkeeping.
    history_ignored_fields = (*TrackedModel.history_ignored_fields, "key_hash", "last_used_at")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "-created_at"], name="signon_token_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > timezone.now() else "expired"
