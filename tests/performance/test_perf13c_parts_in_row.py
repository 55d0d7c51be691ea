"""A list page of compacts, objectives or indicators reads each record's parts (paragraph
numbers, objectives with their indicators, Board findings, indicator ids, results) in the
record's own row (the querysets' `with_parts`), where one record has them prefetched: both must
write the same JSON, one query must serve a page whatever its parts, and each reader still sees
only their records.

Objective and finding fields that name a record (an appraisal, a compact, a commitment) accept
only records the caller may see, asked when the input is read (performance.api.serializers
.VisibleRelatedField, core.api.serializers), not when a list page builds its serializer."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.tests.factories import CommitmentFactory
from org.models import Paragraph
from performance.models import Compact
from performance.tests.factories import (
    AppraisalFactory,
    CompactFactory,
    FindingFactory,
    IndicatorFactory,
    ObjectiveFactory,
    ResultFactory,
    SeniorManagerFactory,
)
from tests.performance.sql_shape import queries_of

pytestmark = pytest.mark.django_db

COMPACTS = "/api/performance/compacts/"


def _compact_with_parts(unit, year: int, text: str) -> Compact:
    compact = CompactFactory(senior_manager=SeniorManagerFactory(unit=unit), year=year)
    paragraphs = list(Paragraph.objects.order_by("-number")[:2])  # given out of order
    compact.paragraphs.set(paragraphs)
    commitment = CommitmentFactory(unit=unit)
    # Two objectives of each kind, created out of the kinds' order; indicators given in the
    # order opposite to theirs (by unit code, then title).
    for kind in ("management", "programme", "management"):
        objective = ObjectiveFactory(
            compact=compact,
            kind=kind,
            title=f'{text} «{kind}» "quoted" \\ ü',
            result="" if kind == "programme" else "Met",
            outcome="" if kind == "programme" else "achieved",
            commitment=commitment if kind == "programme" else None,
        )
        indicators = [
            IndicatorFactory(unit=unit, title=f"Z {text} {kind} {objective.pk}"),
            IndicatorFactory(unit=unit, title=f"A {text} {kind} {objective.pk}"),
        ]
        objective.indicators.set(indicators)
        objective.paragraphs.set(paragraphs[:1])
        indicators[0].paragraphs.set(paragraphs)
        # Results given out of their order (by start year); values with and without cents.
        ResultFactory(indicator=indicators[0], period="2025", value=Decimal("-3.5"))
        ResultFactory(indicator=indicators[0], period="2023", value=Decimal("1234567.891"))
        ResultFactory(indicator=indicators[0], period="2024", value=Decimal("70"))
    FindingFactory(compact=compact, finding=f"{text}: late", due_on=datetime.date(2026, 3, 31))
    FindingFactory(
        compact=compact,
        finding=f"{text}: closed",
        due_on=datetime.date(2025, 12, 31),
        status="closed",
        closed_on=datetime.date(2025, 12, 1),
        action_plan="Done",
    )
    return compact


@pytest.fixture
def compacts(units, resolution):
    """Compacts with every kind of part in two units of two departments, and a bare one."""
    return [
        _compact_with_parts(units["ohr"], 2025, "OHR"),
        _compact_with_parts(units["pd"], 2025, "PD"),
        CompactFactory(senior_manager=SeniorManagerFactory(unit=units["pd"]), year=2024),
    ]


def test_a_list_row_is_what_the_compact_s_own_page_writes(api, admin_user, compacts):
    client = api(admin_user)
    rows = client.get(COMPACTS).json()["results"]
    assert len(rows) == 3
    with_parts = [row for row in rows if row["objectives"]]
    assert len(with_parts) == 2
    for row in with_parts:
        assert len(row["paragraphs"]) == 2 and len(row["findings"]) == 2
        assert all(len(objective["indicators"]) == 2 for objective in row["objectives"])
    for row in rows:
        # The detail prefetches the relations: the nested serializers write them field by field.
        assert client.get(f"{COMPACTS}{row['id']}/").json() == row


@pytest.mark.parametrize(
    "url", ["/api/performance/compact-objectives/", "/api/performance/indicators/"]
)
def test_an_objective_or_indicator_row_is_what_its_own_page_writes(api, admin_user, compacts, url):
    client = api(admin_user)
    rows = client.get(url).json()["results"]
    assert any(row["paragraphs"] for row in rows)
    if "indicators" in url:
        written = [row["results"] for row in rows if row["results"]]
        assert written and all(
            [r["period"] for r in results] == ["2023", "2024", "2025"] for results in written
        )
        assert written[0][0]["value"] == "1234567.89" and written[0][2]["value"] == "-3.50"
    else:
        assert all(len(row["indicators"]) == 2 for row in rows)
    for row in rows:
        assert client.get(f"{url}{row['id']}/").json() == row


def test_the_parts_keep_their_relations_order(api, admin_user, compacts):
    row = next(r for r in api(admin_user).get(COMPACTS).json()["results"] if r["objectives"])
    compact = Compact.objects.get(pk=row["id"])
    assert row["paragraphs"] == sorted(p.number for p in compact.paragraphs.all())
    objectives = list(compact.objectives.all())
    assert [o["id"] for o in row["objectives"]] == [o.pk for o in objectives]
    assert [o["kind"] for o in row["objectives"]] == ["management", "management", "programme"]
    for written, objective in zip(row["objectives"], objectives, strict=True):
        assert written["indicators"] == [i.pk for i in objective.indicators.all()]
        assert [i.title[0] for i in objective.indicators.all()] == ["A", "Z"]
    assert [f["id"] for f in row["findings"]] == [f.pk for f in compact.findings.order_by("pk")]
    assert row["findings"][1]["closed_on"] == "2025-12-01"


def test_each_manager_lists_only_their_units_compacts(api, manager, manager2, compacts):
    ohr, pd, bare = compacts
    assert [r["id"] for r in api(manager).get(COMPACTS).json()["results"]] == [ohr.pk]
    assert [r["id"] for r in api(manager2).get(COMPACTS).json()["results"]] == [bare.pk, pd.pk]


def test_a_page_is_one_query_whatever_its_compacts_parts(api, admin_user, manager, units):
    admin, dmspc = api(admin_user), api(manager)
    _compact_with_parts(units["ohr"], 2025, "first")
    few = (queries_of(admin, COMPACTS), queries_of(dmspc, COMPACTS))
    for year in range(2015, 2021):
        _compact_with_parts(units["ohr"], year, f"more {year}")
    many = (queries_of(admin, COMPACTS), queries_of(dmspc, COMPACTS))
    assert few == many
    assert many[0] <= 3  # the page itself, and what signing in costs (session, role)


def test_a_changed_compact_answers_its_new_paragraphs(api, manager, units, resolution):
    compact = _compact_with_parts(units["ohr"], 2025, "edited")
    number = Paragraph.objects.order_by("number").first().number
    response = api(manager).patch(
        f"{COMPACTS}{compact.pk}/", {"paragraphs": [number]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["paragraphs"] == [number]
    listed = api(manager).get(COMPACTS).json()["results"]
    assert [r["paragraphs"] for r in listed if r["id"] == compact.pk] == [[number]]


def test_a_case_may_name_only_an_appraisal_the_caller_sees(api, manager, manager2, units):
    theirs = AppraisalFactory(unit=units["pd"], completed_on=datetime.date(2025, 5, 1))
    theirs.rating = "does_not_meet"
    theirs.save()
    body = {"appraisal": theirs.pk, "improvement_plan": "Plan", "plan_start": "2025-06-01"}
    refused = api(manager).post("/api/performance/underperformance-cases/", body, format="json")
    assert refused.status_code == 400
    assert "appraisal" in refused.json()
    assert str(theirs.staff.name) not in refused.content.decode()
    accepted = api(manager2).post("/api/performance/underperformance-cases/", body, format="json")
    assert accepted.status_code == 201, accepted.content


def test_a_manager_s_list_reads_no_ids_for_the_fields_it_does_not_take(
    api, manager, units, compacts
):
    """The objective's commitment and the case's appraisal are scoped when input is read: a
    list page asks for no commitment or appraisal ids."""
    AppraisalFactory(unit=units["ohr"])
    client = api(manager)
    for url in (
        "/api/performance/compact-objectives/",
        "/api/performance/underperformance-cases/",
    ):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        statements = " ".join(q["sql"] for q in captured.captured_queries)
        assert "accountability_commitment" not in statements, url
        assert 'FROM "performance_appraisal"' not in statements, url
