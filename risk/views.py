"""Pages of the risk area: the register and its heat map, internal controls and their tests,
procurement conflicts of interest and recovery. Views declare; services decide."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, FormView, TemplateView

from core.generic import Column, ScopedDetailView, ScopedListView, ScopedUpdateView
from core.models import StaleVersion
from org.access import access_for
from org.models import OrgUnit
from risk import forms, metrics, services
from risk.choices import Band, CaseStatus
from risk.filtersets import (
    ControlFilterSet,
    ControlTestFilterSet,
    ProcurementCaseFilterSet,
    RecoveryCaseFilterSet,
    RiskFilterSet,
    SelfAssessmentFilterSet,
    TreatmentFilterSet,
)
from risk.models import (
    Control,
    ControlTest,
    Deficiency,
    InterestDeclaration,
    ProcurementCase,
    RatingScale,
    RecoveryAction,
    RecoveryCase,
    Risk,
    SelfAssessment,
    Treatment,
)

BAND_CLASS = {
    "": "heat-0",
    Band.LOW: "heat-1",
    Band.MEDIUM: "heat-2",
    Band.HIGH: "heat-3",
    Band.CRITICAL: "heat-4",
}


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ServiceFormMixin:
    """Saves through the app's service; its ValidationError becomes form errors, a stale version
    a form error, and nothing is saved."""

    success_message = gettext_lazy("Saved.")

    def save_form(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        adding = form.instance._state.adding
        expected = form.cleaned_data.get("version")
        if not adding and expected is not None:
            form.instance.version = expected
        try:
            self.object = self.save_form(form)
        except StaleVersion:
            form.add_error(None, form.stale_message)
            return self._invalid(form, adding)
        except ValidationError as exc:
            add_errors(form, exc)
            return self._invalid(form, adding)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def _invalid(self, form, adding):
        if adding:  # the transaction rolled back: the instance was never saved
            form.instance.pk = None
            form.instance._state.adding = True
        return self.form_invalid(form)


class ManagerRequiredMixin(LoginRequiredMixin):
    """Pages that create records: administrators and managers only."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            access = access_for(request.user)
            if not (access.is_admin or access.is_manager):
                raise PermissionDenied(_("Only managers and administrators record this."))
        return super().dispatch(request, *args, **kwargs)


class RiskCreateBase(ManagerRequiredMixin, ServiceFormMixin, CreateView):
    template_name = "risk/form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


class ChildCreateBase(RiskCreateBase):
    """Creates a record under a parent (a risk, a control, a test, a case) that the user may
    change: a parent they cannot see is a 404, one they may only read a 403."""

    parent_model = None
    parent_field = ""

    def dispatch(self, request, *args, **kwargs):
        self.parent = (
            editable_or_403(self.parent_model, request.user, kwargs["pk"])
            if request.user.is_authenticated
            else None
        )
        return super().dispatch(request, *args, **kwargs)

    def new_instance(self):
        return self.model(**{self.parent_field: self.parent})

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.new_instance()
        return kwargs


class RiskUpdateBase(ServiceFormMixin, ScopedUpdateView):
    template_name = "risk/form.html"


def editable_or_403(model, user, pk):
    obj = get_object_or_404(model.objects.visible_to(user), pk=pk)
    if not model.objects.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may read this record but not change it."))
    return obj


# --- Overview and heat map --------------------------------------------------------------


def heat_grid(risks, scale, *, residual: bool, base_query: str) -> list[dict]:
    """Rows of the 5x5 heat map, likelihood 5 at the top; each cell links to its risks."""
    counts = metrics.heat_map(risks, residual=residual)["cells"]
    prefix = "residual_" if residual else ""
    rows = []
    for likelihood in range(5, 0, -1):
        cells = []
        for impact in range(1, 6):
            n = counts.get((likelihood, impact), 0)
            query = f"{base_query}&" if base_query else ""
            cells.append(
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "count": n,
                    "css": BAND_CLASS[scale.band(likelihood * impact)] + ("" if n else " empty"),
                    "url": f"{reverse('risk:risk_list')}?{query}{prefix}likelihood={likelihood}&{prefix}impact={impact}",
                }
            )
        rows.append({"likelihood": likelihood, "cells": cells})
    return rows


