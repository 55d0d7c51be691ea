"""Lean prefetch of API list pages (core.api.lean.LeanPrefetch): a list page's prefetches land in
plain lists, its nested serializers and to-many fields are rendered from them by the compiled
plan, and whoever else reads a relation (a method field, a property, DRF's own fields) still gets
the QuerySet a plain prefetch_related gives, with no further query. Compacts carry every shape at
once: paragraphs (many-to-many by slug), objectives (a nested list, reverse foreign key) with
their indicators (many-to-many by primary key, one level down) and findings."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from core.api.lean import LEAN_PREFIX, LeanPrefetch
from org.models import Paragraph
from performance.models import Compact
from performance.tests.factories import (
    CompactFactory,
    FindingFactory,
    IndicatorFactory,
    ObjectiveFactory,
)

URL = "/api/performance/compacts/"


def _compact(unit, paragraphs, year):
    compact = CompactFactory(senior_manager__unit=unit, unit=unit, year=year)
    compact.paragraphs.set(paragraphs)
    for n in range(2):
        objective = ObjectiveFactory(compact=compact, title=f"Objective {n}")
        objective.indicators.set([IndicatorFactory(unit=unit) for _ in range(n + 1)])
        objective.paragraphs.set(paragraphs[:1])
    FindingFactory(compact=compact)
    ObjectiveFactory(compact=compact, title="No indicator")
    return compact


def _get(client, settings, url, lean):
    settings.API_LEAN_LISTS = lean
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:300]
    return response.content, len(captured)


@pytest.mark.django_db
def test_a_compact_page_is_the_same_json_and_the_same_queries_whatever_its_rows(
    api, admin_user, manager, units, resolution, settings
):
    paragraphs = list(Paragraph.objects.order_by("number")[:3])
    _compact(units["ohr"], paragraphs, 2025)
    admin, unit_manager = api(admin_user), api(manager)
    _get(admin, settings, URL, lean=True)  # the reader's roles, read once and kept
    one = _get(admin, settings, URL, lean=True)
    for i in range(5):  # two units: the manager sees one of them
        _compact(units["pd"] if i % 2 else units["ohr"], paragraphs[i % 3 :], 2020 + i)
    CompactFactory(senior_manager__unit=units["pd"], unit=units["pd"], year=2019)  # bare
    for client in (admin, unit_manager):
        for url in (URL, f"{URL}?page_size=2", f"{URL}?unit={units['pd'].code}"):
            drf, _ = _get(client, settings, url, lean=False)
            lean, queries = _get(client, settings, url, lean=True)
            assert lean == drf, url
    many = _get(admin, settings, URL, lean=True)
    # compacts (people and units joined), their paragraphs, objectives with their indicators and
    # findings read in each compact's own row (performance.querysets with_parts)
    assert one[1] == many[1] == 1
    rows = json.loads(many[0])["results"]
    assert len(rows) == 7
    assert sum(len(o["indicators"]) for r in rows for o in r["objectives"]) == 6 * 3


@pytest.mark.django_db
def test_a_lean_prefetch_answers_every_reader_of_the_relation_without_a_query(
    units, resolution, django_assert_num_queries
):
    paragraphs = list(Paragraph.objects.order_by("number")[:2])
    for unit in (units["ohr"], units["pd"]):
        _compact(unit, paragraphs, 2025)
    queryset = Compact.objects.prefetch_related("paragraphs", "objectives__indicators")
    plain = list(queryset.order_by("pk"))
    lean = LeanPrefetch(queryset.order_by("pk"))
    with django_assert_num_queries(4):  # the same queries as a plain prefetch
        compacts = list(lean.queryset())
        lean.install(compacts)  # reads the relations of the rows it is given
    with django_assert_num_queries(0):
        for before, after in zip(plain, compacts, strict=True):
            assert after.__dict__[f"{LEAN_PREFIX}paragraphs"] == list(before.paragraphs.all())
            assert list(after.paragraphs.all()) == list(before.paragraphs.all())
            assert "objectives" in after._prefetched_objects_cache
            objectives = list(after.objectives.all())
            assert objectives == list(before.objectives.all())
            for old, new in zip(before.objectives.all(), objectives, strict=True):
                assert list(new.indicators.all()) == list(old.indicators.all())
                assert new.indicators.count() == old.indicators.count()
    # What the prefetch answers is a QuerySet: anything more is a query, as with Django's.
    with django_assert_num_queries(1):
        assert compacts[0].objectives.filter(title="No indicator").count() == 1
    # A change through the manager forgets the prefetched rows, as Django's prefetch does.
    compacts[0].paragraphs.remove(paragraphs[0])
    with django_assert_num_queries(1):
        assert list(compacts[0].paragraphs.all()) == paragraphs[1:]


@pytest.mark.django_db
def test_prefetches_the_lean_prefetch_does_not_know_are_left_as_they_are(units):
    from performance.models import CompactObjective

    for queryset in (
        Compact.objects.prefetch_related(Prefetch("objectives", to_attr="mine")),
        Compact.objects.prefetch_related("senior_manager"),  # a to-one relation
        Compact.objects.prefetch_related(
            Prefetch("objectives", CompactObjective.objects.prefetch_related("indicators"))
        ),
        Compact.objects.all(),
    ):
        lean = LeanPrefetch(queryset)
        assert lean.tree is None
        assert lean.queryset()._prefetch_related_lookups == queryset._prefetch_related_lookups


@pytest.mark.django_db
def test_decisions_with_attachments_and_cases_with_vendors_read_the_prefetched_rows(
    api, admin_user, manager, units, settings
):
    from accountability.models import DecisionAttachment
    from accountability.tests.factories import DecisionFactory
    from risk.models import ProcurementCase, Vendor

    def decision(unit, files):
        made = DecisionFactory(unit=unit)
        for n in range(files):
            DecisionAttachment.objects.create(decision=made, file=f"d/{n}.pdf", name=f"{n}.pdf")

    def case(unit, vendors, n):
        made = ProcurementCase.objects.create(
            reference=f"RFP-{n}", title="Works", unit=unit, value=Decimal("1000.00")
        )
        for name in vendors:
            Vendor.objects.create(case=made, name=name)

    admin, unit_manager = api(admin_user), api(manager)
    decision(units["ohr"], 1)
    case(units["ohr"], ["Acme"], 0)
    for url in ("/api/accountability/decisions/", "/api/risk/procurement-cases/"):
        _get(admin, settings, url, lean=True)
    few = [
        _get(admin, settings, url, lean=True)[1]
        for url in ("/api/accountability/decisions/", "/api/risk/procurement-cases/")
    ]
    for i in range(6):
        unit = units["pd"] if i % 2 else units["ohr"]
        decision(unit, i % 3)
        case(unit, ["Acme", "Beta", "Gamma"][: i % 3 + 1], i + 1)
    many = []
    for url in ("/api/accountability/decisions/", "/api/risk/procurement-cases/"):
        for client in (admin, unit_manager):
            drf, _ = _get(client, settings, url, lean=False)
            lean, queries = _get(client, settings, url, lean=True)
            assert lean == drf, url
        many.append(_get(admin, settings, url, lean=True)[1])
    assert few == many
    rows = json.loads(_get(admin, settings, "/api/accountability/decisions/", lean=True)[0])
    assert sum(len(r["attachments"]) for r in rows["results"]) == 1 + 0 + 1 + 2 + 0 + 1 + 2
    rows = json.loads(_get(admin, settings, "/api/risk/procurement-cases/", lean=True)[0])
    assert sorted(v for r in rows["results"] for v in r["vendors"]).count("Acme") == 7
