"""Governance of the accountability system: the implementation assessment of each paragraph of
resolution 64/259, the mandates results serve (paras 8, 26), the Management Committee's meetings,
decisions and follow-up (para 12), consultations with the oversight bodies (para 5), lessons
learned from other organisations (para 9) and the Umoja and Inspira deployment milestones
(paras 20, 28, 29)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.models import TrackedModel
from governance import policies, querysets
from governance.choices import (
    FollowUpStatus,
    ImplementationStatus,
    MandatingBody,
    MilestoneStatus,
    ReviewState,
    System,
)
from org.models import CitesParagraphs, OrgUnit, Paragraph
from org.permissions import RestrictedQuerySet


class ParagraphAssessment(TrackedModel):
    """The accountable office's assessment of how far one paragraph is implemented in a period,
    with its justification and evidence. It counts once an administrator has accepted it; the
    report shows the assessment in force at the period's end, and the mechanical count of
    measures recorded only beside it."""

    paragraph = models.ForeignKey(
        Paragraph, verbose_name=_("paragraph"), on_delete=models.PROTECT, related_name="assessments"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("accountable office"),
        on_delete=models.PROTECT,
        related_name="paragraph_assessments",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("implementation status"), max_length=20, choices=ImplementationStatus.choices
    )
    justification = models.TextField(_("justification"))
    state = models.CharField(
        _("review state"), max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    # The day the assessment came into force: its acceptance, never changed afterwards (an
    # accepted assessment is final), so a closed period reads the same whenever it is compiled.
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)

    objects = querysets.AssessmentQuerySet.as_manager()
    policy = policies.AssessmentPolicy()

    state_actions = {
        "state": {
            ReviewState.SUBMITTED: "submit",
            ReviewState.ACCEPTED: "review",
            ReviewState.RETURNED: "review",
        },
        "submitted_on": "submit",
        "reviewed_on": "review",
        "reviewed_by": "review",
        "review_comment": "review",
        "accepted_on": "review",
    }

    class Meta:
        ordering = ["paragraph__number", "-period_end", "pk"]
        verbose_name = _("paragraph assessment")
        verbose_name_plural = _("paragraph assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "period_start", "period_end"],
                name="governance_one_assessment_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="governance_assessment_period_order",
            ),
            models.CheckConstraint(
                condition=Q(state=ReviewState.ACCEPTED, accepted_on__isnull=False)
                | (~Q(state=ReviewState.ACCEPTED) & Q(accepted_on__isnull=True)),
                name="governance_accepted_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "accepted_on"], name="gov_assessment_force_idx"),
        ]

    def __str__(self) -> str:
        from core.templatetags.core_tags import un_date

        return _("Paragraph %(number)s, %(start)s to %(end)s") % {
            "number": self.paragraph.number if self.paragraph_id else "?",
            "start": un_date(self.period_start),
            "end": un_date(self.period_end),
        }

    def get_absolute_url(self) -> str:
        return reverse("governance:assessment_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.state in (ReviewState.DRAFT, ReviewState.RETURNED)

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("A period cannot end before it starts.")
        if (
            self.paragraph_id
            and self.period_start
            and self.period_end
            and ParagraphAssessment.objects.filter(
                paragraph_id=self.paragraph_id,
                period_start=self.period_start,
                period_end=self.period_end,
            )
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["period_start"] = _("This paragraph already has an assessment for this period.")
        if self.status and not (self.justification or "").strip():
            errors["justification"] = _("Say why: the justification is required.")
        if errors:
            raise ValidationError(errors)


def _evidence_path(instance, filename: str) -> str:
    return f"governance/assessments/{instance.assessment_id}/{filename}"


class AssessmentEvidence(TrackedModel):
    """What an assessment rests on: a record of the tracker (a typed link such as
    "oversight.recommendation:42", checked for existence and visibility when filed) or a
    document, served only to whoever may read the assessment."""

    assessment = models.ForeignKey(
        ParagraphAssessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    reference = models.CharField(_("linked record"), max_length=120, blank=True)
    file = models.FileField(
        _("document"),
        upload_to=_evidence_path,
        max_length=300,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = policies.FollowsParentPolicy("assessment")

    class Meta:
        ordering = ["assessment", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reference="") | ~Q(file=""), name="governance_evidence_not_empty"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_document(self) -> bool:
        return bool(self.file)


class Mandate(CitesParagraphs, TrackedModel):
    """A mandate approved by an intergovernmental body, to which the Secretariat's results are
    tied (paras 8, 26): the expected accomplishments and indicators that serve it."""

    symbol = models.CharField(_("symbol"), max_length=60, unique=True)
    body = models.CharField(_("body"), max_length=10, choices=MandatingBody.choices)
    adopted_on = models.DateField(_("adopted on"))
    title = models.CharField(_("title"), max_length=300)
    accomplishments = models.ManyToManyField(
        "performance.ExpectedAccomplishment",
        verbose_name=_("expected accomplishments"),
        blank=True,
        related_name="mandates",
    )
    indicators = models.ManyToManyField(
        "performance.Indicator", verbose_name=_("indicators"), blank=True, related_name="mandates"
    )

    objects = querysets.GovernanceQuerySet.as_manager()
    policy = policies.GovernancePolicy()

    class Meta:
        ordering = ["-adopted_on", "symbol"]
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        # The list's order (issue 13): its first page read from the index, not a sort.
        indexes = [
            models.Index(fields=["-adopted_on", "symbol", "id"], name="gov_mandate_list_idx")
        ]

    def __str__(self) -> str:
        return self.symbol

    def get_absolute_url(self) -> str:
        return reverse("governance:mandate_detail", args=[self.pk])

    def clean(self) -> None:
        if self.adopted_on and self.adopted_on > timezone.localdate():
            raise ValidationError({"adopted_on": _("A mandate cannot be adopted in the future.")})


class CommitteeMeeting(TrackedModel):
    """A meeting of the Management Committee (para 12): its agenda and a summary of its minutes.
    `is_public`: the summary is published with the paragraph 33 report."""

    held_on = models.DateField(_("held on"))
    agenda = models.TextField(_("agenda"))
    minutes_summary = models.TextField(_("summary of the minutes"), blank=True)
    is_public = models.BooleanField(_("published"), default=True)

    objects = querysets.GovernanceQuerySet.as_manager()
    policy = policies.GovernancePolicy()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("Management Committee meeting")
        verbose_name_plural = _("Management Committee meetings")
        indexes = [models.Index(fields=["held_on"], name="gov_meeting_held_idx")]

    def __str__(self) -> str:
        return _("Management Committee, %(day)s") % {"day": self.held_on}

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting_detail", args=[self.pk])


class CommitteeDecision(CitesParagraphs, TrackedModel):
    """A decision of the Management Committee, numbered within its meeting."""

    meeting = models.ForeignKey(
        CommitteeMeeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"))

    objects = querysets.GovernanceQuerySet.as_manager()
    policy = policies.GovernancePolicy()

    class Meta:
        ordering = ["-meeting__held_on", "number"]
        verbose_name = _("Management Committee decision")
        verbose_name_plural = _("Management Committee decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"], name="governance_decision_number_unique"
            )
        ]

    def __str__(self) -> str:
        held = self.meeting.held_on if self.meeting_id else ""
        return _("Decision %(number)s of %(day)s") % {"number": self.number, "day": held}

    def get_absolute_url(self) -> str:
        return reverse("governance:decision_detail", args=[self.pk])

    def clean(self) -> None:
        if (
            self.meeting_id
            and self.number
            and CommitteeDecision.objects.filter(meeting_id=self.meeting_id, number=self.number)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"number": _("The meeting already has a decision numbered so.")})


class FollowUpAction(TrackedModel):
    """What a unit is to do after a Committee decision, by when. Its status moves only through
    the "status" action, each change dated (FollowUpTransition), so its state on any past day can
    be read back."""

    decision = models.ForeignKey(
        CommitteeDecision,
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("action"), max_length=300)
    assigned_on = models.DateField(_("assigned on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    status_on = models.DateField(_("status since"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminded on"), null=True, blank=True, editable=False)

    objects = querysets.FollowUpQuerySet.as_manager()
    policy = policies.FollowUpPolicy()

    state_actions = {"status": "status", "status_on": "status"}

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        indexes = [
            # The list's order (issue 13: at factor 1 the first page sorted every action).
            models.Index(fields=["due_on", "id"], name="gov_followup_list_idx"),
            models.Index(fields=["status", "due_on"], name="gov_followup_due_idx"),
            models.Index(fields=["unit", "status"], name="gov_followup_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:followup_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        """Open with its due date passed (the SQL twin: querysets.overdue_condition)."""
        return self.status == FollowUpStatus.OPEN and self.due_on < clock.localdate()

    def clean(self) -> None:
        if self.assigned_on and self.due_on and self.due_on < self.assigned_on:
            raise ValidationError({"due_on": _("An action cannot be due before it is assigned.")})


class FollowUpTransition(TrackedModel):
    """One dated change of a follow-up action's status: from, to, on which day, by whom, why."""

    action = models.ForeignKey(
        FollowUpAction,
        verbose_name=_("follow-up action"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_status = models.CharField(_("from"), max_length=10, choices=FollowUpStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=FollowUpStatus.choices)
    changed_on = models.DateField(_("on"))
    actor = models.CharField(_("by"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = policies.FollowsParentPolicy("action")

    class Meta:
        ordering = ["action", "changed_on", "pk"]
        verbose_name = _("follow-up status change")
        verbose_name_plural = _("follow-up status changes")
        indexes = [models.Index(fields=["action", "changed_on"], name="gov_followup_change_idx")]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.from_status} → {self.to_status} ({self.changed_on})"


class Consultation(CitesParagraphs, TrackedModel):
    """A consultation of the Secretariat with an oversight body (OIOS, the Board, the JIU, the
    Independent Audit Advisory Committee) on a subject, and its outcome (para 5)."""

    body = models.ForeignKey(
        "oversight.OversightBody",
        verbose_name=_("oversight body"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    held_on = models.DateField(_("held on"))
    subject = models.CharField(_("subject"), max_length=300)
    outcome = models.TextField(_("outcome"), blank=True)
    system = models.CharField(
        _("enterprise system"),
        max_length=10,
        choices=System.choices,
        blank=True,
        help_text=_("When the consultation concerned Umoja or Inspira."),
    )

    objects = querysets.GovernanceQuerySet.as_manager()
    policy = policies.ConsultationPolicy()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("consultation with an oversight body")
        verbose_name_plural = _("consultations with oversight bodies")
        indexes = [models.Index(fields=["body", "held_on"], name="gov_consultation_idx")]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("governance:consultation_detail", args=[self.pk])

    def clean(self) -> None:
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("Record a consultation once it has been held.")})


class Lesson(CitesParagraphs, TrackedModel):
    """A lesson learned from another organisation of the United Nations system (UNDP, UNICEF...)
    and where the Secretariat applied it (para 9)."""

    source_organisation = models.CharField(_("source organisation"), max_length=100)
    title = models.CharField(_("lesson"), max_length=300)
    description = models.TextField(_("what was learned"), blank=True)
    learned_on = models.DateField(_("learned on"))
    applied_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("applied in unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_how = models.TextField(_("how it was applied"), blank=True)
    system = models.CharField(
        _("enterprise system"), max_length=10, choices=System.choices, blank=True
    )

    objects = querysets.GovernanceQuerySet.as_manager()
    policy = policies.OfficePolicy(unit_field="applied_unit")

    class Meta:
        ordering = ["-learned_on", "-pk"]
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:lesson_detail", args=[self.pk])


class Milestone(TrackedModel):
    """A deployment milestone of Umoja or Inspira: planned date, actual date, status
    (paras 20, 28, 29)."""

    system = models.CharField(_("system"), max_length=10, choices=System.choices)
    title = models.CharField(_("milestone"), max_length=300)
    planned_on = models.DateField(_("planned for"))
    actual_on = models.DateField(_("achieved on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )

    objects = querysets.GovernanceQuerySet.as_manager()
    policy = policies.GovernancePolicy()

    class Meta:
        ordering = ["system", "planned_on", "pk"]
        verbose_name = _("deployment milestone")
        verbose_name_plural = _("deployment milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=MilestoneStatus.ACHIEVED, actual_on__isnull=False)
                | (~Q(status=MilestoneStatus.ACHIEVED) & Q(actual_on__isnull=True)),
                name="governance_achieved_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("governance:milestone_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.status == MilestoneStatus.ACHIEVED and self.actual_on is None:
            errors["actual_on"] = _("Give the date the milestone was achieved.")
        elif self.status != MilestoneStatus.ACHIEVED and self.actual_on is not None:
            errors["actual_on"] = _("Only an achieved milestone has an achievement date.")
        if self.actual_on and self.actual_on > timezone.localdate():
            errors["actual_on"] = _("A milestone cannot be achieved in the future.")
        if errors:
            raise ValidationError(errors)