class IndexView(LoginRequiredMixin, TemplateView):
    template_name = "risk/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scale = RatingScale.current()
        risks = Risk.objects.visible_to(self.request.user).active()
        context.update(
            figures=metrics.overview(self.request.user),
            scale=scale,
            grid=heat_grid(risks, scale, residual=False, base_query="active=true"),
            band_labels=Band.choices,
        )
        return context


class HeatMapView(LoginRequiredMixin, TemplateView):
    """The 5x5 heat map of a unit (and the units below) or of the whole Secretariat."""

    template_name = "risk/heat_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scale = RatingScale.current()
        residual = self.request.GET.get("basis") == "residual"
        risks = Risk.objects.visible_to(self.request.user).active()
        unit = None
        code = self.request.GET.get("unit", "")
        if code:
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None:
                unit = OrgUnit.objects.filter(pk=code).first() if code.isdigit() else None
            risks = risks.filter(unit__path__startswith=unit.path) if unit else risks.none()
        base = f"unit={unit.pk}" if unit else ""
        bands = metrics.band_counts(risks, scale, residual=residual)
        context.update(
            grid=heat_grid(risks, scale, residual=residual, base_query=base),
            bands=[
                (value, label, bands[value], BAND_CLASS[value]) for value, label in Band.choices
            ],
            total=sum(bands.values()),
            unit=unit,
            residual=residual,
            scale=scale,
            registers=metrics.registers_by_unit(risks) if not unit else [],
            list_url=reverse("risk:risk_list") + (f"?{base}" if base else ""),
        )
        return context


# --- Risk register ----------------------------------------------------------------------


class RiskListView(ScopedListView):
    model = Risk
    title = gettext_lazy("Risk register")
    filterset_class = RiskFilterSet
    export_name = "risks"
    create_url_name = "risk:risk_create"
    template_name = "risk/risk_list.html"
    columns = [
        Column(gettext_lazy("Risk"), "title", link=True),
        Column(gettext_lazy("Unit"), "unit.code"),
        Column(gettext_lazy("Category"), "get_category_display"),
        Column(gettext_lazy("Owner"), "owner.username"),
        Column(gettext_lazy("Likelihood"), "likelihood"),
        Column(gettext_lazy("Impact"), "impact"),
        Column(gettext_lazy("Score"), "score"),
        Column(gettext_lazy("Rating"), "get_rating_display"),
        Column(gettext_lazy("Residual score"), "residual_score"),
        Column(gettext_lazy("Response"), "get_response_display"),
        Column(gettext_lazy("Last reviewed"), "reviewed_on"),
    ]

    def base_queryset(self):
        return (
            Risk.objects.visible_to(self.request.user)
            .with_bands(RatingScale.current())
            .select_related("unit", "owner")
            .order_by("-score", "pk")
        )


class RiskDetailView(ScopedDetailView):
    model = Risk
    template_name = "risk/risk_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        risk = self.object
        scale = RatingScale.current()
        assessments = list(risk.assessments.select_related("assessed_by"))
        points = []
        if len(assessments) > 1:
            step = 280 / (len(assessments) - 1)
            points = [f"{10 + i * step:.0f},{110 - a.score * 4}" for i, a in enumerate(assessments)]
        context.update(
            rating=risk.rating(scale),
            residual_rating=risk.residual_rating(scale),
            rating_class=BAND_CLASS[risk.rating(scale)],
            residual_class=BAND_CLASS[risk.residual_rating(scale)],
            treatments=risk.treatments.select_related("owner"),
            controls=risk.controls.select_related("owner"),
            assessments=assessments,
            trend_points=" ".join(points),
            paragraphs=risk.paragraphs.all(),
        )
        return context


class RiskCreateView(RiskCreateBase):
    model = Risk
    form_class = forms.RiskForm

    def save_form(self, form):
        return services.save_risk(
            form.instance, acting_user=self.request.user, paragraphs=form.cleaned_data["paragraphs"]
        )


class RiskUpdateView(RiskUpdateBase):
    model = Risk
    form_class = forms.RiskForm

    def save_form(self, form):
        return services.save_risk(
            form.instance, acting_user=self.request.user, paragraphs=form.cleaned_data["paragraphs"]
        )


