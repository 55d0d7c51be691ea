"""Report runs of the paragraph 33 implementation report, their issued files and the DOCX
templates they are rendered with."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TrackedModel
from org.permissions import RestrictedQuerySet
from reports.choices import ACTIVE_STATUSES, FileFormat, ReportLanguage, RunStatus
from reports.edition_policies import EditionPartPolicy, ReportAuthorPolicy, ReportEditionPolicy
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


class FrozenOnceIssued:
    """A record that never changes once issued (a run, an edition): the rule is asked of the
    database, not of the instance, so a stale copy cannot slip through."""

    issued_field = "status"
    issued_value = ""
    immutable_error = IssuedReportImmutable
    frozen_message = "An issued report never changes"

    def _issued_in_database(self) -> bool:
        return (
            type(self)
            ._default_manager.filter(pk=self.pk, **{self.issued_field: self.issued_value})
            .exists()
        )

    def save(self, *args, **kwargs):
        if not self._state.adding and self._issued_in_database():
            raise self.immutable_error(self.frozen_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if getattr(self, self.issued_field) == self.issued_value or self._issued_in_database():
            raise self.immutable_error(f"{self.frozen_message}: it cannot be deleted")
        return super().delete(*args, **kwargs)


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


class ReportRun(FrozenOnceIssued, TrackedModel):
    """One compilation of the implementation report for a period and a language. Queued,
    compiled by a Celery worker (running), then issued (done) or failed. Once done it never
    changes: a new run makes a new id."""

    issued_field, issued_value = "status", RunStatus.DONE
    frozen_message = "An issued report never changes; request a new run"

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
        return f"{self.reference} ({self.period_start} – {self.period_end}, {self.language})"

    @property
    def reference(self) -> str:
        """How pages name a run. A run is no document of the General Assembly and has no
        symbol: only an edition does, as its editor enters it."""
        return _("Run %(number)s") % {"number": self.pk}

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


# --- Editions: the Secretary-General's report drafted, reviewed and issued in the tracker -------


class EditionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")


class EditionJob(models.TextChoices):
    NONE = "", _("None")
    FIGURES = "figures", _("Compiling the figures")
    ISSUE = "issue", _("Issuing")


class EditionJobStatus(models.TextChoices):
    NONE = "", _("None")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FAILED = "failed", _("Failed")


class EditionStructure(models.TextChoices):
    RESOLUTION = "resolution", _("By the sections of the resolution")
    COMPONENTS = "components", _("By the components of the accountability system")


class ReportAuthor(TrackedModel):
    """A user an administrator designated to write editions of the Secretary-General's report
    (administrators write them anyway). Kept beside the user's role, which stays what it is: a
    General Assembly staff member or a manager who drafts the report keeps their own rights."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="report_author",
    )
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    policy = ReportAuthorPolicy()

    class Meta:
        verbose_name = _("report author")
        verbose_name_plural = _("report authors")

    def __str__(self) -> str:
        return str(self.user)


class EditionImmutable(IssuedReportImmutable):
    """Raised on any attempt to change an issued edition, its text or its files."""


