"""A list page of oversight reports reads the cited paragraphs' numbers in each report's own
row on PostgreSQL (OversightReportQuerySet.with_codes; a second query of the citations
elsewhere): the same numbers, in the paragraphs' order, as the report's own page, and one query
for the page whatever the citations."""

import pytest
from django.db import connection

from org.models import Paragraph
from oversight.tests.factories import ReportFactory, body
from tests.performance.sql_shape import queries_of

pytestmark = pytest.mark.django_db

REPORTS = "/api/oversight/reports/"


def _reports(count: int, start: int = 0) -> list:
    paragraphs = list(Paragraph.objects.order_by("-number")[:3])  # given out of order
    made = []
    for n in range(start, start + count):
        report = ReportFactory(body=body("OIOS" if n % 2 else "BOA"), symbol=f"X/{n:03d}")
        report.paragraphs.set(paragraphs[: n % 4])
        made.append(report)
    return made


def test_a_list_row_is_what_the_report_s_own_page_writes(api, oios, manager, resolution):
    _reports(6)
    for user in (oios, manager):
        client = api(user)
        rows = client.get(REPORTS).json()["results"]
        assert len(rows) == 6 and [] in [r["paragraphs"] for r in rows]
        for row in rows:
            assert row["paragraphs"] == sorted(row["paragraphs"])
            assert client.get(f"{REPORTS}{row['id']}/").json() == row


def test_a_page_of_reports_costs_the_same_queries_whatever_its_citations(api, oios, resolution):
    client = api(oios)
    _reports(2)
    few = queries_of(client, REPORTS)
    _reports(12, start=2)
    assert queries_of(client, REPORTS) == few
    if connection.vendor == "postgresql":
        assert few <= 3  # the page itself, and what signing in costs (session, role)


def test_the_paragraph_filter_lists_the_citing_reports_with_all_their_numbers(
    api, oios, resolution
):
    cited, other = _reports(2, start=3)
    number = cited.paragraphs.order_by("number").first().number
    rows = api(oios).get(REPORTS, {"paragraph": number}).json()["results"]
    assert [r["id"] for r in rows] == [cited.pk]
    assert rows[0]["paragraphs"] == sorted(p.number for p in cited.paragraphs.all())
