from django import forms
from django.utils.translation import gettext_lazy as _

from accountability.access import access_for
from accountability.models import OrgUnit
from core.forms import MultipleFileField, VersionedModelForm
from oversight.choices import RecommendationStatus
from oversight.models import OversightBody, OversightReport, Recommendation


class StatusChangeForm(forms.Form):
    """A dated update on the recommendation's timeline: the new status, a note, evidence."""

    to_status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done, or the reason for this decision."),
    )
    evidence = MultipleFileField(label=_("Evidence files"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s, RecommendationStatus(s).label) for s in allowed]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: body, report_symbol, report_title, issued_on, number, text, priority, unit, "
            "accepted, target_date, status, implemented_on."
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
        access = access_for(user)
        bodies = OversightBody.objects.filter(is_active=True)
        if not access.is_admin:
            bodies = bodies.filter(code=access.body_code)
        self.fields["body"].queryset = bodies
        self.fields["body"].to_field_name = "code"


class RecommendationForm(VersionedModelForm):
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
        ]
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = OversightReport.objects.editable_by(user).select_related(
            "body"
        )
        self.fields["unit"].queryset = OrgUnit.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        accepted = cleaned.get("accepted")
        status = self.instance.status
        if accepted is False:
            if status not in (RecommendationStatus.OPEN, RecommendationStatus.NOT_ACCEPTED):
                # add_error drops `accepted` from cleaned_data, so the instance keeps its value.
                self.add_error(
                    "accepted", _("Only an open recommendation can be recorded as not accepted.")
                )
            else:
                self.instance.status = RecommendationStatus.NOT_ACCEPTED
                if not cleaned.get("acceptance_comment"):
                    self.add_error(
                        "acceptance_comment", _("Give management's reason for not accepting it.")
                    )
        elif accepted and status == RecommendationStatus.NOT_ACCEPTED:
            self.instance.status = RecommendationStatus.OPEN
        return cleaned
