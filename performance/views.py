"""Pages of the performance area. Views declare; rules live in models, services and metrics."""

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import BooleanField, Case, Prefetch, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from core import actions, dashboard, imports
from core.exports import csv_response, xlsx_response
from core.generic import (
    Column,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    TransitionView,
    visible_or_404,
)
from core.reads import ReadLoggedListMixin, record_read
from org.models import OrgUnit, Person
from performance import forms, metrics, policies, services
from performance.charts import compliance_chart, distribution_chart, line_chart
from performance.choices import (
    CompactStatus,
    DisciplinaryCategory,
    DisciplinaryMeasure,
    RecognitionKind,
)
from performance.filtersets import (
    AppraisalFilterSet,
    BudgetPerformanceFilterSet,
    CompactFilterSet,
    CourseCompletionFilterSet,
    CourseFilterSet,
    DisciplinaryCaseFilterSet,
    IndicatorFilterSet,
    RecognitionFilterSet,
)
from performance.models import (
    Appraisal,
    BoardFinding,
    BudgetPerformance,
    Compact,
    CompactObjective,
    Course,
    CourseCompletion,
    DisciplinaryCase,
    ExpectedAccomplishment,
    Indicator,
    IndicatorResult,
    RBMResponsibility,
    Recognition,
    UnderperformanceCase,
    cycle_label,
)
from performance.querysets import cost_per_output_q, target_met_q


class FormMixin:
    """The app's form page (a back link to the parent record)."""

    template_name = "performance/form.html"


class ChildCreateMixin(FormMixin):
    """A record created from its parent's page (an objective or finding from a compact, a case
    from an appraisal, a result from an indicator): the parent must be one the user may see
    (404) and change (403)."""

    parent_model = Compact
    parent_field = "compact"

    def get_parent(self):
        if not hasattr(self, "_parent"):
            self._parent = visible_or_404(
                self.parent_model, self.request.user, pk=self.kwargs["parent"]
            )
            actions.require(self.request.user, "change", self._parent)
        return self._parent

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.model(**{self.parent_field: self.get_parent()})
        return kwargs

    def get_success_url(self):
        return self.object.get_absolute_url()


def selected_unit(request):
    """The unit a dashboard is about: ?unit=CODE, else the manager's own unit, else all."""
    if "unit" in request.GET:  # an empty choice is the whole Secretariat
        code = request.GET["unit"].strip()
        return OrgUnit.objects.filter(code=code).first() if code else None
    own = policies.own_unit_id(request.user)
    return OrgUnit.objects.filter(pk=own).first() if own else None


