"""Pages of the risk area: the register and its heat map, internal controls and their tests,
procurement conflicts of interest and recovery. Views declare (core.generic); the actions in
risk.services decide, and the policies in risk.policies say who may."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
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
from core.reads import record_read
from org.models import OrgUnit
from risk import forms, metrics, services
from risk.choices import Band, CaseStatus, Conclusion, DeficiencySeverity
from risk.filtersets import (
    ControlFilterSet,
    ControlTestFilterSet,
    CriticalRiskFilterSet,
    ProcurementCaseFilterSet,
    RecoveryCaseFilterSet,
    RiskFilterSet,
    SelfAssessmentFilterSet,
    StatementFilterSet,
    TreatmentFilterSet,
    VendorSanctionFilterSet,
)
from risk.models import (
    ContractsReview,
    Control,
    ControlTest,
    CriticalRisk,
    Deficiency,
    InterestDeclaration,
    InternalControlStatement,
    ProcurementCase,
    RatingScale,
    RecoveryAction,
    RecoveryCase,
    Risk,
    SelfAssessment,
    Treatment,
    VendorSanction,
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
            can_flag=actions.may(self.request.user, "add", CriticalRisk),
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
            committee_reviews=ContractsReview.objects.restrict(self.request.user, "view").filter(
                case=case
            ),
            committee_threshold=services.committee_threshold(),
            can_record_review=actions.may(self.request.user, "add", ContractsReview),
            vendor_sanctions=VendorSanction.objects.restrict(self.request.user, "view")
            .in_force()
            .filter(vendor__in=[v.name for v in case.vendors.all()]),
            open_case=case.status not in (CaseStatus.AWARDED, CaseStatus.CANCELLED),
            awarded=case.status == CaseStatus.AWARDED,
        )
        # the access log: the panel members' declarations this page shows
        record_read(self.request, *context["declarations"])
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
        context["can_refer"] = actions.allowed(self.request.user, "refer", self.object)
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


# --- Statement of internal control (paras 30-31) -------------------------------------------


def label_of(choices, value: str) -> str:
    """The label of a stored code (an issued roll-up keeps codes), in the reader's language."""
    return str(choices(value).label) if value in choices.values else value


class StatementListView(ScopedListView):
    model = InternalControlStatement
    title = gettext_lazy("Statements of internal control")
    template_name = "risk/list.html"
    filterset_class = StatementFilterSet
    export_name = "control-statements"
    create_url_name = "risk:statement_create"
    columns = [
        Column(gettext_lazy("Year"), "year", link=True),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Issued on"), "issued_on"),
    ]


class StatementDetailView(ScopedDetailView):
    """The statement as the Secretariat issues it: its text, the units that certified their
    internal control and those that did not, and the significant deficiencies of the year."""

    model = InternalControlStatement
    template_name = "risk/statement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement = self.object
        figures = statement.figures()
        context.update(
            figures=figures,
            certified=[
                {
                    **row,
                    "conclusion_label": label_of(Conclusion, row["conclusion"]),
                    "certified_on": parse_date(row["certified_on"] or ""),
                }
                for row in figures["certified"]
            ],
            deficiencies=[
                {
                    **row,
                    "severity_label": label_of(DeficiencySeverity, row["severity"]),
                    "due_on": parse_date(row["due_on"] or ""),
                    "closed_on": parse_date(row["closed_on"] or ""),
                }
                for row in figures["significant_deficiencies"]
            ],
            can_issue=not statement.is_issued
            and actions.allowed(self.request.user, "issue", statement),
            can_edit=context["can_edit"] and not statement.is_issued,
            show_issuer="issued_by"
            not in InternalControlStatement.objects.hidden_fields(self.request.user),
        )
        return context


class StatementCreateView(CreateView):
    model = InternalControlStatement
    form_class = forms.StatementForm


class StatementUpdateView(UpdateView):
    model = InternalControlStatement
    form_class = forms.StatementForm


class IssueStatementView(ActionPage):
    model = InternalControlStatement
    action = services.issue_statement
    form_class = forms.IssueStatementForm
    heading = gettext_lazy("Issue the statement")


# --- Secretariat-wide critical risk register -----------------------------------------------


