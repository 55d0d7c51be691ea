"""Pages of the risk area: the register and its heat map, internal controls and their tests,
procurement conflicts of interest and recovery. Views declare (core.generic); the actions in
risk.services decide, and the policies in risk.policies say who may."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from core import actions
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


class CreateView(ScopedCreateView):
    template_name = "risk/form.html"


class UpdateView(ScopedUpdateView):
    template_name = "risk/form.html"


class ChildCreateView(CreateView):
    """A record created under a parent (a risk, a control, a test, a case): a parent the user
    cannot see is a 404, one they may not act on (`parent_permission`) a 403."""

    parent_model = None
    parent_field = ""
    parent_permission = "change"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.parent = visible_or_404(self.parent_model, request.user, pk=kwargs["pk"])
            actions.require(request.user, self.parent_permission, self.parent)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.model(**{self.parent_field: self.parent})
        return kwargs


class ActionPage(TransitionView):
    """A transition page of the risk area (certify, clear, award, reopen, close)."""

    template_name = "risk/form.html"
    heading = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(heading=self.heading, cancel_url=self.object.get_absolute_url())
        return context


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
        risks = Risk.objects.restrict(self.request.user, "view").active()
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
        risks = Risk.objects.restrict(self.request.user, "view").active()
        unit = None
        code = self.request.GET.get("unit", "")
        if code:
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None:
                unit = OrgUnit.objects.filter(pk=code).first() if code.isdigit() else None
            risks = risks.filter(unit__path__startswith=unit.path) if unit else risks.none()
        base = f"within={unit.pk}" if unit else ""
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
            Risk.objects.restrict(self.request.user, "view")
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


class RiskCreateView(CreateView):
    model = Risk
    form_class = forms.RiskForm


class RiskUpdateView(UpdateView):
    model = Risk
    form_class = forms.RiskForm


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
            Treatment.objects.restrict(self.request.user, "view")
            .select_related("risk__unit", "owner")
            .order_by("due_on", "pk")
        )


class TreatmentCreateView(ChildCreateView):
    model = Treatment
    form_class = forms.TreatmentForm
    parent_model = Risk
    parent_field = "risk"


class TreatmentUpdateView(UpdateView):
    model = Treatment
    form_class = forms.TreatmentForm


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
        return Control.objects.restrict(self.request.user, "view").select_related("unit", "owner")


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


class ControlCreateView(CreateView):
    model = Control
    form_class = forms.ControlForm


class ControlUpdateView(UpdateView):
    model = Control
    form_class = forms.ControlForm


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
        return ControlTest.objects.restrict(self.request.user, "view").select_related(
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


class ControlTestCreateView(ChildCreateView):
    model = ControlTest
    form_class = forms.ControlTestForm
    parent_model = Control
    parent_field = "control"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"].tester = self.request.user
        return kwargs


class DeficiencyCreateView(ChildCreateView):
    model = Deficiency
    form_class = forms.DeficiencyForm
    parent_model = ControlTest
    parent_field = "test"


class DeficiencyUpdateView(UpdateView):
    model = Deficiency
    form_class = forms.DeficiencyForm


class DeficiencyCloseView(ActionPage):
    model = Deficiency
    action = services.close_deficiency
    form_class = forms.CloseDeficiencyForm
    heading = gettext_lazy("Close the deficiency")


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
        return SelfAssessment.objects.restrict(self.request.user, "view").select_related(
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


class SelfAssessmentCreateView(CreateView):
    model = SelfAssessment
    form_class = forms.SelfAssessmentForm


class CertifyView(ActionPage):
    model = SelfAssessment
    action = services.certify_self_assessment
    form_class = forms.CertifyForm
    heading = gettext_lazy("Certify the self-assessment")


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
            ProcurementCase.objects.restrict(self.request.user, "view")
            .with_flag()
            .select_related("unit", "cleared_by")
        )


class FlaggedCaseListView(ProcurementCaseListView):
    """Flagged cases not yet awarded or cancelled: for a unit (filter) or Secretariat-wide."""

    title = gettext_lazy("Flagged procurement cases")
    export_name = "flagged-cases"

    def base_queryset(self):
        return (
            ProcurementCase.objects.restrict(self.request.user, "view")
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
        context.update(
            # Who cleared the case is a person: not shown to whom the policy hides it.
            show_clearer="cleared_by"
            not in ProcurementCase.objects.hidden_fields(self.request.user),
            vendors=case.vendors.all(),
            reasons=case.flag_reasons()
            if actions.allowed(self.request.user, "view_panel", case)
            else None,
            panel=case.panel.select_related("unit"),
            declarations=InterestDeclaration.objects.restrict(self.request.user, "view")
            .filter(case=case)
            .select_related("person"),
            can_view_panel=actions.allowed(self.request.user, "view_panel", case),
            can_declare=actions.allowed(self.request.user, "declare", case),
            can_award=actions.allowed(self.request.user, "award", case),
            open_case=case.status not in (CaseStatus.AWARDED, CaseStatus.CANCELLED),
            awarded=case.status == CaseStatus.AWARDED,
        )
        return context


class ProcurementCaseCreateView(CreateView):
    model = ProcurementCase
    form_class = forms.ProcurementCaseForm


class ProcurementCaseUpdateView(UpdateView):
    model = ProcurementCase
    form_class = forms.ProcurementCaseForm


class DeclarationCreateView(ChildCreateView):
    """A panel member declares for themselves; a manager of the case's unit records for anyone."""

    model = InterestDeclaration
    form_class = forms.DeclarationForm
    parent_model = ProcurementCase
    parent_field = "case"
    parent_permission = "declare"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not actions.allowed(self.request.user, "change", self.parent):
            form.fields["person"].queryset = self.parent.panel.filter(user=self.request.user)
        return form

    def get_success_url(self):
        return self.parent.get_absolute_url()


class ClearCaseView(ActionPage):
    model = ProcurementCase
    action = services.clear_case
    form_class = forms.ClearanceForm
    heading = gettext_lazy("Record a clearance")


class AwardCaseView(ActionPage):
    model = ProcurementCase
    action = services.award_case
    form_class = forms.AwardForm
    heading = gettext_lazy("Award the case")


class ReopenCaseView(ActionPage):
    model = ProcurementCase
    action = services.reopen_case
    form_class = forms.ReopenForm
    heading = gettext_lazy("Reopen the case")


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
        return RecoveryCase.objects.restrict(self.request.user, "view").select_related("unit")


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


class RecoveryCaseCreateView(CreateView):
    model = RecoveryCase
    form_class = forms.RecoveryCaseForm


class RecoveryCaseUpdateView(UpdateView):
    model = RecoveryCase
    form_class = forms.RecoveryCaseForm


class RecoveryActionCreateView(ChildCreateView):
    model = RecoveryAction
    form_class = forms.RecoveryActionForm
    parent_model = RecoveryCase
    parent_field = "case"
