"""The constant cost of an API request (issue 13): an unfiltered list builds no filterset, and a
worker's startup objects are kept out of the garbage collector. Neither changes what a client
reads: the same rows, the same filters, the same 400s."""

import gc

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django_filters.rest_framework import DjangoFilterBackend

from core.middleware import FreezeStartupObjectsMiddleware

pytestmark = pytest.mark.django_db
URL = "/api/oversight/recommendations/"


@pytest.fixture
def filtersets_built(monkeypatch):
    built = []
    original = DjangoFilterBackend.get_filterset

    def counting(self, request, queryset, view):
        filterset = original(self, request, queryset, view)
        built.append(type(filterset).__name__)
        return filterset

    monkeypatch.setattr(DjangoFilterBackend, "get_filterset", counting)
    return built


def ids(response):
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


def test_an_unfiltered_list_answers_every_row_without_building_its_filterset(
    api, oios, recs, filtersets_built
):
    assert ids(api(oios).get(URL)) == {r.pk for r in recs.values()}
    # Paging and unknown parameters are not filters either.
    paged = api(oios).get(URL, {"page_size": 1, "colour": "blue"})
    assert len(paged.json()["results"]) == 1 and paged.json()["next"]
    assert filtersets_built == []


def test_a_filtered_list_filters_as_before(api, oios, manager, recs, filtersets_built):
    assert ids(api(oios).get(URL, {"body": "BOA"})) == {recs["boa"].pk}
    assert ids(api(oios).get(URL, {"within": "DOS"})) == {recs["pd"].pk}
    assert ids(api(oios).get(URL, {"within": "DMSPC", "page_size": 10})) == {
        recs["ohr"].pk,
        recs["boa"].pk,
    }
    # The manager's scope still applies under a filter: DMSPC's units only, never DOS's.
    assert ids(api(manager).get(URL, {"within": "UN"})) == {recs["ohr"].pk, recs["boa"].pk}
    assert filtersets_built == ["RecommendationFilterSet"] * 4


def test_a_bad_filter_value_is_still_a_400_naming_the_filter(api, oios, recs):
    unknown = api(oios).get(URL, {"within": "NOPE"})
    assert unknown.status_code == 400 and "within" in unknown.json()
    bad_status = api(oios).get(URL, {"status": "finished"})
    assert bad_status.status_code == 400 and "status" in bad_status.json()


def test_startup_objects_are_frozen_once_and_the_middleware_leaves_the_chain(api, oios, recs):
    assert ids(api(oios).get(URL)) == {r.pk for r in recs.values()}
    frozen = gc.get_freeze_count()
    assert frozen > 0
    with pytest.raises(MiddlewareNotUsed):
        FreezeStartupObjectsMiddleware(lambda request: None)
    assert gc.get_freeze_count() == frozen  # once per process


def test_serializer_fields_are_built_once_per_class_but_each_serializer_has_its_own(
    api, oios, recs
):
    from oversight.api.serializers import RecommendationSerializer

    first, second = RecommendationSerializer(), RecommendationSerializer()
    assert list(first.fields) == list(second.fields)
    assert first.fields["status"] is not second.fields["status"]
    first.fields.pop("text")  # a view trimming its copy leaves every other serializer whole
    assert "text" in RecommendationSerializer().fields
    response = api(oios).get(URL, {"body": "OIOS"})
    rows = response.json()["results"]
    assert {r["id"] for r in rows} == {recs["ohr"].pk, recs["pd"].pk}
    assert all(r["text"] and r["status"] == "open" and "version" in r for r in rows)
