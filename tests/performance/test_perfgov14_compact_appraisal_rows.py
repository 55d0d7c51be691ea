"""A list page of compacts or appraisals reads the person's index number and the unit's code as
columns (the querysets' with_codes, the List Row serializers), not the person and the unit
records: each row must be what the record's own page writes (which loads them), each manager
still sees only their units' records, the page costs the same queries whatever its rows, and a
page of appraisals still leaves its access-log entries."""

import pytest

from operations.models import AccessRecord
from performance.tests.factories import AppraisalFactory, CompactFactory, SeniorManagerFactory
from tests.performance.sql_shape import queries_of

pytestmark = pytest.mark.django_db

COMPACTS = "/api/performance/compacts/"
APPRAISALS = "/api/performance/appraisals/"


def _records(units, count: int = 2) -> dict:
    made = {"ohr": [], "pd": []}
    for key in made:
        for n in range(count):
            unit = units[key]
            made[key].append(
                CompactFactory(senior_manager=SeniorManagerFactory(unit=unit), year=2020 + n)
            )
            made[key].append(AppraisalFactory(unit=unit, on_time=bool(n % 2)))
    return made


@pytest.mark.parametrize("url", [COMPACTS, APPRAISALS])
def test_a_list_row_is_what_the_record_s_own_page_writes(
    api, admin_user, manager, manager2, units, url
):
    _records(units)
    for user in (admin_user, manager, manager2):
        client = api(user)
        rows = client.get(url).json()["results"]
        assert rows
        for row in rows:
            assert client.get(f"{url}{row['id']}/").json() == row
    rows = api(admin_user).get(url).json()["results"]
    assert {r["unit"] for r in rows} == {units["ohr"].code, units["pd"].code}
    person = "senior_manager" if url == COMPACTS else "staff"
    assert all(isinstance(r[person], str) and r[person] for r in rows)


@pytest.mark.parametrize("url", [COMPACTS, APPRAISALS])
def test_each_manager_lists_only_their_units_records(api, manager, manager2, units, url):
    made = _records(units)
    model = "compact" if url == COMPACTS else "appraisal"
    for user, key in ((manager, "ohr"), (manager2, "pd")):
        mine = sorted(r.pk for r in made[key] if r._meta.model_name == model)
        assert sorted(r["id"] for r in api(user).get(url).json()["results"]) == mine


@pytest.mark.parametrize("url", [COMPACTS, APPRAISALS])
def test_a_page_costs_the_same_queries_whatever_its_rows(api, admin_user, units, url):
    client = api(admin_user)
    _records(units, 1)
    few = queries_of(client, url)
    _records(units, 5)
    assert queries_of(client, url) == few


def test_a_page_of_appraisals_logs_who_read_each_named_record(api, manager, units):
    made = _records(units)
    shown = sorted(str(a.pk) for a in made["ohr"] if a._meta.model_name == "appraisal")
    before = AccessRecord.objects.count()
    assert api(manager).get(APPRAISALS).status_code == 200
    logged = AccessRecord.objects.order_by("pk")[before:]
    assert sorted(r.object_id for r in logged) == shown
    staff = {str(a.staff_id) for a in made["ohr"] if a._meta.model_name == "appraisal"}
    assert {str(r.subject_id) for r in logged} == staff
