"""Pages of the performance area. Views declare; rules live in models, services and metrics."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from core.exports import csv_response, xlsx_response
from core.generic import (
    Column,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
)
from core.models import StaleVersion
from org.access import access_for
from org.models import OrgUnit
from performance import forms, metrics, services
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


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ServiceFormMixin:
    """Saves the form's instance through a service; its ValidationErrors become form errors."""

    service = None
    template_name = "performance/form.html"

    def dispatch(self, request, *args, **kwargs):
        access = access_for(request.user)
        if request.user.is_authenticated and not (access.is_admin or access.is_manager):
            raise PermissionDenied(_("Your role does not record performance data."))
        return super().dispatch(request, *args, **kwargs)

    def save_form(self, form):
        instance = form.save(commit=False)
        if form.cleaned_data.get("version") is not None and instance.pk:
            instance.version = form.cleaned_data["version"]
        kwargs = {}
        if "paragraphs" in form.cleaned_data:
            kwargs["paragraphs"] = form.cleaned_data["paragraphs"]
        try:
            return type(self).service(instance, acting_user=self.request.user, **kwargs)
        except StaleVersion:
            form.add_error(None, form.stale_message)
            raise

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)


def selected_unit(request):
    """The unit a dashboard is about: ?unit=CODE, else the manager's own unit, else all."""
    if "unit" in request.GET:  # an empty choice is the whole Secretariat
        code = request.GET["unit"].strip()
        return OrgUnit.objects.filter(code=code).first() if code else None
    access = access_for(request.user)
    if access.is_manager:
        return OrgUnit.objects.filter(pk=access.unit_id).first()
    return None