class TreatmentListView(ScopedListView):
    model = Treatment
    title = gettext_lazy("Treatment actions")
    template_name = "risk/list.html"
    filterset_class = TreatmentFilterSet
    export_name = "treatments"
    columns = [
        Column(gettext_lazy("Action"), "title", link=True),
        Column(gettext_lazy("Risk"), "risk.title"),
        Column(gettext_lazy("Unit"), "risk.unit.code"),
        Column(gettext_lazy("Owner"), "owner.username"),
        Column(gettext_lazy("Due on"), "due_on"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Overdue"), "is_overdue"),
    ]

    def base_queryset(self):
        return (
            Treatment.objects.visible_to(self.request.user)
            .select_related("risk__unit", "owner")
            .order_by("due_on", "pk")
        )


class TreatmentCreateView(ChildCreateBase):
    model = Treatment
    form_class = forms.TreatmentForm
    parent_model = Risk
    parent_field = "risk"

    def save_form(self, form):
        return services.save_treatment(form.instance, acting_user=self.request.user)


class TreatmentUpdateView(RiskUpdateBase):
    model = Treatment
    form_class = forms.TreatmentForm

    def save_form(self, form):
        return services.save_treatment(form.instance, acting_user=self.request.user)


# --- Internal control -------------------------------------------------------------------


class ControlListView(ScopedListView):
    model = Control
    title = gettext_lazy("Internal controls")
    filterset_class = ControlFilterSet
    export_name = "controls"
    create_url_name = "risk:control_create"
    template_name = "risk/control_list.html"
    columns = [
        Column(gettext_lazy("Control"), "title", link=True),
        Column(gettext_lazy("Unit"), "unit.code"),
        Column(gettext_lazy("Kind"), "get_kind_display"),
        Column(gettext_lazy("Frequency"), "get_frequency_display"),
        Column(gettext_lazy("Owner"), "owner.username"),
    ]

    def base_queryset(self):
        return Control.objects.visible_to(self.request.user).select_related("unit", "owner")


class ControlDetailView(ScopedDetailView):
    model = Control
    template_name = "risk/control_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            risks=self.object.risks.select_related("unit"),
            tests=self.object.tests.select_related("tester")[:50],
            paragraphs=self.object.paragraphs.all(),
        )
        return context


class ControlCreateView(RiskCreateBase):
    model = Control
    form_class = forms.ControlForm

    def save_form(self, form):
        return services.save_control(
            form.instance,
            acting_user=self.request.user,
            risks=form.cleaned_data["risks"],
            paragraphs=form.cleaned_data["paragraphs"],
        )


class ControlUpdateView(RiskUpdateBase):
    model = Control
    form_class = forms.ControlForm

    def save_form(self, form):
        return services.save_control(
            form.instance,
            acting_user=self.request.user,
            risks=form.cleaned_data["risks"],
            paragraphs=form.cleaned_data["paragraphs"],
        )


class ControlTestListView(ScopedListView):
    model = ControlTest
    title = gettext_lazy("Control tests")
    template_name = "risk/list.html"
    filterset_class = ControlTestFilterSet
    export_name = "control-tests"
    columns = [
        Column(gettext_lazy("Tested on"), "tested_on", link=True),
        Column(gettext_lazy("Control"), "control.title", link=True),
        Column(gettext_lazy("Unit"), "control.unit.code"),
        Column(gettext_lazy("Result"), "get_result_display"),
        Column(gettext_lazy("Tester"), "tester.username"),
    ]

    def base_queryset(self):
        return ControlTest.objects.visible_to(self.request.user).select_related(
            "control__unit", "tester"
        )


class ControlTestDetailView(ScopedDetailView):
    model = ControlTest
    template_name = "risk/control_test_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("control__unit", "tester")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["deficiencies"] = self.object.deficiencies.select_related("owner")
        return context


class ControlTestCreateView(ChildCreateBase):
    model = ControlTest
    form_class = forms.ControlTestForm
    parent_model = Control
    parent_field = "control"

    def new_instance(self):
        return ControlTest(control=self.parent, tester=self.request.user)

    def save_form(self, form):
        return services.record_control_test(form.instance, acting_user=self.request.user)


class DeficiencyCreateView(ChildCreateBase):
    model = Deficiency
    form_class = forms.DeficiencyForm
    parent_model = ControlTest
    parent_field = "test"

    def save_form(self, form):
        return services.save_deficiency(form.instance, acting_user=self.request.user)


class DeficiencyUpdateView(RiskUpdateBase):
    model = Deficiency
    form_class = forms.DeficiencyForm

    def save_form(self, form):
        return services.save_deficiency(form.instance, acting_user=self.request.user)


