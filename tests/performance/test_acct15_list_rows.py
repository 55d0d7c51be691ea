"""The decision and delegation API lists read what their rows show of related records in the
rows themselves (issue 13; DecisionQuerySet/DelegationQuerySet.with_codes): the unit's code and
the usernames by sub-selects, and a decision's cited paragraphs' numbers and attachments too, so
that a page is one statement (a decision page was three: the page, the paragraphs, the
attachments). Each row must still be what the record's own answer (whole records) writes, for
every persona, in the relations' own order, and each manager sees only their units' records;
without PostgreSQL's sub-selects (SQLite) the rows are the same."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability import querysets, services
from accountability.models import AuthorityItem
from accountability.tests.factories import (
    AcceptedDelegationFactory,
    DecisionFactory,
    DelegationFactory,
)
from org.models import Paragraph

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DECISIONS = "/api/accountability/decisions/"
DELEGATIONS = "/api/accountability/delegations/"


def _records(units, manager, manager2, admin_user, n: int = 1) -> dict:
    """In DMSPC (manager's) and DOS (manager2's): instruments accepted, revoked and with an area
    of authority; decisions within and outside authority, reviewed, citing paragraphs (set out
    of their order) and with two attachments (the second named first in the alphabet)."""
    numbers = sorted(Paragraph.objects.values_list("number", flat=True))[:3]
    paragraphs = list(Paragraph.objects.filter(number__in=numbers).order_by("-number"))
    item = AuthorityItem.objects.filter(group="finance").first()
    made = {"dmspc": [], "dos": []}
    for key, person in (("dmspc", manager), ("dos", manager2)):
        unit = units[key]
        for i in range(n):
            grant = AcceptedDelegationFactory(
                delegator=admin_user,
                delegatee=person,
                unit=unit,
                authority=item,
                limit_amount=Decimal("1000.00"),
                accepted_by=person,
            )
            revoked = DelegationFactory(
                delegator=admin_user,
                delegatee=person,
                unit=unit,
                parent=grant,
                revoked_on=TODAY - datetime.timedelta(days=10),
                revocation_reason="Moved",
                revoked_by=admin_user,
            )
            cited = DecisionFactory(
                unit=unit,
                decided_by=person,
                area="finance",
                amount=Decimal("5000.00"),
                delegation=grant,
            )
            cited.paragraphs.set(paragraphs[: 1 + i % 3] if i else paragraphs)
            for name in ("zeta.pdf", "alpha.pdf"):
                services.add_attachment(
                    cited, acting_user=admin_user, upload=SimpleUploadedFile(name, b"%PDF")
                )
            late = DecisionFactory(
                unit=unit, decided_by=person, area="finance", amount=None, delegation=revoked
            )
            services.review_decision(late, acting_user=admin_user, outcome="justified")
            plain = DecisionFactory(unit=unit, decided_by=person)
            made[key] += [grant, revoked, cited, late, plain]
    return made


def _rows(client, url, page_size: int = 100) -> list[dict]:
    response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("url", [DECISIONS, DELEGATIONS])
@pytest.mark.parametrize("persona", ["admin_user", "manager", "manager2", "oios", "gastaff"])
def test_each_row_is_the_records_own_answer(
    request, api, units, manager, manager2, admin_user, resolution, url, persona
):
    _records(units, manager, manager2, admin_user, 2)
    client = api(request.getfixturevalue(persona))
    rows = _rows(client, url)
    assert rows
    for row in rows:
        assert client.get(f"{url}{row['id']}/").json() == row
    if persona in ("manager", "manager2"):
        assert {r["unit"] for r in rows} == {"DMSPC" if persona == "manager" else "DOS"}
    else:
        assert {r["unit"] for r in rows} == {"DMSPC", "DOS"}


def test_a_decision_row_lists_its_paragraphs_and_attachments_in_their_order(
    api, units, manager, manager2, admin_user, resolution
):
    made = _records(units, manager, manager2, admin_user)
    cited = made["dmspc"][2]
    [row] = [r for r in _rows(api(admin_user), DECISIONS) if r["id"] == cited.pk]
    assert row["paragraphs"] == sorted(p.number for p in cited.paragraphs.all())
    assert len(row["paragraphs"]) == 3
    attachments = list(cited.attachments.order_by("pk"))
    assert row["attachments"] == [
        {"name": a.name, "url": f"/accountability/decisions/{cited.pk}/attachments/{a.pk}/"}
        for a in attachments
    ]
    assert [a["name"] for a in row["attachments"]] == ["zeta.pdf", "alpha.pdf"]
    assert row["unit"] == "DMSPC" and row["decided_by"] == "manager"
    assert row["reviewed_by"] is None and not row["within_authority"]
    assert row["authority_problems"]
    [reviewed] = [r for r in _rows(api(admin_user), DECISIONS) if r["id"] == made["dos"][3].pk]
    assert reviewed["reviewed_by"] == "admin" and reviewed["paragraphs"] == []
    assert reviewed["attachments"] == []


@pytest.mark.parametrize("url", [DECISIONS, DELEGATIONS])
def test_a_page_is_one_statement_whatever_its_rows(
    api, units, manager, manager2, admin_user, resolution, url
):
    client = api(admin_user)
    _records(units, manager, manager2, admin_user, 1)
    client.get(url)  # content types, the caller's rights
    with CaptureQueriesContext(connection) as few:
        assert len(_rows(client, url)) >= 4
    _records(units, manager, manager2, admin_user, 3)
    with CaptureQueriesContext(connection) as many:
        assert len(_rows(client, url)) >= 12
    statements = [q["sql"] for q in many.captured_queries]
    assert len(statements) == len(few.captured_queries) == 1, statements
    table = "accountability_decision" if url == DECISIONS else "accountability_delegation"
    assert statements[0].startswith(f'SELECT "{table}"."id"')


@pytest.mark.parametrize("url", [DECISIONS, DELEGATIONS])
def test_without_the_sub_selects_the_rows_are_the_same(
    api, units, manager, manager2, admin_user, resolution, monkeypatch, url
):
    """SQLite (make run's default) has no arrays: the codes are joined and a decision's
    paragraphs and attachments prefetched, for the same rows."""
    _records(units, manager, manager2, admin_user, 2)
    client = api(admin_user)
    in_rows = _rows(client, url)
    monkeypatch.setattr(querysets, "_on_postgresql", lambda queryset: False)
    with CaptureQueriesContext(connection) as captured:
        assert _rows(client, url) == in_rows
    if url == DECISIONS:
        assert len(captured.captured_queries) == 3  # the page, paragraphs, attachments