class RecordsMixin:
    """Offers the 'add' buttons only to those who record performance data."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        access = access_for(self.request.user)
        context["can_record"] = access.is_admin or access.is_manager
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
        access = access_for(user)
        trend = metrics.compliance_by_cycle(user, within=unit)
        latest = trend[-1] if trend else None
        year = timezone.localdate().year
        off_target = list(
            Indicator.objects.visible_to(user)
            .filter(metrics.subtree_q(unit))
            .off_target()
            .select_related("unit")
            .order_by("unit__code", "title")[:10]
        )
        context.update(
            unit=unit,
            unit_choices=OrgUnit.objects.only("code", "name", "name_zh", "path").order_by("path"),
            manages=access.manages_unit(unit.pk) if unit else access.is_admin,
            trend=trend,
            latest=latest,
            distribution=metrics.rating_distribution([latest]) if latest else [],
            chart=line_chart(
                [(r["cycle_label"], r["compliance_rate"]) for r in trend], suffix="%", max_value=100
            ),
            compacts=metrics.compact_figures(user, within=unit, year=year),
            compact_rows=list(
                Compact.objects.visible_to(user)
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
        return Compact.objects.visible_to(self.request.user).select_related(
            "senior_manager", "unit"
        )


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
        today = timezone.localdate()
        context.update(
            sign_form=forms.SignCompactForm(initial={"signed_on": today}),
            assess_form=forms.AssessCompactForm(initial={"assessed_on": today}),
            Status=CompactStatus,
        )
        return context


class CompactCreateView(ServiceFormMixin, ScopedCreateView):
    model = Compact
    form_class = forms.CompactForm
    service = staticmethod(services.save_compact)

    def get_initial(self):
        return {"year": timezone.localdate().year}


class CompactUpdateView(ServiceFormMixin, ScopedUpdateView):
    model = Compact
    form_class = forms.CompactForm
    service = staticmethod(services.save_compact)


class CompactActionView(LoginRequiredMixin, FormView):
    """Sign a compact, or record the Management Performance Board's assessment of it."""

    template_name = "performance/compact_action.html"
    action = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            visible = Compact.objects.visible_to(request.user).select_related("senior_manager")
            self.compact = get_object_or_404(visible, pk=kwargs["pk"])
            if not Compact.objects.editable_by(request.user).filter(pk=self.compact.pk).exists():
                raise PermissionDenied(_("You may read this record but not change it."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return forms.SignCompactForm if self.action == "sign" else forms.AssessCompactForm

    def get_initial(self):
        key = "signed_on" if self.action == "sign" else "assessed_on"
        return {key: timezone.localdate()}

    def form_valid(self, form):
        try:
            if self.action == "sign":
                services.sign_compact(
                    self.compact, acting_user=self.request.user, **form.cleaned_data
                )
            else:
                services.assess_compact(
                    self.compact, acting_user=self.request.user, **form.cleaned_data
                )
        except ValidationError as exc:
            self.compact.refresh_from_db()
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.compact.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(compact=self.compact, action=self.action)
        return context


class ChildMixin:
    """Records created from their parent's page: objectives and findings from a compact, a
    case from an appraisal, a result from an indicator."""

    parent_model = Compact
    parent_field = "compact"

    def get_parent(self):
        if not hasattr(self, "_parent"):
            visible = self.parent_model.objects.visible_to(self.request.user)
            self._parent = get_object_or_404(visible, pk=self.kwargs["parent"])
            editable = self.parent_model.objects.editable_by(self.request.user)
            if not editable.filter(pk=self._parent.pk).exists():
                raise PermissionDenied(_("You may read this record but not change it."))
        return self._parent

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if kwargs.get("instance") is None:
            kwargs["instance"] = self.model(**{self.parent_field: self.get_parent()})
        return kwargs

    def get_success_url(self):
        return self.object.get_absolute_url()


class ObjectiveCreateView(ChildMixin, ServiceFormMixin, ScopedCreateView):
    model = CompactObjective
    form_class = forms.ObjectiveForm
    service = staticmethod(services.save_objective)


class ObjectiveUpdateView(ServiceFormMixin, ScopedUpdateView):
    model = CompactObjective
    form_class = forms.ObjectiveForm
    service = staticmethod(services.save_objective)


class FindingCreateView(ChildMixin, ServiceFormMixin, ScopedCreateView):
    model = BoardFinding
    form_class = forms.FindingForm
    service = staticmethod(services.save_finding)


class FindingUpdateView(ServiceFormMixin, ScopedUpdateView):
    model = BoardFinding
    form_class = forms.FindingForm
    service = staticmethod(services.save_finding)


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
        Column(gettext_lazy("On time"), "on_time"),
        Column(gettext_lazy("Rating"), "get_rating_display"),
    ]

    def base_queryset(self):
        return Appraisal.objects.visible_to(self.request.user).select_related("staff", "unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        access = access_for(self.request.user)
        context["named_access"] = access.is_admin or access.is_manager
        return context


class AppraisalDetailView(ScopedDetailView):
    model = Appraisal
    template_name = "performance/appraisal_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("staff", "unit", "underperformance_case")


class AppraisalCreateView(ServiceFormMixin, ScopedCreateView):
    model = Appraisal
    form_class = forms.AppraisalForm
    service = staticmethod(services.save_appraisal)

    def get_initial(self):
        today = timezone.localdate()
        return {"cycle": today.year - 1 if today.month >= 4 else today.year - 2}


class AppraisalUpdateView(ServiceFormMixin, ScopedUpdateView):
    model = Appraisal
    form_class = forms.AppraisalForm
    service = staticmethod(services.save_appraisal)


class CaseCreateView(ChildMixin, ServiceFormMixin, ScopedCreateView):
    model = UnderperformanceCase
    form_class = forms.UnderperformanceCaseForm
    service = staticmethod(services.save_underperformance_case)
    parent_model = Appraisal
    parent_field = "appraisal"


class CaseUpdateView(ServiceFormMixin, ScopedUpdateView):
    model = UnderperformanceCase
    form_class = forms.UnderperformanceCaseForm
    service = staticmethod(services.save_underperformance_case)


class AppraisalImportView(LoginRequiredMixin, FormView):
    """Upload the HR system's appraisal file: every row is checked first; any error rejects
    the whole file and nothing is saved."""

    template_name = "performance/appraisal_import.html"
    form_class = forms.ImportForm

    def dispatch(self, request, *args, **kwargs):
        access = access_for(request.user)
        if request.user.is_authenticated and not (access.is_admin or access.is_manager):
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
        return Indicator.objects.visible_to(self.request.user).select_related("unit").with_latest()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rbm_lead"] = metrics.current_rbm_responsibility()
        context["is_admin"] = access_for(self.request.user).is_admin
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


class AccomplishmentCreateView(ServiceFormMixin, ScopedCreateView):
    model = ExpectedAccomplishment
    form_class = forms.ExpectedAccomplishmentForm
    service = staticmethod(services.save_accomplishment)

    def get_success_url(self):
        return reverse("performance:indicator_create") + f"?accomplishment={self.object.pk}"


class IndicatorCreateView(ServiceFormMixin, ScopedCreateView):
    model = Indicator
    form_class = forms.IndicatorForm
    service = staticmethod(services.save_indicator)

    def get_initial(self):
        accomplishment = (
            ExpectedAccomplishment.objects.visible_to(self.request.user)
            .filter(pk=self.request.GET.get("accomplishment") or None)
            .first()
        )
        if accomplishment is None:
            return {}
        return {"accomplishment": accomplishment.pk, "unit": accomplishment.unit_id}


class IndicatorUpdateView(ServiceFormMixin, ScopedUpdateView):
    model = Indicator
    form_class = forms.IndicatorForm
    service = staticmethod(services.save_indicator)


class ResultCreateView(ChildMixin, ServiceFormMixin, ScopedCreateView):
    model = IndicatorResult
    form_class = forms.IndicatorResultForm
    service = staticmethod(services.record_indicator_result)
    parent_model = Indicator
    parent_field = "indicator"


class ResultUpdateView(ServiceFormMixin, ScopedUpdateView):
    model = IndicatorResult
    form_class = forms.IndicatorResultForm
    service = staticmethod(services.record_indicator_result)


class RBMAssignView(ServiceFormMixin, ScopedCreateView):
    """Paragraph 25: record the senior manager responsible for results-based management."""

    model = RBMResponsibility
    form_class = forms.RBMResponsibilityForm
    service = staticmethod(services.assign_rbm_responsibility)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access_for(request.user).is_admin:
            raise PermissionDenied(_("Only an administrator records this assignment."))
        return super().dispatch(request, *args, **kwargs)
