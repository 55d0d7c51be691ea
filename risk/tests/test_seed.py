import pytest

from core.models import HistoryEntry
from org.seed_base import seed_demo_base, seed_scale_base
from risk import seed
from risk.models import ControlTest, InterestDeclaration, ProcurementCase, RecoveryCase, Risk

pytestmark = pytest.mark.django_db


def risk_history():
    return HistoryEntry.objects.filter(object_type__startswith="risk.").count()


def test_seed_demo_is_idempotent_and_coherent(resolution):
    seed_demo_base()
    first = seed.seed_demo()
    entries = risk_history()
    assert first["risks"] == 10 and first["procurement cases"] == 4
    assert seed.seed_demo() == first and risk_history() == entries
    flagged = set(ProcurementCase.objects.flagged().values_list("reference", flat=True))
    assert flagged == {"RFP-2026-002", "RFP-2026-003", "RFP-2026-004"}
    assert ProcurementCase.objects.get(reference="RFP-2026-004").is_cleared
    for case in RecoveryCase.objects.all():
        assert case.amount_recovered == sum(a.amount for a in case.actions.all())


def test_seed_scale_small_factor_writes_history_and_is_rerunnable():
    seed_scale_base(0.005, lambda *a: None)
    counts = seed.seed_scale(0.005, lambda *a: None)
    assert (
        counts["risks"] == 100
        and counts["control tests"] == 250
        and counts["procurement cases"] == 50
    )
    assert InterestDeclaration.objects.exists() and ControlTest.objects.exists()
    assert HistoryEntry.objects.filter(object_type="risk.risk").count() == Risk.objects.count()
    assert seed.seed_scale(0.005, lambda *a: None) == counts
