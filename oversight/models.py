"""Oversight bodies, their reports and recommendations, and the dated updates that move a
recommendation through its status workflow (paragraphs 4, 5, 12 and 19 of resolution 64/259)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import clock
from core.models import TrackedModel
from org.models import CitesParagraphs, OrgUnit
from oversight.bodies import short_name
from oversight.choices import OPEN_STATUSES, Priority, RecommendationStatus
from oversight.policies import (
    OversightBodyPolicy,
    OversightReportPolicy,
    RecommendationPolicy,
    TimelinePolicy,
)
from oversight.querysets import (
    EvidenceQuerySet,
    OversightBodyQuerySet,
    OversightReportQuerySet,
    RecommendationQuerySet,
    RecommendationUpdateQuerySet,
)


class OversightBody(TrackedModel):
    """An oversight body that issues recommendations to the Secretariat: OIOS, the Board of
    Auditors, the Joint Inspection Unit, ACABQ, IAAC and any an administrator adds."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OversightBodyQuerySet.as_manager()
    policy = OversightBodyPolicy()

    class Meta:
        ordering = ["code"]
        verbose_name = _("oversight body")
        verbose_name_plural = _("oversight bodies")

    def __str__(self) -> str:
        # The short name in the reader's language (监督厅 for OIOS); the code in English.
        return short_name(self.code)

    @property
    def short_name(self) -> str:
        return str(self)

    @property
    def display_name(self) -> str:
        if self.name_zh and (get_language() or "").startswith("zh"):
            return self.name_zh
        return self.name


