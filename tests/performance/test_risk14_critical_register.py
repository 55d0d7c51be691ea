"""The critical risk register's API list selects each entry's score as at the date and the one
before it, and gives the rows their band and trend in Python (risk.metrics.set_band_and_trend);
band and trend stay SQL aliases for the filters (each reference to the score's sub-select was
planned and run again). The list must print what the SQL says: the detail (which selects them),
with_trend itself, and the band and trend filters agree with every row.

The register of risk/tests/test_critical_risks.py: two departments, one risk worsening, one
improving, one stable, one withdrawn, one flagged after the end of 2025; a risk with a single
assessment (no previous score) and, before any assessment, its recorded rating."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from risk import metrics
from risk.choices import Band, Trend
from risk.models import CriticalRisk
from risk.tests.test_critical_risks import register  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

URL = "/api/risk/critical-risks/"
DATES = ("2024-12-15", "2025-02-15", "2025-07-01", "2025-12-31", "2026-03-01")


def _rows(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.json()["results"]


def test_the_list_prints_the_band_and_trend_the_sql_gives(
    register,  # noqa: F811
    api,
    admin_user,
    manager,
    manager2,
    gastaff,
):
    seen = set()
    for user in (admin_user, manager, manager2, gastaff):
        client = api(user)
        for as_of in DATES:
            rows = _rows(client, as_of=as_of)
            sql = {
                entry.pk: entry
                for entry in metrics.with_trend(
                    CriticalRisk.objects.all(),
                    datetime.date.fromisoformat(as_of),
                    prefix="risk__",
                )
            }
            for row in rows:
                entry = sql[row["id"]]
                assert (row["score"], row["previous_score"], row["band"], row["trend"]) == (
                    entry.at_score,
                    entry.previous_score,
                    entry.at_band,
                    entry.trend,
                )
                assert client.get(f"{URL}{row['id']}/", {"as_of": as_of}).json() == row
                seen.add((row["band"], row["trend"], row["previous_score"] is None))
    # every band of the register and every trend, with and without a previous score
    assert {band for band, _, _ in seen} >= {Band.MEDIUM, Band.HIGH, Band.CRITICAL}
    assert {trend for _, trend, _ in seen} == set(Trend.values)
    assert (Band.HIGH, Trend.STABLE, True) in seen or (Band.CRITICAL, Trend.STABLE, True) in seen


@pytest.mark.parametrize("as_of", DATES)
def test_band_and_trend_filters_agree_with_the_rows(register, api, admin_user, manager, as_of):  # noqa: F811
    for user in (admin_user, manager):
        client = api(user)
        every = _rows(client, as_of=as_of)
        for band in Band.values:
            found = _rows(client, as_of=as_of, band=band)
            assert found == [row for row in every if row["band"] == band]
        for trend in Trend.values:
            found = _rows(client, as_of=as_of, trend=trend)
            assert found == [row for row in every if row["trend"] == trend]


def test_a_manager_reads_the_entries_of_their_department(register, api, manager, manager2):  # noqa: F811
    titles = {
        user.username: sorted(row["risk_title"] for row in _rows(api(user), as_of="2025-12-31"))
        for user in (manager, manager2)
    }
    assert "Payroll fraud" in titles["manager"] and "Payroll fraud" not in titles["manager2"]
    assert "Vendor collusion" in titles["manager2"] and "Vendor collusion" not in titles["manager"]


def test_the_list_selects_the_score_sub_select_twice_not_five_times(register, api, admin_user):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        assert api(admin_user).get(URL).status_code == 200
    listing = [q["sql"] for q in queries if 'FROM "risk_criticalrisk"' in q["sql"]]
    assert len(listing) == 1
    assert listing[0].count('FROM "risk_riskassessment"') == 2
