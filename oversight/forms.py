from django import forms
from django.utils.translation import gettext_lazy as _

from core.actions import allowed
from core.forms import MultipleFileField, VersionedModelForm
from org.models import OrgUnit
from oversight import services, workflow
from oversight.choices import RecommendationStatus
from oversight.models import OversightBody, OversightReport, Recommendation


class StatusForm(forms.Form):
    """A dated update on the recommendation's timeline (services.change_status): the new status,
    a note, evidence. The menu offers the moves this user may make from the current status; any
    status is accepted, and the action decides (a refusal is a 403, not a silent form error)."""

    takes_object = True
    takes_user = True

    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done, or the reason for this decision."),
    )
    evidence = MultipleFileField(label=_("Evidence files"), required=False)
    effective_on = forms.DateField(
        label=_("Took effect on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Leave empty for today. The issuing body may record a change made elsewhere with "
            "its earlier date (for an implementation, the implementation date)."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def move_label(current: str, status: str) -> str:
        label = RecommendationStatus(status).label
        if workflow.is_skip(current, status):
            return _("%(status)s (verified without management's report)") % {"status": label}
        return label

    def __init__(self, *args, obj: Recommendation, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = RecommendationStatus.choices
        self.offered = [
            (s, self.move_label(obj.status, s)) for s in services.allowed_transitions(obj, user)
        ]
        # Nothing preselected: the user chooses the move (the menu used to open on the first
        # allowed status, which for an implemented recommendation read "Under implementation").
        self.fields["status"].widget.choices = [("", _("Choose the new status"))] + self.offered
        self.offers_skip = any(workflow.is_skip(obj.status, s) for s, _label in self.offered)
        if self.offers_skip:
            self.fields["status"].help_text = _(
                "Choosing Implemented now verifies the recommendation without management's "
                "report of implementation: only the issuing body may, and the note must say "
                "what the verification rests on."
            )
        self.fields["version"].initial = obj.version
        if not allowed(user, "backdate", obj):
            del self.fields["effective_on"]  # management's changes take effect the day recorded


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: body, report_symbol, report_title, issued_on, number, text, priority, unit, "
            "accepted, target_date, status, implemented_on; optionally status_on, "
            "amount_identified, amount_realised."
        ),
    )


class ReportForm(VersionedModelForm):
    takes_user = True

    class Meta:
        model = OversightReport
        fields = ["body", "symbol", "title", "issued_on", "paragraphs"]
        widgets = {"issued_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = OversightBody.objects.filter(is_active=True).restrict(
            user, "author"
        )
        self.fields["body"].to_field_name = "code"


class RecommendationForm(VersionedModelForm):
    """Management's acceptance is data here; the save action moves the status with it
    (services.save_recommendation)."""

    takes_user = True

    class Meta:
        model = Recommendation
        fields = [
            "report",
            "number",
            "text",
            "priority",
            "unit",
            "accepted",
            "acceptance_comment",
            "target_date",
            "amount_identified",
            "amount_realised",
        ]
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = OversightReport.objects.restrict(
            user, "change"
        ).select_related("body")
        self.fields["unit"].queryset = OrgUnit.objects.filter(is_active=True)