class SelfAssessmentListView(ScopedListView):
    model = SelfAssessment
    title = gettext_lazy("Control self-assessments")
    template_name = "risk/list.html"
    filterset_class = SelfAssessmentFilterSet
    export_name = "self-assessments"
    create_url_name = "risk:self_assessment_create"
    columns = [
        Column(gettext_lazy("Unit"), "unit.code", link=True),
        Column(gettext_lazy("Year"), "year", link=True),
        Column(gettext_lazy("Conclusion"), "get_conclusion_display"),
        Column(gettext_lazy("Certified by"), "certified_by.username"),
        Column(gettext_lazy("Certified on"), "certified_on"),
    ]

    def base_queryset(self):
        return SelfAssessment.objects.visible_to(self.request.user).select_related(
            "unit", "certified_by"
        )


class SelfAssessmentDetailView(ScopedDetailView):
    model = SelfAssessment
    template_name = "risk/self_assessment_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "certified_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["open_deficiencies"] = services.open_deficiencies_of(self.object.unit_id)[:200]
        context["certify_form"] = forms.CertifyForm()
        return context


class SelfAssessmentCreateView(RiskCreateBase):
    model = SelfAssessment
    form_class = forms.SelfAssessmentForm

    def save_form(self, form):
        return services.save_self_assessment(form.instance, acting_user=self.request.user)


class ActionFormView(LoginRequiredMixin, FormView):
    """A form that applies one service to one record (certify, clear, award)."""

    template_name = "risk/form.html"
    model = None
    heading = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = editable_or_403(self.model, request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object, heading=self.heading, cancel_url=self.object.get_absolute_url()
        )
        return context

    def form_valid(self, form):
        try:
            self.apply(form)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class CertifyView(ActionFormView):
    model = SelfAssessment
    form_class = forms.CertifyForm
    heading = gettext_lazy("Certify the self-assessment")

    def apply(self, form):
        services.certify_self_assessment(
            self.object, acting_user=self.request.user, **form.cleaned_data
        )


# --- Procurement conflicts of interest -------------------------------------------------


class ProcurementCaseListView(ScopedListView):
    model = ProcurementCase
    title = gettext_lazy("Procurement cases")
    template_name = "risk/list.html"
    filterset_class = ProcurementCaseFilterSet
    export_name = "procurement-cases"
    create_url_name = "risk:case_create"
    columns = [
        Column(gettext_lazy("Reference"), "reference", link=True),
        Column(gettext_lazy("Title"), "title"),
        Column(gettext_lazy("Unit"), "unit.code"),
        Column(gettext_lazy("Value (USD)"), "value"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Flagged"), "flagged"),
        Column(gettext_lazy("Cleared by"), "cleared_by.username"),
    ]

    def base_queryset(self):
        return (
            ProcurementCase.objects.visible_to(self.request.user)
            .with_flag()
            .select_related("unit", "cleared_by")
        )


class FlaggedCaseListView(ProcurementCaseListView):
    """Flagged cases not yet awarded or cancelled: for a unit (filter) or Secretariat-wide."""

    title = gettext_lazy("Flagged procurement cases")
    export_name = "flagged-cases"

    def base_queryset(self):
        return (
            ProcurementCase.objects.visible_to(self.request.user)
            .flagged()
            .exclude(status__in=[CaseStatus.AWARDED, CaseStatus.CANCELLED])
            .select_related("unit", "cleared_by")
        )


class ProcurementCaseDetailView(ScopedDetailView):
    model = ProcurementCase
    template_name = "risk/case_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_flag().select_related("unit", "cleared_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        access = access_for(self.request.user)
        context.update(
            vendors=case.vendors.all(),
            panel=case.panel.select_related("unit"),
            declarations=InterestDeclaration.objects.visible_to(self.request.user)
            .filter(case=case)
            .select_related("person"),
            reasons=case.flag_reasons() if not access.is_ga_staff else None,
            can_declare=context["can_edit"] or case.panel.filter(user=self.request.user).exists(),
            open_case=case.status not in (CaseStatus.AWARDED, CaseStatus.CANCELLED),
        )
        return context


class ProcurementCaseFormMixin:
    def save_form(self, form):
        return services.save_procurement_case(
            form.instance,
            acting_user=self.request.user,
            vendors=form.cleaned_data["vendor_names"],
            panel=form.cleaned_data["panel_members"],
            paragraphs=form.cleaned_data["paragraphs"],
        )


class ProcurementCaseCreateView(ProcurementCaseFormMixin, RiskCreateBase):
    model = ProcurementCase
    form_class = forms.ProcurementCaseForm


class ProcurementCaseUpdateView(ProcurementCaseFormMixin, RiskUpdateBase):
    model = ProcurementCase
    form_class = forms.ProcurementCaseForm


class DeclarationCreateView(LoginRequiredMixin, ServiceFormMixin, CreateView):
    """A panel member declares for themselves; a manager of the case's unit records for anyone."""

    model = InterestDeclaration
    form_class = forms.DeclarationForm
    template_name = "risk/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.case = get_object_or_404(
                ProcurementCase.objects.visible_to(request.user), pk=kwargs["pk"]
            )
            self.manages = (
                ProcurementCase.objects.editable_by(request.user).filter(pk=self.case.pk).exists()
            )
            if not self.manages and not self.case.panel.filter(user=request.user).exists():
                raise PermissionDenied(
                    _("Only panel members and the unit's managers record declarations.")
                )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            user=self.request.user, case=self.case, instance=InterestDeclaration(case=self.case)
        )
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not self.manages:
            form.fields["person"].queryset = self.case.panel.filter(user=self.request.user)
        return form

    def save_form(self, form):
        return services.save_declaration(form.instance, acting_user=self.request.user)

    def get_success_url(self):
        return self.case.get_absolute_url()


