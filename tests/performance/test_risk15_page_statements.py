"""The risk API's list pages (issue 13, risk15): a page's to-many relations read by one statement
(risk.api.views.PageColumn, _page_statement), the columns a page prints and no others
(ListColumnsMixin), a manager's ids read as plain columns (risk.policies). Same JSON as before:
test_risk14_page_relations compares the pages with DRF's own rendering.

Two departments: `manager` (DMSPC, rows in DMSPC-OHR) and `manager2` (DOS, rows in DOS-PD); a
control in DOS treats a risk in DMSPC."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.models import Paragraph, Person
from org.tests.factories import PersonFactory
from risk.api.views import PageColumn, ProcurementCaseViewSet, RiskViewSet
from risk.models import Control, InterestDeclaration, ProcurementCase, Risk
from risk.policies import IdArray, in_ids
from risk.tests.factories import (
    ControlFactory,
    DeclarationFactory,
    ProcurementCaseFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db


def _fill(units, count: int) -> None:
    paragraphs = list(Paragraph.objects.order_by("number")[:6])
    for number in range(count):
        for unit, other in ((units["ohr"], units["pd"]), (units["pd"], units["ohr"])):
            cited = [paragraphs[(number + 3) % 6], paragraphs[number % 6]]  # not in order
            risk = RiskFactory(unit=unit)
            risk.paragraphs.set(cited)
            for title in ("Zeta", "Alpha"):
                ControlFactory(unit=unit, title=f"{title} {number}").risks.add(risk)
            ControlFactory(unit=other, title=f"Cross {number}").risks.add(risk)
            panel = [
                PersonFactory(unit=unit, name="Yusuf Member"),
                PersonFactory(unit=unit, name="Ana Member"),
            ]
            case = ProcurementCaseFactory(unit=unit, vendors=["Vendor B", "Vendor A"], panel=panel)
            case.paragraphs.set(cited)
            DeclarationFactory(case=case, person=panel[0])


def _page(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"], [q["sql"] for q in ctx.captured_queries]


def _relations_statements(queries):
    return [sql for sql in queries if sql.startswith("SELECT ARRAY(")]


@pytest.mark.parametrize(
    ("url", "links"),
    [
        (
            "/api/risk/procurement-cases/",
            ("risk_vendor", "risk_procurementcase_panel", "risk_procurementcase_paragraphs"),
        ),
        ("/api/risk/risks/", ("risk_risk_paragraphs", "risk_control_risks")),
        ("/api/risk/controls/", ("risk_control_risks", "risk_control_paragraphs")),
    ],
)
def test_a_pages_relations_are_one_statement_whatever_the_rows(
    api, units, resolution, admin_user, manager, url, links
):
    counts = []
    for count in (1, 3):
        _fill(units, count)
        for user in (admin_user, manager):
            client = api(user)
            client.get(url)  # the caller's rights, read once
            rows, queries = _page(client, url)
            assert rows
            [statement] = _relations_statements(queries)
            for table in links:
                assert f'FROM "{table}"' in statement, (table, statement)
                # no other statement reads a link table
                assert not [q for q in queries if q is not statement and f'"{table}"' in q]
            counts.append((user.username, len(queries)))
    assert counts[:2] == counts[2:]


def test_related_rows_keep_their_models_order_across_departments(
    api, units, resolution, admin_user
):
    _fill(units, 2)
    rows, _queries = _page(api(admin_user), "/api/risk/risks/")
    for risk in rows:
        assert risk["paragraphs"] == sorted(risk["paragraphs"], key=int)
        # Control's order (unit, title): the other department's in its place, Alpha before Zeta
        assert risk["controls"] == list(
            Control.objects.filter(risks=risk["id"]).values_list("pk", flat=True)
        )
        assert len(risk["controls"]) == 3
    cases, _queries = _page(api(admin_user), "/api/risk/procurement-cases/")
    for case in cases:
        assert case["vendors"] == ["Vendor A", "Vendor B"]
        assert case["panel"] == list(
            Person.objects.filter(procurement_panels__pk=case["id"])
            .order_by("name", "pk")
            .values_list("index_number", flat=True)
        )


def test_a_relation_hidden_from_the_reader_is_not_read(api, units, resolution, gastaff):
    _fill(units, 1)
    cases, queries = _page(api(gastaff), "/api/risk/procurement-cases/")
    assert cases and all(case["panel"] == [] for case in cases)
    assert all(case["vendors"] == ["Vendor A", "Vendor B"] for case in cases)
    [statement] = _relations_statements(queries)
    assert "risk_procurementcase_panel" not in statement


@pytest.mark.parametrize(
    ("viewset", "model"), [(ProcurementCaseViewSet, ProcurementCase), (RiskViewSet, Risk)]
)
def test_each_relation_read_alone_gives_what_the_statement_gives(
    api, units, resolution, admin_user, viewset, model
):
    """The databases other than PostgreSQL read each relation by its own query (PageColumn.read):
    the same rows in the same order."""
    _fill(units, 2)
    ids = list(model.objects.order_by("-pk").values_list("pk", flat=True))
    relations = viewset.page_relations
    rows = list(model.objects.filter(pk__in=ids).order_by("-pk"))
    viewset._read_relations(rows, relations, connection)
    for relation, column in relations.items():
        alone = {pk: [] for pk in ids}
        for pk, related in column.read(ids):
            alone[pk].append(related)
        assert {row.pk: row.__dict__[f"_lean_{relation}"] for row in rows} == alone
        assert any(alone.values()), relation


@pytest.mark.parametrize(
    ("url", "table", "unread"),
    [
        ("/api/risk/interest-declarations/", "risk_interestdeclaration", '"org_person"."email"'),
        ("/api/risk/procurement-cases/", "risk_procurementcase", '"org_orgunit"."name"'),
        ("/api/risk/risks/", "risk_risk", '"auth_user"."password"'),
    ],
)
def test_a_list_page_reads_the_columns_it_prints(
    api, units, resolution, admin_user, manager, url, table, unread
):
    _fill(units, 2)
    Risk.objects.update(owner=admin_user)
    for user in (admin_user, manager):
        client = api(user)
        rows, queries = _page(client, url)
        [page] = [q for q in queries if q.startswith(f'SELECT "{table}".') and "ORDER BY" in q]
        assert unread not in page
        assert f'"{table}"."created_at"' not in page
        assert rows
        # the record's own answer (whole rows) prints the same
        for row in rows[:3]:
            assert client.get(f"{url}{row['id']}/").json() == row


def test_a_declarations_read_is_logged_with_its_declarant(api, units, resolution, oios):
    from operations.models import AccessRecord

    _fill(units, 1)
    rows, _queries = _page(api(oios), "/api/risk/interest-declarations/")
    logged = AccessRecord.objects.filter(object_type="risk.interestdeclaration")
    declarants = dict(InterestDeclaration.objects.values_list("pk", "person_id"))
    assert {(int(r.object_id), r.subject_id) for r in logged} == {
        (row["id"], declarants[row["id"]]) for row in rows
    }


def test_ids_as_one_value_narrow_as_a_list_does(units, resolution):
    _fill(units, 2)
    ids = list(ProcurementCase.objects.values_list("pk", flat=True))[:3]
    as_list = ProcurementCase.objects.filter(pk__any_of=ids)
    assert list(ProcurementCase.objects.filter(in_ids("pk", ids))) == list(as_list)
    assert str(ProcurementCase.objects.filter(in_ids("pk", ids)).query) == str(as_list.query)
    assert list(ProcurementCase.objects.filter(in_ids("pk", []))) == []
    assert IdArray([3, 1]) == IdArray((3, 1)) and len(IdArray([3, 1])) == 2


def test_a_manager_without_cases_lists_only_their_own_declarations(api, units, resolution, manager):
    """The subtree's cases read first are none: the managed side is no query (EmptyResultSet)."""
    me = Person.objects.get(user=manager)
    case = ProcurementCaseFactory(unit=units["pd"], panel=[me])
    mine = DeclarationFactory(case=case, person=me)
    DeclarationFactory(case=case, person=PersonFactory(unit=units["pd"]))
    rows, _queries = _page(api(manager), "/api/risk/interest-declarations/")
    assert [row["id"] for row in rows] == [mine.pk]


