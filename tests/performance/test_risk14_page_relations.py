"""The risk API's list pages read the to-many relations they print by one column (a paragraph's
number, a control's or a risk's id, a vendor's name, a panel member's index number) as pairs
from the link tables, not through Django's prefetch (risk.api.views.PageRelationsMixin). The
pages must print what DRF prints through the relations' managers, in the related model's order,
each row as its own detail, with as many queries whatever the number of rows.

Two departments: `manager` (DMSPC, rows in DMSPC-OHR) and `manager2` (DOS, rows in DOS-PD); a
control in DOS treats a risk in DMSPC, so lists print ids across the two."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.models import Paragraph, Person
from org.tests.factories import PersonFactory
from risk.models import Control
from risk.tests.factories import (
    ControlFactory,
    ProcurementCaseFactory,
    RecoveryCaseFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db

LISTS = (
    "/api/risk/risks/",
    "/api/risk/controls/",
    "/api/risk/procurement-cases/",
    "/api/risk/recovery-cases/",
)


def _fill(units, count: int) -> None:
    paragraphs = list(Paragraph.objects.order_by("number")[:6])
    for number in range(count):
        for unit in (units["ohr"], units["pd"]):
            cited = [paragraphs[(number + 3) % 6], paragraphs[number % 6]]  # not in order
            risk = RiskFactory(unit=unit)
            risk.paragraphs.set(cited)
            for title in ("Zeta", "Alpha"):
                control = ControlFactory(unit=unit, title=f"{title} {number}")
                control.paragraphs.set(cited[:1])
                control.risks.add(risk)
            # a control of the other department treats this risk too
            other = units["pd"] if unit == units["ohr"] else units["ohr"]
            ControlFactory(unit=other, title=f"Cross {number}").risks.add(risk)
            panel = [
                PersonFactory(unit=unit, name="Yusuf Member"),
                PersonFactory(unit=unit, name="Ana Member"),
            ]
            case = ProcurementCaseFactory(unit=unit, vendors=["Vendor B", "Vendor A"], panel=panel)
            case.paragraphs.set(cited)
            RecoveryCaseFactory(unit=unit).paragraphs.set(cited)


def _results(client, url):
    response = client.get(url, {"page_size": 500})
    assert response.status_code == 200
    return response.json()["results"]


@pytest.fixture
def filled(units, resolution):
    _fill(units, 3)


@pytest.mark.parametrize("url", LISTS)
def test_a_list_prints_what_drf_prints_through_the_managers(
    api, filled, admin_user, manager, manager2, gastaff, settings, url
):
    for user in (admin_user, manager, manager2, gastaff):
        client = api(user)
        lean = _results(client, url)
        settings.API_LEAN_LISTS = False  # DRF's own rendering, Django's prefetch
        plain = _results(client, url)
        settings.API_LEAN_LISTS = True
        assert lean == plain
        assert lean, (user.username, url)
        for row in lean[:3]:
            assert client.get(f"{url}{row['id']}/").json() == row


def test_related_rows_in_their_models_order(api, filled, admin_user):
    client = api(admin_user)
    for risk in _results(client, "/api/risk/risks/"):
        assert risk["paragraphs"] == sorted(risk["paragraphs"], key=int)
        # Control's order (unit, title): Zeta after Alpha, and the other department's in place
        assert risk["controls"] == list(
            Control.objects.filter(risks=risk["id"]).values_list("pk", flat=True)
        )
        assert len(risk["controls"]) == 3
    for case in _results(client, "/api/risk/procurement-cases/"):
        assert case["vendors"] == ["Vendor A", "Vendor B"]
        assert case["panel"] == list(
            Person.objects.filter(procurement_panels__pk=case["id"])
            .order_by("name")
            .values_list("index_number", flat=True)
        )
        assert len(case["panel"]) == 2


def test_ga_staff_read_cases_without_their_panels(api, filled, gastaff):
    cases = _results(api(gastaff), "/api/risk/procurement-cases/")
    assert cases and all(case["panel"] == [] for case in cases)
    assert all(case["vendors"] == ["Vendor A", "Vendor B"] for case in cases)


def test_a_manager_reads_their_departments_rows_only(api, filled, manager, manager2):
    for user, code in ((manager, "DMSPC-OHR"), (manager2, "DOS-PD")):
        for url in LISTS:
            rows = _results(api(user), url)
            assert rows and {row["unit"] for row in rows} == {code}, (user.username, url)


@pytest.mark.parametrize("url", LISTS)
def test_as_many_queries_whatever_the_rows(api, units, resolution, admin_user, manager, url):
    counts = []
    for count in (1, 4):
        _fill(units, count)
        for user in (admin_user, manager):
            client = api(user)
            client.get(url)  # the caller's rights, read once
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, {"page_size": 500}).status_code == 200
            counts.append((user.username, len(queries)))
    assert counts[:2] == counts[2:]
