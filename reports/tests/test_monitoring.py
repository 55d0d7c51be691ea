"""The Management Committee's monitoring page shows the bodies' own figures as section C of the
report computes them (issue 11): acceptance rate, implementation rate of accepted, amounts and
the prior-period block with the Board's four categories, for a chosen period as at its end; on
the real world of reports/tests/world.py."""

import re

import pytest

from oversight import metrics
from reports.tests import world as test_world
from reports.tests.world import PERIOD

pytestmark = pytest.mark.django_db
QUERY = {"period_from": "2025-01-01", "as_at": "2025-12-31"}


@pytest.fixture
def world(resolution, units, admin_user, manager, manager2, gastaff):
    people = {"admin_user": admin_user, "manager": manager, "manager2": manager2}
    return test_world.build(units, {**people, "gastaff": gastaff})


def _row(html: str, table_id: str, code: str) -> list[str]:
    table = html[html.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    row = re.search(rf"<th scope=\"row\">{code}</th>(.*?)</tr>", table, flags=re.S).group(1)
    return re.findall(r"<td>(.*?)</td>", row)


def test_the_page_gives_section_cs_figures_by_body_for_the_period(world, web, gastaff):
    response = web(gastaff).get("/oversight/monitoring/", QUERY)
    assert response.status_code == 200
    data = response.context["data"]
    section_c = metrics.report_metrics(**PERIOD)["C"]["by_body"]
    for code in ("OIOS", "BOA"):
        page, report = data["by_body"][code], section_c[code]
        for key in ("acceptance_rate", "implementation_rate_of_accepted", "prior_period"):
            assert page[key] == report[key], (code, key)
    html = response.content.decode()
    # BOA (world.py): 5 counted, 1 not accepted: 80.0 accepted; 2 of 4 accepted implemented.
    assert _row(html, "table-by-body", "BOA")[-4:-2] == ["80.0", "50.0"]
    # OIOS: USD 300,000 identified, with thousands separators.
    assert _row(html, "table-by-body", "OIOS")[-2] == "300,000.00"
    # The Board's four categories of its prior-period recommendations (b1, b2, b4): total 3,
    # implemented 1, under implementation 1, not implemented (no action yet) 1, overtaken 0.
    assert _row(html, "table-prior-period", "BOA") == ["3", "1", "1", "1", "0", "33.3"]
    # The definitions printed are the methodology annex's.
    assert str(metrics.FIGURES["acceptance_rate"]["definition"]) in html


def test_a_period_starting_after_its_as_at_date_is_a_form_error(world, web, gastaff):
    response = web(gastaff).get(
        "/oversight/monitoring/", {"period_from": "2025-06-01", "as_at": "2025-01-31"}
    )
    assert response.status_code == 200
    assert "The period starts after the date its figures are as at." in response.content.decode()
    assert response.context["data"]["totals"]["total"] == 0  # nothing counted on a bad query


def test_the_prior_period_moves_with_the_period_start(world, web, gastaff):
    # From 1 Jan 2024 nothing of the world's reports (all issued from March 2024) is prior.
    data = (
        web(gastaff)
        .get("/oversight/monitoring/", {"period_from": "2024-01-01", "as_at": "2025-12-31"})
        .context["data"]
    )
    assert data["prior_by_body"]["BOA"]["total"] == 0
    assert data["by_body"]["BOA"]["issued_in_period"]["total"] == 5


def test_the_export_has_the_same_columns_and_the_prior_period_sheet(world, web, gastaff):
    import io

    from openpyxl import load_workbook

    response = web(gastaff).get("/oversight/monitoring/", {**QUERY, "export": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    by_body = {row[0]: row for row in book["By body"].iter_rows(values_only=True)}
    assert by_body["BOA"][-4:-2] == (80.0, 50.0)
    assert by_body["OIOS"][-2] == 300000  # a number in the spreadsheet
    prior = {row[0]: row for row in book["Prior periods"].iter_rows(values_only=True)}
    assert prior["BOA"] == ("BOA", 3, 1, 1, 1, 0, 33.3)
