"""Issue 13: a list's unit selects (org.filters.UnitChoiceField) keep each unit's option across
pages, by the unit's values and the reader's language, and read the units as plain rows, never
as records. What the reader sees must follow every change at once: a renamed unit, a new one, a
unit read in Chinese; and a select whose labels read more than the unit's own columns is never
kept. Pinned on decisions of two units, for an administrator and a manager of one of them."""

import datetime

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accountability.tests.factories import DecisionFactory
from core import tables
from org.filters import UnitChoiceField
from org.models import OrgUnit
from org.tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db

URL = "/accountability/decisions/"


@pytest.fixture
def two_units(units, manager, manager2):
    DecisionFactory(
        title="In DMSPC",
        unit=units["dmspc"],
        decided_by=manager,
        decided_on=datetime.date(2026, 3, 5),
    )
    DecisionFactory(
        title="In DOS-PD",
        unit=units["pd"],
        decided_by=manager2,
        decided_on=datetime.date(2026, 3, 6),
    )


def _page(client, language="en"):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["admin_user", "manager"])
def test_a_renamed_unit_reads_anew_on_the_next_page(web, request, units, two_units, who):
    client = web(request.getfixturevalue(who))
    html = _page(client)
    assert html.count("DOS-PD – Procurement Division") == 2  # unit and within
    # A bulk update sends no signal: the option still follows the unit's values.
    OrgUnit.objects.filter(pk=units["pd"].pk).update(name="Procurement <Division> & “Co”")
    html = _page(client)
    assert "DOS-PD – Procurement Division<" not in html
    assert html.count("DOS-PD – Procurement &lt;Division&gt; &amp; “Co”") == 2


def test_a_new_unit_is_offered_on_the_next_page(web, admin_user, units, two_units):
    client = web(admin_user)
    assert "DOS-NEW" not in _page(client)
    OrgUnitFactory(code="DOS-NEW", name="New Service", parent=units["dos"])
    assert _page(client).count("DOS-NEW – New Service") == 2


def test_unit_options_follow_the_language(web, manager, units, two_units):
    OrgUnit.objects.filter(pk=units["dmspc"].pk).update(name_zh="管理战略、政策和合规部")
    client = web(manager)
    english = _page(client, "en")
    chinese = _page(client, "zh-hans")
    assert "DMSPC – Department of Management Strategy" in english
    assert "管理战略" not in english
    assert chinese.count("DMSPC – 管理战略、政策和合规部") == 2
    assert "DMSPC – 管理战略、政策和合规部" not in _page(client, "en")


def test_the_chosen_unit_is_marked_on_every_page(web, manager, units, two_units):
    client = web(manager)
    _page(client)
    chosen = {"unit": str(units["pd"].pk), "within": str(units["dmspc"].pk)}
    html = client.get(URL, chosen).content.decode()
    assert f'<option value="{units["pd"].pk}" selected>DOS-PD – ' in html
    assert f'<option value="{units["dmspc"].pk}" selected>DMSPC – ' in html
    assert html.count(" selected>DOS-PD – ") == 1  # in the unit select only
    assert html.count(" selected>DMSPC – ") == 1  # in within only


def test_kept_options_make_no_records_and_read_the_units_once(web, admin_user, two_units):
    client = web(admin_user)
    _page(client)
    made = []
    records = tables._Rows.records

    def counting(rows):
        made.append(rows.model)
        return records(rows)

    tables._Rows.records = counting
    try:
        with CaptureQueriesContext(connection) as queries:
            html = _page(client)
    finally:
        tables._Rows.records = records
    unit_reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "org_orgunit"."id"')]
    assert len(unit_reads) == 1, unit_reads
    assert made == []  # no unit record made for the selects
    assert html.count(">DMSPC – ") == 2


class CountingUnitField(UnitChoiceField):
    """Labels that read more than the unit's own columns: never kept across pages."""

    calls = 0

    def label_from_instance(self, obj):
        CountingUnitField.calls += 1
        return f"{obj.code} #{CountingUnitField.calls}"


class UnitsForm(forms.Form):
    unit = UnitChoiceField(queryset=OrgUnit.objects.order_by("path"), required=False)
    counted = CountingUnitField(queryset=OrgUnit.objects.order_by("path"), required=False)


def test_labels_of_another_kind_are_worked_out_each_time(units):
    shown = []
    for _ in range(2):
        form = UnitsForm({})
        form.is_valid()
        tables.fast_widgets(form)
        shown.append(str(form["counted"]))
    assert shown[0] != shown[1]  # each page worked its labels out again
    assert tables._labels_from_own_columns(UnitsForm().fields["unit"])
    assert not tables._labels_from_own_columns(UnitsForm().fields["counted"])
    assert not tables._labels_from_own_columns(forms.ModelChoiceField(OrgUnit.objects.all()))


def test_selects_of_different_units_stay_apart(units):
    """Two selects over different units never share their rows, however alike they look."""

    class NarrowForm(forms.Form):
        unit = UnitChoiceField(queryset=OrgUnit.objects.filter(code="DMSPC"), required=False)
        other = UnitChoiceField(queryset=OrgUnit.objects.filter(code="DOS-PD"), required=False)

    form = NarrowForm({})
    form.is_valid()
    with translation.override("en"):
        tables.fast_widgets(form)
        unit, other = str(form["unit"]), str(form["other"])
    assert "DMSPC –" in unit and "DOS-PD" not in unit
    assert "DOS-PD –" in other and "DMSPC –" not in other
