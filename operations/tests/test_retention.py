"""Retention: an expired record is anonymised through the apps' actions (in the history), the
report figures stay the same, a dry run changes nothing, what has not expired is untouched."""

import datetime

import pytest
from django.core.management import call_command

from core.actions import SYSTEM
from core.models import HistoryEntry
from operations.retention import apply_retention
from org.models import Person
from org.tests.factories import PersonFactory
from performance import metrics
from performance.models import DisciplinaryCase
from performance.services import save_disciplinary_case
from performance.tests.factories import AppraisalFactory

PERIOD = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


@pytest.fixture
def records(units):
    gone = PersonFactory(unit=units["ohr"], name="Gina Gone", email="gina@example.org")
    staying = PersonFactory(unit=units["pd"], name="Sara Staying")
    recent = PersonFactory(unit=units["pd"], name="Rita Recent", is_active=False)
    for person, unit in ((gone, "ohr"), (staying, "pd"), (recent, "pd")):
        AppraisalFactory(staff=person, unit=units[unit], on_time=True, rating="meets")
    AppraisalFactory(staff=gone, unit=units["ohr"], cycle=2023, late=True)
    # separated eight years ago (the record's last change)
    Person.objects.filter(pk=gone.pk).update(
        is_active=False, updated_at=datetime.datetime(2018, 1, 1, tzinfo=datetime.UTC)
    )
    old_case = save_disciplinary_case(
        DisciplinaryCase(
            unit=units["ohr"],
            person=gone,
            opened_on=datetime.date(2012, 3, 1),
            category="fraud",
            summary="Gina Gone submitted false claims.",
        ),
        acting_user=SYSTEM,
    )
    new_case = save_disciplinary_case(
        DisciplinaryCase(
            unit=units["pd"],
            person=staying,
            opened_on=datetime.date(2025, 3, 1),
            category="fraud",
            summary="Recent case.",
        ),
        acting_user=SYSTEM,
    )
    return {"gone": gone, "staying": staying, "recent": recent, "old": old_case, "new": new_case}


@pytest.mark.django_db
def test_a_dry_run_lists_and_changes_nothing(records, capsys):
    before = HistoryEntry.objects.count()
    result = apply_retention(dry_run=True)
    assert result.changed == {
        "person": [records["gone"].pk],
        "disciplinary_case": [records["old"].pk],
    }
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert f"Would anonymise 1 person record(s): {records['gone'].pk}" in out
    assert Person.objects.get(pk=records["gone"].pk).name == "Gina Gone"
    assert HistoryEntry.objects.count() == before


@pytest.mark.django_db
def test_the_job_anonymises_expired_records_and_keeps_the_figures(records, admin_user):
    figures = metrics.report_metrics(*PERIOD)
    rows = metrics.compliance_by_unit(admin_user, cycle=2024)
    result = apply_retention()
    assert result.count("person") == 1 and result.count("disciplinary_case") == 1

    gone = Person.objects.get(pk=records["gone"].pk)
    assert gone.name == f"Former staff member {gone.pk}" and gone.email == ""
    assert gone.index_number == f"ANON-{gone.pk}" and gone.user_id is None
    assert DisciplinaryCase.objects.get(pk=records["old"].pk).summary == ""
    assert DisciplinaryCase.objects.get(pk=records["new"].pk).summary == "Recent case."
    assert Person.objects.get(pk=records["recent"].pk).name == "Rita Recent"
    assert Person.objects.get(pk=records["staying"].pk).name == "Sara Staying"
    # the figures the reports count are unchanged
    assert metrics.report_metrics(*PERIOD) == figures
    assert metrics.compliance_by_unit(admin_user, cycle=2024) == rows
    # each change went through the app's action, into the history, by the system
    entries = HistoryEntry.objects.filter(object_type="org.person", object_id=str(gone.pk))
    assert entries.filter(action="update").count() == 1
    # run again: nothing left to do
    again = apply_retention()
    assert again.count("person") == 0 and again.count("disciplinary_case") == 0
