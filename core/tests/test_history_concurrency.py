import threading

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from core import history
from core.models import HistoryEntry
from org.models import OrgUnit


@pytest.mark.skipif(
    not settings.IS_POSTGRES, reason="needs a server database for concurrent writers"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    root = OrgUnit.objects.create(code="ROOT", name="Root")
    errors = []

    def writer(n):
        try:
            for i in range(15):
                OrgUnit.objects.create(code=f"T{n}-{i}", name=f"Thread {n} unit {i}", parent=root)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert not errors
    result = history.verify_chain()
    assert result.ok, result.reason
    assert result.entries == HistoryEntry.objects.count() == 1 + 4 * 15
    assert sorted(HistoryEntry.objects.values_list("seq", flat=True)) == list(range(1, 62))


@pytest.mark.django_db
def test_changes_made_in_a_rolled_back_transaction_leave_no_history(units):
    from django.db import transaction

    before = HistoryEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        OrgUnit.objects.create(code="GONE", name="Never committed", parent=units["root"])
        raise RuntimeError
    assert HistoryEntry.objects.count() == before
    assert history.verify_chain().ok


@pytest.mark.django_db
def test_stale_save_raises_and_keeps_the_newer_change(units):
    from django.db import transaction

    from core.models import StaleVersion

    first = OrgUnit.objects.get(code="DOS")
    second = OrgUnit.objects.get(code="DOS")
    first.name = "First edit"
    first.save()
    second.name = "Second edit from a stale copy"
    with pytest.raises(StaleVersion), transaction.atomic():
        second.save()
    assert OrgUnit.objects.get(code="DOS").name == "First edit"
    assert second.version == 1
