import datetime

import pytest

from core.models import HistoryEntry
from performance.models import BoardFinding, CompactObjective
from performance.tests.factories import CompactFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_admin_cannot_record_a_board_finding_on_a_compact_not_yet_assessed(web, admin_user, units):
    draft = CompactFactory(senior_manager__unit=units["ohr"])
    response = web(admin_user).post(
        "/admin/performance/boardfinding/add/",
        {"compact": draft.pk, "finding": "Targets not met", "status": "open"},
        follow=True,
    )
    assert response.status_code == 200
    assert not BoardFinding.objects.exists()
    assert "The Board records findings when it assesses a compact." in response.content.decode()


def test_admin_cannot_add_an_objective_to_an_assessed_compact(web, admin_user, units):
    compact = CompactFactory(senior_manager__unit=units["ohr"], year=2025)
    ObjectiveFactory(compact=compact)
    compact.status = "assessed"
    compact.signed_on = datetime.date(2025, 2, 1)
    compact.assessed_on = datetime.date(2026, 2, 1)
    compact.mpb_rating = "satisfactory"
    compact.save()
    response = web(admin_user).post(
        "/admin/performance/compactobjective/add/",
        {
            "compact": compact.pk,
            "kind": "programme",
            "title": "Late objective",
            "indicator": "Share",
            "target": "80%",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not CompactObjective.objects.filter(title="Late objective").exists()
    assert not HistoryEntry.objects.filter(object_repr__contains="Late objective").exists()
