"""Senior managers' compacts, staff performance appraisals and results-based management
(resolution 64/259, paragraphs 10-11, 14-18, 20 and 22-27)."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.models import TrackedModel
from org.choices import SENIOR_GRADES
from org.models import CitesParagraphs, OrgUnit, Person
from performance.choices import (
    UNDERPERFORMANCE_RATINGS,
    CaseOutcome,
    CompactStatus,
    CourseArea,
    Direction,
    DisciplinaryCategory,
    DisciplinaryMeasure,
    FindingStatus,
    IndicatorKind,
    MPBRating,
    ObjectiveKind,
    ObjectiveOutcome,
    Rating,
    RebuttalOutcome,
    RecognitionKind,
)
from performance.policies import (
    AccomplishmentPolicy,
    AppraisalPolicy,
    BoardFindingPolicy,
    BudgetPerformancePolicy,
    CompactPartPolicy,
    CompactPolicy,
    CourseCompletionPolicy,
    CoursePolicy,
    DisciplinaryCasePolicy,
    IndicatorPolicy,
    IndicatorResultPolicy,
    RBMPolicy,
    RecognitionPolicy,
    UnderperformancePolicy,
)
from performance.querysets import (
    AccomplishmentQuerySet,
    AppraisalQuerySet,
    BoardFindingQuerySet,
    BudgetPerformanceQuerySet,
    CompactPartQuerySet,
    CompactQuerySet,
    CourseCompletionQuerySet,
    CourseQuerySet,
    DisciplinaryCaseQuerySet,
    IndicatorQuerySet,
    IndicatorResultQuerySet,
    RecognitionQuerySet,
    ReferenceQuerySet,
    UnderperformanceQuerySet,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100
year_validators = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


def cycle_start(cycle: int) -> datetime.date:
    """An appraisal cycle runs from 1 April of its start year to 31 March of the next."""
    return datetime.date(cycle, 4, 1)


def default_due_on(cycle: int) -> datetime.date:
    """The end-of-cycle evaluation is due two months after the cycle closes."""
    return datetime.date(cycle + 1, 5, 31)


def cycle_label(cycle: int) -> str:
    return f"{cycle}-{str(cycle + 1)[-2:]}"


class UniqueInClean:
    """Uniqueness that clean() checks itself, with a message naming the person and the cycle,
    instead of Django's generic "already exists" (the database constraint stays as backstop)."""

    unique_in_clean: tuple[str, ...] = ()

    def validate_constraints(self, exclude=None):
        super().validate_constraints(exclude={*(exclude or ()), *self.unique_in_clean})


def is_senior_manager(person: Person) -> bool:
    return person.grade in SENIOR_GRADES or person.is_head_of_entity


# --- Compacts ------------------------------------------------------------------------------


