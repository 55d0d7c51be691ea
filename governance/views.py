"""Pages of governance: paragraph assessments and their review, mandates, the Management
Committee (meetings, decisions, follow-up), consultations with oversight bodies, lessons learned
and deployment milestones. Views declare (core.generic); governance.services decides, and
governance.policies says who may."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from core import actions, imports
from core.generic import (
    Column,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    TransitionView,
    visible_or_404,
)
from governance import forms, importer, metrics, services
from governance.evidence import describe
from governance.filtersets import (
    AssessmentFilterSet,
    ConsultationFilterSet,
    FollowUpFilterSet,
    LessonFilterSet,
    MandateFilterSet,
    MeetingFilterSet,
    MilestoneFilterSet,
)
from governance.models import (
    CommitteeDecision,
    CommitteeMeeting,
    Consultation,
    FollowUpAction,
    Lesson,
    Mandate,
    Milestone,
    ParagraphAssessment,
)


class ListView(ScopedListView):
    template_name = "governance/list.html"


class CreateView(ScopedCreateView):
    template_name = "governance/form.html"


class UpdateView(ScopedUpdateView):
    template_name = "governance/form.html"


class DetailView(ScopedDetailView):
    """A record's fields as facts, its edit link for whoever may change it, and its history."""

    template_name = "governance/detail.html"
    url_name = ""
    hidden = ("id", "version", "created_at", "updated_at", "reminded_on")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        facts = []
        for field in obj._meta.concrete_fields:
            if field.name in self.hidden:
                continue
            value = (
                getattr(obj, f"get_{field.name}_display")()
                if field.choices
                else getattr(obj, field.name)
            )
            facts.append((field.verbose_name, value))
        name = self.url_name or obj._meta.model_name
        context.update(facts=facts, edit_url=reverse(f"governance:{name}_update", args=[obj.pk]))
        return context


class ChildCreateView(CreateView):
    """A record created under a parent (a decision under its meeting, a follow-up under its
    decision): a parent the user cannot see is a 404, one they may not change a 403."""

    parent_model = None
    parent_field = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.parent = visible_or_404(self.parent_model, request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.model(**{self.parent_field: self.parent})
        return kwargs


class ActionPage(TransitionView):
    template_name = "governance/form.html"
    heading = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(heading=self.heading, cancel_url=self.object.get_absolute_url())
        return context


class IndexView(LoginRequiredMixin, TemplateView):
    """This year's figures at a glance."""

    template_name = "governance/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        start = today.replace(month=1, day=1)
        context.update(
            start=start,
            today=today,
            committee=metrics.committee(start, today),
            consultations=metrics.consultations(start, today),
            lessons=metrics.lessons(start, today),
            milestones=metrics.milestones(today),
            mandates=metrics.mandates(today),
        )
        return context


# --- Paragraph assessments ------------------------------------------------------------------


class AssessmentListView(ListView):
    model = ParagraphAssessment
    title = gettext_lazy("Paragraph assessments")
    filterset_class = AssessmentFilterSet
    export_name = "paragraph-assessments"
    create_url_name = "governance:assessment_create"
    columns = [
        Column(gettext_lazy("Assessment"), "__str__", link=True),
        Column(gettext_lazy("Paragraph"), "paragraph.number"),
        Column(gettext_lazy("Accountable office"), "unit.code"),
        Column(gettext_lazy("Implementation status"), "get_status_display"),
        Column(gettext_lazy("Review state"), "get_state_display"),
        Column(gettext_lazy("Accepted on"), "accepted_on"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related("paragraph", "unit")
            .order_by("paragraph__number", "-period_end", "pk")
        )


class AssessmentDetailView(DetailView):
    model = ParagraphAssessment
    url_name = "assessment"
    template_name = "governance/assessment_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("paragraph", "unit", "reviewed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            evidence=describe(self.object.evidence.all(), user),
            can_submit=self.object.is_editable and actions.allowed(user, "submit", self.object),
            can_review=self.object.state == "submitted"
            and actions.allowed(user, "review", self.object),
            can_edit=context["can_edit"] and self.object.is_editable,
            can_delete=self.object.state == "draft"
            and actions.allowed(user, "delete", self.object),
        )
        return context


class AssessmentCreateView(CreateView):
    model = ParagraphAssessment
    form_class = forms.AssessmentForm


class AssessmentUpdateView(UpdateView):
    model = ParagraphAssessment
    form_class = forms.AssessmentForm


class AssessmentSubmitView(ActionPage):
    model = ParagraphAssessment
    action = services.submit_assessment
    form_class = forms.SubmitForm
    heading = gettext_lazy("Submit for review")


class AssessmentDeleteView(ActionPage):
    """The office deletes its draft (services.delete_assessment); it then lands on the list."""

    model = ParagraphAssessment
    action = services.delete_assessment
    form_class = forms.DeleteForm
    heading = gettext_lazy("Delete draft")
    success_message = gettext_lazy("The draft assessment was deleted.")

    def get_success_url(self):
        return reverse("governance:assessment_list")


class AssessmentReviewView(ActionPage):
    model = ParagraphAssessment
    action = services.review_assessment
    form_class = forms.ReviewForm
    heading = gettext_lazy("Review")


class EvidenceAddView(ActionPage):
    model = ParagraphAssessment
    action = services.add_evidence
    form_class = forms.EvidenceForm
    heading = gettext_lazy("File evidence")


class EvidenceDownloadView(LoginRequiredMixin, View):
    """A document filed with an assessment, served to whoever may read the assessment (never by a
    public media URL)."""

    def get(self, request, pk, evidence_pk):
        assessment = visible_or_404(ParagraphAssessment, request.user, pk=pk)
        evidence = assessment.evidence.filter(pk=evidence_pk).exclude(file="").first()
        if evidence is None:
            raise Http404
        return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)


