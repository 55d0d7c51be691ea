"""Issue 12, items 1-2: refusals name no one the caller may not read; a manager names only the
people of their units; the history hides what the object API hides; the people directory by role.
Every test here failed on the code before issue 12."""

import datetime

import pytest

from core.models import HistoryEntry
from org.choices import RoleKind
from org.models import Person
from org.tests.factories import PersonFactory, UserWithRoleFactory
from performance.models import Appraisal, Compact
from risk.tests.factories import ProcurementCaseFactory


@pytest.fixture
def staff(units, manager, manager2):
    return {
        "dmspc": PersonFactory(
            index_number="51000001", name="Dora Dmspc", unit=units["ohr"], grade="P-4"
        ),
        "dos": PersonFactory(
            index_number="52000002",
            name="Oskar Secretdos",
            unit=units["pd"],
            grade="P-2",
            email="oskar@un.example",
        ),
    }


def _flat(response) -> str:
    return response.content.decode()


# --- 1. refusals and writes across the unit line ----------------------------------------------


def test_appraisal_for_another_units_staff_member_is_not_found_and_nameless(api, manager, staff):
    response = api(manager).post(
        "/api/performance/appraisals/",
        {"staff": staff["dos"].index_number, "cycle": 2025, "unit": "DMSPC"},
        format="json",
    )
    assert response.status_code == 400
    assert "staff" in response.json()
    assert "Oskar" not in _flat(response)
    assert not Appraisal.objects.exists()


def test_duplicate_appraisal_names_the_staff_member_only_to_whoever_reads_them(
    api, admin_user, manager2, staff
):
    Appraisal.objects.create(staff=staff["dos"], unit=staff["dos"].unit, cycle=2025)
    mine = api(manager2).post(
        "/api/performance/appraisals/",
        {"staff": staff["dos"].index_number, "cycle": 2025},
        format="json",
    )
    assert mine.status_code == 400
    assert "Oskar Secretdos already has an appraisal" in _flat(mine)
    assert Appraisal.objects.count() == 1


def test_a_manager_cannot_file_another_units_staff_under_their_own_unit(manager, staff):
    from django.core.exceptions import ValidationError

    from performance.services import save_appraisal

    with pytest.raises(ValidationError) as refused:
        save_appraisal(
            Appraisal(staff=staff["dos"], unit=staff["dmspc"].unit.parent, cycle=2025),
            acting_user=manager,
        )
    assert "Oskar" not in str(refused.value)
    assert not Appraisal.objects.exists()


def test_a_compact_for_another_units_person_leaks_no_name_or_grade(api, manager, staff):
    response = api(manager).post(
        "/api/performance/compacts/",
        {"senior_manager": staff["dos"].index_number, "year": 2025, "paragraphs": []},
        format="json",
    )
    assert response.status_code == 400
    assert "Oskar" not in _flat(response) and "P-2" not in _flat(response)
    assert not Compact.objects.exists()