class CriticalRiskListView(ScopedListView):
    """The Secretariat-wide critical risk register as at a date (`as_of`, default today): each
    risk's rating, band and trend as at that date, from its dated assessments."""

    model = CriticalRisk
    title = gettext_lazy("Secretariat-wide critical risks")
    template_name = "risk/list.html"
    filterset_class = CriticalRiskFilterSet
    export_name = "critical-risks"
    all_columns = [
        Column(gettext_lazy("Risk"), "risk.title", link=True),
        Column(gettext_lazy("Unit"), "risk.unit.code"),
        Column(gettext_lazy("Owner unit"), "owner_unit.code"),
        Column(gettext_lazy("Accountable manager"), "accountable_manager.name"),
        Column(gettext_lazy("Score"), "at_score"),
        Column(gettext_lazy("Rating"), "get_band_display"),
        Column(gettext_lazy("Trend"), "get_trend_display"),
        Column(gettext_lazy("Treatment"), "treatment"),
        Column(gettext_lazy("Flagged on"), "flagged_on"),
        Column(gettext_lazy("Withdrawn on"), "withdrawn_on"),
    ]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # The people the policy hides from this reader are not shown (nor exported).
        hidden = CriticalRisk.objects.hidden_fields(request.user)
        self.columns = [c for c in self.all_columns if c.accessor.split(".")[0] not in hidden]

    def base_queryset(self):
        queryset = CriticalRisk.objects.restrict(self.request.user, "view").select_related(
            "risk__unit", "owner_unit", "accountable_manager"
        )
        as_of = parse_date(self.request.GET.get("as_of") or "") or timezone.localdate()
        return metrics.with_trend(queryset, as_of, RatingScale.current(), prefix="risk__")


class CriticalRiskDetailView(ScopedDetailView):
    model = CriticalRisk
    template_name = "risk/critical_risk_detail.html"

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .select_related("risk__unit", "owner_unit", "accountable_manager", "flagged_by")
        )
        return metrics.with_trend(queryset, timezone.localdate(), prefix="risk__")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        hidden = CriticalRisk.objects.hidden_fields(self.request.user)
        context.update(
            assessments=entry.risk.assessments.order_by("-assessed_on", "-pk")[:20],
            band_class=BAND_CLASS.get(entry.at_band, ""),
            show_people="accountable_manager" not in hidden,
            can_withdraw=entry.is_active and actions.allowed(self.request.user, "withdraw", entry),
            can_edit=context["can_edit"] and entry.is_active,
        )
        return context


class CriticalRiskCreateView(ChildCreateView):
    """Flag a risk Secretariat-wide (administrators: CriticalRisk's policy)."""

    model = CriticalRisk
    form_class = forms.CriticalRiskForm
    parent_model = Risk
    parent_field = "risk"
    parent_permission = "view"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"].owner_unit = self.parent.unit
        return kwargs


class CriticalRiskUpdateView(UpdateView):
    model = CriticalRisk
    form_class = forms.CriticalRiskForm


class WithdrawCriticalRiskView(ActionPage):
    model = CriticalRisk
    action = services.withdraw_critical_risk
    form_class = forms.WithdrawCriticalRiskForm
    heading = gettext_lazy("Withdraw from the Secretariat-wide register")


# --- Vendor sanctions and the committee on contracts (para 32) ----------------------------


class VendorSanctionListView(ScopedListView):
    model = VendorSanction
    title = gettext_lazy("Vendor sanctions")
    template_name = "risk/list.html"
    filterset_class = VendorSanctionFilterSet
    export_name = "vendor-sanctions"
    create_url_name = "risk:sanction_create"
    columns = [
        Column(gettext_lazy("Vendor"), "vendor", link=True),
        Column(gettext_lazy("Measure"), "get_measure_display"),
        Column(gettext_lazy("From"), "sanctioned_from"),
        Column(gettext_lazy("Until"), "sanctioned_to"),
        Column(gettext_lazy("Reason"), "reason"),
    ]


class VendorSanctionDetailView(ScopedDetailView):
    model = VendorSanction
    template_name = "risk/sanction_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["in_force"] = self.object.in_force_on(timezone.localdate())
        return context


class VendorSanctionCreateView(CreateView):
    model = VendorSanction
    form_class = forms.VendorSanctionForm


class VendorSanctionUpdateView(UpdateView):
    model = VendorSanction
    form_class = forms.VendorSanctionForm


class ContractsReviewCreateView(ChildCreateView):
    """Record the committee on contracts' review of a case (administrators)."""

    model = ContractsReview
    form_class = forms.ContractsReviewForm
    parent_model = ProcurementCase
    parent_field = "case"
    parent_permission = "view"

    def get_success_url(self):
        return self.parent.get_absolute_url()


# --- Referral of recovery cases (para 17) --------------------------------------------------


class ReferRecoveryCaseView(ActionPage):
    model = RecoveryCase
    action = services.refer_recovery_case
    form_class = forms.ReferForm
    heading = gettext_lazy("Refer the case")
