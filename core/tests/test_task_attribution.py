import pytest
from celery import shared_task

from core.models import HistoryEntry
from org.models import OrgUnit


@shared_task(name="core.tests.rename_unit")
def rename_unit(code: str, name: str) -> None:
    unit = OrgUnit.objects.get(code=code)
    unit.name = name
    unit.save()


@pytest.mark.django_db
def test_changes_made_by_a_celery_task_are_attributed_to_the_task(units):
    rename_unit.delay("DOS", "Renamed by a job")
    entry = HistoryEntry.objects.filter(object_type="org.orgunit").order_by("-seq").first()
    assert entry.actor == "task:core.tests.rename_unit"
    assert entry.changes == {"name": ["Department of Operational Support", "Renamed by a job"]}