def test_a_panel_names_only_people_the_caller_manages(api, manager, staff, units):
    response = api(manager).post(
        "/api/risk/procurement-cases/",
        {
            "reference": "RFP-1",
            "title": "Trucks",
            "unit": "DMSPC",
            "value": "1000.00",
            "opened_on": "2025-03-01",
            "panel": [staff["dmspc"].index_number, staff["dos"].index_number],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "panel" in response.json() and "Oskar" not in _flat(response)


def test_a_manager_cannot_change_an_account_holders_email(api, manager, admin_user, units):
    # The administrator's own staff record sits in the manager's department.
    admin_person = PersonFactory(
        index_number="50000000",
        name="Ada Admin",
        unit=units["dmspc"],
        user=admin_user,
        email="ada@un.example",
    )
    response = api(manager).patch(
        f"/api/people/{admin_person.index_number}/", {"email": "evil@x.example"}, format="json"
    )
    assert response.status_code == 403
    assert Person.objects.get(pk=admin_person.pk).email == "ada@un.example"
    # Nor can an account be attached to a person the manager may change.
    UserWithRoleFactory(username="clerk", role_kind=RoleKind.ADMINISTRATOR)
    plain = PersonFactory(index_number="50000001", unit=units["dmspc"])
    response = api(manager).patch(
        f"/api/people/{plain.index_number}/", {"username": "clerk"}, format="json"
    )
    assert response.status_code == 403
    assert Person.objects.get(pk=plain.pk).user_id is None


# --- 2. history through the object's rules; the people directory ----------------------------


def test_ga_staff_see_no_panel_in_a_cases_history(api, gastaff, admin_user, staff, units):
    case = ProcurementCaseFactory(unit=units["dmspc"], panel=[staff["dmspc"]])
    url = f"/api/history/?object=risk.procurementcase:{case.pk}"
    seen = api(gastaff).get(url)
    assert seen.status_code == 200
    panel_changes = [
        e["changes"]["panel"] for e in seen.json()["results"] if "panel" in e["changes"]
    ]
    assert panel_changes and all(value is None for value in panel_changes)
    assert api(gastaff).get(f"/api/risk/procurement-cases/{case.pk}/").json()["panel"] == []
    # The administrator reads the same history with the panel's members.
    full = api(admin_user).get(url).json()["results"]
    assert any(e["changes"].get("panel") for e in full)
    assert HistoryEntry.objects.filter(object_id=str(case.pk)).exists()


def test_the_people_directory_by_role(api, gastaff, oios, manager, admin_user, staff):
    ga = api(gastaff).get("/api/people/")
    assert ga.status_code == 200 and ga.json()["results"] == []
    assert api(gastaff).get(f"/api/people/{staff['dos'].index_number}/").status_code == 404
    seen = {
        p["index_number"]: p for p in api(oios).get("/api/people/?page_size=100").json()["results"]
    }
    oskar = seen[staff["dos"].index_number]
    assert oskar["name"] == "Oskar Secretdos" and oskar["unit"] == "DOS-PD"
    assert oskar["email"] == "" and oskar["grade"] == ""
    mine = {p["index_number"] for p in api(manager).get("/api/people/").json()["results"]}
    assert staff["dmspc"].index_number in mine and staff["dos"].index_number not in mine
    full = api(admin_user).get(f"/api/people/{staff['dos'].index_number}/").json()
    assert full["email"] == "oskar@un.example" and full["grade"] == "P-2"


def test_person_history_hides_email_and_grade_from_oversight(api, oios, admin_user, staff):
    from org.services import save_person

    person = Person.objects.get(pk=staff["dos"].pk)
    person.email = "new@un.example"
    save_person(person, acting_user=admin_user)
    url = f"/api/history/?object=org.person:{person.pk}"
    entries = api(oios).get(url).json()["results"]
    assert (
        entries and "new@un.example" not in str(entries) and "oskar@un.example" not in str(entries)
    )
    assert "new@un.example" in str(api(admin_user).get(url).json()["results"])
    assert datetime.date.today()


def test_the_appraisal_import_names_only_the_callers_staff(api, manager, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (
        f"staff,cycle,due_on,completed_on,rating,unit\n{staff['dos'].index_number},2024,,,,DMSPC\n"
    )
    upload = SimpleUploadedFile("a.csv", text.encode(), content_type="text/csv")
    response = api(manager).post(
        "/api/performance/appraisals/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(2, "staff")]
    assert "Oskar" not in response.content.decode()
    assert not Appraisal.objects.exists()


def test_ga_staff_see_no_panel_in_the_history_tab_of_a_case_page(
    web, gastaff, admin_user, staff, units
):
    case = ProcurementCaseFactory(unit=units["dmspc"], panel=[staff["dmspc"]])
    member = str(staff["dmspc"].pk)
    page = web(gastaff).get(f"/risk/procurement/{case.pk}/")
    assert page.status_code == 200
    history = page.content.decode().split('id="history-heading"', 1)[1]
    assert ">panel<" in history or "panel" in history  # the change is shown, not its values
    assert f"[{member}]" not in history
    assert staff["dmspc"].name not in history
    full = web(admin_user).get(f"/risk/procurement/{case.pk}/").content.decode()
    # The administrator reads the panel, by the members' names (org.history_display).
    assert staff["dmspc"].name in full.split('id="history-heading"', 1)[1]


def test_a_list_offers_add_only_to_who_may_add(web, gastaff, manager2, units):
    url = "/risk/procurement/"
    add = 'href="/risk/procurement/new/"'
    assert add not in web(gastaff).get(url).content.decode()
    assert add in web(manager2).get(url).content.decode()


def test_ga_staff_never_read_who_cleared_a_case(web, api, gastaff, manager, admin_user, units):
    # A cleared case in each department: whoever cleared it is a person, personal data.
    cleared = [
        ProcurementCaseFactory(
            unit=units[side],
            cleared_by=admin_user,
            cleared_on=datetime.date(2026, 3, 2),
            clearance_reason="Declared interest is in another lot.",
            # A panel member who has not declared: the case is flagged, so cleared for award.
            panel=[PersonFactory(unit=units[side])],
        )
        for side in ("dmspc", "dos")
    ]
    page = web(gastaff).get("/risk/procurement/").content.decode()
    export = web(gastaff).get("/risk/procurement/?export=csv")
    exported = b"".join(export.streaming_content).decode()
    assert "Ref" in exported  # the export has its other columns
    for text in (page, exported):
        assert "Cleared by" not in text and admin_user.username not in text
    detail = web(gastaff).get(f"/risk/procurement/{cleared[0].pk}/").content.decode()
    assert "Cleared for award on" in detail and admin_user.username not in detail
    assert api(gastaff).get(f"/api/risk/procurement-cases/{cleared[1].pk}/").json()[
        "cleared_by"
    ] in ("", None)
    # The manager of the unit still reads who cleared it, in the list and on the page.
    assert "Cleared by" in web(manager).get("/risk/procurement/").content.decode()
    assert (
        admin_user.username
        in web(manager).get(f"/risk/procurement/{cleared[0].pk}/").content.decode()
    )
