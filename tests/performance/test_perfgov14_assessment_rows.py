"""A list page of paragraph assessments reads the paragraph's number, the office's code and the
reviewer's username as columns (AssessmentQuerySet.with_codes, AssessmentListRowSerializer),
not the three records: each row must be what the assessment's own page writes (which loads
them), each reader still sees only the assessments they may, and the page costs the same
queries whatever its rows."""

import datetime

import pytest

from governance.models import AssessmentEvidence
from governance.tests.factories import AssessmentFactory, MandateFactory
from org.models import Paragraph
from tests.performance.sql_shape import queries_of

pytestmark = pytest.mark.django_db

URL = "/api/governance/assessments/"


def _assessments(units, reviewer, text: str, n: int = 0) -> dict:
    """A draft and an accepted assessment (reviewed, with evidence: a linked record and a
    note) in each department's unit, of four paragraphs (the `n`th four: one assessment per
    paragraph and period)."""
    paragraphs = iter(Paragraph.objects.order_by("number")[4 * n : 4 * n + 4])
    mandate = MandateFactory(title=f"{text} mandate")
    made = {}
    for key in ("ohr", "pd"):
        draft = AssessmentFactory(unit=units[key], paragraph=next(paragraphs), justification=text)
        accepted = AssessmentFactory(
            unit=units[key],
            paragraph=next(paragraphs),
            justification=f"{text} «ü»",
            state="accepted",
            submitted_on=datetime.date(2025, 3, 1),
            reviewed_on=datetime.date(2025, 3, 5),
            reviewed_by=reviewer,
            review_comment="Fine",
            accepted_on=datetime.date(2025, 3, 5),
        )
        AssessmentEvidence.objects.create(
            assessment=accepted,
            reference=f"governance.mandate:{mandate.pk}",
            name="Mandate",
            note=f"{text} note",
        )
        made[key] = (draft, accepted)
    return made


def test_a_list_row_is_what_the_assessment_s_own_page_writes(
    api, admin_user, manager, gastaff, units, resolution
):
    _assessments(units, admin_user, "first")
    for user in (admin_user, manager, gastaff):
        client = api(user)
        rows = client.get(URL).json()["results"]
        assert rows
        for row in rows:
            assert client.get(f"{URL}{row['id']}/").json() == row
    rows = api(admin_user).get(URL).json()["results"]
    assert {r["reviewed_by"] for r in rows} == {None, "admin"}
    assert {r["unit"] for r in rows} == {units["ohr"].code, units["pd"].code}
    assert all(isinstance(r["paragraph"], int) for r in rows)
    assert sum(len(r["evidence"]) for r in rows) == 2


def test_each_reader_lists_only_the_assessments_they_may_read(
    api, admin_user, manager, manager2, gastaff, units, resolution
):
    made = _assessments(units, admin_user, "scoped")

    def listed(user):
        return sorted(r["id"] for r in api(user).get(URL).json()["results"])

    ohr_draft, ohr_accepted = made["ohr"]
    pd_draft, pd_accepted = made["pd"]
    # The office reads its drafts; everyone else only the accepted assessments.
    assert listed(manager) == sorted([ohr_draft.pk, ohr_accepted.pk, pd_accepted.pk])
    assert listed(manager2) == sorted([pd_draft.pk, pd_accepted.pk, ohr_accepted.pk])
    assert listed(gastaff) == sorted([ohr_accepted.pk, pd_accepted.pk])


def test_a_page_of_assessments_costs_the_same_queries_whatever_its_rows(
    api, admin_user, units, resolution
):
    client = api(admin_user)
    _assessments(units, admin_user, "few")
    few = queries_of(client, URL)
    for n in range(1, 5):
        _assessments(units, admin_user, f"more {n}", n)
    assert queries_of(client, URL) == few
