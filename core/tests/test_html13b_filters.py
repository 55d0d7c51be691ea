"""Issue 13: the filter panel's fields are written in Python ({% filter_fields %}, core_tags), where
includes/filters.html looped over them with a template node per label, widget and error. The HTML
is the loop's, byte for byte: pinned here against it (kept below as it was) for the decision and
critical-risk filters, unbound, bound and refused, in English, Arabic and Chinese."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from accountability.filtersets import DecisionFilterSet
from accountability.models import Decision
from core.tables import fast_widgets
from core.widgets import prepare_filter_form
from risk.filtersets import CriticalRiskFilterSet
from risk.models import CriticalRisk

pytestmark = pytest.mark.django_db

LOOP = """{% for field in form %}
    <div class="field{% if field.errors %} has-error{% endif %}">
      <label for="{{ field.id_for_label }}">{{ field.label }}</label>
      {{ field }}
      {% for error in field.errors %}<p class="error" id="{{ field.id_for_label }}-error">{{ error }}</p>{% endfor %}
    </div>
    {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "ar", "zh-hans"])
@pytest.mark.parametrize(
    "filterset_class, model, data",
    [
        (DecisionFilterSet, Decision, {}),
        (DecisionFilterSet, Decision, {"area": "procurement", "q": '<b>"x"</b>'}),
        (DecisionFilterSet, Decision, {"within": "999999", "decided_on": "not a date"}),
        (CriticalRiskFilterSet, CriticalRisk, {"as_of": "2026-13-40", "band": "nope"}),
    ],
)
def test_the_filter_fields_read_as_the_loop_wrote_them(
    units, manager, filterset_class, model, data, language
):
    request = RequestFactory().get("/", data)
    request.user = manager
    with translation.override(language):
        filterset = filterset_class(
            request.GET or None, queryset=model.objects.all(), request=request
        )
        filterset.is_valid()
        prepare_filter_form(filterset.form)
        fast_widgets(filterset.form)
        context = Context({"form": filterset.form})
        reference = Template(LOOP).render(context)
        written = Template("{% load core_tags %}{% filter_fields form %}").render(context)
    assert written == reference
    refused = "999999" in data.values() or "nope" in data.values()
    assert ('class="error"' in written) == refused
    assert ("has-error" in written) == refused