class ReportEdition(FrozenOnceIssued, TrackedModel):
    """An edition of the Secretary-General's report on progress towards an accountability system
    (resolution 64/259, paragraph 33): its document data, its narrative (EditionSection) and its
    workflow draft -> in review -> approved -> issued. Issuing freezes the figures and the text
    and stores the rendered files (EditionFile); an issued edition never changes."""

    issued_field, issued_value = "state", EditionState.ISSUED
    immutable_error = EditionImmutable
    frozen_message = "An issued edition never changes"

    session = models.PositiveSmallIntegerField(_("session"))
    agenda_item = models.CharField(_("agenda item"), max_length=20)
    agenda_item_title_en = models.CharField(_("agenda item title (English)"), max_length=300)
    agenda_item_title_zh = models.CharField(
        _("agenda item title (Chinese)"), max_length=300, blank=True
    )
    symbol = models.CharField(_("document symbol"), max_length=40)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    languages = models.JSONField(_("languages"), default=list)
    structure = models.CharField(
        _("structure"),
        max_length=20,
        choices=EditionStructure.choices,
        default=EditionStructure.RESOLUTION,
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=EditionState.choices,
        default=EditionState.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted for review by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    # language -> the report's data snapshot: the figures the editor's preview fills in while
    # the edition is drafted, and the frozen figures of the issued files once issued.
    snapshots = models.JSONField(_("data snapshots"), default=dict, blank=True, editable=False)
    figures_at = models.DateTimeField(_("figures compiled at"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous edition"),
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
        related_name="editions",
    )
    # The Celery job working on the edition (figures, issue): the page polls while it runs.
    job = models.CharField(
        _("job"), max_length=10, choices=EditionJob.choices, blank=True, default=""
    )
    job_status = models.CharField(
        _("job status"), max_length=10, choices=EditionJobStatus.choices, blank=True, default=""
    )
    job_error = models.TextField(_("job error"), blank=True)
    job_token = models.CharField(max_length=32, blank=True, editable=False)
    timings = models.JSONField(_("timings"), default=dict, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    policy = ReportEditionPolicy()

    history_ignored_fields = (
        "version",
        "created_at",
        "updated_at",
        "snapshots",
        "job_token",
        "timings",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report edition")
        verbose_name_plural = _("report editions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_edition_period_ordered",
            ),
            models.UniqueConstraint(fields=["symbol"], name="report_edition_symbol_unique"),
        ]

    def __str__(self) -> str:
        return self.symbol

    def get_absolute_url(self) -> str:
        return reverse("reports:edition_detail", args=[self.pk])

    @property
    def is_issued(self) -> bool:
        return self.state == EditionState.ISSUED

    @property
    def job_active(self) -> bool:
        return self.job_status in (EditionJobStatus.QUEUED, EditionJobStatus.RUNNING)

    def agenda_item_title(self, language: str) -> str:
        if language.startswith("zh") and self.agenda_item_title_zh:
            return self.agenda_item_title_zh
        return self.agenda_item_title_en


class EditionSection(TrackedModel):
    """The Markdown text of one part of an edition (a section of its structure, the summary or
    the action requested of the General Assembly) in one language. Figure references
    (`{{ C.by_body.OIOS.implementation_rate }}`) are filled from the edition's snapshot."""

    edition = models.ForeignKey(
        ReportEdition,
        verbose_name=_("edition"),
        on_delete=models.PROTECT,
        related_name="sections",
    )
    key = models.CharField(_("section"), max_length=40)
    language = models.CharField(_("language"), max_length=10, choices=ReportLanguage.choices)
    text = models.TextField(_("text"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = EditionPartPolicy()

    class Meta:
        ordering = ["edition", "key", "language"]
        verbose_name = _("edition section")
        verbose_name_plural = _("edition sections")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "key", "language"], name="report_edition_section_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition_id}/{self.key}/{self.language}"

    def save(self, *args, **kwargs):
        if self.edition._issued_in_database():
            raise EditionImmutable("The text of an issued edition never changes")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EditionImmutable("An edition's text is edited, never deleted")


class SectionComment(TrackedModel):
    """A reviewer's comment on one section of an edition (in one language, or all), resolved by
    an author once dealt with. Every comment must be resolved before the edition is approved."""

    edition = models.ForeignKey(
        ReportEdition,
        verbose_name=_("edition"),
        on_delete=models.PROTECT,
        related_name="comments",
    )
    section_key = models.CharField(_("section"), max_length=40)
    language = models.CharField(
        _("language"), max_length=10, choices=ReportLanguage.choices, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("comment"))
    resolved = models.BooleanField(_("resolved"), default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = EditionPartPolicy()

    class Meta:
        ordering = ["edition", "created_at", "id"]
        verbose_name = _("section comment")
        verbose_name_plural = _("section comments")

    def __str__(self) -> str:
        return f"{self.edition_id}/{self.section_key}#{self.pk}"

    def save(self, *args, **kwargs):
        if self.edition._issued_in_database():
            raise EditionImmutable("An issued edition takes no more comments")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EditionImmutable("A comment is resolved, never deleted")


class EditionFile(TrackedModel):
    """One rendering of an issued edition in one language, with the SHA-256 of its bytes."""

    edition = models.ForeignKey(
        ReportEdition,
        verbose_name=_("edition"),
        on_delete=models.PROTECT,
        related_name="files",
    )
    language = models.CharField(_("language"), max_length=10, choices=ReportLanguage.choices)
    format = models.CharField(_("format"), max_length=5, choices=FileFormat.choices)
    name = models.CharField(_("stored as"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))

    objects = RestrictedQuerySet.as_manager()
    policy = EditionPartPolicy()

    class Meta:
        ordering = ["edition", "language", "format"]
        verbose_name = _("edition file")
        verbose_name_plural = _("edition files")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "language", "format"], name="report_edition_file_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition_id}.{self.language}.{self.format}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise EditionImmutable("An issued edition's file never changes")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EditionImmutable("An issued edition's file cannot be deleted")

    @property
    def filename(self) -> str:
        symbol = self.edition.symbol.replace("/", "_")
        return f"{symbol}-{self.language}.{self.format}"

    def get_absolute_url(self) -> str:
        return reverse(
            "reports:edition_download", args=[self.edition_id, self.language, self.format]
        )
