import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from reports.choices import ReportLanguage
from reports.models import EditionStructure, ReportEdition, ReportRun


def last_biennium(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    from reports.tasks import last_biennium as biennium

    return biennium(today or timezone.localdate())


class PeriodFieldsMixin:
    """The period fields of a request or an edition: the last full budget biennium proposed, an
    end date in the future refused in the form, with the reason, before anything is submitted
    (the date input's `max` says so to the browser too)."""

    def _set_up_period(self) -> None:
        start, end = last_biennium()
        today = timezone.localdate()
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end
        for name in ("period_start", "period_end"):
            self.fields[name].widget.attrs["max"] = today.isoformat()
        self.fields["period_end"].help_text = _(
            "Proposed: the last full biennium. The period must end today or earlier."
        )

    def _clean_period(self, cleaned: dict) -> dict:
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if end and end > timezone.localdate():
            self.add_error(
                "period_end",
                ValidationError(
                    _("The period lies in the future: it must end today or earlier."),
                    code="future",
                ),
            )
        elif start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return cleaned


class ReportRequestForm(PeriodFieldsMixin, forms.Form):
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

    def __init__(self, *args, **kwargs):
        # The list page also holds the filter form with its own period fields: ids of its own.
        kwargs.setdefault("auto_id", "request_%s")
        super().__init__(*args, **kwargs)
        self._set_up_period()
        # Proposed: the report in the reader's own language (the first choice is Arabic only
        # because the UN lists its languages in that order).
        current = (translation.get_language() or "").lower()
        self.fields["language"].initial = (
            current if current in ReportLanguage.values else ReportLanguage.ENGLISH
        )

    def clean(self):
        return self._clean_period(super().clean())


class EditionForm(PeriodFieldsMixin, forms.ModelForm):
    """An edition's document data (reports.editions.validate_edition decides)."""

    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=ReportLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ReportLanguage.ENGLISH, ReportLanguage.CHINESE],
    )
    structure = forms.ChoiceField(
        label=_("Structure"), choices=EditionStructure.choices, widget=forms.RadioSelect
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ReportEdition
        fields = [
            "session",
            "symbol",
            "agenda_item",
            "agenda_item_title_en",
            "agenda_item_title_zh",
            "period_start",
            "period_end",
            "languages",
            "structure",
        ]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}
        help_texts = {
            "symbol": _("As the document will be issued, e.g. A/81/123."),
            "agenda_item": _("The number of the agenda item, e.g. 136."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self._set_up_period()
            self.fields["structure"].initial = EditionStructure.RESOLUTION
        else:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        return self._clean_period(super().clean())

    def _post_clean(self):
        # The model's own checks run in the action (validate_edition), with every message.
        pass


class SectionTextForm(forms.Form):
    text = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "mono"}),
        help_text=_(
            "Markdown: paragraphs, lists, *emphasis*. A figure: {{ C.by_body.OIOS.implementation_rate }}. "
            "A footnote citing a document: [^A/64/640]."
        ),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CommentForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("All languages")), *ReportLanguage.choices],
    )
    text = forms.CharField(
        label=_("Comment"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AuthorForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)


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
