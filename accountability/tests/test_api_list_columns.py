"""The API lists read only the columns their rows print (issue 13): each row of a list page is
what the record's own page (whole rows) answers, for decisions outside authority (the reasons
read the delegation), reviewed ones, with attachments and paragraphs, instruments with an area
of authority, acceptance and revocation; the number of queries does not grow with the rows; and
the caller's scope is kept (rows in two units)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability import services
from accountability.models import AuthorityItem
from accountability.tests.factories import (
    AcceptedDelegationFactory,
    CommitmentFactory,
    DecisionFactory,
    DelegationFactory,
)
from org.models import Paragraph

TODAY = datetime.date.today()
DECISIONS = "/api/accountability/decisions/"
DELEGATIONS = "/api/accountability/delegations/"
COMMITMENTS = "/api/accountability/commitments/"


def _records(units, manager, manager2, admin_user, n: int):
    """n of each kind in DMSPC (manager's) and n in DOS (manager2's), with every column the
    list prints set on some of them."""
    paragraphs = list(Paragraph.objects.order_by("number")[:2])
    item = AuthorityItem.objects.filter(group="finance").first()
    made = {"dmspc": [], "dos": []}
    for key, person in (("dmspc", manager), ("dos", manager2)):
        unit = units[key]
        for i in range(n):
            parent = AcceptedDelegationFactory(
                delegator=admin_user, delegatee=admin_user, unit=unit
            )
            grant = AcceptedDelegationFactory(
                delegator=admin_user,
                delegatee=person,
                unit=unit,
                parent=parent,
                authority=item,
                limit_amount=Decimal("1000.00"),
                accepted_by=person,
            )
            revoked = DelegationFactory(
                delegator=admin_user,
                delegatee=person,
                unit=unit,
                revoked_on=TODAY - datetime.timedelta(days=10),
                revocation_reason="Moved",
                revoked_by=admin_user,
            )
            within = DecisionFactory(
                unit=unit,
                decided_by=person,
                area="finance",
                amount=Decimal("10.00"),
                delegation=grant,
            )
            over = DecisionFactory(
                unit=unit,
                decided_by=person,
                area="finance",
                amount=Decimal("5000.00"),
                delegation=grant,
            )
            late = DecisionFactory(
                unit=unit,
                decided_by=person,
                area="finance",
                amount=Decimal("1.00"),
                delegation=revoked,
            )
            uncited = DecisionFactory(unit=unit, decided_by=person, area="finance")
            for decision in (within, over):
                decision.paragraphs.set(paragraphs[: 1 + i % 2])
            services.add_attachment(
                over,
                acting_user=admin_user,
                upload=SimpleUploadedFile(f"memo{i}.pdf", b"%PDF"),
            )
            services.review_decision(late, acting_user=admin_user, outcome="justified")
            commitment = CommitmentFactory(unit=unit, owner=person)
            commitment.paragraphs.set(paragraphs[:1])
            made[key] += [grant, revoked, within, over, late, uncited, commitment]
    return made


def _list(client, url, page_size=100):
    response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("url", [DECISIONS, DELEGATIONS, COMMITMENTS])
def test_each_row_of_a_list_is_the_records_own_answer(
    api, units, manager, manager2, admin_user, resolution, url
):
    _records(units, manager, manager2, admin_user, 2)
    client = api(admin_user)
    rows = _list(client, url)
    assert len(rows) >= 4
    for row in rows:
        detail = client.get(f"{url}{row['id']}/")
        assert detail.status_code == 200
        assert row == detail.json()
    if url == DECISIONS:
        problems = [r["authority_problems"] for r in rows if not r["within_authority"]]
        assert len(problems) == 12 and all(problems)
        assert any(r["attachments"] for r in rows) and any(r["reviewed_by"] for r in rows)
    if url == DELEGATIONS:
        assert any(r["authority"] for r in rows) and any(r["revoked_by"] for r in rows)


@pytest.mark.parametrize("url", [DECISIONS, DELEGATIONS, COMMITMENTS])
def test_a_list_page_costs_the_same_queries_whatever_its_rows(
    api, units, manager, manager2, admin_user, resolution, url
):
    made = _records(units, manager, manager2, admin_user, 3)
    client = api(manager)
    client.get(url)  # the session and the caller's rights, read once
    with CaptureQueriesContext(connection) as few:
        few_rows = _list(client, url, 1)
    with CaptureQueriesContext(connection) as many:
        many_rows = _list(client, url)
    assert len(many_rows) > len(few_rows)
    assert len(many.captured_queries) == len(few.captured_queries)
    # manager manages DMSPC: DOS's records are never listed.
    kind = {DECISIONS: "decision", DELEGATIONS: "delegation", COMMITMENTS: "commitment"}[url]
    dos = {r.pk for r in made["dos"] if r._meta.model_name == kind}
    assert dos and not dos & {r["id"] for r in many_rows}
    assert {r["unit"] for r in many_rows} == {"DMSPC"}


def test_the_decision_list_reads_no_password_and_no_paragraph_text(
    api, units, manager, manager2, admin_user, resolution
):
    _records(units, manager, manager2, admin_user, 1)
    with CaptureQueriesContext(connection) as captured:
        _list(api(admin_user), DECISIONS)
    statements = "\n".join(q["sql"] for q in captured.captured_queries)
    assert '"accountability_decision"' in statements and "text_en" not in statements
    assert '"password"' not in statements.split('FROM "accountability_decision"', 1)[0]