def test_page_column_of_a_reverse_key_and_of_a_many_to_many():
    vendors = PageColumn(ProcurementCase, "vendors", "name")
    assert vendors.parent == "case_id" and vendors.ordering == ["name", "pk"]
    controls = PageColumn(Risk, "controls", "pk")
    assert controls.parent == "risk_id" and controls.value == "control_id"
    risks = PageColumn(Control, "risks", "pk")
    assert risks.parent == "control_id" and risks.value == "risk_id"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("/api/risk/interest-declarations/", "risk.interestdeclaration:own_or_managed"),
        ("/api/risk/procurement-cases/", "risk.procurementcase:unit_or_panel"),
    ],
)
def test_a_kept_ids_statement_answers_each_manager_with_their_rows(
    api, units, resolution, manager, manager2, url, kept
):
    """risk.policies.ids_by_side(kept=...): compiled once, then run with each manager's own
    parameters; rows written after it was kept are read."""
    from risk import policies

    _fill(units, 1)
    policies._KEPT.clear()
    units_of = {"manager": "DMSPC-OHR", "manager2": "DOS-PD"}
    seen = {}
    for user in (manager, manager2, manager):
        rows, queries = _page(api(user), url)
        seen.setdefault(user.username, []).append({row["id"] for row in rows})
        if url.endswith("procurement-cases/"):
            assert {row["unit"] for row in rows} == {units_of[user.username]}
    assert any(key[0].startswith(kept) for key in policies._KEPT)
    assert seen["manager"][0] == seen["manager"][1] and seen["manager"][0]
    assert not seen["manager"][0] & seen["manager2"][0] and seen["manager2"][0]

    case = ProcurementCaseFactory(unit=units["ohr"], panel=[PersonFactory(unit=units["ohr"])])
    added = case.pk
    if url.endswith("declarations/"):
        added = DeclarationFactory(case=case, person=case.panel.get()).pk
    rows, queries = _page(api(manager), url)
    assert added in {row["id"] for row in rows}
    assert added not in {row["id"] for row in _page(api(manager2), url)[0]}


