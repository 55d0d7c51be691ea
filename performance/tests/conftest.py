import datetime

import pytest

from org.tests.factories import PersonFactory
from performance.tests.factories import AppraisalFactory


@pytest.fixture
def ohr_staff(units):
    """Six staff of DMSPC-OHR (a unit the DMSPC manager manages)."""
    return [PersonFactory(unit=units["ohr"], name=f"OHR staff {n}") for n in range(6)]


@pytest.fixture
def compliance_fixture(units, ohr_staff):
    """Hand-counted cycle 2024 (due 2025-05-31) for DMSPC-OHR and DOS-PD.

    DMSPC-OHR, 6 people: 3 on time, 1 late, 2 not completed -> 3/6 = 50.0 %.
    DOS-PD, 3 people: 2 on time, 1 late -> a group under 5: suppressed for outsiders.
    """
    ohr = [
        AppraisalFactory(staff=ohr_staff[0], unit=units["ohr"], on_time=True, rating="exceeds"),
        AppraisalFactory(staff=ohr_staff[1], unit=units["ohr"], on_time=True),
        # Completed exactly on the due date counts as on time.
        AppraisalFactory(
            staff=ohr_staff[2],
            unit=units["ohr"],
            completed_on=datetime.date(2025, 5, 31),
            rating="partially_meets",
        ),
        AppraisalFactory(staff=ohr_staff[3], unit=units["ohr"], late=True),
        AppraisalFactory(staff=ohr_staff[4], unit=units["ohr"]),
        AppraisalFactory(staff=ohr_staff[5], unit=units["ohr"]),
    ]
    pd = [
        AppraisalFactory(unit=units["pd"], on_time=True),
        AppraisalFactory(unit=units["pd"], on_time=True),
        AppraisalFactory(unit=units["pd"], late=True, rating="does_not_meet"),
    ]
    return {"ohr": ohr, "pd": pd}
