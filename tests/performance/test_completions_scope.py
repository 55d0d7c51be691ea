"""A manager's course completions are narrowed by their staff's ids read in the page's own
statement (performance.policies.CourseCompletionPolicy): the same rows the person's unit
gives, for two managers of two departments, with no count before the page and no walk of every
completion by date at ten million rows (issue 13)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.tests.factories import PersonFactory
from performance.models import Course, CourseCompletion

pytestmark = pytest.mark.django_db

URL = "/api/performance/course-completions/"


@pytest.fixture
def completions(units):
    course = Course.objects.create(code="ETH-1", title="Ethics", area="ethics", mandatory=True)
    other = Course.objects.create(code="FIN-1", title="Finance", area="finance")
    made = []
    for i, unit in enumerate(("dmspc", "ohr", "dos", "pd") * 3):
        person = PersonFactory(unit=units[unit], name=f"P{i:02d}")
        for n, c in enumerate((course, other)[: 1 + i % 2]):
            made.append(
                CourseCompletion.objects.create(
                    person=person, course=c, completed_on=datetime.date(2026, 1, 1 + i + n)
                )
            )
    return made


@pytest.mark.parametrize(("persona", "prefix"), [("manager", "DMSPC"), ("manager2", "DOS")])
def test_a_manager_lists_the_completions_of_their_units_staff(
    api, request, completions, persona, prefix
):
    client = api(request.getfixturevalue(persona))
    with CaptureQueriesContext(connection) as captured:
        body = client.get(URL, {"page_size": 200}).json()
    listed = sorted(row["id"] for row in body["results"])
    expected = sorted(c.pk for c in completions if c.person.unit.code.startswith(prefix))
    assert listed == expected and len(listed) == 9
    statements = [q["sql"] for q in captured.captured_queries]
    [page] = [s for s in statements if s.startswith('SELECT "performance_coursecompletion"."id"')]
    assert '"person_id" = ANY(ARRAY(SELECT' in page
    assert not any("count(" in s.lower() for s in statements)


def test_a_person_moved_to_another_unit_moves_their_completions(api, units, manager, completions):
    moved = next(c.person for c in completions if c.person.unit.code == "DOS-PD")
    moved.unit = units["ohr"]
    moved.save()
    listed = {row["id"] for row in api(manager).get(URL, {"page_size": 200}).json()["results"]}
    assert {c.pk for c in moved.course_completions.all()} <= listed