class RecordsMixin:
    """Offers the 'add' buttons only to those who may add these records."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_record"] = actions.may(self.request.user, "add", self.model)
        if not context["can_record"]:
            context["create_url_name"] = ""
        return context


# --- Unit dashboard ------------------------------------------------------------------------


class IndexView(LoginRequiredMixin, TemplateView):
    """A unit's performance at a glance: appraisal compliance across cycles, compacts and their
    findings, indicators off target. A fixed number of queries whatever the data size."""

    template_name = "performance/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        unit = selected_unit(self.request)
        trend = metrics.compliance_by_cycle(user, within=unit)
        latest = trend[-1] if trend else None
        year = timezone.localdate().year
        off_target = list(
            Indicator.objects.restrict(user, "view")
            .filter(metrics.subtree_q(unit))
            .off_target()
            .select_related("unit")
            .order_by("unit__code", "title")[:10]
        )
        context.update(
            unit=unit,
            unit_choices=OrgUnit.objects.only("code", "name", "name_zh", "path").order_by("path"),
            manages=policies.manages(user, unit.pk) if unit else policies.manages_all(user),
            trend=trend,
            latest=latest,
            distribution=metrics.rating_distribution([latest]) if latest else [],
            chart=compliance_chart(trend, unit),
            distribution_chart=distribution_chart(
                metrics.rating_distribution([latest]) if latest else [],
                latest["cycle"] if latest else None,
                unit,
            ),
            compacts=metrics.compact_figures(user, within=unit, year=year),
            compact_rows=list(
                Compact.objects.restrict(user, "view")
                .filter(metrics.subtree_q(unit), year=year)
                .select_related("senior_manager", "unit")
                .order_by("unit__code", "senior_manager__name")[:20]
            ),
            year=year,
            indicators=metrics.indicator_figures(user, within=unit),
            off_target=off_target,
            by_unit=metrics.compliance_by_unit(user, cycle=latest["cycle"], within=unit)[:50]
            if latest
            else [],
            rbm_lead=metrics.current_rbm_responsibility(),
            suppress_below=metrics.SUPPRESS_BELOW,
        )
        return context


# --- Compacts ------------------------------------------------------------------------------


class CompactListView(RecordsMixin, ScopedListView):
    model = Compact
    title = gettext_lazy("Senior managers' compacts")
    filterset_class = CompactFilterSet
    export_name = "compacts"
    create_url_name = "performance:compact_create"
    columns = [
        Column(gettext_lazy("Year"), "year", link=True),
        Column(gettext_lazy("Senior manager"), "senior_manager.name", link=True),
        Column(gettext_lazy("Index number"), "senior_manager.index_number"),
        Column(gettext_lazy("Unit"), "unit.code"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Signed on"), "signed_on"),
        Column(gettext_lazy("Board rating"), "get_mpb_rating_display"),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("senior_manager", "unit")


class CompactDetailView(ScopedDetailView):
    model = Compact
    template_name = "performance/compact_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("senior_manager", "unit")
            .prefetch_related(
                "paragraphs",
                Prefetch(
                    "objectives",
                    CompactObjective.objects.select_related("commitment").prefetch_related(
                        "paragraphs"
                    ),
                ),
                "findings",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            Status=CompactStatus,
            can_sign=actions.allowed(user, "sign", self.object),
            can_assess=actions.allowed(user, "assess", self.object),
            can_close=actions.may(user, "close", BoardFinding) and context["can_edit"],
        )
        return context


class CompactCreateView(FormMixin, ScopedCreateView):
    model = Compact
    form_class = forms.CompactForm

    def get_initial(self):
        return {"year": timezone.localdate().year}


class CompactUpdateView(FormMixin, ScopedUpdateView):
    model = Compact
    form_class = forms.CompactForm


class CompactSignView(TransitionView):
    model = Compact
    action = services.sign_compact
    form_class = forms.SignCompactForm
    template_name = "performance/transition.html"
    title = gettext_lazy("Record signature")

    def get_initial(self):
        return {"signed_on": timezone.localdate()}


class CompactAssessView(CompactSignView):
    action = services.assess_compact
    form_class = forms.AssessCompactForm
    title = gettext_lazy("Record the Board's assessment")

    def get_initial(self):
        return {"assessed_on": timezone.localdate()}


class ObjectiveCreateView(ChildCreateMixin, ScopedCreateView):
    model = CompactObjective
    form_class = forms.ObjectiveForm


class ObjectiveUpdateView(FormMixin, ScopedUpdateView):
    model = CompactObjective
    form_class = forms.ObjectiveForm


class FindingCreateView(ChildCreateMixin, ScopedCreateView):
    model = BoardFinding
    form_class = forms.FindingForm


class FindingUpdateView(FormMixin, ScopedUpdateView):
    model = BoardFinding
    form_class = forms.FindingForm


class FindingCloseView(CompactSignView):
    model = BoardFinding
    action = services.close_finding
    form_class = forms.CloseFindingForm
    title = gettext_lazy("Close the finding")

    def get_initial(self):
        return {"closed_on": timezone.localdate(), "action_plan": self.object.action_plan}


# --- Appraisals ----------------------------------------------------------------------------


class AppraisalListView(ReadLoggedListMixin, ScopedListView):
    """Named appraisals: only the unit's managers and administrators see rows here."""

    model = Appraisal
    title = gettext_lazy("Performance appraisals")
    filterset_class = AppraisalFilterSet
    export_name = "appraisals"
    create_url_name = "performance:appraisal_create"
    template_name = "performance/appraisal_list.html"
    # Cycle by cycle: a page of one cycle reads the staff by name from their index (core.generic).
    split_first_key = True
    columns = [
        Column(gettext_lazy("Staff member"), "staff.name", link=True),
        Column(gettext_lazy("Index number"), "staff.index_number"),
        Column(gettext_lazy("Unit"), "unit.code"),
        Column(gettext_lazy("Cycle"), "cycle_label"),
        Column(gettext_lazy("Due on"), "due_on"),
        Column(gettext_lazy("Completed on"), "completed_on"),
        Column(gettext_lazy("On time"), "is_on_time"),
        Column(gettext_lazy("Rating"), "get_rating_display"),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("staff", "unit").with_on_time()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["named_access"] = actions.may(self.request.user, "view", Appraisal)
        return context


class AppraisalDetailView(ScopedDetailView):
    model = Appraisal
    template_name = "performance/appraisal_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("staff", "unit", "underperformance_case")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        record_read(self.request, obj)  # the access log: who read this person's record
        return obj


class AppraisalCreateView(FormMixin, ScopedCreateView):
    model = Appraisal
    form_class = forms.AppraisalForm

    def get_initial(self):
        today = timezone.localdate()
        return {"cycle": today.year - 1 if today.month >= 4 else today.year - 2}


class AppraisalUpdateView(FormMixin, ScopedUpdateView):
    model = Appraisal
    form_class = forms.AppraisalForm


class CaseCreateView(ChildCreateMixin, ScopedCreateView):
    model = UnderperformanceCase
    form_class = forms.UnderperformanceCaseForm
    parent_model = Appraisal
    parent_field = "appraisal"


class CaseUpdateView(FormMixin, ScopedUpdateView):
    model = UnderperformanceCase
    form_class = forms.UnderperformanceCaseForm


class AppraisalImportView(imports.ImportView):
    """Upload the HR system's appraisal file, see what it would do, confirm: every row is checked
    first; any error rejects the whole file and nothing is saved (core.imports)."""

    spec = "performance.imports:appraisals_for_page"
    model = Appraisal
    permission = "import"
    refusal = gettext_lazy("Only administrators and unit managers import appraisals.")
    form_class = forms.ImportForm
    list_url_name = "performance:appraisal_list"
    title = gettext_lazy("Import appraisals")
    columns = ["staff", "cycle"]
    optional_columns = ["due_on", "completed_on", "rating", "unit"]


class ComplianceView(LoginRequiredMixin, TemplateView):
    """Appraisal compliance by unit and cycle, the rating distribution and the trend: the
    aggregates anyone with a role may read (groups under 5 people suppressed)."""

    template_name = "performance/compliance.html"

    def cycle(self, trend):
        try:
            return int(self.request.GET["cycle"])
        except (KeyError, ValueError):
            return trend[-1]["cycle"] if trend else timezone.localdate().year - 1

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("export")
        if kind in ("csv", "xlsx"):
            unit = selected_unit(request)
            trend = metrics.compliance_by_cycle(request.user, within=unit)
            rows = metrics.compliance_by_unit(request.user, cycle=self.cycle(trend), within=unit)
            headers = (
                [
                    _("Unit"),
                    _("Cycle"),
                    _("Staff"),
                    _("Due"),
                    _("Completed"),
                    _("On time"),
                    _("Compliance rate (%)"),
                    *[str(d["label"]) for d in metrics.rating_distribution([rows[0]])],
                ]
                if rows
                else [_("Unit"), _("Cycle")]
            )
            data = (
                [
                    r["unit__code"],
                    r["cycle_label"],
                    r["staff"],
                    r["due"],
                    r["completed"],
                    r["on_time"],
                    r["compliance_rate"],
                    *[r[k] for k in metrics.RATING_KEYS],
                ]
                for r in rows
            )
            if kind == "csv":
                return csv_response("appraisal-compliance", headers, data)
            return xlsx_response("appraisal-compliance", [("compliance", headers, data)])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        unit = selected_unit(self.request)
        trend = metrics.compliance_by_cycle(user, within=unit)
        cycle = self.cycle(trend)
        current = next((r for r in trend if r["cycle"] == cycle), None)
        rows = metrics.compliance_by_unit(user, cycle=cycle, within=unit)
        query = self.request.GET.copy()
        query.pop("export", None)
        context.update(
            unit=unit,
            cycle=cycle,
            cycle_label=cycle_label(cycle),
            cycles=[r["cycle"] for r in trend],
            trend=trend,
            current=current,
            distribution=metrics.rating_distribution([current]) if current else [],
            rows=rows,
            chart=compliance_chart(trend, unit),
            distribution_chart=distribution_chart(
                metrics.rating_distribution([current]) if current else [], cycle, unit
            ),
            suppress_below=metrics.SUPPRESS_BELOW,
            querystring=query.urlencode(),
            allowed=metrics.can_see_aggregates(user),
        )
        return context


# --- Results-based management ---------------------------------------------------------------


class IndicatorListView(RecordsMixin, ScopedListView):
    model = Indicator
    title = gettext_lazy("Results-based management indicators")
    filterset_class = IndicatorFilterSet
    export_name = "indicators"
    create_url_name = "performance:indicator_create"
    template_name = "performance/indicator_list.html"
    columns = [
        Column(gettext_lazy("Indicator"), "title", link=True),
        Column(gettext_lazy("Unit"), "unit.code"),
        Column(gettext_lazy("Kind"), "get_kind_display"),
        Column(gettext_lazy("Unit of measure"), "unit_of_measure"),
        Column(gettext_lazy("Baseline"), "baseline"),
        Column(gettext_lazy("Target"), "target"),
        Column(gettext_lazy("Latest period"), "latest_period"),
        Column(gettext_lazy("Latest value"), "latest_value"),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("unit").with_latest()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rbm_lead"] = metrics.current_rbm_responsibility()
        context["is_admin"] = actions.may(self.request.user, "add", RBMResponsibility)
        # Every result of the caller's scope aggregated (18,000 at factor 1: 10-20 ms a page):
        # kept as the dashboard's figures are, until the next tracked write.
        user = self.request.user
        trend, context["trend_computed_at"] = dashboard.cached(
            user, "performance-results-trend", "", lambda: metrics.results_trend(user)
        )
        context["trend"] = trend
        context["trend_chart"] = line_chart(
            [(r["period"], r["target_met_rate"]) for r in trend], suffix="%", max_value=100
        )
        return context


class IndicatorDetailView(ScopedDetailView):
    model = Indicator
    template_name = "performance/indicator_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit", "accomplishment")
            .prefetch_related("paragraphs")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = self.object
        results = list(indicator.results.order_by("start_year", "period"))
        for result in results:
            result.indicator = indicator
        context.update(
            results=results,
            chart=line_chart(
                [(r.period, float(r.value)) for r in results],
                target=float(indicator.target),
                baseline=float(indicator.baseline),
            ),
        )
        return context


class AccomplishmentCreateView(FormMixin, ScopedCreateView):
    model = ExpectedAccomplishment
    form_class = forms.ExpectedAccomplishmentForm

    def get_success_url(self):
        return reverse("performance:indicator_create") + f"?accomplishment={self.object.pk}"


class IndicatorCreateView(FormMixin, ScopedCreateView):
    model = Indicator
    form_class = forms.IndicatorForm

    def get_initial(self):
        accomplishment = (
            ExpectedAccomplishment.objects.restrict(self.request.user, "view")
            .filter(pk=self.request.GET.get("accomplishment") or None)
            .first()
        )
        if accomplishment is None:
            return {}
        return {"accomplishment": accomplishment.pk, "unit": accomplishment.unit_id}


class IndicatorUpdateView(FormMixin, ScopedUpdateView):
    model = Indicator
    form_class = forms.IndicatorForm


class ResultCreateView(ChildCreateMixin, ScopedCreateView):
    model = IndicatorResult
    form_class = forms.IndicatorResultForm
    parent_model = Indicator
    parent_field = "indicator"


class ResultUpdateView(FormMixin, ScopedUpdateView):
    model = IndicatorResult
    form_class = forms.IndicatorResultForm


class RBMAssignView(FormMixin, ScopedCreateView):
    """Paragraph 25: record the senior manager responsible for results-based management (the
    policy lets administrators only)."""

    model = RBMResponsibility
    form_class = forms.RBMResponsibilityForm


# --- Records with a plain detail page (facts and history) --------------------------------------


class RecordDetailView(ScopedDetailView):
    """A record's facts (the fields named in `facts`) and its history; fields the model's policy
    hides from the reader are left out."""

    template_name = "performance/record_detail.html"
    facts: tuple[str, ...] = ()
    list_url_name = ""
    edit_url_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        hidden = type(obj).objects.hidden_fields(self.request.user)
        rows = []
        for name in self.facts:
            if name in hidden:
                continue
            field = obj._meta.get_field(name)
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if display and field.choices else getattr(obj, name)
            rows.append((field.verbose_name, value))
        context.update(
            facts=rows,
            list_url=reverse(self.list_url_name),
            list_title=obj._meta.verbose_name_plural,
            edit_url=reverse(self.edit_url_name, args=[obj.pk])
            if self.edit_url_name and context["can_edit"]
            else "",
        )
        return context


class SpreadsheetImportView(imports.ImportView):
    """Upload, preview, confirm (core.imports): the file is checked whole (the import's dry run)
    and its counts shown; only a confirmation writes, all rows or none."""

    permission = "import"
    refusal = gettext_lazy("You may not import these records.")
    form_class = forms.SpreadsheetImportForm


def _as_at(request):
    try:
        return datetime.date.fromisoformat(request.GET.get("as_at", ""))
    except ValueError:
        return timezone.localdate()


# --- Learning (paragraph 6) -------------------------------------------------------------------


class CourseListView(RecordsMixin, ScopedListView):
    model = Course
    title = gettext_lazy("Courses")
    filterset_class = CourseFilterSet
    export_name = "courses"
    create_url_name = "performance:course_create"
    columns = [
        Column(gettext_lazy("Code"), "code", link=True),
        Column(gettext_lazy("Title"), "title", link=True),
        Column(gettext_lazy("Area"), "get_area_display"),
        Column(gettext_lazy("Mandatory"), "mandatory"),
    ]


class CourseDetailView(RecordDetailView):
    model = Course
    facts = ("code", "title", "area", "mandatory")
    list_url_name = "performance:course_list"
    edit_url_name = "performance:course_edit"


class CourseCreateView(FormMixin, ScopedCreateView):
    model = Course
    form_class = forms.CourseForm


class CourseUpdateView(FormMixin, ScopedUpdateView):
    model = Course
    form_class = forms.CourseForm


class CompletionListView(RecordsMixin, ScopedListView):
    """Named completions: only administrators and the person's unit managers see rows."""

    model = CourseCompletion
    title = gettext_lazy("Course completions")
    filterset_class = CourseCompletionFilterSet
    export_name = "course-completions"
    create_url_name = "performance:completion_create"
    template_name = "performance/completion_list.html"
    columns = [
        Column(gettext_lazy("Staff member"), "person.name", link=True),
        Column(gettext_lazy("Index number"), "person.index_number"),
        Column(gettext_lazy("Unit"), "person.unit.code"),
        Column(gettext_lazy("Course"), "course.code"),
        Column(gettext_lazy("Mandatory"), "course.mandatory"),
        Column(gettext_lazy("Completed on"), "completed_on"),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("person__unit", "course")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_import"] = actions.may(self.request.user, "import", CourseCompletion)
        return context


class CompletionDetailView(RecordDetailView):
    model = CourseCompletion
    facts = ("person", "course", "completed_on")
    list_url_name = "performance:completion_list"
    edit_url_name = "performance:completion_edit"

    def get_queryset(self):
        return super().get_queryset().select_related("person", "course")


class CompletionCreateView(FormMixin, ScopedCreateView):
    model = CourseCompletion
    form_class = forms.CourseCompletionForm


class CompletionUpdateView(FormMixin, ScopedUpdateView):
    model = CourseCompletion
    form_class = forms.CourseCompletionForm


class CompletionImportView(SpreadsheetImportView):
    spec = "performance.imports:completions_for_page"
    model = CourseCompletion
    title = gettext_lazy("Import course completions")
    columns = ["index_number", "course_code", "completed_on"]
    list_url_name = "performance:completion_list"


class LearningView(LoginRequiredMixin, TemplateView):
    """Completion of the mandatory courses by unit as at a date, and per course: aggregates every
    role reads (groups under 5 people suppressed unless the reader manages the unit)."""

    template_name = "performance/learning.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") in ("csv", "xlsx"):
            rows = metrics.learning_by_unit(
                request.user, as_at=_as_at(request), within=selected_unit(request)
            )
            headers = [
                _("Unit"),
                _("Staff"),
                _("Completions required"),
                _("Completions"),
                _("Completion rate (%)"),
                _("Staff fully trained"),
                _("Fully trained (%)"),
            ]
            data = ([r["unit__code"], *[r[k] for k in metrics.LEARNING_FIGURES]] for r in rows)
            if request.GET["export"] == "csv":
                return csv_response("learning-completion", headers, data)
            return xlsx_response("learning-completion", [("learning", headers, data)])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        unit = selected_unit(self.request)
        as_at = _as_at(self.request)
        query = self.request.GET.copy()
        query.pop("export", None)
        context.update(
            unit=unit,
            as_at=as_at,
            total=metrics.learning_total(user, as_at=as_at, within=unit),
            rows=metrics.learning_by_unit(user, as_at=as_at, within=unit),
            courses=metrics.learning_by_course(user, as_at=as_at, within=unit),
            allowed=metrics.can_see_aggregates(user),
            suppress_below=metrics.SUPPRESS_BELOW,
            querystring=query.urlencode(),
            named_access=actions.may(user, "view", CourseCompletion),
        )
        return context


# --- Discipline and recognition (paragraphs 8 and 17) ----------------------------------------


def _period(request) -> tuple[datetime.date, datetime.date]:
    """?start=&end= (default: the current calendar year); a reversed range is swapped."""
    today = timezone.localdate()
    try:
        start = datetime.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = datetime.date(today.year, 1, 1)
    try:
        end = datetime.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = datetime.date(start.year, 12, 31)
    return (start, end) if start <= end else (end, start)


class DisciplineView(LoginRequiredMixin, TemplateView):
    """The system of rewards and sanctions in aggregate for a period: measures imposed and cases
    by category (counts of 1 to 4 suppressed except for administrators), and awards."""

    template_name = "performance/discipline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        start, end = _period(self.request)
        summary = metrics.discipline_summary(user, start=start, end=end)
        recognitions = metrics.recognition_summary(user, start=start, end=end)
        context.update(
            start=start,
            end=end,
            summary=summary,
            measures=[
                (DisciplinaryMeasure(k).label, v)
                for k, v in (summary or {}).get("by_measure", {}).items()
            ],
            categories=[
                (DisciplinaryCategory(k).label, v)
                for k, v in (summary or {}).get("by_category", {}).items()
            ],
            recognitions=recognitions,
            recognition_kinds=[
                (RecognitionKind(k).label, v) for k, v in recognitions["by_kind"].items()
            ],
            named_access=actions.may(user, "view", DisciplinaryCase),
            can_add_recognition=actions.may(user, "add", Recognition),
        )
        return context


class DisciplinaryCaseListView(ReadLoggedListMixin, RecordsMixin, ScopedListView):
    """Cases by name: administrators only; everyone else reads the aggregates."""

    model = DisciplinaryCase
    title = gettext_lazy("Disciplinary cases")
    filterset_class = DisciplinaryCaseFilterSet
    export_name = "disciplinary-cases"
    create_url_name = "performance:discipline_create"
    columns = [
        Column(gettext_lazy("Case"), "pk", link=True),
        Column(gettext_lazy("Unit"), "unit.code"),
        Column(gettext_lazy("Opened on"), "opened_on"),
        Column(gettext_lazy("Category"), "get_category_display"),
        Column(gettext_lazy("Measure"), "get_measure_display"),
        Column(gettext_lazy("Date of the measure"), "measure_on"),
        Column(
            gettext_lazy("Referred to national authorities"), "referred_to_national_authorities"
        ),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("unit")


class DisciplinaryCaseDetailView(RecordDetailView):
    model = DisciplinaryCase
    facts = (
        "unit",
        "person",
        "opened_on",
        "category",
        "summary",
        "measure",
        "measure_on",
        "referred_to_national_authorities",
        "referred_on",
    )
    list_url_name = "performance:discipline_list"
    edit_url_name = "performance:discipline_edit"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "person")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        record_read(self.request, obj)  # the access log: who read this person's record
        return obj


class DisciplinaryCaseCreateView(FormMixin, ScopedCreateView):
    model = DisciplinaryCase
    form_class = forms.DisciplinaryCaseForm


class DisciplinaryCaseUpdateView(FormMixin, ScopedUpdateView):
    model = DisciplinaryCase
    form_class = forms.DisciplinaryCaseForm


class RecognitionListView(RecordsMixin, ScopedListView):
    model = Recognition
    title = gettext_lazy("Rewards and recognition")
    filterset_class = RecognitionFilterSet
    export_name = "recognitions"
    create_url_name = "performance:recognition_create"
    columns = [
        Column(gettext_lazy("Awarded on"), "awarded_on", link=True),
        Column(gettext_lazy("Kind"), "get_kind_display", link=True),
        Column(gettext_lazy("Unit"), "unit.code"),
        Column(gettext_lazy("Reason"), "reason"),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("unit")


class RecognitionDetailView(RecordDetailView):
    model = Recognition
    facts = ("unit", "person", "kind", "awarded_on", "reason")
    list_url_name = "performance:recognition_list"
    edit_url_name = "performance:recognition_edit"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "person")


class RecognitionCreateView(FormMixin, ScopedCreateView):
    model = Recognition
    form_class = forms.RecognitionForm


class RecognitionUpdateView(FormMixin, ScopedUpdateView):
    model = Recognition
    form_class = forms.RecognitionForm


# --- Budget performance (paragraphs 10 and 11) ------------------------------------------------


class BudgetListView(RecordsMixin, ScopedListView):
    model = BudgetPerformance
    title = gettext_lazy("Budget performance")
    filterset_class = BudgetPerformanceFilterSet
    export_name = "budget-performance"
    create_url_name = "performance:budget_create"
    template_name = "performance/budget_list.html"
    columns = [
        Column(gettext_lazy("Unit"), "unit.code", link=True),
        Column(gettext_lazy("Budget period"), "period", link=True),
        Column(gettext_lazy("Appropriation"), "appropriation"),
        Column(gettext_lazy("Expenditure"), "expenditure"),
        Column(gettext_lazy("Currency"), "currency"),
        Column(gettext_lazy("Utilisation (%)"), "utilisation_percent"),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("unit").with_utilisation()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            by_period=metrics.budget_by_period(user),
            efficiency=metrics.efficiency_results(user, limit=20),
            can_import=actions.may(user, "import", BudgetPerformance),
        )
        return context


class BudgetDetailView(RecordDetailView):
    model = BudgetPerformance
    facts = ("unit", "period", "appropriation", "expenditure", "currency")
    list_url_name = "performance:budget_list"
    edit_url_name = "performance:budget_edit"

    def get_queryset(self):
        return super().get_queryset().select_related("unit").with_utilisation()


class BudgetCreateView(FormMixin, ScopedCreateView):
    model = BudgetPerformance
    form_class = forms.BudgetPerformanceForm


class BudgetUpdateView(FormMixin, ScopedUpdateView):
    model = BudgetPerformance
    form_class = forms.BudgetPerformanceForm


class BudgetImportView(SpreadsheetImportView):
    spec = "performance.imports:budget_for_page"
    model = BudgetPerformance
    title = gettext_lazy("Import budget performance")
    columns = ["unit", "period", "appropriation", "expenditure"]
    optional_columns = ["currency"]
    list_url_name = "performance:budget_list"


# --- Links answering paragraphs 13-15 ----------------------------------------------------------


class ObjectiveDetailView(ScopedDetailView):
    """A compact objective and what stands behind it: the commitment it delivers, the
    indicators that measure it and their results per budget period."""

    model = CompactObjective
    template_name = "performance/objective_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("compact__senior_manager", "compact__unit", "commitment__unit")
            .prefetch_related(
                "paragraphs",
                Prefetch(
                    "indicators",
                    Indicator.objects.restrict(self.request.user, "view")
                    .select_related("unit")
                    .prefetch_related(
                        Prefetch(
                            "results",
                            IndicatorResult.objects.annotate(
                                cost_per_output_sql=cost_per_output_q(),
                                met=Case(
                                    When(target_met_q(), then=Value(True)),
                                    default=Value(False),
                                    output_field=BooleanField(),
                                ),
                            ).order_by("start_year"),
                        )
                    ),
                ),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        commitment = self.object.commitment
        # The commitment is another app's record: shown only to whoever may read it there.
        context["commitment"] = (
            commitment
            if commitment is not None and actions.visible(self.request.user, commitment)
            else None
        )
        return context


class UnitChainView(LoginRequiredMixin, TemplateView):
    """A unit's chain of accountability (paragraphs 13-15): its compacts, their objectives, the
    indicators that measure them and their latest results, and the senior managers who answer
    for them; with the unit's budget performance and completion of mandatory training. A fixed
    number of queries whatever the unit's size."""

    template_name = "performance/unit_chain.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        unit = get_object_or_404(OrgUnit, code=self.kwargs["code"])
        indicators = (
            Indicator.objects.restrict(user, "view")
            .filter(unit=unit)
            .with_latest()
            .order_by("title")
        )
        compacts = list(
            Compact.objects.restrict(user, "view")
            .filter(unit=unit)
            .select_related("senior_manager")
            .prefetch_related(
                Prefetch(
                    "objectives",
                    CompactObjective.objects.select_related("commitment").prefetch_related(
                        Prefetch(
                            "indicators",
                            Indicator.objects.restrict(user, "view")
                            .with_latest()
                            .select_related("unit"),
                        )
                    ),
                )
            )
            .order_by("-year")[:5]
        )
        linked = {i.pk for c in compacts for o in c.objectives.all() for i in o.indicators.all()}
        head = Person.objects.filter(unit=unit, is_head_of_entity=True, is_active=True)
        context.update(
            unit=unit,
            compacts=compacts,
            unlinked=[i for i in indicators if i.pk not in linked],
            managers=sorted(
                {c.senior_manager.name for c in compacts}
                | set(
                    Person.objects.restrict(user, "view")
                    .filter(pk__in=head.values("pk"))
                    .values_list("name", flat=True)
                )
            ),
            budgets=list(
                BudgetPerformance.objects.restrict(user, "view")
                .filter(unit=unit)
                .with_utilisation()
                .order_by("-start_year")[:6]
            ),
            learning=metrics.learning_total(user, within=unit),
            suppress_below=metrics.SUPPRESS_BELOW,
        )
        return context