class Compact(UniqueInClean, TrackedModel, CitesParagraphs):
    """A senior manager's annual compact with the Secretary-General: objectives with indicators
    and targets, signed at the start of the year and assessed by the Management Performance
    Board at its end (paragraphs 16 and 18)."""

    senior_manager = models.ForeignKey(
        Person, verbose_name=_("senior manager"), on_delete=models.PROTECT, related_name="compacts"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="compacts",
        blank=True,
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CompactStatus.choices,
        default=CompactStatus.DRAFT,
        editable=False,
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True, editable=False)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True, editable=False)
    mpb_rating = models.CharField(
        _("Management Performance Board rating"),
        max_length=20,
        choices=MPBRating.choices,
        blank=True,
    )
    mpb_assessment = models.TextField(_("Management Performance Board assessment"), blank=True)

    objects = CompactQuerySet.as_manager()
    policy = CompactPolicy()
    # Only the named actions move a compact on: POST .../compacts/<id>/sign/ and .../assess/.
    state_actions = {
        "status": {"signed": "sign", "assessed": "assess"},
        "signed_on": "sign",
        "assessed_on": "assess",
    }
    unique_in_clean = ("year",)

    class Meta:
        ordering = ["-year", "unit__code"]
        verbose_name = _("senior manager's compact")
        verbose_name_plural = _("senior managers' compacts")
        constraints = [
            models.UniqueConstraint(fields=["senior_manager", "year"], name="compact_one_per_year"),
        ]
        indexes = [
            models.Index(fields=["unit", "year"], name="compact_unit_year_idx"),
            models.Index(fields=["year", "status"], name="compact_year_status_idx"),
        ]

    def __str__(self) -> str:
        name = self.senior_manager.name if self.senior_manager_id else "?"
        return _("Compact %(year)s – %(name)s") % {"year": self.year, "name": name}

    def get_absolute_url(self) -> str:
        return reverse("performance:compact_detail", args=[self.pk])

    @property
    def row_class(self) -> str:
        if self.mpb_rating == MPBRating.UNSATISFACTORY:
            return "alert"
        return "warn" if self.status == CompactStatus.DRAFT else ""

    @property
    def previous_status(self) -> str | None:
        return getattr(self, "_history_before", {}).get("status")

    def clean(self) -> None:
        if not self.unit_id and self.senior_manager_id:
            self.unit_id = self.senior_manager.unit_id
        errors: dict[str, str] = {}
        if self.senior_manager_id and not is_senior_manager(self.senior_manager):
            errors["senior_manager"] = _(
                "A compact is for a senior manager: Assistant Secretary-General or above, or a "
                "head of entity. %(name)s is %(grade)s and heads no entity."
            ) % {"name": self.senior_manager.name, "grade": self.senior_manager.grade}
        if self.senior_manager_id and self.year and not errors:
            clash = Compact.objects.filter(senior_manager_id=self.senior_manager_id, year=self.year)
            if clash.exclude(pk=self.pk).exists():
                errors["year"] = _("%(name)s already has a compact for %(year)s.") % {
                    "name": self.senior_manager.name,
                    "year": self.year,
                }
        order = list(CompactStatus.values)
        before = self.previous_status
        if before and self.status in order and order.index(self.status) < order.index(before):
            errors["status"] = _("A compact cannot go back from %(before)s to %(after)s.") % {
                "before": CompactStatus(before).label,
                "after": CompactStatus(self.status).label,
            }
        if self.status in (CompactStatus.SIGNED, CompactStatus.ASSESSED) and not self.signed_on:
            errors["signed_on"] = _("A signed compact needs the date it was signed.")
        if self.status == CompactStatus.ASSESSED:
            if not self.assessed_on:
                errors["assessed_on"] = _("An assessed compact needs the date of the assessment.")
            if not self.mpb_rating:
                errors["mpb_rating"] = _("Give the Management Performance Board's rating.")
        if self.signed_on and self.year and abs(self.signed_on.year - self.year) > 1:
            errors["signed_on"] = _("A compact for %(year)s is signed in or next to that year.") % {
                "year": self.year
            }
        if self.assessed_on and self.signed_on and self.assessed_on < self.signed_on:
            errors["assessed_on"] = _("The assessment cannot come before the signature.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not self.unit_id and self.senior_manager_id:
            self.unit_id = self.senior_manager.unit_id
        super().save(*args, **kwargs)


class CompactObjective(TrackedModel, CitesParagraphs):
    """One objective of a compact: a programme priority or a management target (implementing
    oversight recommendations, appraisal compliance, gender parity...), with its indicator,
    target and end-of-year result."""

    compact = models.ForeignKey(
        Compact, verbose_name=_("compact"), on_delete=models.CASCADE, related_name="objectives"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=ObjectiveKind.choices, default=ObjectiveKind.PROGRAMME
    )
    title = models.CharField(_("objective"), max_length=300)
    indicator = models.CharField(_("indicator"), max_length=300)
    target = models.CharField(_("target"), max_length=200)
    result = models.CharField(_("end-of-year result"), max_length=300, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=ObjectiveOutcome.choices, blank=True
    )
    commitment = models.ForeignKey(
        "accountability.Commitment",
        verbose_name=_("commitment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="compact_objectives",
        help_text=_("A commitment in the accountability log that this objective delivers."),
    )
    # Paragraphs 13-15: the results-based management indicators whose results show whether the
    # objective was met (the chain compact -> objective -> indicator -> result).
    indicators = models.ManyToManyField(
        "Indicator",
        verbose_name=_("indicators"),
        blank=True,
        related_name="compact_objectives",
        help_text=_("Indicators of the compact's unit (or the units below) that measure it."),
    )

    objects = CompactPartQuerySet.as_manager()
    policy = CompactPartPolicy()

    class Meta:
        ordering = ["compact", "kind", "pk"]
        verbose_name = _("compact objective")
        verbose_name_plural = _("compact objectives")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("performance:objective_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.outcome and not self.result:
            errors["result"] = _("Record the result the outcome is based on.")
        if self.commitment_id and self.compact_id:
            unit_path = self.compact.unit.path if self.compact.unit_id else ""
            if not self.commitment.unit.path.startswith(unit_path):
                errors["commitment"] = _(
                    "The commitment belongs to a unit outside the compact's unit (%(unit)s)."
                ) % {"unit": self.compact.unit.code}
        if errors:
            raise ValidationError(errors)


class BoardFinding(TrackedModel):
    """A deficiency the Management Performance Board found in a senior manager's performance,
    and the action plan that addresses it, tracked to closure (paragraph 18)."""

    compact = models.ForeignKey(
        Compact, verbose_name=_("compact"), on_delete=models.PROTECT, related_name="findings"
    )
    finding = models.TextField(_("finding"))
    action_plan = models.TextField(_("action plan"), blank=True)
    due_on = models.DateField(_("action due on"), null=True, blank=True)
    # Open until an action plan is recorded (then under way); closed only by the "close" action.
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=FindingStatus.choices,
        default=FindingStatus.OPEN,
        editable=False,
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    reminded_on = models.DateField(_("reminder sent"), null=True, editable=False)

    objects = BoardFindingQuerySet.as_manager()
    policy = BoardFindingPolicy()
    state_actions = {"status": "close", "closed_on": "close"}

    # The reminder stamp is the job's bookkeeping, not a change a reader of the history wants.
    history_ignored_fields = (*TrackedModel.history_ignored_fields, "reminded_on")

    class Meta:
        ordering = ["-compact__year", "pk"]
        verbose_name = _("Management Performance Board finding")
        verbose_name_plural = _("Management Performance Board findings")
        indexes = [models.Index(fields=["status", "due_on"], name="finding_status_due_idx")]

    def __str__(self) -> str:
        return self.finding[:80]

    def get_absolute_url(self) -> str:
        return reverse("performance:compact_detail", args=[self.compact_id])

    @property
    def is_overdue(self) -> bool:
        return (
            self.status != FindingStatus.CLOSED
            and self.due_on is not None
            and self.due_on < clock.localdate()
        )

    def clean(self) -> None:
        errors = {}
        if self.status == FindingStatus.CLOSED:
            if not self.closed_on:
                errors["closed_on"] = _("A closed finding needs the date it was closed.")
            if not self.action_plan:
                errors["action_plan"] = _("Record the action plan that addressed the finding.")
        elif self.closed_on:
            errors["closed_on"] = _("Only a closed finding has a closing date.")
        if self.status == FindingStatus.IN_PROGRESS and not self.action_plan:
            errors["action_plan"] = _("An action plan under way must be described.")
        if errors:
            raise ValidationError(errors)


# --- Appraisals ----------------------------------------------------------------------------


class Appraisal(UniqueInClean, TrackedModel):
    """A staff member's performance appraisal for one cycle (April to March). Personal data:
    only the unit's managers and administrators may read it by name."""

    staff = models.ForeignKey(
        Person, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="appraisals"
    )
    # The unit at the time of the cycle: aggregates stay with the unit the work was done in.
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="appraisals",
        blank=True,
    )
    cycle = models.PositiveSmallIntegerField(
        _("cycle"),
        validators=year_validators,
        help_text=_("Start year: 2025 = April 2025 to March 2026."),
    )
    due_on = models.DateField(_("due on"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)

    objects = AppraisalQuerySet.as_manager()
    policy = AppraisalPolicy()
    unique_in_clean = ("cycle",)

    class Meta:
        ordering = ["-cycle", "staff__name"]
        verbose_name = _("performance appraisal")
        verbose_name_plural = _("performance appraisals")
        constraints = [
            models.UniqueConstraint(fields=["staff", "cycle"], name="appraisal_one_per_cycle"),
        ]
        indexes = [
            models.Index(fields=["unit", "cycle"], name="appraisal_unit_cycle_idx"),
            models.Index(fields=["cycle", "rating"], name="appraisal_cycle_rating_idx"),
            models.Index(fields=["due_on"], name="appraisal_due_idx"),
            # A unit subtree's appraisal ids from the index alone: a department manager's
            # underperformance cases are found among its 18,500 appraisals (factor 1) by their
            # ids, without reading 3,900 table pages (UnderperformancePolicy, by_ids_when_few).
            models.Index(fields=["unit", "id"], name="appraisal_unit_id_idx"),
        ]

    def __str__(self) -> str:
        name = self.staff.name if self.staff_id else "?"
        return _("Appraisal %(cycle)s – %(name)s") % {
            "cycle": cycle_label(self.cycle),
            "name": name,
        }

    def get_absolute_url(self) -> str:
        return reverse("performance:appraisal_detail", args=[self.pk])

    @property
    def cycle_label(self) -> str:
        return cycle_label(self.cycle)

    @property
    def on_time(self) -> bool:
        """Completed on or before its due date (CONTRACT.md): querysets.ON_TIME in SQL."""
        return self.completed_on is not None and self.completed_on <= self.due_on

    @property
    def is_overdue(self) -> bool:
        return self.completed_on is None and self.due_on < clock.localdate()

    @property
    def row_class(self) -> str:
        if self.is_overdue or self.rating == Rating.DOES_NOT_MEET:
            return "alert"
        if self.completed_on and not self.on_time or self.rating == Rating.PARTIALLY_MEETS:
            return "warn"
        return ""

    def field_errors(self) -> dict[str, str]:
        """The rules one appraisal must keep, without a database query (the bulk import checks
        thousands of rows with this)."""
        errors: dict[str, str] = {}
        if not self.cycle or not FIRST_YEAR <= self.cycle <= LAST_YEAR:
            errors["cycle"] = _("The cycle is a start year between %(first)s and %(last)s.") % {
                "first": FIRST_YEAR,
                "last": LAST_YEAR,
            }
            return errors
        if not self.due_on:
            self.due_on = default_due_on(self.cycle)
        start = cycle_start(self.cycle)
        if self.completed_on and self.completed_on < start:
            errors["completed_on"] = _(
                "The appraisal was completed on %(date)s, before its cycle starts (%(start)s)."
            ) % {"date": self.completed_on.isoformat(), "start": start.isoformat()}
        elif self.completed_on and self.completed_on > timezone.localdate():
            errors["completed_on"] = _("The completion date cannot be in the future.")
        if self.due_on < start:
            errors["due_on"] = _(
                "The due date cannot come before the cycle starts (%(start)s)."
            ) % {"start": start.isoformat()}
        if self.rating and self.rating not in Rating.values:
            errors["rating"] = _("%(value)s is not a rating. Use one of: %(choices)s.") % {
                "value": self.rating,
                "choices": ", ".join(v for v in Rating.values if v),
            }
        elif self.rating and not self.completed_on:
            errors.setdefault("completed_on", _("A rated appraisal needs its completion date."))
        elif self.completed_on and not self.rating:
            errors["rating"] = _("A completed appraisal needs its rating.")
        return errors

    def clean(self) -> None:
        if not self.unit_id and self.staff_id:
            self.unit_id = self.staff.unit_id
        errors = self.field_errors()
        if self.staff_id and "cycle" not in errors:
            clash = Appraisal.objects.filter(staff_id=self.staff_id, cycle=self.cycle)
            if clash.exclude(pk=self.pk).exists():
                errors["cycle"] = _(
                    "%(name)s already has an appraisal for the %(cycle)s cycle."
                ) % {
                    "name": self.staff.name,
                    "cycle": cycle_label(self.cycle),
                }
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not self.unit_id and self.staff_id:
            self.unit_id = self.staff.unit_id
        if not self.due_on and self.cycle:
            self.due_on = default_due_on(self.cycle)
        super().save(*args, **kwargs)


class UnderperformanceCase(TrackedModel):
    """What was done about a rating of 'partially meets' or 'does not meet': the performance
    improvement plan, its outcome, and any rebuttal of the rating (paragraph 16: accountability
    for underperformance at all levels)."""

    appraisal = models.OneToOneField(
        Appraisal,
        verbose_name=_("appraisal"),
        on_delete=models.PROTECT,
        related_name="underperformance_case",
    )
    improvement_plan = models.TextField(_("performance improvement plan"))
    plan_start = models.DateField(_("plan starts on"))
    plan_end = models.DateField(_("plan ends on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CaseOutcome.choices, blank=True)
    rebuttal = models.CharField(
        _("rebuttal"), max_length=12, choices=RebuttalOutcome.choices, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = UnderperformanceQuerySet.as_manager()
    policy = UnderperformancePolicy()

    class Meta:
        ordering = ["-plan_start"]
        verbose_name = _("underperformance case")
        verbose_name_plural = _("underperformance cases")

    def __str__(self) -> str:
        return _("Underperformance case: %(appraisal)s") % {"appraisal": self.appraisal}

    def get_absolute_url(self) -> str:
        return reverse("performance:appraisal_detail", args=[self.appraisal_id])

    def clean(self) -> None:
        errors = {}
        if self.appraisal_id and self.appraisal.rating not in UNDERPERFORMANCE_RATINGS:
            errors["appraisal"] = _(
                "An underperformance case follows a rating of 'partially meets' or 'does not "
                "meet' performance expectations."
            )
        if self.plan_end and self.plan_start and self.plan_end < self.plan_start:
            errors["plan_end"] = _("The plan cannot end before it starts.")
        if self.closed_on and not self.outcome:
            errors["outcome"] = _("A closed case needs its outcome.")
        if self.outcome and not self.closed_on:
            errors["closed_on"] = _("Give the date the case was closed with this outcome.")
        if errors:
            raise ValidationError(errors)


# --- Results-based management -------------------------------------------------------------


class ExpectedAccomplishment(TrackedModel, CitesParagraphs):
    """An expected accomplishment of a unit's programme of work (results-based management)."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="accomplishments"
    )
    title = models.CharField(_("expected accomplishment"), max_length=300)

    objects = AccomplishmentQuerySet.as_manager()
    policy = AccomplishmentPolicy()

    class Meta:
        ordering = ["unit__code", "title"]
        verbose_name = _("expected accomplishment")
        verbose_name_plural = _("expected accomplishments")

    def __str__(self) -> str:
        return self.title


class Indicator(TrackedModel, CitesParagraphs):
    """An indicator of achievement (or an efficiency measure, paragraph 11) with its baseline
    and target; its results per budget period show the trend (paragraph 10)."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="indicators"
    )
    accomplishment = models.ForeignKey(
        ExpectedAccomplishment,
        verbose_name=_("expected accomplishment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
    )
    kind = models.CharField(
        _("kind"),
        max_length=15,
        choices=IndicatorKind.choices,
        default=IndicatorKind.ACCOMPLISHMENT,
    )
    title = models.CharField(_("indicator"), max_length=300)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=60)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )

    objects = IndicatorQuerySet.as_manager()
    policy = IndicatorPolicy()

    class Meta:
        ordering = ["unit__code", "title"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        indexes = [models.Index(fields=["unit", "kind"], name="indicator_unit_kind_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("performance:indicator_detail", args=[self.pk])

    def meets(self, value: Decimal | None) -> bool | None:
        if value is None:
            return None
        if self.direction == Direction.DECREASE:
            return value <= self.target
        return value >= self.target

    def clean(self) -> None:
        if self.accomplishment_id and self.unit_id and self.accomplishment.unit_id != self.unit_id:
            raise ValidationError(
                {"accomplishment": _("The expected accomplishment belongs to another unit.")}
            )


PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


def parse_period(period: str) -> tuple[int, int]:
    """'2024' (annual) or '2024-2025' (biennial) -> (first year, last year)."""
    match = PERIOD_RE.match(period or "")
    if not match:
        raise ValidationError(
            {"period": _("A budget period is a year (2024) or a biennium (2024-2025).")}
        )
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last != first and last != first + 1:
        raise ValidationError(
            {"period": _("A biennium covers two consecutive years, such as 2024-2025.")}
        )
    if not FIRST_YEAR <= first <= LAST_YEAR:
        raise ValidationError(
            {
                "period": _("The period must fall between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    return first, last


class IndicatorResult(UniqueInClean, TrackedModel):
    """An indicator's value for a budget period, annual ('2024') or biennial ('2024-2025')."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="results"
    )
    period = models.CharField(_("budget period"), max_length=9)
    # First year of the period, kept by save(): periods sort and filter by it.
    start_year = models.PositiveSmallIntegerField(_("first year"), editable=False)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    # Efficiency measures (paragraph 11): what the outputs of the period cost and how many were
    # delivered; cost per output = cost / outputs (querysets.cost_per_output_q), never an
    # estimate from the unit's whole expenditure.
    cost = models.DecimalField(
        _("cost (US dollars)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Expenditure on the outputs measured in the period (efficiency measures)."),
    )
    outputs = models.PositiveIntegerField(
        _("outputs delivered"),
        null=True,
        blank=True,
        help_text=_("Number of outputs delivered in the period (efficiency measures)."),
    )

    objects = IndicatorResultQuerySet.as_manager()
    policy = IndicatorResultPolicy()
    unique_in_clean = ("period",)

    class Meta:
        ordering = ["indicator", "start_year"]
        verbose_name = _("indicator result")
        verbose_name_plural = _("indicator results")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="result_one_per_period"),
        ]
        indexes = [
            models.Index(fields=["start_year"], name="result_start_year_idx"),
            # The latest result of an indicator (off-target lists and counts) is one index probe.
            models.Index(fields=["indicator", "-start_year"], name="result_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}: {formats.number_format(self.value)}"

    def get_absolute_url(self) -> str:
        return reverse("performance:indicator_detail", args=[self.indicator_id])

    @property
    def target_met(self) -> bool | None:
        return self.indicator.meets(self.value)

    @property
    def cost_per_output(self) -> Decimal | None:
        """cost / outputs to the cent (querysets.cost_per_output_q in SQL)."""
        if self.cost is None or not self.outputs:
            return None
        return (self.cost / self.outputs).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def cost_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if (self.cost is None) != (self.outputs is None):
            field = "outputs" if self.outputs is None else "cost"
            errors[field] = _("Give both the cost and the number of outputs, or neither.")
        elif self.outputs is not None:
            if self.indicator_id and self.indicator.kind != IndicatorKind.EFFICIENCY:
                errors["cost"] = _("Cost and outputs are recorded for efficiency measures only.")
            if self.outputs == 0:
                errors["outputs"] = _("A cost per output needs at least one output.")
            if self.cost < 0:
                errors["cost"] = _("The cost cannot be negative.")
        return errors

    def clean(self) -> None:
        self.start_year = parse_period(self.period)[0]
        errors = self.cost_errors()
        if errors:
            raise ValidationError(errors)
        if self.indicator_id and self.period:
            clash = IndicatorResult.objects.filter(
                indicator_id=self.indicator_id, period=self.period
            )
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError(
                    {
                        "period": _("This indicator already has a result for %(period)s.")
                        % {"period": self.period}
                    }
                )

    def save(self, *args, **kwargs):
        self.start_year = parse_period(self.period)[0]
        super().save(*args, **kwargs)


class RBMResponsibility(TrackedModel):
    """The senior manager to whom the Secretary-General assigned responsibility for
    results-based management across the Secretariat (paragraph 25), and since when."""

    senior_manager = models.ForeignKey(
        Person, verbose_name=_("senior manager"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_on = models.DateField(_("assigned on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    remit = models.TextField(_("remit"), blank=True)

    objects = ReferenceQuerySet.as_manager()
    policy = RBMPolicy()

    class Meta:
        ordering = ["-assigned_on"]
        verbose_name = _("responsibility for results-based management")
        verbose_name_plural = _("responsibilities for results-based management")

    def __str__(self) -> str:
        return _("%(name)s, from %(date)s") % {
            "name": self.senior_manager.name if self.senior_manager_id else "?",
            "date": self.assigned_on,
        }

    def get_absolute_url(self) -> str:
        return reverse("performance:indicator_list")

    def clean(self) -> None:
        errors = {}
        if self.senior_manager_id and not is_senior_manager(self.senior_manager):
            errors["senior_manager"] = _(
                "Responsibility for results-based management is assigned to a senior manager "
                "(Assistant Secretary-General or above, or a head of entity)."
            )
        if self.ended_on and self.assigned_on and self.ended_on < self.assigned_on:
            errors["ended_on"] = _("The assignment cannot end before it starts.")
        if errors:
            raise ValidationError(errors)


# --- Learning (paragraph 6) -----------------------------------------------------------------


class Course(TrackedModel):
    """A course of the Secretariat's learning programme. Mandatory courses (ethics, fraud and
    corruption awareness, delegation of authority, results-based management) are how the
    Secretariat builds the culture of accountability paragraph 6 asks for."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=300)
    area = models.CharField(_("area"), max_length=30, choices=CourseArea.choices)
    mandatory = models.BooleanField(_("mandatory"), default=False)

    objects = CourseQuerySet.as_manager()
    policy = CoursePolicy()

    class Meta:
        ordering = ["-mandatory", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("performance:course_detail", args=[self.pk])


class CourseCompletion(UniqueInClean, TrackedModel):
    """A staff member's completion of a course. Personal data, kept like appraisals: read by
    name only by administrators and the person's unit managers."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="course_completions",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="completions"
    )
    completed_on = models.DateField(_("completed on"))

    objects = CourseCompletionQuerySet.as_manager()
    policy = CourseCompletionPolicy()
    unique_in_clean = ("course",)

    class Meta:
        ordering = ["-completed_on", "pk"]
        verbose_name = _("course completion")
        verbose_name_plural = _("course completions")
        constraints = [
            # One completion per person and course: a re-import matches on them.
            models.UniqueConstraint(fields=["person", "course"], name="completion_once"),
        ]
        indexes = [
            models.Index(fields=["course", "completed_on"], name="completion_course_idx"),
            # The list's order: its first page read from the index, not by sorting every row.
            models.Index(fields=["-completed_on", "id"], name="completion_list_order_idx"),
        ]

    def __str__(self) -> str:
        name = self.person.name if self.person_id else "?"
        code = self.course.code if self.course_id else "?"
        return f"{code} – {name}"

    def get_absolute_url(self) -> str:
        return reverse("performance:completion_detail", args=[self.pk])

    def field_errors(self) -> dict[str, str]:
        if self.completed_on and self.completed_on > timezone.localdate():
            return {"completed_on": _("The completion date cannot be in the future.")}
        return {}

    def clean(self) -> None:
        errors = self.field_errors()
        if errors:
            raise ValidationError(errors)


# --- Discipline and recognition (paragraphs 8 and 17) ---------------------------------------


class DisciplinaryCase(TrackedModel):
    """A disciplinary case and the measure imposed, with any referral to national authorities
    (paragraph 17). Published only in aggregate, as the Secretary-General's annual report on
    the practice in disciplinary matters is; the person is seen only by administrators."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_on = models.DateField(_("opened on"))
    category = models.CharField(
        _("category of misconduct"), max_length=30, choices=DisciplinaryCategory.choices
    )
    measure = models.CharField(
        _("measure imposed"), max_length=20, choices=DisciplinaryMeasure.choices, blank=True
    )
    measure_on = models.DateField(_("date of the measure"), null=True, blank=True)
    referred_to_national_authorities = models.BooleanField(
        _("referred to national authorities"), default=False
    )
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    objects = DisciplinaryCaseQuerySet.as_manager()
    policy = DisciplinaryCasePolicy()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("disciplinary case")
        verbose_name_plural = _("disciplinary cases")
        indexes = [
            models.Index(fields=["measure_on", "measure"], name="discipline_measure_idx"),
            models.Index(fields=["opened_on", "category"], name="discipline_opened_idx"),
        ]

    def __str__(self) -> str:
        return _("Disciplinary case %(id)s (%(category)s)") % {
            "id": self.pk or "–",
            "category": self.get_category_display(),
        }

    def get_absolute_url(self) -> str:
        return reverse("performance:discipline_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.opened_on and self.opened_on > today:
            errors["opened_on"] = _("A case cannot be opened in the future.")
        if self.measure and not self.measure_on:
            errors["measure_on"] = _("Give the date the measure was imposed.")
        elif self.measure_on and not self.measure:
            errors["measure"] = _("Give the measure imposed on that date, or clear the date.")
        elif self.measure_on:
            if self.measure_on > today:
                errors["measure_on"] = _("The measure cannot be dated in the future.")
            elif self.opened_on and self.measure_on < self.opened_on:
                errors["measure_on"] = _("The measure cannot precede the opening of the case.")
        if self.referred_to_national_authorities and not self.referred_on:
            errors["referred_on"] = _("Give the date of the referral to national authorities.")
        elif self.referred_on and not self.referred_to_national_authorities:
            errors["referred_to_national_authorities"] = _(
                "A referral date is given: tick the referral, or clear the date."
            )
        elif self.referred_on and self.opened_on and self.referred_on < self.opened_on:
            errors["referred_on"] = _("The referral cannot precede the opening of the case.")
        if errors:
            raise ValidationError(errors)


class Recognition(TrackedModel):
    """A reward or recognition given to a staff member or a team of a unit: the rewards side of
    the system of rewards and sanctions of paragraph 8."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for a team award."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RecognitionKind.choices)
    awarded_on = models.DateField(_("awarded on"))
    reason = models.TextField(_("reason"))

    objects = RecognitionQuerySet.as_manager()
    policy = RecognitionPolicy()

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        indexes = [models.Index(fields=["awarded_on", "kind"], name="recognition_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.awarded_on}"

    def get_absolute_url(self) -> str:
        return reverse("performance:recognition_detail", args=[self.pk])

    def clean(self) -> None:
        if self.awarded_on and self.awarded_on > timezone.localdate():
            raise ValidationError({"awarded_on": _("An award cannot be dated in the future.")})


# --- Budget performance (paragraphs 10 and 11) ------------------------------------------------


class BudgetPerformance(UniqueInClean, TrackedModel):
    """A unit's appropriation and expenditure for a budget period, annual ('2024') or biennial
    ('2024-2025'); utilisation is expenditure over appropriation (querysets.percentage)."""

    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="budget_performance",
    )
    period = models.CharField(_("budget period"), max_length=9)
    start_year = models.PositiveSmallIntegerField(_("first year"), editable=False)
    appropriation = models.DecimalField(_("appropriation"), max_digits=16, decimal_places=2)
    expenditure = models.DecimalField(_("expenditure"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="USD")

    objects = BudgetPerformanceQuerySet.as_manager()
    policy = BudgetPerformancePolicy()
    unique_in_clean = ("period",)

    class Meta:
        ordering = ["unit__code", "-start_year"]
        verbose_name = _("budget performance")
        verbose_name_plural = _("budget performance")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="budget_one_per_period"),
        ]
        indexes = [models.Index(fields=["start_year"], name="budget_start_year_idx")]

    def __str__(self) -> str:
        code = self.unit.code if self.unit_id else "?"
        return f"{code} {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("performance:budget_detail", args=[self.pk])

    @property
    def utilisation_percent(self) -> Decimal | None:
        """The SQL figure (with_utilisation) when the row carries it, to one decimal."""
        value = getattr(self, "utilisation", None)
        if value is None:
            rate_ = self.utilisation_rate
            return None if rate_ is None else Decimal(str(rate_))
        return Decimal(value).quantize(Decimal("0.1"))

    @property
    def utilisation_rate(self) -> float | None:
        """Expenditure over appropriation in per cent (the SQL twin: with_utilisation)."""
        from core.figures import rate

        return rate(self.expenditure, self.appropriation)

    def field_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        try:
            self.start_year = parse_period(self.period)[0]
        except ValidationError as exc:
            errors["period"] = exc.message_dict["period"][0]
        if self.appropriation is not None and self.appropriation <= 0:
            errors["appropriation"] = _("The appropriation must be more than zero.")
        if self.expenditure is not None and self.expenditure < 0:
            errors["expenditure"] = _("The expenditure cannot be negative.")
        self.currency = (self.currency or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            errors["currency"] = _("Give the currency as a three-letter ISO 4217 code (USD).")
        return errors

    def clean(self) -> None:
        errors = self.field_errors()
        if self.unit_id and self.period and "period" not in errors:
            clash = BudgetPerformance.objects.filter(unit_id=self.unit_id, period=self.period)
            if clash.exclude(pk=self.pk).exists():
                errors["period"] = _("This unit already has budget figures for %(period)s.") % {
                    "period": self.period
                }
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.start_year = parse_period(self.period)[0]
        super().save(*args, **kwargs)
