import datetime

import pytest
from django.core import mail

from core.models import HistoryEntry
from performance.tasks import remind_overdue_findings
from performance.tests.factories import CompactFactory, FindingFactory

pytestmark = pytest.mark.django_db


def test_managers_hear_of_overdue_action_plans_once_a_month(manager, manager2, units):
    compact = CompactFactory(
        senior_manager__unit=units["ohr"], senior_manager__name="Olga Head", year=2024
    )
    overdue = FindingFactory(
        compact=compact, finding="Gender parity target missed", due_on=datetime.date(2025, 12, 31)
    )
    FindingFactory(
        compact=compact,
        due_on=datetime.date(2025, 12, 31),
        status="closed",
        action_plan="Done",
        closed_on=datetime.date(2025, 11, 1),
    )
    FindingFactory(compact=compact, due_on=datetime.date(2099, 1, 1))  # not yet due
    result = remind_overdue_findings.delay().get()
    assert result == {"emails": 1, "findings": 1}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["manager@example.org"]  # DMSPC's manager answers for DMSPC-OHR below
    assert "Olga Head" in message.body and "Gender parity target missed" in message.body
    assert remind_overdue_findings.delay().get() == {"emails": 0, "findings": 0}
    assert len(mail.outbox) == 1
    overdue.refresh_from_db()
    assert overdue.reminded_on is not None
    # The stamp is bookkeeping: no history entry for it.
    assert not HistoryEntry.objects.for_object(overdue).filter(action="update").exists()
