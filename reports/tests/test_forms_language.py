"""The request form proposes the report in the reader's language."""

import pytest
from django.utils import translation

from reports.forms import ReportRequestForm


@pytest.mark.parametrize(
    ("interface", "proposed"),
    [("en", "en"), ("zh-hans", "zh-hans"), ("ar", "ar"), ("fr", "fr"), ("de", "en")],
)
def test_the_request_form_proposes_the_readers_language(interface, proposed):
    with translation.override(interface):
        assert ReportRequestForm().fields["language"].initial == proposed
