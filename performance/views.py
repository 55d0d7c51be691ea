"""Pages of the performance area. Views declare; rules live in models, services and metrics."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from core import actions
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
from org.models import OrgUnit
from performance import forms, metrics, policies, services
from performance.charts import line_chart
from performance.choices import CompactStatus
from performance.filtersets import AppraisalFilterSet, CompactFilterSet, IndicatorFilterSet
from performance.imports import ImportRejected, import_appraisals
from performance.models import (
    Appraisal,
    BoardFinding,
    Compact,
    CompactObjective,
    ExpectedAccomplishment,
    Indicator,
    IndicatorResult,
    RBMResponsibility,
    UnderperformanceCase,
    cycle_label,
)


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
            chart=line_chart(
                [(r["cycle_label"], r["compliance_rate"]) for r in trend], suffix="%", max_value=100
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


class AppraisalListView(ScopedListView):
    """Named appraisals: only the unit's managers and administrators see rows here."""

    model = Appraisal
    title = gettext_lazy("Performance appraisals")
    filterset_class = AppraisalFilterSet
    export_name = "appraisals"
    create_url_name = "performance:appraisal_create"
    template_name = "performance/appraisal_list.html"
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


class AppraisalImportView(LoginRequiredMixin, FormView):
    """Upload the HR system's appraisal file: every row is checked first; any error rejects
    the whole file and nothing is saved."""

    template_name = "performance/appraisal_import.html"
    form_class = forms.ImportForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not actions.may(request.user, "import", Appraisal):
            raise PermissionDenied(_("Only administrators and unit managers import appraisals."))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            result = import_appraisals(form.cleaned_data["file"], acting_user=self.request.user)
        except ImportRejected as rejected:
            return self.render_to_response(
                self.get_context_data(
                    form=form, errors=rejected.errors[:200], error_count=len(rejected.errors)
                )
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % result.as_dict(),
        )
        return HttpResponseRedirect(reverse("performance:appraisal_list"))


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
            chart=line_chart(
                [(r["cycle_label"], r["compliance_rate"]) for r in trend], suffix="%", max_value=100
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
        context["trend"] = trend = metrics.results_trend(self.request.user)
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
