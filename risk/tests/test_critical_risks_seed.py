"""The demo and scale data of issue 15's records are coherent with the rules they illustrate."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.actions import SYSTEM
from core.models import HistoryEntry
from org.seed_base import seed_demo_base, seed_scale_base
from risk import metrics, seed, services
from risk.models import (
    CriticalRisk,
    InternalControlStatement,
    ProcurementCase,
    RecoveryCase,
    VendorSanction,
)

pytestmark = pytest.mark.django_db


def test_demo_data_shows_every_rule(resolution):
    seed_demo_base()
    first = seed.seed_demo()
    entries = HistoryEntry.objects.count()
    assert seed.seed_demo() == first and HistoryEntry.objects.count() == entries

    issued, draft = (InternalControlStatement.objects.get(year=y) for y in (2024, 2025))
    assert issued.is_issued and not draft.is_issued
    rollup = draft.figures()
    assert [d["severity"] for d in rollup["significant_deficiencies"]] == [
        "significant",  # DMSPC-OHR, remediated on 10 December 2025
        "material_weakness",  # DOS, open at the year's end
    ]
    assert rollup["significant_open_at_end"] == 1
    assert "DMSPC" in [c["unit"] for c in rollup["certified"]]
    assert "DOS" in rollup["not_certified"]

    register = metrics.critical_risk_figures(datetime.date(2026, 6, 30))
    # DMSPC's and DOS's (OCHA has no head of entity in the demo to answer for its risk).
    assert register["critical_risks"] == CriticalRisk.objects.count() == 2
    assert register["critical_risks_by_trend"]["worsening"] == 1  # delegated authority

    assert VendorSanction.objects.count() == 3
    fuel = ProcurementCase.objects.get(reference="RFP-2026-001")
    with pytest.raises(ValidationError):  # Initech Oil is debarred
        services.award_case(fuel, acting_user=SYSTEM, awarded_to="Initech Oil")
    services.award_case(fuel, acting_user=SYSTEM, awarded_to="Acme Fuels")
    referred = RecoveryCase.objects.get(reference="OIOS-2025-0117")
    assert referred.referred_to_authorities_on == datetime.date(2025, 9, 1)
    figures = metrics.referral_figures(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert figures == {
        "referred_for_disciplinary_action": 1,
        "referred_to_national_authorities": 1,
    }


def test_scale_data_is_rerunnable_with_history():
    seed_scale_base(0.005, lambda *a: None)
    counts = seed.seed_scale(0.005, lambda *a: None)
    # Factor 0.005: round(200 x 0.005) = 1 critical risk, round(300 x 0.005) = 2 sanctions, and
    # of the 10 recovery cases, those numbered 0, 3, 6 or 9 that are fraud cases (two) referred.
    assert counts["critical risks"] == CriticalRisk.objects.count() == 1
    assert counts["vendor sanctions"] == 2
    assert counts["referred recovery cases"] == 2
    assert (
        HistoryEntry.objects.filter(object_type="risk.vendorsanction").count()
        == counts["vendor sanctions"]
    )
    assert seed.seed_scale(0.005, lambda *a: None) == counts