# --- Mandates -------------------------------------------------------------------------------


class MandateListView(ListView):
    model = Mandate
    template_name = "governance/mandate_list.html"
    title = gettext_lazy("Mandates")
    filterset_class = MandateFilterSet
    export_name = "mandates"
    create_url_name = "governance:mandate_create"
    columns = [
        Column(gettext_lazy("Symbol"), "symbol", link=True),
        Column(gettext_lazy("Body"), "get_body_display"),
        Column(gettext_lazy("Adopted on"), "adopted_on"),
        Column(gettext_lazy("Title"), "title"),
    ]


class MandateImportView(imports.ImportView):
    """Upload the register of mandates (CSV or XLSX), see what it would do, confirm: all or
    nothing, through the same save action as the API (core.imports)."""

    spec = "governance.importer:import_for_page"
    model = Mandate
    permission = "add"
    refusal = gettext_lazy("You may not create these records.")
    list_url_name = "governance:mandate_list"
    title = gettext_lazy("Import mandates")
    intro = gettext_lazy(
        "Mandates are matched on their symbol: importing the same file again changes nothing, an "
        "edited file updates."
    )
    columns = importer.REQUIRED
    optional_columns = importer.LISTS
    label_heading = gettext_lazy("Mandate")
    tabs_template = "governance/_tabs.html"
    tab = "mandates"


class MandateDetailView(DetailView):
    model = Mandate
    template_name = "governance/mandate_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            accomplishments=self.object.accomplishments.restrict(user, "view").select_related(
                "unit"
            ),
            indicators=self.object.indicators.restrict(user, "view").select_related("unit"),
            paragraphs=self.object.paragraphs.all(),
        )
        return context


class MandateCreateView(CreateView):
    model = Mandate
    form_class = forms.MandateForm


class MandateUpdateView(UpdateView):
    model = Mandate
    form_class = forms.MandateForm


# --- Management Committee -------------------------------------------------------------------


class MeetingListView(ListView):
    model = CommitteeMeeting
    title = gettext_lazy("Management Committee meetings")
    filterset_class = MeetingFilterSet
    export_name = "committee-meetings"
    create_url_name = "governance:meeting_create"
    columns = [
        Column(gettext_lazy("Meeting"), "__str__", link=True),
        Column(gettext_lazy("Agenda"), "agenda"),
        Column(gettext_lazy("Published"), "is_public"),
    ]


class MeetingDetailView(DetailView):
    model = CommitteeMeeting
    url_name = "meeting"
    template_name = "governance/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["decisions"] = self.object.decisions.prefetch_related("follow_ups__unit")
        return context


class MeetingCreateView(CreateView):
    model = CommitteeMeeting
    form_class = forms.MeetingForm


class MeetingUpdateView(UpdateView):
    model = CommitteeMeeting
    form_class = forms.MeetingForm


class DecisionDetailView(DetailView):
    model = CommitteeDecision
    url_name = "decision"
    template_name = "governance/decision_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            follow_ups=self.object.follow_ups.select_related("unit"),
            paragraphs=self.object.paragraphs.all(),
            can_add_follow_up=actions.may(self.request.user, "add", FollowUpAction),
        )
        return context