class ClearCaseView(ActionFormView):
    model = ProcurementCase
    form_class = forms.ClearanceForm
    heading = gettext_lazy("Record a clearance")

    def apply(self, form):
        services.clear_case(
            self.object, acting_user=self.request.user, reason=form.cleaned_data["clearance_reason"]
        )


class AwardCaseView(ActionFormView):
    model = ProcurementCase
    form_class = forms.AwardForm
    heading = gettext_lazy("Award the case")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["vendors"] = list(self.object.vendors.values_list("name", flat=True))
        return kwargs

    def apply(self, form):
        services.award_case(self.object, acting_user=self.request.user, **form.cleaned_data)


# --- Misconduct findings and recovery ---------------------------------------------------


class RecoveryCaseListView(ScopedListView):
    model = RecoveryCase
    title = gettext_lazy("Recovery cases")
    template_name = "risk/list.html"
    filterset_class = RecoveryCaseFilterSet
    export_name = "recovery-cases"
    create_url_name = "risk:recovery_create"
    columns = [
        Column(gettext_lazy("Case"), "__str__", link=True),
        Column(gettext_lazy("Unit"), "unit.code"),
        Column(gettext_lazy("Finding"), "get_finding_display"),
        Column(gettext_lazy("Amount lost (USD)"), "amount_lost"),
        Column(gettext_lazy("Amount recovered (USD)"), "amount_recovered"),
        Column(gettext_lazy("Recovery rate (%)"), "recovery_rate"),
        Column(gettext_lazy("Opened on"), "opened_on"),
        Column(gettext_lazy("Closed on"), "closed_on"),
    ]

    def base_queryset(self):
        return RecoveryCase.objects.visible_to(self.request.user).select_related("unit")


class RecoveryCaseDetailView(ScopedDetailView):
    model = RecoveryCase
    template_name = "risk/recovery_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = self.object.actions.all()
        context["paragraphs"] = self.object.paragraphs.all()
        return context


class RecoveryCaseCreateView(RiskCreateBase):
    model = RecoveryCase
    form_class = forms.RecoveryCaseForm

    def save_form(self, form):
        return services.save_recovery_case(
            form.instance, acting_user=self.request.user, paragraphs=form.cleaned_data["paragraphs"]
        )


class RecoveryCaseUpdateView(RiskUpdateBase):
    model = RecoveryCase
    form_class = forms.RecoveryCaseForm

    def save_form(self, form):
        return services.save_recovery_case(
            form.instance, acting_user=self.request.user, paragraphs=form.cleaned_data["paragraphs"]
        )


class RecoveryActionCreateView(ChildCreateBase):
    model = RecoveryAction
    form_class = forms.RecoveryActionForm
    parent_model = RecoveryCase
    parent_field = "case"

    def save_form(self, form):
        return services.add_recovery_action(form.instance, acting_user=self.request.user)
