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


@pytest.mark.django_db
def test_the_separation_date_starts_the_period_and_updated_at_is_only_the_fallback(
    records, units, capsys
):
    # separated eight years ago by the recorded date, though the record changed last month
    dated = PersonFactory(unit=units["pd"], name="Dana Dated")
    dated.separated_on = datetime.date(2018, 6, 30)
    from org.services import save_person

    save_person(dated, acting_user=SYSTEM)
    # inactive and unchanged for eight years, but separated two years ago by the recorded date
    late = PersonFactory(unit=units["ohr"], name="Lee Late", is_active=False)
    Person.objects.filter(pk=late.pk).update(
        separated_on=datetime.date(2024, 5, 1),
        updated_at=datetime.datetime(2018, 1, 1, tzinfo=datetime.UTC),
    )

    result = apply_retention(dry_run=True)
    assert sorted(result.changed["person"]) == sorted([records["gone"].pk, dated.pk])
    assert result.person_basis[dated.pk] == (datetime.date(2018, 6, 30), True)
    assert result.person_basis[records["gone"].pk] == (datetime.date(2018, 1, 1), False)

    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert f"person {dated.pk}: separated on 2018-06-30" in out
    assert (
        f"person {records['gone'].pk}: no date of separation; inactive, last changed on 2018-01-01"
        in out
    )
    assert f"person {late.pk}:" not in out

    apply_retention()
    assert Person.objects.get(pk=dated.pk).name == f"Former staff member {dated.pk}"
    assert Person.objects.get(pk=late.pk).name == "Lee Late"


@pytest.mark.django_db
def test_administrators_record_the_separation_date_and_the_person_page_shows_it(
    api, web, admin_user, manager, units
):
    person = PersonFactory(unit=units["ohr"], name="Pat Parting")
    url = f"/api/people/{person.index_number}/"
    refused = api(manager).patch(url, {"separated_on": "2026-01-31"}, format="json")
    assert refused.status_code == 400 and "separated_on" in refused.json()
    assert Person.objects.get(pk=person.pk).separated_on is None

    version = api(admin_user).get(url).json()["version"]
    saved = api(admin_user).patch(
        url, {"separated_on": "2026-01-31", "version": version}, format="json"
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["separated_on"] == "2026-01-31"
    from core.models import keyed_changes

    entry = HistoryEntry.objects.filter(object_type="org.person", object_id=str(person.pk))
    latest = entry.order_by("-seq").first()
    assert keyed_changes(latest.stored_changes)["separated_on"][1] == "2026-01-31"
    assert latest.user_id == admin_user.pk

    page = web(admin_user).get(f"/accountability/people/{person.index_number}/")
    assert page.status_code == 200
    assert "Separated on" in page.content.decode() and "2026" in page.content.decode()
