from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.models import StaleVersion


class DateInput(forms.DateInput):
    """A native date picker that sends ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None, **kwargs):
        super().__init__(attrs, format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input; cleans to a list (empty when none)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is not correct."),
        "inactive": _("This account is inactive."),
    }


class VersionedModelForm(forms.ModelForm):
    """A ModelForm for a TrackedModel: carries the version the edit is based on in a hidden field,
    and turns an edit based on a stale version into a form error instead of an overwrite."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    stale_message = _(
        "Someone else changed this record while you were editing it. "
        "Reload the page to see their changes, then apply yours again."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def save(self, commit=True):
        expected = self.cleaned_data.get("version")
        if self.instance.pk and expected is not None:
            self.instance.version = expected
        try:
            return super().save(commit=commit)
        except StaleVersion:
            self.add_error(None, self.stale_message)
            raise
