"""Project-wide model bases and the tamper-evident change history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaleVersion(Exception):
    """Raised when an edit was based on a version of a record that someone else has since changed."""

    def __init__(self, instance, expected: int | None = None):
        self.instance = instance
        self.expected = expected
        super().__init__(f"{instance._meta.label} {instance.pk} was changed by someone else")


class TrackedModel(models.Model):
    """A domain record: it carries a `version` for optimistic concurrency, and every create,
    change and delete of it is written to the change history (see core.signals)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Fields whose change alone is bookkeeping, not a change a reader of the history cares about.
    history_ignored_fields = ("version", "created_at", "updated_at")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        adding = self._state.adding
        if not adding:
            # `version` now holds the version the edit was based on (set from the form or the
            # If-Match header, or the one loaded); the UPDATE only matches that version.
            self._expected_version = self.version
            self.version = self.version + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        try:
            super().save(*args, **kwargs)
        except Exception:
            if not adding:
                self.version = self._expected_version
            raise
        finally:
            self._expected_version = None

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = getattr(self, "_expected_version", None)
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        filtered = base_qs.filter(pk=pk_val)
        if filtered.filter(version=expected)._update(values) > 0:
            return True
        if filtered.exists():
            raise StaleVersion(self, expected)
        return False

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        from core.history import snapshot

        instance._history_before = snapshot(instance)
        return instance


class HistoryEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The change history is append-only")

    def delete(self):
        raise PermissionError("The change history is append-only")

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class HistoryEntry(models.Model):
    """One create, change or delete of a domain record. Append-only: each entry's `sha256` covers
    its content and the previous entry's hash, so any later edit of a row breaks the chain."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_sha256 = models.CharField(_("previous hash"), max_length=64)
    sha256 = models.CharField(_("hash"), max_length=64)

    objects = HistoryEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        indexes = [
            models.Index(fields=["object_type", "object_id", "-seq"], name="history_object_idx")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The change history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The change history is append-only")


class HistoryChainHead(models.Model):
    """The single row that holds the chain's last sequence number and hash. Writers lock it to
    extend the chain, so concurrent transactions never fork it."""

    seq = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("history chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.sha256}"
