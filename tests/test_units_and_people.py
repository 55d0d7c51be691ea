"""Org units and people: who sees and changes what, from the outside."""

import pytest

from org.models import OrgUnit, Person
from org.tests.factories import PersonFactory


@pytest.fixture
def staff(units):
    return {
        "ohr": PersonFactory(unit=units["ohr"], name="Ana Ohr"),
        "dmspc": PersonFactory(unit=units["dmspc"], name="Dee Dmspc"),
        "pd": PersonFactory(unit=units["pd"], name="Pat Procurement"),
    }


def _names(response):
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.django_db
def test_a_manager_sees_people_of_the_unit_and_below_only(api, manager, staff):
    names = _names(api(manager).get("/api/people/"))
    assert {"Ana Ohr", "Dee Dmspc", "Maria Manager"} <= names
    assert "Pat Procurement" not in names


@pytest.mark.django_db
def test_another_units_person_is_404_for_read_and_edit(api, manager, staff):
    index = staff["pd"].index_number
    client = api(manager)
    assert client.get(f"/api/people/{index}/").status_code == 404
    assert (
        client.patch(f"/api/people/{index}/", {"name": "Changed"}, format="json").status_code == 404
    )
    assert Person.objects.get(index_number=index).name == "Pat Procurement"


@pytest.mark.django_db
def test_a_manager_edits_own_staff_and_cannot_move_them_out_of_reach(api, manager, staff, units):
    index = staff["ohr"].index_number
    client = api(manager)
    assert client.patch(f"/api/people/{index}/", {"grade": "P-4"}, format="json").status_code == 200
    moved = client.patch(f"/api/people/{index}/", {"unit": "DOS"}, format="json")
    assert moved.status_code == 403
    person = Person.objects.get(index_number=index)
    assert (person.grade, person.unit.code) == ("P-4", "DMSPC-OHR")


@pytest.mark.django_db
def test_a_manager_cannot_create_people_in_another_unit(api, manager, units):
    response = api(manager).post(
        "/api/people/",
        {"index_number": "55555555", "name": "New", "unit": "DOS", "grade": "P-2"},
        format="json",
    )
    assert response.status_code == 403
    assert not Person.objects.filter(index_number="55555555").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["gastaff", "oios"])
def test_read_only_roles_read_but_cannot_write(api, request, persona, staff):
    user = request.getfixturevalue(persona)
    client = api(user)
    assert client.get("/api/people/").status_code == 200
    index = staff["pd"].index_number
    # GA staff read no personal data: the person does not exist for them (issue 12).
    refused = 404 if persona == "gastaff" else 403
    assert (
        client.patch(f"/api/people/{index}/", {"name": "x"}, format="json").status_code == refused
    )
    assert (
        client.post("/api/org-units/", {"code": "NEW", "name": "New"}, format="json").status_code
        == 403
    )


@pytest.mark.django_db
def test_a_user_without_a_role_sees_nobody(api, outsider, staff):
    assert api(outsider).get("/api/people/").json()["results"] == []


@pytest.mark.django_db
def test_only_administrators_create_org_units_and_the_tree_path_follows(
    api, admin_user, manager, units
):
    assert (
        api(manager)
        .post(
            "/api/org-units/",
            {"code": "NEWU", "name": "New unit", "parent": "DMSPC"},
            format="json",
        )
        .status_code
        == 403
    )
    response = api(admin_user).post(
        "/api/org-units/", {"code": "NEWU", "name": "New unit", "parent": "DMSPC"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["parent"] == "DMSPC"
    assert OrgUnit.objects.get(code="NEWU").path == "/UN/DMSPC/NEWU/"


@pytest.mark.django_db
def test_moving_a_unit_moves_its_subtree_and_manager_rights_follow(
    api, admin_user, manager, units, staff
):
    assert (
        api(admin_user)
        .patch("/api/org-units/DMSPC-OHR/", {"parent": "DOS"}, format="json")
        .status_code
        == 200
    )
    assert OrgUnit.objects.get(code="DMSPC-OHR").path == "/UN/DOS/DMSPC-OHR/"
    assert "Ana Ohr" not in _names(api(manager).get("/api/people/"))


@pytest.mark.django_db
def test_a_unit_cannot_be_placed_below_itself(api, admin_user, units):
    response = api(admin_user).patch(
        "/api/org-units/DMSPC/", {"parent": "DMSPC-OHR"}, format="json"
    )
    assert response.status_code == 400 and "parent" in response.json()


@pytest.mark.django_db
def test_people_filters(api, admin_user, staff):
    client = api(admin_user)
    assert _names(client.get("/api/people/?unit=DOS-PD")) == {"Pat Procurement"}
    assert _names(client.get("/api/people/?search=Ana")) == {"Ana Ohr"}
    assert _names(client.get(f"/api/people/?search={staff['pd'].index_number}")) == {
        "Pat Procurement"
    }


@pytest.mark.django_db
def test_people_list_query_count_does_not_grow_with_rows(
    api, admin_user, units, django_assert_max_num_queries
):
    client = api(admin_user)
    PersonFactory.create_batch(10, unit=units["ohr"])
    with django_assert_max_num_queries(6) as few:
        client.get("/api/people/?page_size=500")
    PersonFactory.create_batch(200, unit=units["ohr"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/people/?page_size=500")
    assert len(response.json()["results"]) == 210


@pytest.mark.django_db
def test_people_page_lists_filters_and_exports(web, manager, staff, django_assert_max_num_queries):
    client = web(manager)
    with django_assert_max_num_queries(12):
        page = client.get("/accountability/people/")
    assert page.status_code == 200
    assert "Ana Ohr" in page.content.decode() and "Pat Procurement" not in page.content.decode()
    export = client.get("/accountability/people/?export=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Index number,Name")
    assert "Ana Ohr" in body and "Pat Procurement" not in body


@pytest.mark.django_db
def test_csv_export_makes_formula_text_inert(web, admin_user, units):
    PersonFactory(unit=units["ohr"], name='=HYPERLINK("http://evil","x")')
    export = web(admin_user).get("/accountability/people/?export=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body


@pytest.mark.django_db
def test_xlsx_export_keeps_formula_text_as_text(web, admin_user, units):
    import io

    from openpyxl import load_workbook

    PersonFactory(unit=units["ohr"], name="=1+1")
    export = web(admin_user).get("/accountability/people/?export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.django_db
def test_person_page_of_another_unit_is_404_and_own_shows_history(web, manager, staff):
    client = web(manager)
    assert client.get(f"/accountability/people/{staff['pd'].index_number}/").status_code == 404
    page = client.get(f"/accountability/people/{staff['ohr'].index_number}/")
    assert page.status_code == 200 and "History" in page.content.decode()


@pytest.mark.django_db
def test_citing_paragraphs_is_recorded_in_the_history(units, resolution):
    from accountability.tests.factories import DecisionFactory
    from core.models import HistoryEntry
    from org.models import Paragraph

    decision = DecisionFactory(unit=units["dmspc"])
    p8, p21 = Paragraph.objects.get(number=8), Paragraph.objects.get(number=21)
    decision.paragraphs.add(p8, p21)
    decision.paragraphs.remove(p8)
    adds, removes = (
        HistoryEntry.objects.for_object(decision)
        .filter(changes__has_key="paragraphs")
        .order_by("seq")
    )
    assert adds.changes == {"paragraphs": [[], sorted([p8.pk, p21.pk])]}
    assert removes.changes == {"paragraphs": [sorted([p8.pk, p21.pk]), [p21.pk]]}