class DecisionCreateView(ChildCreateView):
    model = CommitteeDecision
    form_class = forms.DecisionForm
    parent_model = CommitteeMeeting
    parent_field = "meeting"


class DecisionUpdateView(UpdateView):
    model = CommitteeDecision
    form_class = forms.DecisionForm


class FollowUpListView(ListView):
    model = FollowUpAction
    title = gettext_lazy("Committee follow-up actions")
    filterset_class = FollowUpFilterSet
    export_name = "follow-up-actions"
    columns = [
        Column(gettext_lazy("Action"), "title", link=True),
        Column(gettext_lazy("Decision"), "decision"),
        Column(gettext_lazy("Owner unit"), "unit.code"),
        Column(gettext_lazy("Due on"), "due_on"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Overdue"), "is_overdue"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related("unit", "decision__meeting")
            .order_by("due_on", "pk")
        )


class FollowUpDetailView(DetailView):
    model = FollowUpAction
    url_name = "followup"
    template_name = "governance/followup_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "decision__meeting")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["transitions"] = self.object.transitions.all()
        return context


class FollowUpCreateView(ChildCreateView):
    model = FollowUpAction
    form_class = forms.FollowUpForm
    parent_model = CommitteeDecision
    parent_field = "decision"


class FollowUpUpdateView(UpdateView):
    model = FollowUpAction
    form_class = forms.FollowUpForm


class FollowUpStatusView(ActionPage):
    model = FollowUpAction
    action = services.change_follow_up_status
    form_class = forms.FollowUpStatusForm
    heading = gettext_lazy("Change the status")


# --- Consultations, lessons, milestones -------------------------------------------------------


class ConsultationListView(ListView):
    model = Consultation
    title = gettext_lazy("Consultations with oversight bodies")
    filterset_class = ConsultationFilterSet
    export_name = "consultations"
    create_url_name = "governance:consultation_create"
    columns = [
        Column(gettext_lazy("Subject"), "subject", link=True),
        Column(gettext_lazy("Body"), "body.code"),
        Column(gettext_lazy("Held on"), "held_on"),
        Column(gettext_lazy("Enterprise system"), "get_system_display"),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("body")


class ConsultationDetailView(DetailView):
    model = Consultation

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["paragraphs"] = self.object.paragraphs.all()
        return context


class ConsultationCreateView(CreateView):
    model = Consultation
    form_class = forms.ConsultationForm


class ConsultationUpdateView(UpdateView):
    model = Consultation
    form_class = forms.ConsultationForm


class LessonListView(ListView):
    model = Lesson
    title = gettext_lazy("Lessons learned")
    filterset_class = LessonFilterSet
    export_name = "lessons"
    create_url_name = "governance:lesson_create"
    columns = [
        Column(gettext_lazy("Lesson"), "title", link=True),
        Column(gettext_lazy("Source organisation"), "source_organisation"),
        Column(gettext_lazy("Learned on"), "learned_on"),
        Column(gettext_lazy("Applied in unit"), "applied_unit.code"),
        Column(gettext_lazy("Enterprise system"), "get_system_display"),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("applied_unit")


class LessonDetailView(DetailView):
    model = Lesson

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["paragraphs"] = self.object.paragraphs.all()
        return context


class LessonCreateView(CreateView):
    model = Lesson
    form_class = forms.LessonForm


class LessonUpdateView(UpdateView):
    model = Lesson
    form_class = forms.LessonForm


class MilestoneListView(ListView):
    model = Milestone
    title = gettext_lazy("Deployment milestones")
    filterset_class = MilestoneFilterSet
    export_name = "milestones"
    create_url_name = "governance:milestone_create"
    columns = [
        Column(gettext_lazy("Milestone"), "title", link=True),
        Column(gettext_lazy("System"), "get_system_display"),
        Column(gettext_lazy("Planned for"), "planned_on"),
        Column(gettext_lazy("Achieved on"), "actual_on"),
        Column(gettext_lazy("Status"), "get_status_display"),
    ]


class MilestoneDetailView(DetailView):
    model = Milestone


class MilestoneCreateView(CreateView):
    model = Milestone
    form_class = forms.MilestoneForm


class MilestoneUpdateView(UpdateView):
    model = Milestone
    form_class = forms.MilestoneForm
