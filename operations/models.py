from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AccessRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The access log is append-only.")

    def delete(self):
        raise AppendOnlyError("The access log is append-only.")


class AccessRecord(models.Model):
    """Who read which sensitive record, when, under which request id. Append-only: a row is
    never changed or removed, and each is anchored in the change history (a history entry with
    the same values, hash-chained), so an edited or removed row is found by verify_access_log."""

    class Kind(models.TextChoices):
        APPRAISAL = "appraisal", _("named appraisal")
        UNDERPERFORMANCE = "underperformance_case", _("underperformance case")
        DISCIPLINARY = "disciplinary_case", _("disciplinary record")
        DECLARATION = "interest_declaration", _("conflict-of-interest declaration")

    class Channel(models.TextChoices):
        WEB = "web", _("web page")
        API = "api", _("API")

    at = models.DateTimeField(_("read at"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    reader = models.CharField(_("reader"), max_length=150)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    subject = models.ForeignKey(
        "org.Person",
        verbose_name=_("person concerned"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AccessRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["subject", "at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.reader} read {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only.")
