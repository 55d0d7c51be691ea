from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField, VersionedModelForm
from org.access import access_for
from org.models import OrgUnit
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


class AcceptanceFormMixin:
    """`accepted` moves the recommendation into or out of 'not accepted' by the model's rule
    (the edit form and the admin alike); the saving view then puts the move on the timeline
    with services.record_acceptance_change(from_status=form.status_before)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status_before = self.instance.status

    def clean(self):
        cleaned = super().clean()
        if "accepted" in cleaned:
            try:
                self.instance.apply_acceptance(
                    cleaned["accepted"], cleaned.get("acceptance_comment", "")
                )
            except ValidationError as exc:
                self.add_error(None, exc)
                # Keep the instance's own `accepted` so the model's checks see a coherent record.
                cleaned.pop("accepted", None)
        return cleaned


class RecommendationForm(AcceptanceFormMixin, VersionedModelForm):
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
