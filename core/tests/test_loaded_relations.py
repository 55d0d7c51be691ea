"""A foreign key whose related record is attached as loaded from the database is validated
without a query (core.constraints.loaded_relations); every other foreign key still gets Django's
existence query and its message."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.models import Decision
from org.models import OrgUnit

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _existence_checks(queries) -> list[str]:
    """Django's ForeignKey.validate queries: `SELECT 1 AS "a" FROM <the related table>`."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith(
            ('SELECT 1 AS "a" FROM "org_orgunit"', 'SELECT 1 AS "a" FROM "auth_user"')
        )
    ]


def _decision(**fields):
    values = {"title": "Approve the plan", "rationale": "Needed", "decided_on": TODAY}
    values.update(fields)
    return Decision(**values)


def test_loaded_unit_and_user_need_no_query(units, manager):
    unit = OrgUnit.objects.get(code="DMSPC")
    decision = _decision(unit=unit, decided_by=manager)
    with CaptureQueriesContext(connection) as queries:
        decision.full_clean()
    assert _existence_checks(queries) == []


def test_a_key_without_its_record_is_still_checked_and_refused(units, manager):
    missing = OrgUnit.objects.order_by("-pk").first().pk + 1000
    decision = _decision(unit_id=missing, decided_by=manager)
    with CaptureQueriesContext(connection) as queries:
        with pytest.raises(ValidationError) as refused:
            decision.full_clean()
    assert len(_existence_checks(queries)) == 1
    assert refused.value.message_dict["unit"] == [
        f"org unit instance with id {missing} is not a valid choice."
    ]


def test_an_unsaved_record_or_a_mismatched_key_goes_to_the_database(units, manager):
    unsaved = OrgUnit(code="NEW", name="Not saved")
    decision = _decision(unit=units["dos"], decided_by=manager)
    # A record attached whose key is not the one the field holds: the key is what is saved.
    decision.unit_id = units["dmspc"].pk
    decision._state.fields_cache["unit"] = unsaved
    with CaptureQueriesContext(connection) as queries:
        decision.full_clean()
    assert any('"org_orgunit"' in sql for sql in _existence_checks(queries))


def test_limit_choices_to_is_still_judged_by_a_query(units, manager, monkeypatch):
    field = Decision._meta.get_field("unit")
    monkeypatch.setattr(field.remote_field, "limit_choices_to", {"code": "DOS"})
    decision = _decision(unit=units["dmspc"], decided_by=manager)
    with pytest.raises(ValidationError) as refused:
        decision.full_clean()
    assert "unit" in refused.value.message_dict
    assert "decided_by" not in refused.value.message_dict


def test_a_loaded_relation_keeps_its_own_checks(units, manager):
    """The field's own validation still runs: a required key left empty is refused as before."""
    decision = _decision(unit=units["dmspc"])
    with pytest.raises(ValidationError) as refused:
        decision.full_clean()
    assert refused.value.message_dict["decided_by"] == ["This field cannot be null."]


def test_the_api_logs_a_decision_without_existence_queries(api, manager, units, resolution):
    payload = {
        "title": "Approve the travel plan",
        "rationale": "Needed for the mission",
        "unit": "DMSPC",
        "decided_on": TODAY.isoformat(),
    }
    with CaptureQueriesContext(connection) as queries:
        response = api(manager).post("/api/accountability/decisions/", payload, format="json")
    assert response.status_code == 201, response.content
    assert _existence_checks(queries) == []
    saved = Decision.objects.get(pk=response.data["id"])
    assert (saved.unit.code, saved.decided_by_id) == ("DMSPC", manager.pk)
    # A unit the manager may not log for is refused with a message, nothing saved.
    refused = api(manager).post(
        "/api/accountability/decisions/", {**payload, "unit": "NOPE"}, format="json"
    )
    assert refused.status_code == 400
    assert Decision.objects.count() == 1
