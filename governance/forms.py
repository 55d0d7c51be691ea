from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, VersionedModelForm
from governance.choices import FollowUpStatus, ReviewOutcome
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
from governance.policies import authored_bodies, recordable_units
from org.models import Paragraph
from performance.models import ExpectedAccomplishment, Indicator


class GovernanceForm(VersionedModelForm):
    """Unit choices are the units the user may record for; bodies, the user's own; dates are
    native pickers."""

    takes_user = True
    unit_fields = ("unit", "applied_unit")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in self.unit_fields:
            if name in self.fields:
                self.fields[name].queryset = recordable_units(user).order_by("path")
        if "body" in self.fields:
            self.fields["body"].queryset = authored_bodies(user)
        if "paragraphs" in self.fields:
            self.fields["paragraphs"].queryset = Paragraph.objects.all()
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()


class AssessmentForm(GovernanceForm):
    class Meta:
        model = ParagraphAssessment
        fields = ["paragraph", "unit", "period_start", "period_end", "status", "justification"]
        widgets = {"justification": forms.Textarea(attrs={"rows": 5})}


class MandateForm(GovernanceForm):
    class Meta:
        model = Mandate
        fields = [
            "symbol",
            "body",
            "adopted_on",
            "title",
            "accomplishments",
            "indicators",
            "paragraphs",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accomplishments"].queryset = ExpectedAccomplishment.objects.restrict(
            self.user, "view"
        ).select_related("unit")
        self.fields["indicators"].queryset = Indicator.objects.restrict(
            self.user, "view"
        ).select_related("unit")


class MeetingForm(GovernanceForm):
    class Meta:
        model = CommitteeMeeting
        fields = ["held_on", "agenda", "minutes_summary", "is_public"]
        widgets = {
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "minutes_summary": forms.Textarea(attrs={"rows": 6}),
        }


class DecisionForm(GovernanceForm):
    class Meta:
        model = CommitteeDecision
        fields = ["number", "text", "paragraphs"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


class FollowUpForm(GovernanceForm):
    class Meta:
        model = FollowUpAction
        fields = ["unit", "title", "assigned_on", "due_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_on"].required = False
        self.fields["assigned_on"].help_text = _("Empty: the day of the meeting.")


class ConsultationForm(GovernanceForm):
    class Meta:
        model = Consultation
        fields = ["body", "held_on", "subject", "outcome", "system", "paragraphs"]
        widgets = {"outcome": forms.Textarea(attrs={"rows": 4})}


class LessonForm(GovernanceForm):
    class Meta:
        model = Lesson
        fields = [
            "source_organisation",
            "title",
            "description",
            "learned_on",
            "applied_unit",
            "applied_how",
            "system",
            "paragraphs",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "applied_how": forms.Textarea(attrs={"rows": 3}),
        }


class MilestoneForm(GovernanceForm):
    class Meta:
        model = Milestone
        fields = ["system", "title", "planned_on", "status", "actual_on"]


# --- Transitions ----------------------------------------------------------------------------


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(
        label=_("The assessment, its justification and evidence are complete."), required=True
    )
    submitted_on = forms.DateField(
        label=_("Submitted on"), required=False, widget=DateInput(), help_text=_("Empty: today.")
    )

    def clean(self):
        data = super().clean()
        data.pop("confirm", None)
        return data


class DeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(
        label=_("Delete this draft and the evidence filed with it."), required=True
    )

    def clean(self):
        data = super().clean()
        data.pop("confirm", None)
        return data


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    reviewed_on = forms.DateField(
        label=_("Reviewed on"), required=False, widget=DateInput(), help_text=_("Empty: today.")
    )


class EvidenceForm(forms.Form):
    reference = forms.CharField(
        label=_("Linked record"),
        required=False,
        max_length=120,
        help_text=_('A record of the tracker as app.model:id, e.g. "oversight.recommendation:42".'),
    )
    upload = forms.FileField(label=_("Or a document"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if bool(data.get("reference")) == bool(data.get("upload")):
            raise forms.ValidationError(_("Give either a linked record or a document."))
        return data


class FollowUpStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpStatus.choices)
    changed_on = forms.DateField(
        label=_("On"), required=False, widget=DateInput(), help_text=_("Empty: today.")
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class MandateImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    preview = forms.BooleanField(
        label=_("Preview only: check the file and show what it would do, save nothing"),
        required=False,
        initial=True,
    )