def test_a_managers_deficiencies_read_their_tests_by_their_units_controls_in_one_statement(
    api, units, manager, manager2
):
    """The units' controls are the array the tests are read by (AnyOfRows), not a query of
    their own; the page is narrowed by the tests' ids; each manager reads their own."""
    from risk.models import Deficiency
    from risk.tests.factories import ControlTestFactory

    made = {}
    for user, unit in ((manager, units["ohr"]), (manager2, units["pd"])):
        test = ControlTestFactory(control=ControlFactory(unit=unit))
        made[user.username] = {
            Deficiency.objects.create(test=test, description=f"Gap {n}").pk for n in range(2)
        }
    for user in (manager, manager2):
        client = api(user)
        client.get("/api/risk/deficiencies/")
        fresh = type(user).objects.get(pk=user.pk)
        rows, queries = _page(api(fresh), "/api/risk/deficiencies/")
        assert {row["id"] for row in rows} == made[user.username]
        reads = [q for q in queries if '"risk_' in q]
        [tests] = [q for q in reads if 'SELECT "risk_controltest"."id"' in q]
        assert '"risk_controltest"."control_id" = ANY(ARRAY(SELECT' in tests
        assert not [q for q in reads if q.startswith('SELECT "risk_control"."id"')]
        [page] = [q for q in reads if q.startswith('SELECT "risk_deficiency".')]
        assert '"risk_deficiency"."test_id" = ANY(' in page
        assert '"auth_user"."password"' not in page


def test_the_risk_list_rates_by_the_stored_scale_in_its_own_statement(api, units, admin_user):
    """No query of the rating scale before the list: its statement reads the stored scale (the
    fields' defaults when none is stored), and a scale stored later rates the next page."""
    from risk.models import RatingScale

    risk = RiskFactory(unit=units["ohr"], likelihood=3, impact=3, residual_likelihood=2)
    client = api(admin_user)
    url = "/api/risk/risks/"
    rows, queries = _page(client, url)
    assert not [q for q in queries if q.startswith('SELECT "risk_ratingscale"')]
    [row] = [row for row in rows if row["id"] == risk.pk]
    assert (row["score"], row["rating"]) == (9, "medium")  # defaults: medium from 5, high 10
    assert row["rating"] == RatingScale().band(row["score"])
    assert row["residual_rating"] == RatingScale().band(row["residual_score"])

    RatingScale.objects.create(medium_from=3, high_from=6, critical_from=9)
    [row] = [row for row in _page(client, url)[0] if row["id"] == risk.pk]
    assert row["rating"] == "critical"
    assert row["residual_rating"] == RatingScale.current().band(row["residual_score"])
    assert client.get(f"{url}{risk.pk}/").json() == row
