"""The API lists of reports and recommendations read their related values as columns (a body's
and a unit's code, a report's symbol) and a report's cited paragraphs in one query: each row is
what the record's own answer says, for every reader, in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest

from oversight.models import OversightReport, Recommendation
from oversight.tests.factories import RecommendationFactory, ReportFactory, body

pytestmark = pytest.mark.django_db

REPORTS = "/api/oversight/reports/"
RECOMMENDATIONS = "/api/oversight/recommendations/"


@pytest.fixture
def records(units, resolution):
    """Reports of two bodies (one citing no paragraph, one citing several in no particular
    order), their recommendations addressed to units of two departments."""
    from org.models import Paragraph

    oios_report = ReportFactory(body=body("OIOS"), symbol="2024/087")
    boa_report = ReportFactory(body=body("BOA"), symbol="A/79/5 «Vol. I»")
    boa_report.paragraphs.set(Paragraph.objects.filter(number__in=[19, 4, 12]))
    made = [
        RecommendationFactory(
            report=oios_report,
            number="1",
            unit=units["ohr"],
            priority="critical",
            target_date=datetime.date(2020, 1, 1),
        ),
        RecommendationFactory(
            report=oios_report,
            number="2",
            unit=units["pd"],
            amount_identified=Decimal("1250.50"),
            amount_realised=Decimal("0.00"),
        ),
        RecommendationFactory(report=boa_report, number="1", unit=units["dmspc"]),
    ]
    return {"reports": [oios_report, boa_report], "recommendations": made}


@pytest.mark.parametrize("url", [REPORTS, RECOMMENDATIONS])
def test_each_row_of_a_list_is_the_records_own_answer(
    api, admin_user, oios, boa, manager, gastaff, records, url
):
    for user in (admin_user, oios, boa, manager, gastaff):
        client = api(user)
        response = client.get(url)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert rows, user
        for row in rows:
            assert row == client.get(f"{url}{row['id']}/").json()


def test_the_lists_show_codes_and_paragraphs(api, oios, records):
    reports = {r["symbol"]: r for r in api(oios).get(REPORTS).json()["results"]}
    assert reports["A/79/5 «Vol. I»"]["body"] == "BOA"
    assert reports["A/79/5 «Vol. I»"]["paragraphs"] == [4, 12, 19]
    assert reports["2024/087"]["paragraphs"] == [] and reports["2024/087"]["body"] == "OIOS"
    rows = {r["id"]: r for r in api(oios).get(RECOMMENDATIONS).json()["results"]}
    first = rows[records["recommendations"][0].pk]
    assert (first["body"], first["report_symbol"], first["unit"]) == (
        "OIOS",
        "2024/087",
        "DMSPC-OHR",
    )
    assert first["is_overdue"] is True
    second = rows[records["recommendations"][1].pk]
    assert (second["amount_identified"], second["amount_realised"]) == ("1250.50", "0.00")


@pytest.mark.parametrize("url", [REPORTS, RECOMMENDATIONS])
def test_a_list_takes_as_many_queries_for_many_rows_as_for_few(api, oios, units, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from org.models import Paragraph
    from org.resolution import load_resolution

    load_resolution()
    paragraphs = list(Paragraph.objects.all()[:3])
    client = api(oios)
    counts = []
    for n in (2, 40):
        for i in range(n):
            report = ReportFactory(body=body("OIOS" if i % 2 else "BOA"))
            report.paragraphs.set(paragraphs[: i % 3])
            unit = units["ohr"] if i % 2 else units["pd"]
            RecommendationFactory(report=report, number=str(i), unit=unit)
        client.get(url)  # the process's caches filled
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": 500})
        assert response.status_code == 200
        assert len(response.json()["results"]) == (
            OversightReport.objects.count() if url == REPORTS else Recommendation.objects.count()
        )
        counts.append(len(queries))
    assert counts[0] == counts[1]
