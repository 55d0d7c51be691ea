from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class IssueTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("For example: the nightly import script."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The ceiling is a setting: read when the form is made, not when the module loads.
        self.fields["days"] = forms.IntegerField(
            label=_("Valid for (days)"),
            min_value=1,
            max_value=settings.API_TOKEN_MAX_DAYS,
            initial=min(30, settings.API_TOKEN_MAX_DAYS),
        )
