"""KPI 5, delegatees trained, computed from the learning records as at the period end: each
delegatee counted once per entity, only instruments accepted, valid and not revoked on the last
day, only completions of the mandatory delegation of authority course by then (hand counts)."""

import datetime

import pytest

from accountability import kpis
from accountability.tests.factories import DelegationFactory
from org.tests.factories import PersonFactory, UserFactory
from performance.models import Course, CourseCompletion

pytestmark = pytest.mark.django_db
d = datetime.date
START, END = d(2025, 1, 1), d(2025, 12, 31)


def _delegatee(unit, name):
    user = UserFactory(username=name)
    PersonFactory(user=user, unit=unit, name=name.title())
    return user


def _holds(user, unit, admin, **dates):
    values = {"valid_from": d(2025, 1, 1), "valid_to": END, "accepted_on": d(2025, 1, 5)}
    values.update(dates)
    return DelegationFactory(delegator=admin, delegatee=user, unit=unit, **values)


def _completes(user, course, on):
    CourseCompletion.objects.create(person=user.person, course=course, completed_on=on)


@pytest.fixture
def courses(db):
    def course(code, area, mandatory):
        return Course.objects.create(code=code, title=code, area=area, mandatory=mandatory)

    return {
        "doa": course("DOA-001", "delegation_of_authority", True),
        "doa_optional": course("DOA-900", "delegation_of_authority", False),
        "ethics": course("ETH-001", "ethics", True),
    }


def _cells(start=START, end=END):
    return {row["entity"]: row["kpis"]["delegatees_trained"] for row in kpis.kpi_table(start, end)}


def test_delegatees_trained_against_hand_counts(units, manager, manager2, admin_user, courses):
    # DMSPC
    _holds(manager, units["dmspc"], admin_user)
    _completes(manager, courses["doa"], d(2025, 3, 1))  # trained
    late = _delegatee(units["ohr"], "late")
    _holds(late, units["ohr"], admin_user, valid_to=None)
    _completes(late, courses["doa"], d(2026, 1, 10))  # after the period end: not trained
    revoked = _delegatee(units["ohr"], "revoked")
    _holds(revoked, units["ohr"], admin_user, revoked_on=d(2025, 6, 30))  # no authority on 31 Dec
    _completes(revoked, courses["doa"], d(2025, 2, 1))
    twice = _delegatee(units["ohr"], "twice")
    _holds(twice, units["ohr"], admin_user)
    _holds(twice, units["dmspc"], admin_user, area="procurement")  # one person, two instruments
    _completes(twice, courses["doa_optional"], d(2025, 2, 1))  # not the mandatory course
    _completes(twice, courses["ethics"], d(2025, 2, 1))  # mandatory, but not on delegation
    pending = _delegatee(units["ohr"], "pending")
    _holds(pending, units["ohr"], admin_user, accepted_on=None)  # confers nothing yet
    accepted_after = _delegatee(units["ohr"], "accepted_after")
    _holds(accepted_after, units["ohr"], admin_user, accepted_on=d(2026, 1, 2))
    # DOS
    _holds(manager2, units["dos"], admin_user)
    _completes(manager2, courses["doa"], END)  # on the last day: trained
    expired = _delegatee(units["pd"], "expired")
    _holds(expired, units["pd"], admin_user, valid_to=d(2025, 11, 30))

    cells = _cells()
    # DMSPC: manager, late, twice hold authority on 31 December; only manager is trained.
    assert (cells["DMSPC"]["numerator"], cells["DMSPC"]["denominator"]) == (1, 3)
    assert cells["DMSPC"]["value"] == 33.3 and cells["DMSPC"]["status"] == "not_met"
    assert not cells["DMSPC"].get("entered")
    # DOS: manager2 alone, trained on the last day.
    assert (cells["DOS"]["numerator"], cells["DOS"]["denominator"]) == (1, 1)
    assert cells["DOS"]["value"] == 100.0 and cells["DOS"]["status"] == "met"
    # As at 31 January 2026 only "late" (no end date) still holds authority in DMSPC, and has
    # completed the course by then.
    january = _cells(d(2026, 1, 1), d(2026, 1, 31))["DMSPC"]
    assert (january["numerator"], january["denominator"]) == (1, 1)
    # Before anyone held authority: no data.
    assert _cells(d(2024, 1, 1), d(2024, 12, 31))["DMSPC"]["status"] == "no_data"


def test_no_mandatory_delegation_course_means_no_data(units, manager, admin_user, courses):
    _holds(manager, units["dmspc"], admin_user)
    _completes(manager, courses["doa"], d(2025, 3, 1))
    Course.objects.filter(pk=courses["doa"].pk).update(mandatory=False)
    cell = _cells()["DMSPC"]
    assert cell["value"] is None and cell["status"] == "no_data"


def test_delegatees_trained_is_computed_not_entered():
    assert "delegatees_trained" in kpis.KPI_BY_CODE
    assert "delegatees_trained" not in kpis.ENTERED_BY_CODE
    assert kpis.kpi_definitions()["delegatees_trained"]["computed"] is True
