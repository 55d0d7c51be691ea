"""Enterprise risk management and internal control (paras 30-31), procurement conflicts of
interest and the recovery of losses from misconduct (paras 17, 32)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.figures import rate
from core.models import TrackedModel
from org.models import CitesParagraphs, OrgUnit, Person
from risk import policies, querysets
from risk.choices import (
    BARRING_MEASURES,
    OPEN_TREATMENT,
    Band,
    CaseStatus,
    CommitteeOutcome,
    Conclusion,
    ControlFrequency,
    ControlKind,
    DeficiencySeverity,
    DeficiencyStatus,
    Finding,
    RecoveryKind,
    RiskCategory,
    RiskResponse,
    SanctionMeasure,
    StatementStatus,
    TestResult,
    TreatmentStatus,
    Trend,
)

RATING = [MinValueValidator(1), MaxValueValidator(5)]
MONEY = {"max_digits": 16, "decimal_places": 2}


def _between_1_and_5(field: str, *, nullable: bool = False) -> Q:
    check = Q(**{f"{field}__gte": 1, f"{field}__lte": 5})
    return check | Q(**{f"{field}__isnull": True}) if nullable else check


class RatingScale(TrackedModel):
    """Where the rating bands start on the 1-25 score scale. One row; administrators change it in
    the admin, and every list, heat map and figure reads bands from it."""

    medium_from = models.PositiveSmallIntegerField(_("medium from score"), default=5)
    high_from = models.PositiveSmallIntegerField(_("high from score"), default=10)
    critical_from = models.PositiveSmallIntegerField(_("critical from score"), default=15)

    objects = querysets.ReferenceQuerySet.as_manager()
    policy = policies.ReferencePolicy()

    class Meta:
        verbose_name = _("rating scale")
        verbose_name_plural = _("rating scale")
        constraints = [
            models.CheckConstraint(
                condition=Q(medium_from__gt=1, high_from__gt=F("medium_from"))
                & Q(critical_from__gt=F("high_from"), critical_from__lte=25),
                name="risk_scale_ordered",
            )
        ]

    def __str__(self) -> str:
        return str(_("Rating scale"))

    def clean(self) -> None:
        if not 1 < self.medium_from < self.high_from < self.critical_from <= 25:
            raise ValidationError(
                _("Thresholds must rise: 1 < medium < high < critical ≤ 25."), code="order"
            )

    @classmethod
    def current(cls) -> "RatingScale":
        return cls.objects.order_by("pk").first() or cls()

    def band(self, score: int | None) -> str:
        if score is None:
            return ""
        if score >= self.critical_from:
            return Band.CRITICAL
        if score >= self.high_from:
            return Band.HIGH
        if score >= self.medium_from:
            return Band.MEDIUM
        return Band.LOW


class Risk(CitesParagraphs, TrackedModel):
    """An entry in a unit's enterprise risk register: what could go wrong, how likely and how
    bad before and after the controls that treat it, and how the unit responds (para 30)."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="risks"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    effect = models.TextField(_("effect"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("risk owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
    )
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), validators=RATING, help_text=_("1 (rare) to 5 (almost certain)")
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), validators=RATING, help_text=_("1 (minor) to 5 (severe)")
    )
    score = models.PositiveSmallIntegerField(_("score"), editable=False)
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"),
        validators=RATING,
        null=True,
        blank=True,
        help_text=_("After the controls that treat the risk."),
    )
    residual_impact = models.PositiveSmallIntegerField(
        _("residual impact"), validators=RATING, null=True, blank=True
    )
    residual_score = models.PositiveSmallIntegerField(
        _("residual score"), null=True, editable=False
    )
    response = models.CharField(
        _("response"), max_length=20, choices=RiskResponse.choices, default=RiskResponse.MITIGATE
    )
    identified_on = models.DateField(_("identified on"), default=timezone.localdate)
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = querysets.RiskQuerySet.as_manager()
    # 20,000 risks at factor 1: a manager's read by their ids while few.
    policy = policies.OwnedPolicy(owner_fields=("owner",), by_ids_when_few=True)

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        indexes = [
            models.Index(fields=["unit", "category"], name="risk_unit_category_idx"),
            models.Index(fields=["likelihood", "impact"], name="risk_cell_idx"),
            models.Index(
                fields=["residual_likelihood", "residual_impact"], name="risk_residual_cell_idx"
            ),
            models.Index(fields=["owner", "closed_on"], name="risk_owner_idx"),
            models.Index(fields=["reviewed_on"], name="risk_reviewed_idx"),
            models.Index(fields=["-score", "id"], name="risk_score_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_between_1_and_5("likelihood"), name="risk_likelihood_1_5"
            ),
            models.CheckConstraint(condition=_between_1_and_5("impact"), name="risk_impact_1_5"),
            models.CheckConstraint(
                condition=_between_1_and_5("residual_likelihood", nullable=True),
                name="risk_res_likelihood_1_5",
            ),
            models.CheckConstraint(
                condition=_between_1_and_5("residual_impact", nullable=True),
                name="risk_res_impact_1_5",
            ),
            models.CheckConstraint(
                condition=Q(score=F("likelihood") * F("impact")), name="risk_score_product"
            ),
            models.CheckConstraint(
                condition=Q(
                    residual_likelihood__isnull=True,
                    residual_impact__isnull=True,
                    residual_score__isnull=True,
                )
                | Q(residual_score=F("residual_likelihood") * F("residual_impact")),
                name="risk_residual_score_product",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("risk:risk_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if (self.residual_likelihood is None) != (self.residual_impact is None):
            field = "residual_impact" if self.residual_impact is None else "residual_likelihood"
            errors[field] = _("Give both residual likelihood and residual impact, or neither.")
        if self.identified_on and self.reviewed_on and self.reviewed_on < self.identified_on:
            errors["reviewed_on"] = _("A risk cannot be reviewed before it was identified.")
        if self.identified_on and self.closed_on and self.closed_on < self.identified_on:
            errors["closed_on"] = _("A risk cannot be closed before it was identified.")
        if errors:
            raise ValidationError(errors)

    def compute_scores(self) -> None:
        self.score = (self.likelihood or 0) * (self.impact or 0)
        if self.residual_likelihood and self.residual_impact:
            self.residual_score = self.residual_likelihood * self.residual_impact
        else:
            self.residual_score = None

    def save(self, *args, **kwargs):
        self.compute_scores()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "score", "residual_score"}
        super().save(*args, **kwargs)

    # Bands come from the list's SQL annotation when there is one (no query per row).
    def rating(self, scale: RatingScale | None = None) -> str:
        if "rating_band" in self.__dict__:
            return self.__dict__["rating_band"]
        return (scale or RatingScale.current()).band(self.score)

    def residual_rating(self, scale: RatingScale | None = None) -> str:
        if "residual_band" in self.__dict__:
            return self.__dict__["residual_band"]
        return (scale or RatingScale.current()).band(self.residual_score)

    def get_rating_display(self) -> str:
        band = self.rating()
        return Band(band).label if band else ""

    def get_residual_rating_display(self) -> str:
        band = self.residual_rating()
        return Band(band).label if band else ""

    @property
    def row_class(self) -> str:
        band = self.rating()
        return {Band.CRITICAL: "alert", Band.HIGH: "warn"}.get(band, "")

    @property
    def review_due(self) -> bool:
        """One row's reading of querysets.review_due (tested against it)."""
        if self.reviewed_on is None:
            return True
        return self.reviewed_on < timezone.localdate() - datetime.timedelta(
            days=querysets.REVIEW_CYCLE_DAYS
        )


class RiskAssessment(TrackedModel):
    """One rating of a risk at a review: the points of its score trend."""

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=RATING)
    impact = models.PositiveSmallIntegerField(_("impact"), validators=RATING)
    score = models.PositiveSmallIntegerField(_("score"))
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"), null=True, blank=True
    )
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    residual_score = models.PositiveSmallIntegerField(_("residual score"), null=True, blank=True)

    objects = querysets.AssessmentQuerySet.as_manager()
    policy = policies.OwnedPolicy(unit_field="risk__unit", owner_fields=("risk__owner",))

    class Meta:
        ordering = ["risk", "assessed_on", "pk"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self) -> str:
        return f"{self.risk_id} @ {self.assessed_on}: {self.score}"


