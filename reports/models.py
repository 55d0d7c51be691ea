"""Report runs of the paragraph 33 implementation report, their issued files and the DOCX
templates they are rendered with."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TrackedModel
from reports.choices import ACTIVE_STATUSES, FileFormat, ReportLanguage, RunStatus
from reports.policies import (
    LiveHeadlinePolicy,
    ReportFilePolicy,
    ReportRunPolicy,
    ReportTemplatePolicy,
)
from reports.querysets import (
    LiveHeadlineQuerySet,
    ReportFileQuerySet,
    ReportRunQuerySet,
    ReportTemplateQuerySet,
)


class IssuedReportImmutable(PermissionError):
    """Raised on any attempt to change or delete an issued report or its files."""


class ReportTemplate(TrackedModel):
    """A Word template (styles, letterhead, header matter) the DOCX rendering is built on.
    The active one is used for new runs; runs keep the one they were rendered with."""

    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="reports/templates/")
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReportTemplateQuerySet.as_manager()
    policy = ReportTemplatePolicy()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="report_one_active_template",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReportRun(TrackedModel):
    """One compilation of the implementation report for a period and a language. Queued,
    compiled by a Celery worker (running), then issued (done) or failed. Once done it never
    changes: a new run makes a new id."""

    title = models.CharField(_("title"), max_length=300, blank=True)
    symbol = models.CharField(_("reference"), max_length=40, blank=True)
    agenda_item = models.CharField(_("agenda item"), max_length=300, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    language = models.CharField(_("language"), max_length=10, choices=ReportLanguage.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RunStatus.choices,
        default=RunStatus.QUEUED,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=20, blank=True)
    error = models.TextField(_("error"), blank=True)
    # PROTECT: an issued run never changes, so who asked for it must stay on record (accounts
    # are deactivated, not deleted).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    template = models.ForeignKey(
        ReportTemplate,
        verbose_name=_("DOCX template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="runs",
    )
    # Each delivery of the task claims the run with a fresh token; only the holder of the
    # current token may issue it, so a redelivered task and a slow old one never both do.
    attempt_token = models.CharField(max_length=32, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    snapshot = models.JSONField(_("data snapshot"), null=True, blank=True, editable=False)
    # Seconds each step took (snapshot, html, pdf, docx, xlsx, store): what operators tune.
    timings = models.JSONField(_("timings"), default=dict, blank=True, editable=False)

    objects = ReportRunQuerySet.as_manager()
    policy = ReportRunPolicy()

    # Progress ticks and the snapshot (whose file carries its own SHA-256) are not changes a
    # reader of the history needs; status transitions are.
    history_ignored_fields = (
        "version",
        "created_at",
        "updated_at",
        "progress",
        "step",
        "heartbeat_at",
        "snapshot",
        "attempt_token",
        "timings",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        indexes = [models.Index(fields=["status", "-created_at"], name="report_run_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_max_100"
            ),
            # One identical request compiles at a time; a second request gets the running one.
            models.UniqueConstraint(
                fields=["period_start", "period_end", "language"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="report_one_active_per_request",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.symbol or self.pk} ({self.period_start} – {self.period_end}, {self.language})"
        )

    def _issued_in_database(self) -> bool:
        # Asked of the database, not of this instance: a stale copy must not slip through.
        return ReportRun.objects.filter(pk=self.pk, status=RunStatus.DONE).exists()

    def save(self, *args, **kwargs):
        if not self._state.adding and self._issued_in_database():
            raise IssuedReportImmutable("An issued report never changes; request a new run")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == RunStatus.DONE or self._issued_in_database():
            raise IssuedReportImmutable("An issued report cannot be deleted")
        return super().delete(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports:run_detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        from reports.snapshot import default_title

        return self.title or default_title(self.language)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_done(self) -> bool:
        return self.status == RunStatus.DONE

    @property
    def row_class(self) -> str:
        return "alert" if self.status == RunStatus.FAILED else ""


class ReportFile(TrackedModel):
    """One rendering of an issued report, stored through Django's storage API, with the SHA-256
    of its bytes so anyone can check a download."""

    run = models.ForeignKey(
        ReportRun, verbose_name=_("report run"), on_delete=models.PROTECT, related_name="files"
    )
    format = models.CharField(_("format"), max_length=5, choices=FileFormat.choices)
    name = models.CharField(_("stored as"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))

    objects = ReportFileQuerySet.as_manager()
    policy = ReportFilePolicy()

    class Meta:
        ordering = ["run", "format"]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        constraints = [
            models.UniqueConstraint(fields=["run", "format"], name="report_file_one_per_format")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}.{self.format}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise IssuedReportImmutable("An issued report file never changes")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IssuedReportImmutable("An issued report file cannot be deleted")

    def get_absolute_url(self) -> str:
        return reverse("reports:download", args=[self.run_id, self.format])

    @property
    def filename(self) -> str:
        return f"report-{self.run_id}.{self.format}"


class LiveHeadline(models.Model):
    """Today's values of the report's headline figures for a period, shown on the dashboard next
    to the latest issued report's. A cache refreshed by a Celery task (computing them runs every
    app's report metrics, seconds at Secretariat scale), so it is not a TrackedModel: nothing in
    it is a record anyone answers for."""

    period_start = models.DateField()
    period_end = models.DateField()
    values = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    objects = LiveHeadlineQuerySet.as_manager()
    policy = LiveHeadlinePolicy()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end"], name="report_live_headline_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start} – {self.period_end} @ {self.computed_at}"
