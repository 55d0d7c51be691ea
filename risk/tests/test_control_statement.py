"""The statement of internal control (paras 30-31): the units' certified self-assessments and the
significant deficiencies of the year, rolled up over two departments (DMSPC and DOS) and frozen
when the statement is issued. Every expected figure is counted by hand from the records below."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.templatetags.core_tags import un_date
from org.choices import RoleKind
from org.tests.factories import PersonFactory, UserWithRoleFactory
from risk import metrics, services
from risk.models import Deficiency, InternalControlStatement, SelfAssessment
from risk.statements import compute_rollup
from risk.tests.factories import ControlFactory, ControlTestFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def deficiency(unit, tested_on, severity, *, closed_on=None, due_on=None, text=""):
    test = ControlTestFactory(control=ControlFactory(unit=unit), tested_on=tested_on)
    return Deficiency.objects.create(
        test=test,
        description=text or f"{unit.code} {severity} {tested_on}",
        severity=severity,
        remediation="Retrain the approvers." if closed_on else "",
        due_on=due_on,
        status="closed" if closed_on else "open",
        closed_on=closed_on,
    )


@pytest.fixture
def pd_head(units):
    """The head of the Procurement Division (DOS-PD): a third entity expected to certify."""
    user = UserWithRoleFactory(
        username="pd-head", role_kind=RoleKind.MANAGER, role_unit=units["pd"]
    )
    PersonFactory(user=user, unit=units["pd"], grade="D-2", is_head_of_entity=True)
    return user


@pytest.fixture
def year_2025(units, manager, manager2, pd_head):
    """2025 in two departments.

    Entities expected to certify: DMSPC, DOS, DOS-PD (active heads); DMSPC-OHR's head has left
    (inactive), so it is not expected. Certified: DMSPC (with exceptions) and DOS (not
    effective); DOS-PD has a self-assessment but has not certified; DMSPC's 2024 one is another
    year.

    Deficiencies: listed are the significant ones and worse found by 31 December 2025 and not
    closed before 1 January 2025:
      d1 DMSPC-OHR significant, open, due 30 June 2025       -> listed, open at the end, overdue
      d2 DOS-PD material weakness, closed 15 November 2025   -> listed, remediated
      d3 DOS significant, closed 1 February 2026             -> listed, open at the end
      d4 DMSPC control deficiency (not significant), open     -> not listed
      d5 DMSPC significant, closed 1 December 2024            -> not listed (closed before)
      d6 DOS significant, found 10 January 2026               -> not listed (found after)
    """
    PersonFactory(unit=units["ohr"], is_head_of_entity=True, is_active=False)
    found = {
        "d1": deficiency(units["ohr"], D(2025, 3, 1), "significant", due_on=D(2025, 6, 30)),
        "d2": deficiency(
            units["pd"], D(2025, 5, 1), "material_weakness", closed_on=D(2025, 11, 15)
        ),
        "d3": deficiency(units["dos"], D(2025, 2, 1), "significant", closed_on=D(2026, 2, 1)),
        "d4": deficiency(units["dmspc"], D(2025, 4, 1), "deficiency"),
        "d5": deficiency(units["dmspc"], D(2024, 10, 1), "significant", closed_on=D(2024, 12, 1)),
        "d6": deficiency(units["dos"], D(2026, 1, 10), "significant"),
    }
    assessments = {
        code: SelfAssessment.objects.create(unit=units[code], year=2025)
        for code in ("dmspc", "dos", "pd")
    }
    old = SelfAssessment.objects.create(unit=units["dmspc"], year=2024)
    services.certify_self_assessment(old, acting_user=manager, conclusion="exceptions")
    services.certify_self_assessment(
        assessments["dmspc"], acting_user=manager, conclusion="exceptions"
    )
    services.certify_self_assessment(
        assessments["dos"], acting_user=manager2, conclusion="not_effective"
    )
    return {"deficiencies": found, "assessments": assessments}


def test_the_rollup_counts_units_and_significant_deficiencies_by_hand(year_2025):
    rollup = compute_rollup(2025)
    assert rollup["units_expected"] == 3
    assert rollup["units_certified"] == 2
    assert rollup["certification_rate"] == 66.7
    assert rollup["by_conclusion"] == {"effective": 0, "exceptions": 1, "not_effective": 1}
    assert [c["unit"] for c in rollup["certified"]] == ["DMSPC", "DOS"]
    assert rollup["not_certified"] == ["DOS-PD"]
    listed = {d["id"]: d for d in rollup["significant_deficiencies"]}
    found = year_2025["deficiencies"]
    assert set(listed) == {found["d1"].pk, found["d2"].pk, found["d3"].pk}
    assert listed[found["d1"].pk]["unit"] == "DMSPC-OHR"
    assert (listed[found["d1"].pk]["status"], listed[found["d1"].pk]["overdue"]) == ("open", True)
    assert listed[found["d2"].pk]["status"] == "closed"
    assert listed[found["d2"].pk]["closed_on"] == "2025-11-15"
    # Closed after the year's end: open as at 31 December 2025, and no closure date shown.
    assert (listed[found["d3"].pk]["status"], listed[found["d3"].pk]["closed_on"]) == ("open", None)
    assert rollup["significant_open_at_end"] == 2


def test_issuing_freezes_the_rollup_against_later_certifications_and_closures(
    year_2025, admin_user, pd_head
):
    statement = services.save_statement(
        InternalControlStatement(year=2025, text="Internal control was effective, except..."),
        acting_user=admin_user,
    )
    services.issue_statement(statement, acting_user=admin_user, issued_on=D(2026, 3, 31))
    # After the issue: DOS-PD certifies, and the overdue deficiency is closed.
    services.certify_self_assessment(
        year_2025["assessments"]["pd"], acting_user=pd_head, conclusion="exceptions"
    )
    services.close_deficiency(
        year_2025["deficiencies"]["d1"],
        acting_user=admin_user,
        closed_on=D(2025, 12, 20),
        remediation="Approvals re-performed.",
    )
    issued = InternalControlStatement.objects.get(pk=statement.pk)
    assert issued.status == "issued"
    assert issued.issued_on == D(2026, 3, 31)
    assert issued.issued_by == admin_user
    assert issued.figures()["units_certified"] == 2
    assert issued.figures()["significant_open_at_end"] == 2
    # The live roll-up moved; the issued statement did not.
    assert compute_rollup(2025)["units_certified"] == 3
    assert compute_rollup(2025)["significant_open_at_end"] == 1
    assert metrics.statement_figures(2025) == {
        "control_statement_issued": True,
        "units_expected_to_certify": 3,
        "units_certified": 2,
        "certification_rate": 66.7,
        "significant_deficiencies": 3,
        "significant_deficiencies_open_at_end": 2,
    }


def test_a_draft_reads_the_rollup_live_and_the_report_says_so(year_2025, admin_user):
    # No statement yet: the roll-up as it stands.
    assert metrics.statement_figures(2025)["units_certified"] == 2
    services.save_statement(InternalControlStatement(year=2025), acting_user=admin_user)
    figures = metrics.statement_figures(2025)
    assert figures["control_statement_issued"] is False
    assert figures["units_certified"] == 2
    assert figures["significant_deficiencies"] == 3


def test_refusals_of_the_issue_action(year_2025, admin_user, manager):
    statement = services.save_statement(InternalControlStatement(year=2025), acting_user=admin_user)
    with pytest.raises(ValidationError) as no_text:
        services.issue_statement(statement, acting_user=admin_user)
    assert "text" in no_text.value.message_dict
    with pytest.raises(ValidationError) as too_early:
        services.issue_statement(
            statement, acting_user=admin_user, issued_on=D(2025, 12, 31), text="Text."
        )
    assert "issued_on" in too_early.value.message_dict
    with pytest.raises(PermissionDenied):
        services.issue_statement(statement, acting_user=manager, text="Text.")
    assert InternalControlStatement.objects.get(pk=statement.pk).status == "draft"
    services.issue_statement(statement, acting_user=admin_user, text="Text.")
    statement.refresh_from_db()
    with pytest.raises(ValidationError):
        services.issue_statement(statement, acting_user=admin_user, text="Again.")
    statement.refresh_from_db()
    statement.text = "Rewritten after the issue."
    with pytest.raises(ValidationError):
        services.save_statement(statement, acting_user=admin_user)
    assert InternalControlStatement.objects.get(pk=statement.pk).text == "Text."


def test_api_issue_and_edit(year_2025, api, admin_user, manager, gastaff):
    created = api(admin_user).post(
        "/api/risk/control-statements/", {"year": 2025, "text": "Draft."}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["rollup"]["units_certified"] == 2
    url = f"/api/risk/control-statements/{created.json()['id']}/"
    assert api(manager).post(f"{url}issue/", {}, format="json").status_code == 403
    sneaky = api(admin_user).patch(url, {"status": "issued"}, format="json")
    assert sneaky.status_code == 400 and "issue/" in str(sneaky.json()["status"])
    issued = api(admin_user).post(f"{url}issue/", {"issued_on": "2026-02-15"}, format="json")
    assert issued.status_code == 200, issued.json()
    assert issued.json()["status"] == "issued"
    assert issued.json()["rollup"]["not_certified"] == ["DOS-PD"]
    edit = api(admin_user).patch(url, {"text": "Changed."}, format="json")
    assert edit.status_code == 400
    read = api(gastaff).get(url).json()
    assert read["rollup"]["units_certified"] == 2
    assert read["issued_by"] in (None, "")  # a person: not GA staff's to read
    duplicate = api(admin_user).post("/api/risk/control-statements/", {"year": 2025}, format="json")
    assert duplicate.status_code == 400


def test_the_page_reads_as_a_statement(year_2025, web, admin_user, gastaff):
    statement = services.save_statement(
        InternalControlStatement(year=2025, text="The Secretary-General states that..."),
        acting_user=admin_user,
    )
    services.issue_statement(statement, acting_user=admin_user, issued_on=D(2026, 3, 31))
    page = web(gastaff).get(f"/risk/control-statements/{statement.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "The Secretary-General states that..." in html
    assert "2 of 3 entities certified" in html
    assert "Effective, with exceptions" in html and "Internal control is not effective" in html
    assert "Not certified: DOS-PD" in html
    assert "Material weakness" in html
    assert f"Remediated on {un_date(D(2025, 11, 15))}" in html and "15 November 2025" in html
    assert "Open, remediation overdue" in html
    # Who issued it is a person: GA staff read the date only.
    assert f"Issued on {un_date(D(2026, 3, 31))}. The" in html
    # Only an administrator is offered the draft's actions.
    assert "/issue/" not in html


def test_nobody_without_a_role_reads_a_statement(year_2025, admin_user, api, outsider):
    statement = services.save_statement(InternalControlStatement(year=2025), acting_user=admin_user)
    assert api(outsider).get(f"/api/risk/control-statements/{statement.pk}/").status_code == 404


def test_write_and_issue_through_the_pages(year_2025, web, admin_user, manager):
    assert web(manager).get("/risk/control-statements/new/").status_code == 403
    created = web(admin_user).post(
        "/risk/control-statements/new/", {"year": "2025", "text": "Draft text."}
    )
    assert created.status_code == 302
    statement = InternalControlStatement.objects.get(year=2025)
    issue_url = f"/risk/control-statements/{statement.pk}/issue/"
    assert web(manager).get(issue_url).status_code == 403
    early = web(admin_user).post(issue_url, {"issued_on": "2025-12-31"})
    assert early.status_code == 200
    assert "after the end of the year it covers" in early.content.decode()
    assert InternalControlStatement.objects.get(pk=statement.pk).status == "draft"
    done = web(admin_user).post(issue_url, {"issued_on": "2026-01-31", "text": "Final text."})
    assert done.status_code == 302
    issued = InternalControlStatement.objects.get(pk=statement.pk)
    assert (issued.status, issued.text, issued.rollup["units_certified"]) == (
        "issued",
        "Final text.",
        2,
    )
    edit = web(admin_user).post(
        f"/risk/control-statements/{statement.pk}/edit/",
        {"year": "2025", "text": "Rewritten.", "version": issued.version},
    )
    assert edit.status_code == 200 and "cannot be changed" in edit.content.decode()
    listing = web(manager).get("/risk/control-statements/").content.decode()
    assert f"/risk/control-statements/{statement.pk}/" in listing
