import datetime

import pytest

from oversight.tests.factories import RecommendationFactory, ReportFactory, body


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    """Each test keeps its history checkpoints (and their key) in a folder of its own: the
    checkpoints of a test database from another run must not be compared with this one."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"
    settings.AUDIT_CHECKPOINT_KEY = "test-checkpoint-key-not-the-secret-key"
    return settings.AUDIT_CHECKPOINT_DIR


@pytest.fixture
def recs(units):
    """Recommendations of two bodies in three units (OHR and DMSPC under DMSPC, PD under DOS):
    what the constant-cost tests list as an administrator and as a manager."""
    oios = ReportFactory(body=body("OIOS"), symbol="2024/087")
    boa = ReportFactory(body=body("BOA"), symbol="A/79/5")
    return {
        "ohr": RecommendationFactory(
            report=oios, number="1", unit=units["ohr"], target_date=datetime.date(2020, 1, 1)
        ),
        "pd": RecommendationFactory(report=oios, number="2", unit=units["pd"]),
        "boa": RecommendationFactory(report=boa, number="1", unit=units["dmspc"]),
    }