class Treatment(TrackedModel):
    """An action that treats a risk: who does it, by when, and whether it is done."""

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="treatments"
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("action owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_treatments",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=TreatmentStatus.choices, default=TreatmentStatus.PLANNED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    reminded_on = models.DateField(
        _("owner last reminded on"), null=True, blank=True, editable=False
    )

    objects = querysets.TreatmentQuerySet.as_manager()
    policy = policies.OwnedPolicy(unit_field="risk__unit", owner_fields=("owner", "risk__owner"))

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("treatment action")
        verbose_name_plural = _("treatment actions")
        indexes = [
            models.Index(fields=["status", "due_on"], name="treatment_status_due_idx"),
            models.Index(fields=["owner", "status"], name="treatment_owner_idx"),
            # The list's order: its first page read from the index, not by sorting every row.
            models.Index(fields=["due_on", "id"], name="treatment_list_order_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("risk:risk_detail", args=[self.risk_id])

    def clean(self) -> None:
        errors = {}
        risk = self.risk if self.risk_id else None
        if (
            risk is not None
            and self.due_on
            and risk.identified_on
            and self.due_on < risk.identified_on
        ):
            errors["due_on"] = _(
                "A treatment cannot be due before its risk was identified (%(date)s)."
            ) % {"date": risk.identified_on.isoformat()}
        if self.status == TreatmentStatus.DONE and self.completed_on is None:
            self.completed_on = timezone.localdate()
        if self.completed_on and risk is not None and self.completed_on < risk.identified_on:
            errors["completed_on"] = _(
                "A treatment cannot be completed before its risk was identified."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_overdue(self) -> bool:
        """One row's reading of querysets.treatment_overdue (tested against it)."""
        return self.status in OPEN_TREATMENT and self.due_on < timezone.localdate()

    @property
    def row_class(self) -> str:
        return "alert" if self.is_overdue else ""


class Control(CitesParagraphs, TrackedModel):
    """An internal control: a procedure that prevents or detects what a risk describes (para 31)."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="controls"
    )
    title = models.CharField(_("title"), max_length=300)
    objective = models.TextField(_("objective"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ControlKind.choices, default=ControlKind.PREVENTIVE
    )
    frequency = models.CharField(
        _("frequency"),
        max_length=20,
        choices=ControlFrequency.choices,
        default=ControlFrequency.MONTHLY,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("control owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_controls",
    )
    risks = models.ManyToManyField(
        Risk, verbose_name=_("risks treated"), blank=True, related_name="controls"
    )

    objects = querysets.ControlQuerySet.as_manager()
    policy = policies.OwnedPolicy(owner_fields=("owner",), by_ids_when_few=True)

    class Meta:
        ordering = ["unit", "title", "pk"]
        verbose_name = _("internal control")
        verbose_name_plural = _("internal controls")
        indexes = [
            models.Index(fields=["unit", "kind"], name="control_unit_kind_idx"),
            # The list's order: its first page read from the index, not by sorting every row.
            models.Index(fields=["unit", "title", "id"], name="control_list_order_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("risk:control_detail", args=[self.pk])


class ControlTest(TrackedModel):
    """A test of whether a control works, and what it found."""

    control = models.ForeignKey(
        Control, verbose_name=_("control"), on_delete=models.CASCADE, related_name="tests"
    )
    tested_on = models.DateField(_("tested on"))
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tester"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=30, choices=TestResult.choices)
    notes = models.TextField(_("what the test found"), blank=True)

    objects = querysets.ControlTestQuerySet.as_manager()
    # Not read by ids: the condition is on the controls' ids already (policies._on_own_columns),
    # which the planner estimates from the tests a control has.
    policy = policies.OwnedPolicy(
        unit_field="control__unit", owner_fields=("control__owner", "tester")
    )

    class Meta:
        ordering = ["-tested_on", "-pk"]
        verbose_name = _("control test")
        verbose_name_plural = _("control tests")
        indexes = [
            # A control's tests newest first, ties on the date by the newest id: its page, and
            # its latest test in a period (report section J) read as the index's first entry.
            models.Index(fields=["control", "-tested_on", "-id"], name="controltest_latest_idx"),
            models.Index(fields=["tested_on", "result"], name="controltest_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.control} – {self.tested_on}"

    def get_absolute_url(self) -> str:
        return reverse("risk:control_test_detail", args=[self.pk])

    def clean(self) -> None:
        if self.tested_on and self.tested_on > timezone.localdate():
            raise ValidationError(
                {"tested_on": _("A test cannot be recorded before it takes place.")}
            )

    @property
    def row_class(self) -> str:
        return {TestResult.INEFFECTIVE: "alert", TestResult.PARTIALLY_EFFECTIVE: "warn"}.get(
            self.result, ""
        )


class Deficiency(TrackedModel):
    """A control deficiency a test found, and the remediation that closes it."""

    test = models.ForeignKey(
        ControlTest,
        verbose_name=_("control test"),
        on_delete=models.CASCADE,
        related_name="deficiencies",
    )
    description = models.TextField(_("deficiency"))
    severity = models.CharField(
        _("severity"),
        max_length=20,
        choices=DeficiencySeverity.choices,
        default=DeficiencySeverity.DEFICIENCY,
        help_text=_(
            "Significant deficiencies and material weaknesses are listed in the statement of internal control."
        ),
    )
    remediation = models.TextField(_("remediation action"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("remediation owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("remediation due on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeficiencyStatus.choices,
        default=DeficiencyStatus.OPEN,
        editable=False,
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)

    # Closing is an action with its own rule (remediation recorded), never a generic edit.
    state_actions = {"status": "close", "closed_on": "close"}

    objects = querysets.DeficiencyQuerySet.as_manager()
    # As control tests: narrowed by the tests' ids (policies._on_own_columns).
    policy = policies.OwnedPolicy(
        unit_field="test__control__unit", owner_fields=("owner",), as_change=("close",)
    )

    class Meta:
        ordering = ["closed_on", "due_on", "pk"]
        verbose_name = _("control deficiency")
        verbose_name_plural = _("control deficiencies")
        indexes = [
            models.Index(fields=["closed_on"], name="deficiency_closed_idx"),
            # The list's order: its first page read from the index, not by sorting every row.
            models.Index(fields=["closed_on", "due_on", "id"], name="deficiency_list_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="risk_deficiency_status_closed_on",
            )
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("risk:control_test_detail", args=[self.test_id])

    def clean(self) -> None:
        test = self.test if self.test_id else None
        if self.closed_on and not self.remediation.strip():
            raise ValidationError(
                {"remediation": _("Record the remediation action before closing the deficiency.")}
            )
        if test is not None and self.closed_on and self.closed_on < test.tested_on:
            raise ValidationError(
                {"closed_on": _("A deficiency cannot be closed before the test that found it.")}
            )
        if test is not None and self.due_on and self.due_on < test.tested_on:
            raise ValidationError(
                {
                    "due_on": _(
                        "Remediation cannot be due before the test that found the deficiency."
                    )
                }
            )

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class SelfAssessment(TrackedModel):
    """A unit's yearly internal control self-assessment, certified by its head: the ground for the
    statement of internal control (para 31)."""

    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="control_self_assessments",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2010), MaxValueValidator(2100)]
    )
    statement = models.TextField(_("statement"), blank=True)
    conclusion = models.CharField(
        _("conclusion"), max_length=20, choices=Conclusion.choices, blank=True
    )
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("certified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    certified_on = models.DateField(_("certified on"), null=True, blank=True)

    objects = querysets.SelfAssessmentQuerySet.as_manager()
    policy = policies.SelfAssessmentPolicy()

    class Meta:
        ordering = ["-year", "unit"]
        verbose_name = _("control self-assessment")
        verbose_name_plural = _("control self-assessments")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="risk_selfassessment_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("risk:self_assessment_detail", args=[self.pk])

    @property
    def is_certified(self) -> bool:
        return self.certified_on is not None


class ProcurementCase(CitesParagraphs, TrackedModel):
    """A procurement exercise: its vendors and the panel that evaluates them (para 32)."""

    reference = models.CharField(_("reference"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="procurement_cases"
    )
    value = models.DecimalField(
        _("value (USD)"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    panel = models.ManyToManyField(
        Person, verbose_name=_("evaluation panel"), blank=True, related_name="procurement_panels"
    )
    awarded_to = models.CharField(_("awarded to"), max_length=200, blank=True, editable=False)
    awarded_on = models.DateField(
        pgettext_lazy("contract", "awarded on"), null=True, blank=True, editable=False
    )
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cleared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True, editable=False)
    clearance_reason = models.TextField(_("reason for clearance"), blank=True, editable=False)
    # The `flagged` rule stored (issue 13): kept by querysets.refresh_case_flags whenever a
    # case, its panel, its vendors or its declarations are written; `check_procurement_flags`
    # recomputes it from the rule and repairs differences (bulk loads write no signals).
    is_flagged = models.BooleanField(_("flagged"), default=False, editable=False)

    # The award and the clearance move only through their actions. `status` may move between
    # open, under evaluation and cancelled by an edit; to or from "awarded" only by award/reopen
    # (checked by save_procurement_case and the serializer's validate_status).
    state_actions = {
        "awarded_to": "award",
        "awarded_on": "award",
        "cleared_by": "clear",
        "cleared_on": "clear",
        "clearance_reason": "clear",
    }

    # Derived from the panel and declarations, whose own changes are in the history.
    history_ignored_fields = (*TrackedModel.history_ignored_fields, "is_flagged")

    objects = querysets.ProcurementCaseQuerySet.as_manager()
    policy = policies.ProcurementCasePolicy()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("procurement case")
        verbose_name_plural = _("procurement cases")
        indexes = [
            models.Index(fields=["unit", "status"], name="proc_unit_status_idx"),
            models.Index(fields=["-opened_on", "-id"], name="proc_opened_idx"),
            models.Index(fields=["is_flagged", "-opened_on", "-id"], name="proc_flagged_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="risk_case_value_positive")
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("risk:case_detail", args=[self.pk])

    @property
    def flagged(self) -> bool:
        """The stored flag (CONTRACT.md's rule, kept by every write to the case, its panel, its
        vendors and its declarations)."""
        return self.is_flagged

    def compute_flagged(self) -> bool:
        """The `flagged` rule read from the case's panel and declarations in Python
        (querysets.flag_expression says the same in SQL; tests check both agree with the stored
        flag)."""
        if self.pk is None:
            return False
        reasons = self.flag_reasons()
        return bool(reasons["undeclared"] or reasons["conflicts"])

    @property
    def is_cleared(self) -> bool:
        return self.cleared_by_id is not None and bool(self.clearance_reason)

    @property
    def row_class(self) -> str:
        return "alert" if self.flagged and not self.is_cleared else ""

    def flag_reasons(self) -> dict:
        """Who makes the case flagged: panel members without a declaration, and declared
        interests in the case's vendors."""
        panel = list(self.panel.all())
        declarations = list(self.declarations.select_related("person"))
        vendors = set(self.vendors.values_list("name", flat=True))
        declared = {d.person_id for d in declarations}
        panel_ids = {p.pk for p in panel}
        return {
            "undeclared": [p for p in panel if p.pk not in declared],
            "conflicts": [
                d
                for d in declarations
                if d.vendor and d.vendor in vendors and d.person_id in panel_ids
            ],
        }


class Vendor(TrackedModel):
    """A vendor taking part in a procurement case."""

    case = models.ForeignKey(
        ProcurementCase,
        verbose_name=_("procurement case"),
        on_delete=models.CASCADE,
        related_name="vendors",
    )
    name = models.CharField(_("vendor"), max_length=200)

    objects = querysets.VendorQuerySet.as_manager()
    policy = policies.UnitPolicy(unit_field="case__unit")

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        constraints = [
            models.UniqueConstraint(fields=["case", "name"], name="risk_vendor_unique_per_case")
        ]

    def __str__(self) -> str:
        return self.name


class InterestDeclaration(TrackedModel):
    """A panel member's declaration for a procurement case: an interest in one of its vendors, or
    (vendor empty) that they have none."""

    case = models.ForeignKey(
        ProcurementCase,
        verbose_name=_("procurement case"),
        on_delete=models.CASCADE,
        related_name="declarations",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("panel member"),
        on_delete=models.PROTECT,
        related_name="interest_declarations",
    )
    vendor = models.CharField(
        _("vendor"),
        max_length=200,
        blank=True,
        help_text=_("Empty: declares no interest in any vendor."),
    )
    interest = models.TextField(_("interest"), blank=True)
    declared_on = models.DateField(_("declared on"), default=timezone.localdate)

    objects = querysets.DeclarationQuerySet.as_manager()
    policy = policies.DeclarationPolicy()

    class Meta:
        ordering = ["case", "person", "vendor"]
        verbose_name = _("interest declaration")
        verbose_name_plural = _("interest declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "person", "vendor"], name="risk_declaration_unique"
            )
        ]
        indexes = [models.Index(fields=["case", "person"], name="declaration_case_person_idx")]

    def __str__(self) -> str:
        return f"{self.case} – {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("risk:case_detail", args=[self.case_id])

    def clean(self) -> None:
        errors = {}
        if (
            self.case_id
            and self.person_id
            and not self.case.panel.filter(pk=self.person_id).exists()
        ):
            errors["person"] = _(
                "Only a member of the case's evaluation panel can make a declaration for it."
            )
        if self.case_id and self.vendor and not self.case.vendors.filter(name=self.vendor).exists():
            errors["vendor"] = _("“%(vendor)s” is not a vendor in this case.") % {
                "vendor": self.vendor
            }
        if self.vendor and not self.interest.strip():
            errors["interest"] = _("Describe the interest in the vendor.")
        if errors:
            raise ValidationError(errors)

    @property
    def declares_interest(self) -> bool:
        return bool(self.vendor)


class RecoveryCase(CitesParagraphs, TrackedModel):
    """A misconduct finding that caused a loss, and what has been recovered (paras 17, 32)."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="recovery_cases"
    )
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    finding = models.CharField(_("finding"), max_length=20, choices=Finding.choices)
    description = models.TextField(_("description"), blank=True)
    decision = models.ForeignKey(
        "accountability.Decision",
        verbose_name=_("decision that caused the loss"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recovery_cases",
        help_text=_("Where a wrong decision caused the loss (para 17)."),
    )
    amount_lost = models.DecimalField(
        _("amount lost (USD)"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    amount_recovered = models.DecimalField(
        _("amount recovered (USD)"), default=Decimal("0"), **MONEY
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Paragraph 17: the case referred for disciplinary action and to national authorities.
    referred_for_discipline_on = models.DateField(
        _("referred for disciplinary action on"), null=True, blank=True, editable=False
    )
    referred_to_authorities_on = models.DateField(
        _("referred to national authorities on"), null=True, blank=True, editable=False
    )
    national_authority = models.CharField(
        _("national authority"), max_length=200, blank=True, editable=False
    )

    state_actions = {
        "referred_for_discipline_on": "refer",
        "referred_to_authorities_on": "refer",
        "national_authority": "refer",
    }

    objects = querysets.RecoveryCaseQuerySet.as_manager()
    policy = policies.UnitPolicy(as_change=("refer",))

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("recovery case")
        verbose_name_plural = _("recovery cases")
        indexes = [
            models.Index(fields=["unit", "finding"], name="recovery_unit_finding_idx"),
            models.Index(fields=["opened_on"], name="recovery_opened_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_lost__gte=0), name="risk_recovery_lost_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount_recovered__gte=0, amount_recovered__lte=F("amount_lost")),
                name="risk_recovered_within_lost",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or self.title or str(_("Recovery case %(id)s") % {"id": self.pk})

    def get_absolute_url(self) -> str:
        return reverse("risk:recovery_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.amount_lost is not None and self.amount_recovered is not None:
            if self.amount_recovered > self.amount_lost:
                errors["amount_recovered"] = _(
                    "The amount recovered (%(rec)s) cannot exceed the amount lost (%(lost)s)."
                ) % {"rec": self.amount_recovered, "lost": self.amount_lost}
            if self.amount_recovered < 0:
                errors["amount_recovered"] = _("The amount recovered cannot be negative.")
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            errors["closed_on"] = _("A case cannot be closed before it was opened.")
        if errors:
            raise ValidationError(errors)

    @property
    def recovery_rate(self) -> float | None:
        return rate(self.amount_recovered, self.amount_lost)

    @property
    def outstanding(self) -> Decimal:
        return self.amount_lost - self.amount_recovered


class RecoveryAction(TrackedModel):
    """An amount recovered on a case: the recovery over time."""

    case = models.ForeignKey(
        RecoveryCase,
        verbose_name=_("recovery case"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    taken_on = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(
        _("action"), max_length=20, choices=RecoveryKind.choices, default=RecoveryKind.REPAYMENT
    )
    amount = models.DecimalField(_("amount (USD)"), **MONEY)
    note = models.TextField(_("note"), blank=True)

    objects = querysets.RecoveryActionQuerySet.as_manager()
    policy = policies.UnitPolicy(unit_field="case__unit")

    class Meta:
        ordering = ["taken_on", "pk"]
        verbose_name = _("recovery action")
        verbose_name_plural = _("recovery actions")
        indexes = [models.Index(fields=["taken_on"], name="recoveryaction_date_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.taken_on}: {self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("risk:recovery_detail", args=[self.case_id])

    def clean(self) -> None:
        errors = {}
        if self.amount is not None and self.amount <= 0 and self.kind != RecoveryKind.CORRECTION:
            errors["amount"] = _("An amount recovered must be more than zero.")
        if self.case_id and self.taken_on and self.taken_on < self.case.opened_on:
            errors["taken_on"] = _("A recovery cannot be recorded before the case was opened.")
        if errors:
            raise ValidationError(errors)


# --- Statement of internal control, Secretariat-wide risks, vendor sanctions (paras 30-32) ---


class InternalControlStatement(TrackedModel):
    """The Secretariat's statement of internal control for a year (paras 30-31): the units' certified
    self-assessments rolled up, and the significant deficiencies as at the year's end. A draft
    reads the roll-up live; issuing stores it, so later changes never alter an issued statement."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2010), MaxValueValidator(2100)]
    )
    text = models.TextField(_("text of the statement"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=StatementStatus.choices,
        default=StatementStatus.DRAFT,
        editable=False,
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    rollup = models.JSONField(_("roll-up as issued"), default=dict, blank=True, editable=False)

    state_actions = {
        "status": "issue",
        "issued_on": "issue",
        "issued_by": "issue",
        "rollup": "issue",
    }

    objects = querysets.StatementQuerySet.as_manager()
    policy = policies.SecretariatPolicy(personal_fields=("issued_by",))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("statement of internal control")
        verbose_name_plural = _("statements of internal control")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", issued_on__isnull=True)
                | Q(status="issued", issued_on__isnull=False),
                name="risk_statement_issued_on",
            )
        ]

    def __str__(self) -> str:
        return str(_("Statement of internal control %(year)s") % {"year": self.year})

    def get_absolute_url(self) -> str:
        return reverse("risk:statement_detail", args=[self.pk])

    @property
    def period_start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def period_end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @property
    def is_issued(self) -> bool:
        return self.status == StatementStatus.ISSUED

    def figures(self) -> dict:
        """The roll-up: as stored when issued, computed now while a draft."""
        if self.is_issued:
            return self.rollup
        from risk.statements import compute_rollup

        return compute_rollup(self.year)


class CriticalRisk(TrackedModel):
    """A risk an administrator has flagged Secretariat-wide: an entry of the Secretariat's critical
    risk register, with the unit and the senior manager answerable for it and its treatment."""

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.PROTECT, related_name="critical_entries"
    )
    owner_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        related_name="critical_risks_owned",
    )
    accountable_manager = models.ForeignKey(
        Person,
        verbose_name=_("accountable manager"),
        on_delete=models.PROTECT,
        related_name="critical_risks",
    )
    treatment = models.TextField(_("Secretariat-wide treatment"))
    flagged_on = models.DateField(_("flagged on"), default=timezone.localdate)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True, editable=False)

    state_actions = {"withdrawn_on": "withdraw", "withdrawal_reason": "withdraw"}

    objects = querysets.CriticalRiskQuerySet.as_manager()
    policy = policies.AdminRecordedPolicy(
        unit_field="risk__unit",
        as_change=("withdraw",),
        personal_fields=("accountable_manager", "flagged_by"),
    )

    class Meta:
        ordering = ["-flagged_on", "-pk"]
        verbose_name = _("Secretariat-wide critical risk")
        verbose_name_plural = _("Secretariat-wide critical risks")
        constraints = [
            # A risk is on the register once at a time; after a withdrawal it may be flagged again.
            models.UniqueConstraint(
                fields=["risk"],
                condition=Q(withdrawn_on__isnull=True),
                name="risk_critical_once_active",
            )
        ]
        indexes = [models.Index(fields=["withdrawn_on", "flagged_on"], name="critical_active_idx")]

    def __str__(self) -> str:
        return str(self.risk) if self.risk_id else str(_("Secretariat-wide critical risk"))

    def get_absolute_url(self) -> str:
        return reverse("risk:critical_risk_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None

    # Band and trend come from the register's SQL annotation (risk.metrics.with_trend), as at
    # the date the register is read for.
    def get_band_display(self) -> str:
        band = self.__dict__.get("at_band")
        return Band(band).label if band else ""

    def get_trend_display(self) -> str:
        trend = self.__dict__.get("trend")
        return Trend(trend).label if trend else ""

    @property
    def row_class(self) -> str:
        return "warn" if self.__dict__.get("trend") == Trend.WORSENING else ""

    def clean(self) -> None:
        errors = {}
        risk = self.risk if self.risk_id else None
        if risk is not None:
            if risk.closed_on is not None:
                errors["risk"] = _("A closed risk cannot be flagged Secretariat-wide.")
            elif self.flagged_on and self.flagged_on < risk.identified_on:
                errors["flagged_on"] = _("A risk cannot be flagged before it was identified.")
            active = CriticalRisk.objects.filter(risk=risk, withdrawn_on__isnull=True)
            if self.pk:
                active = active.exclude(pk=self.pk)
            if self.withdrawn_on is None and active.exists():
                errors["risk"] = _("This risk is already on the Secretariat-wide register.")
        if self.flagged_on and self.flagged_on > timezone.localdate():
            errors["flagged_on"] = _("A risk cannot be flagged in the future.")
        if self.accountable_manager_id and self.owner_unit_id:
            manager_unit = self.accountable_manager.unit
            if manager_unit is None or not manager_unit.path.startswith(self.owner_unit.path):
                errors["accountable_manager"] = _(
                    "The accountable manager must work in the owner unit or a unit below it."
                )
        if errors:
            raise ValidationError(errors)


class VendorSanction(TrackedModel):
    """A measure an administrator imposed on a vendor (para 32): while a suspension or debarment is
    in force, no case may be awarded to the vendor; a censure is recorded and shown."""

    vendor = models.CharField(_("vendor"), max_length=200, db_index=True)
    measure = models.CharField(_("measure"), max_length=20, choices=SanctionMeasure.choices)
    sanctioned_from = models.DateField(pgettext_lazy("period", "from"))
    sanctioned_to = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty: until further notice.")
    )
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = querysets.VendorSanctionQuerySet.as_manager()
    policy = policies.SecretariatPolicy(personal_fields=("decided_by",))

    class Meta:
        ordering = ["-sanctioned_from", "-pk"]
        verbose_name = _("vendor sanction")
        verbose_name_plural = _("vendor sanctions")
        constraints = [
            models.CheckConstraint(
                condition=Q(sanctioned_to__isnull=True)
                | Q(sanctioned_to__gte=F("sanctioned_from")),
                name="risk_sanction_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} ({self.get_measure_display()})"

    def get_absolute_url(self) -> str:
        return reverse("risk:sanction_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        self.vendor = (self.vendor or "").strip()
        if not self.vendor:
            errors["vendor"] = _("Name the vendor.")
        if not (self.reason or "").strip():
            errors["reason"] = _("Give the reason for the measure.")
        if (
            self.sanctioned_from
            and self.sanctioned_to
            and self.sanctioned_to < self.sanctioned_from
        ):
            errors["sanctioned_to"] = _("A sanction cannot end before it starts.")
        if errors:
            raise ValidationError(errors)

    def in_force_on(self, day: datetime.date) -> bool:
        """One row's reading of querysets.sanction_in_force (tested against it)."""
        return self.sanctioned_from <= day and (
            self.sanctioned_to is None or self.sanctioned_to >= day
        )

    @property
    def bars_award(self) -> bool:
        return self.measure in BARRING_MEASURES


class ContractsReview(TrackedModel):
    """The committee on contracts' review of a procurement case above the threshold (para 32):
    a case above it is awarded only after a review recommending the award."""

    case = models.ForeignKey(
        ProcurementCase,
        verbose_name=_("procurement case"),
        on_delete=models.CASCADE,
        related_name="committee_reviews",
    )
    reviewed_on = models.DateField(_("reviewed on"))
    reference = models.CharField(_("committee reference"), max_length=50, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CommitteeOutcome.choices)
    recommendation = models.TextField(_("recommendation"))

    objects = querysets.ContractsReviewQuerySet.as_manager()
    policy = policies.AdminRecordedPolicy(unit_field="case__unit")

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = _("committee on contracts review")
        verbose_name_plural = _("committee on contracts reviews")
        indexes = [models.Index(fields=["case", "-reviewed_on"], name="contractsreview_case_idx")]

    def __str__(self) -> str:
        return f"{self.case} – {self.reviewed_on}"

    def get_absolute_url(self) -> str:
        return reverse("risk:case_detail", args=[self.case_id])

    def clean(self) -> None:
        errors = {}
        case = self.case if self.case_id else None
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            errors["reviewed_on"] = _("A review cannot be recorded before it takes place.")
        if case is not None and self.reviewed_on and self.reviewed_on < case.opened_on:
            errors["reviewed_on"] = _("A case cannot be reviewed before it was opened.")
        if not (self.recommendation or "").strip():
            errors["recommendation"] = _("Record the committee's recommendation.")
        if errors:
            raise ValidationError(errors)
