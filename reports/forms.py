from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from reports.choices import ReportLanguage
from reports.models import ReportRun


class ReportRequestForm(forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), widget=DateInput())
    language = forms.ChoiceField(label=_("Language"), choices=ReportLanguage.choices)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=300,
        help_text=_("Leave empty for the standard title of the Secretary-General's report."),
    )
    agenda_item = forms.CharField(label=_("Agenda item"), required=False, max_length=300)


class CompareForm(forms.Form):
    a = forms.ModelChoiceField(label=_("Earlier run"), queryset=ReportRun.objects.none())
    b = forms.ModelChoiceField(label=_("Later run"), queryset=ReportRun.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        runs = ReportRun.objects.restrict(user, "view").done().order_by("-finished_at")
        self.fields["a"].queryset = runs
        self.fields["b"].queryset = runs


class TemplateUploadForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    file = forms.FileField(label=_("Word template (.docx or .dotx)"))
    activate = forms.BooleanField(label=_("Use for new reports"), required=False, initial=True)


class RetryForm(forms.Form):
    """The retry button: nothing to fill in but the version the page showed."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class VerifyFileForm(forms.Form):
    file = forms.FileField(label=_("Report file to check"))
