"""A governance list page (mandates, meetings, Committee decisions, follow-up actions,
consultations, lessons) reads each record's parts (paragraph numbers, expected accomplishments'
and indicators' ids, a meeting's decisions' ids, a follow-up's status changes) in the record's
own row (governance.querysets.PartsInRow), where one record has them prefetched: both must
write the same JSON, in the relations' own order, and a page is one query whatever its parts."""

import datetime

import pytest

from governance.models import FollowUpTransition
from governance.tests.factories import (
    ConsultationFactory,
    DecisionFactory,
    FollowUpFactory,
    LessonFactory,
    MandateFactory,
    MeetingFactory,
)
from org.models import Paragraph
from oversight.tests.factories import body
from performance.models import ExpectedAccomplishment
from performance.tests.factories import IndicatorFactory
from tests.performance.sql_shape import queries_of

pytestmark = pytest.mark.django_db

GOVERNANCE = "/api/governance/"
LISTS = ["mandates", "meetings", "decisions", "follow-ups", "consultations", "lessons"]


def _records(units, text: str, start: int = 1) -> dict:
    """One record of each kind with every part, across the two departments' units; parts given
    out of their order."""
    paragraphs = list(Paragraph.objects.order_by("-number")[:3])
    ohr, pd = units["ohr"], units["pd"]
    mandate = MandateFactory(title=f'{text} «mandate» "quoted" \\ ü')
    mandate.paragraphs.set(paragraphs)
    mandate.accomplishments.set(
        [
            ExpectedAccomplishment.objects.create(unit=pd, title=f"Z {text}"),
            ExpectedAccomplishment.objects.create(unit=ohr, title=f"B {text}"),
            ExpectedAccomplishment.objects.create(unit=ohr, title=f"A {text}"),
        ]
    )
    mandate.indicators.set(
        [
            IndicatorFactory(unit=pd, title=f"A {text}"),
            IndicatorFactory(unit=ohr, title=f"Z {text}"),
        ]
    )
    meeting = MeetingFactory(held_on=datetime.date(2025, 2, start))
    decisions = [DecisionFactory(meeting=meeting, number=n) for n in (3, 1, 2)]
    decisions[0].paragraphs.set(paragraphs[:2])
    follow_ups = [
        FollowUpFactory(decision=decisions[0], unit=ohr, title=f"{text} OHR"),
        FollowUpFactory(decision=decisions[1], unit=pd, title=f"{text} PD"),
    ]
    for changed_on, old, new in (
        (datetime.date(2025, 5, 1), "done", "open"),
        (datetime.date(2025, 3, 1), "open", "done"),
        (datetime.date(2025, 3, 1), "done", "open"),
    ):
        FollowUpTransition.objects.create(
            action=follow_ups[0],
            from_status=old,
            to_status=new,
            changed_on=changed_on,
            note=f"{text}: «{new}»",
        )
    ConsultationFactory(body=body("OIOS"), subject=text).paragraphs.set(paragraphs)
    LessonFactory(applied_unit=pd, title=text).paragraphs.set(paragraphs[1:])
    return {"mandate": mandate, "meeting": meeting, "follow_up": follow_ups[0]}


@pytest.mark.parametrize("name", LISTS)
def test_a_list_row_is_what_the_record_s_own_page_writes(
    api, admin_user, gastaff, units, resolution, name
):
    _records(units, "first")
    _records(units, "second", start=3)
    for user in (admin_user, gastaff):
        client = api(user)
        rows = client.get(f"{GOVERNANCE}{name}/").json()["results"]
        assert rows
        for row in rows:
            assert client.get(f"{GOVERNANCE}{name}/{row['id']}/").json() == row


def test_the_parts_keep_their_relations_order(api, admin_user, units, resolution):
    made = _records(units, "ordered")
    client = api(admin_user)
    mandate = client.get(f"{GOVERNANCE}mandates/").json()["results"][0]
    assert mandate["paragraphs"] == sorted(p.number for p in made["mandate"].paragraphs.all())
    assert mandate["accomplishments"] == [a.pk for a in made["mandate"].accomplishments.all()]
    titles = [a.title[0] for a in made["mandate"].accomplishments.all()]
    assert titles == ["A", "B", "Z"]  # DMSPC-OHR before DOS-PD, then by title
    assert mandate["indicators"] == [i.pk for i in made["mandate"].indicators.all()]
    meeting = client.get(f"{GOVERNANCE}meetings/").json()["results"][0]
    assert meeting["decisions"] == [d.pk for d in made["meeting"].decisions.order_by("number")]
    follow_up = next(
        row
        for row in client.get(f"{GOVERNANCE}follow-ups/").json()["results"]
        if row["id"] == made["follow_up"].pk
    )
    changes = [(t["changed_on"], t["to_status"]) for t in follow_up["transitions"]]
    assert changes == [("2025-03-01", "done"), ("2025-03-01", "open"), ("2025-05-01", "open")]


def test_a_record_without_parts_writes_empty_lists(api, admin_user, units, resolution):
    MandateFactory()
    MeetingFactory()
    FollowUpFactory(unit=units["ohr"])
    client = api(admin_user)
    mandate = client.get(f"{GOVERNANCE}mandates/").json()["results"][0]
    assert (mandate["accomplishments"], mandate["indicators"], mandate["paragraphs"]) == (
        [],
        [],
        [],
    )
    meetings = client.get(f"{GOVERNANCE}meetings/").json()["results"]
    assert [] in [m["decisions"] for m in meetings]
    follow_up = client.get(f"{GOVERNANCE}follow-ups/").json()["results"][0]
    assert follow_up["transitions"] == []


@pytest.mark.parametrize("name", LISTS)
def test_a_page_is_one_query_whatever_its_parts(api, admin_user, manager, units, resolution, name):
    admin, dmspc = api(admin_user), api(manager)
    url = f"{GOVERNANCE}{name}/"
    _records(units, "first")
    few = (queries_of(admin, url), queries_of(dmspc, url))
    for day in range(3, 9):
        _records(units, f"more {day}", start=day)
    many = (queries_of(admin, url), queries_of(dmspc, url))
    assert few == many
    assert many[0] <= 3  # the page itself, and what signing in costs (session, role)


def test_a_changed_mandate_lists_its_new_parts(api, admin_user, units, resolution):
    mandate = _records(units, "edited")["mandate"]
    number = Paragraph.objects.order_by("number").first().number
    indicator = IndicatorFactory(unit=units["ohr"], title="Only")
    client = api(admin_user)
    response = client.patch(
        f"{GOVERNANCE}mandates/{mandate.pk}/",
        {"paragraphs": [number], "indicators": [indicator.pk], "accomplishments": []},
        format="json",
    )
    assert response.status_code == 200, response.content
    listed = client.get(f"{GOVERNANCE}mandates/").json()["results"]
    row = next(r for r in listed if r["id"] == mandate.pk)
    assert (row["paragraphs"], row["indicators"], row["accomplishments"]) == (
        [number],
        [indicator.pk],
        [],
    )
    assert row == response.json()