class OversightReport(CitesParagraphs, TrackedModel):
    """A report of an oversight body (an audit, an evaluation, the JIU reports the resolution
    requests), identified by its document symbol."""

    body = models.ForeignKey(
        OversightBody,
        verbose_name=_("oversight body"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    symbol = models.CharField(_("symbol"), max_length=100)
    title = models.CharField(_("title"), max_length=500)
    issued_on = models.DateField(_("issued on"))

    objects = OversightReportQuerySet.as_manager()
    policy = OversightReportPolicy()

    class Meta:
        ordering = ["-issued_on", "symbol"]
        verbose_name = _("oversight report")
        verbose_name_plural = _("oversight reports")
        constraints = [
            models.UniqueConstraint(
                fields=["body", "symbol"], name="oversight_report_body_symbol_uniq"
            ),
        ]
        indexes = [models.Index(fields=["issued_on"], name="oversight_report_issued_idx")]

    def __str__(self) -> str:
        return self.symbol

    def get_absolute_url(self) -> str:
        return reverse("oversight:report_detail", args=[self.pk])


class Recommendation(TrackedModel):
    """A recommendation of an oversight report addressed to one org unit. Management reports
    progress; only the issuing body verifies and closes it."""

    report = models.ForeignKey(
        OversightReport,
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    number = models.CharField(_("number"), max_length=30)
    text = models.TextField(_("text"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, blank=True, default=""
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="oversight_recommendations",
    )
    accepted = models.BooleanField(_("accepted"), default=True)
    acceptance_comment = models.TextField(
        _("management's comment"),
        blank=True,
        help_text=_("Management's comment on acceptance; the reason when not accepted."),
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    # Financial implications (savings or recoveries), in US dollars (CONTRACT.md: amounts).
    amount_identified = models.DecimalField(
        _("amount identified (USD)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Savings or recoveries the recommendation identifies."),
    )
    amount_realised = models.DecimalField(
        _("amount realised (USD)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Savings or recoveries realised so far; dated on the timeline."),
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.OPEN,
        editable=False,
    )
    status_changed_on = models.DateField(_("status changed on"), default=datetime.date.today)
    implemented_on = models.DateField(_("implemented on"), null=True, blank=True, editable=False)
    # Reminders go out once per target date: a new target date earns a new reminder.
    due_reminder_for = models.DateField(null=True, blank=True, editable=False)
    overdue_reminder_for = models.DateField(null=True, blank=True, editable=False)

    objects = RecommendationQuerySet.as_manager()
    policy = RecommendationPolicy()
    # Moved only by the status action (services.change_status), never by an edit.
    state_actions = {"status": "status", "implemented_on": "status"}

    history_ignored_fields = (
        *TrackedModel.history_ignored_fields,
        "due_reminder_for",
        "overdue_reminder_for",
    )

    class Meta:
        ordering = ["-report__issued_on", "report__symbol", "number"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"], name="oversight_rec_report_number_uniq"
            ),
            models.CheckConstraint(
                condition=Q(amount_identified__isnull=True) | Q(amount_identified__gte=0),
                name="oversight_rec_amount_identified_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(amount_realised__isnull=True) | Q(amount_realised__gte=0),
                name="oversight_rec_amount_realised_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(accepted=False, status=RecommendationStatus.NOT_ACCEPTED)
                | (Q(accepted=True) & ~Q(status=RecommendationStatus.NOT_ACCEPTED)),
                name="oversight_rec_not_accepted_status",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "target_date"], name="oversight_rec_status_due_idx"),
            models.Index(fields=["unit", "status"], name="oversight_rec_unit_status_idx"),
            models.Index(fields=["priority", "status"], name="oversight_rec_priority_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.report.symbol} #{self.number}" if self.report_id else f"#{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:recommendation_detail", args=[self.pk])

    def clean(self) -> None:
        # `accepted` and the 'not accepted' status move together by apply_acceptance (the save
        # action) and a database constraint.
        if self.implemented_on and self.status != RecommendationStatus.IMPLEMENTED:
            raise ValidationError(
                {
                    "implemented_on": _(
                        "Only an implemented recommendation has an implementation date."
                    )
                }
            )
        if (
            self.amount_realised is not None
            and self.amount_identified is not None
            and self.amount_realised > self.amount_identified
        ):
            raise ValidationError(
                {"amount_realised": _("The amount realised cannot exceed the amount identified.")}
            )

    def apply_acceptance(self, accepted: bool, comment: str) -> None:
        """Record management's acceptance as the edit form and the API give it: declining moves
        an open recommendation to 'not accepted' (with a reason); accepting moves it back."""
        S = RecommendationStatus
        if accepted is False:
            if self.status not in (S.OPEN, S.NOT_ACCEPTED):
                raise ValidationError(
                    {"accepted": _("Only an open recommendation can be recorded as not accepted.")}
                )
            if not comment:
                raise ValidationError(
                    {"acceptance_comment": _("Give management's reason for not accepting it.")}
                )
            self.status = S.NOT_ACCEPTED
        elif self.status == S.NOT_ACCEPTED:
            self.status = S.OPEN

    def initial_status(self) -> str:
        """The status a new recommendation starts in: open, or not accepted when declined."""
        return RecommendationStatus.OPEN if self.accepted else RecommendationStatus.NOT_ACCEPTED

    @property
    def is_overdue(self) -> bool:
        """The one-record twin of RecommendationQuerySet.overdue() (tested against it)."""
        return bool(
            self.status in OPEN_STATUSES
            and self.target_date
            and self.target_date < clock.localdate()
        )

    @property
    def row_class(self) -> str:
        if self.is_overdue:
            return "alert" if self.priority == Priority.CRITICAL else "warn"
        return ""


def evidence_path(instance, filename: str) -> str:
    return f"oversight/evidence/{timezone.now():%Y/%m}/{filename}"


class RecommendationUpdate(TrackedModel):
    """A dated entry on a recommendation's timeline: who moved it from which status to which,
    with their note (progress, or the reason for a refusal or a send-back) and evidence.

    `effective_on` is the date the change took effect (the implementation date for an
    implementation; earlier than the day it was recorded when a body records a change made
    elsewhere). Each entry also keeps the target date and the amount realised before and after
    it, so that the recommendation as in force on any date is read from its timeline
    (RecommendationQuerySet.as_at)."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        related_name="updates",
    )
    from_status = models.CharField(
        _("from status"), max_length=24, choices=RecommendationStatus.choices
    )
    to_status = models.CharField(
        _("to status"), max_length=24, choices=RecommendationStatus.choices
    )
    note = models.TextField(_("note"))
    effective_on = models.DateField(_("effective on"), default=datetime.date.today)
    from_target_date = models.DateField(_("target date before"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    from_amount_realised = models.DecimalField(
        _("amount realised before"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    amount_realised = models.DecimalField(
        _("amount realised (USD)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_label = models.CharField(_("author"), max_length=150, blank=True)

    objects = RecommendationUpdateQuerySet.as_manager()
    policy = TimelinePolicy(prefix="recommendation__")

    class Meta:
        ordering = ["-effective_on", "-created_at", "-pk"]
        verbose_name = _("recommendation update")
        verbose_name_plural = _("recommendation updates")
        indexes = [
            models.Index(fields=["recommendation", "-created_at"], name="oversight_update_rec_idx"),
            models.Index(
                fields=["recommendation", "effective_on", "created_at", "id"],
                name="oversight_update_eff_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.from_status} → {self.to_status}"


class Evidence(TrackedModel):
    """A file management attached to an update as proof of implementation."""

    update = models.ForeignKey(
        RecommendationUpdate,
        verbose_name=_("update"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)

    objects = EvidenceQuerySet.as_manager()
    policy = TimelinePolicy(prefix="update__recommendation__")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name
