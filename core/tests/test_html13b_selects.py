"""Issue 13: a select over records read once (core.tables.fast_widgets) writes its options from
the records' values and labels worked out once for every select that offers them. The HTML must
be Django's own, option for option: pinned here against the plain renderer for one choice, for
several, for none, for a refused value, for options read another way than by the select's
template, and after the field's records change."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.tables import fast_widgets
from org.filters import UnitChoiceField
from org.models import OrgUnit

pytestmark = pytest.mark.django_db


class UnitsForm(forms.Form):
    unit = UnitChoiceField(queryset=OrgUnit.objects.order_by("path"), required=False)
    within = UnitChoiceField(
        queryset=OrgUnit.objects.order_by("path"), required=False, empty_label="All <units>"
    )
    owner_unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.order_by("path"), required=False, empty_label=None
    )
    units = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.order_by("path"), required=False
    )
    by_code = forms.ModelChoiceField(
        queryset=OrgUnit.objects.order_by("path"), to_field_name="code", required=False
    )


def _both(data, language="en", change=None):
    """Each field's HTML from Django's renderer and from the fast one."""
    shown = []
    with translation.override(language):
        for fast in (False, True):
            form = UnitsForm(data)
            form.is_valid()
            if fast:
                fast_widgets(form)
            if change:
                change(form)
            shown.append({name: str(form[name]) for name in form.fields})
    return shown


@pytest.mark.parametrize("language", ["en", "zh-hans", "ar"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"unit": "DMSPC"},  # by code: the option of its id is chosen
        "ids",
        {"within": "999999", "owner_unit": "", "units": ["nope"]},
        {"by_code": "DOS-PD", "unit": ""},
    ],
)
def test_model_selects_read_as_django_writes_them(units, data, language):
    OrgUnit.objects.filter(pk=units["ohr"].pk).update(name="R&D <lab> “HR”", name_zh="人力资源厅")
    if data == "ids":
        data = {
            "unit": str(units["pd"].pk),
            "within": str(units["dmspc"].pk),
            "owner_unit": str(units["ohr"].pk),
            "units": [str(units["pd"].pk), str(units["dmspc"].pk)],
        }
    plain, fast = _both(data, language)
    assert plain == fast
    html = fast["units"]
    assert "DMSPC" in fast["unit"] and "DMSPC" in html
    if data and "units" in data and data["units"] != ["nope"]:
        # A multiple select marks every chosen option.
        assert html.count(" selected>") == 2


def test_the_records_are_read_once_for_every_select(units):
    form = UnitsForm({"unit": str(units["pd"].pk)})
    form.is_valid()
    with CaptureQueriesContext(connection) as queries:
        fast_widgets(form)
        html = "".join(str(form[name]) for name in form.fields)
    assert len([q for q in queries if 'FROM "org_orgunit"' in q["sql"]]) == 1
    assert html.count(">DMSPC – ") == 5


def test_options_read_another_way_are_djangos(units):
    """A template other than the select's (or code) iterating the options gets Django's."""
    form = UnitsForm({"units": [str(units["pd"].pk)]})
    form.is_valid()
    plain = [
        (o.data["value"].value if o.data["value"] else "", o.data["selected"])
        for o in form["units"]
    ]
    form = UnitsForm({"units": [str(units["pd"].pk)]})
    form.is_valid()
    fast_widgets(form)
    assert [
        (o.data["value"].value if o.data["value"] else "", o.data["selected"])
        for o in form["units"]
    ] == plain
    widget = form.fields["unit"].widget
    groups = widget.get_context("unit", None, {})["widget"]["optgroups"]
    assert len(groups) == OrgUnit.objects.count() + 1
    assert [group[1][0]["label"] for group in groups][1:] == [
        f"{u.code} – {u.display_name}" for u in OrgUnit.objects.order_by("path")
    ]


def test_a_select_whose_records_change_after_reads_them_anew(units):
    def narrow(form):
        form.fields["unit"].queryset = OrgUnit.objects.filter(code="DMSPC")

    plain, fast = _both({"unit": str(units["dmspc"].pk)}, change=narrow)
    assert plain == fast
    assert "DOS-PD" not in fast["unit"] and "DOS-PD" in fast["within"]
