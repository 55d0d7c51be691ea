import datetime

import pytest

from core.actions import SYSTEM
from core.models import HistoryEntry
from org.tests.factories import PersonFactory
from risk import services
from risk.models import (
    Deficiency,
    InterestDeclaration,
    ProcurementCase,
    RecoveryCase,
    Risk,
    Treatment,
)
from risk.tests.factories import (
    ControlFactory,
    ControlTestFactory,
    DeclarationFactory,
    ProcurementCaseFactory,
    RecoveryCaseFactory,
    RiskFactory,
    TreatmentFactory,
)

pytestmark = pytest.mark.django_db

RISKS = "/api/risk/risks/"
CASES = "/api/risk/procurement-cases/"


def risk_payload(**overrides):
    data = {
        "title": "Vendor collusion",
        "unit": "DMSPC",
        "owner": "manager",
        "category": "fraud",
        "likelihood": 4,
        "impact": 5,
        "residual_likelihood": 2,
        "residual_impact": 3,
        "response": "mitigate",
        "identified_on": "2025-10-01",
        "reviewed_on": "2026-01-15",
        "paragraphs": [],
    }
    data.update(overrides)
    return data


def test_manager_creates_a_risk_with_score_and_rating(api, manager, resolution):
    response = api(manager).post(RISKS, risk_payload(paragraphs=[30]), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["score"], body["rating"], body["residual_score"], body["residual_rating"]) == (
        20,
        "critical",
        6,
        "medium",
    )
    assert body["owner"] == "manager" and body["paragraphs"] == [30] and body["version"] == 1
    risk = Risk.objects.get(pk=body["id"])
    assert (
        HistoryEntry.objects.for_object(risk).filter(action="create", actor="user:manager").exists()
    )


@pytest.mark.parametrize(
    ("field", "value"), [("likelihood", 6), ("impact", 0), ("residual_impact", 9)]
)
def test_rating_outside_1_to_5_is_a_400_with_the_field(api, manager, field, value):
    response = api(manager).post(RISKS, risk_payload(**{field: value}), format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Risk.objects.exists()


def test_residual_half_given_is_a_400(api, manager):
    response = api(manager).post(RISKS, risk_payload(residual_impact=None), format="json")
    assert response.status_code == 400 and "residual_impact" in response.json()


def test_scoping_of_risks(api, units, manager, manager2, oios, gastaff, outsider):
    mine = RiskFactory(unit=units["ohr"])
    assert api(manager).get(f"{RISKS}{mine.pk}/").status_code == 200
    assert api(manager2).get(f"{RISKS}{mine.pk}/").status_code == 404
    assert api(outsider).get(f"{RISKS}{mine.pk}/").status_code == 404
    assert api(oios).get(f"{RISKS}{mine.pk}/").status_code == 200
    assert (
        api(oios).patch(f"{RISKS}{mine.pk}/", {"likelihood": 1}, format="json").status_code == 403
    )
    assert api(gastaff).post(RISKS, risk_payload(), format="json").status_code == 403
    assert api(manager2).post(RISKS, risk_payload(), format="json").status_code == 403
    assert api(None).get(RISKS).status_code in (401, 403)
    assert Risk.objects.count() == 1


def test_risk_owner_without_a_unit_role_sees_their_risk(api, units, outsider):
    owned = RiskFactory(unit=units["dos"], owner=outsider)
    RiskFactory(unit=units["dos"])
    response = api(outsider).get(RISKS)
    assert [r["id"] for r in response.json()["results"]] == [owned.pk]


def test_stale_edit_is_a_409_and_changes_nothing(api, units, manager):
    risk = RiskFactory(unit=units["dmspc"], likelihood=2)
    client = api(manager)
    assert (
        client.patch(
            f"{RISKS}{risk.pk}/", {"likelihood": 3}, format="json", HTTP_IF_MATCH='"1"'
        ).status_code
        == 200
    )
    response = client.patch(
        f"{RISKS}{risk.pk}/", {"likelihood": 5}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 409
    assert Risk.objects.get(pk=risk.pk).likelihood == 3


def test_stale_body_version_is_a_409_and_changes_nothing(api, units, manager):
    treatment = TreatmentFactory(risk=RiskFactory(unit=units["dmspc"]), title="Hire an auditor")
    url = f"/api/risk/treatments/{treatment.pk}/"
    client = api(manager)
    assert client.patch(url, {"title": "Hire two", "version": 1}, format="json").status_code == 200
    response = client.patch(url, {"title": "Hire three", "version": 1}, format="json")
    assert response.status_code == 409
    assert Treatment.objects.get(pk=treatment.pk).title == "Hire two"
    # Only the first edit is in the history: the refused one left no trace.
    assert HistoryEntry.objects.for_object(treatment).filter(action="update").count() == 1


def test_filters_by_band_and_cell(api, units, manager):
    critical = RiskFactory(unit=units["dmspc"], likelihood=5, impact=4)
    RiskFactory(unit=units["dmspc"], likelihood=1, impact=2)
    assert [r["id"] for r in api(manager).get(RISKS, {"band": "critical"}).json()["results"]] == [
        critical.pk
    ]
    assert [
        r["id"] for r in api(manager).get(RISKS, {"likelihood": 5, "impact": 4}).json()["results"]
    ] == [critical.pk]
    assert len(api(manager).get(RISKS, {"unit": "DMSPC"}).json()["results"]) == 2


def test_treatment_due_before_identification_is_a_400(api, units, manager):
    risk = RiskFactory(unit=units["dmspc"], identified_on=datetime.date(2025, 6, 1))
    response = api(manager).post(
        "/api/risk/treatments/",
        {"risk": risk.pk, "title": "x", "due_on": "2025-05-01"},
        format="json",
    )
    assert response.status_code == 400 and "due_on" in response.json()


def test_treatment_on_an_invisible_risk_is_a_400(api, units, manager):
    risk = RiskFactory(unit=units["dos"])
    response = api(manager).post(
        "/api/risk/treatments/",
        {"risk": risk.pk, "title": "x", "due_on": "2026-05-01"},
        format="json",
    )
    assert response.status_code == 400 and "risk" in response.json()


def test_controls_and_tests(api, units, manager):
    risk = RiskFactory(unit=units["dmspc"])
    response = api(manager).post(
        "/api/risk/controls/",
        {
            "title": "Two approvers",
            "unit": "DMSPC",
            "owner": "manager",
            "kind": "preventive",
            "risks": [risk.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    control_id = response.json()["id"]
    response = api(manager).post(
        "/api/risk/control-tests/",
        {"control": control_id, "tested_on": "2026-01-05", "result": "partially_effective"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["tester"] == "manager"
    assert api(manager).get(f"{RISKS}{risk.pk}/").json()["controls"] == [control_id]


@pytest.mark.parametrize("field, value", [("closed_on", "2026-01-06"), ("status", "closed")])
@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_generic_edit_of_a_deficiency_state_field_is_a_400_naming_close(
    api, units, manager, field, value, method
):
    test = ControlTestFactory(control=ControlFactory(unit=units["dmspc"]))
    deficiency = Deficiency.objects.create(
        test=test, description="No second approver", remediation="Second approver"
    )
    url = f"/api/risk/deficiencies/{deficiency.pk}/"
    body = {"test": test.pk, "description": "No second approver", field: value}
    response = getattr(api(manager), method)(url, body, format="json")
    assert response.status_code == 400
    assert f"POST /api/risk/deficiencies/{deficiency.pk}/close/" in str(response.json()[field])
    assert Deficiency.objects.get(pk=deficiency.pk).closed_on is None


def test_closing_a_deficiency_needs_remediation_and_goes_through_close(api, units, manager):
    # The API must not close a deficiency that close_deficiency() would refuse to close.
    test = ControlTestFactory(control=ControlFactory(unit=units["dmspc"]))
    deficiency = Deficiency.objects.create(test=test, description="No second approver")
    url = f"/api/risk/deficiencies/{deficiency.pk}/close/"
    response = api(manager).post(url, {"closed_on": str(test.tested_on)}, format="json")
    assert response.status_code == 400 and "remediation" in response.json()
    assert Deficiency.objects.get(pk=deficiency.pk).closed_on is None
    response = api(manager).post(
        url,
        {"closed_on": str(test.tested_on), "remediation": "Second approver", "status": "closed"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["closed_on"], body["is_open"]) == (
        "closed",
        str(test.tested_on),
        False,
    )
    entry = HistoryEntry.objects.for_object(deficiency).first()
    assert entry.actor == "user:manager" and "closed_on" in entry.changes


def test_close_with_a_stale_version_is_a_409_and_readers_get_403(api, units, manager, oios):
    test = ControlTestFactory(control=ControlFactory(unit=units["dmspc"]))
    deficiency = Deficiency.objects.create(
        test=test, description="No second approver", remediation="Second approver"
    )
    url = f"/api/risk/deficiencies/{deficiency.pk}/close/"
    assert api(oios).get(f"/api/risk/deficiencies/{deficiency.pk}/").status_code == 200
    assert api(oios).post(url, {}, format="json").status_code == 403
    stale = api(manager).post(url, {"version": deficiency.version + 5}, format="json")
    assert stale.status_code == 409
    assert Deficiency.objects.get(pk=deficiency.pk).closed_on is None


# --- Procurement ----------------------------------------------------------------------------


@pytest.fixture
def panel(units):
    return [
        PersonFactory(unit=units["pd"], index_number="80000001"),
        PersonFactory(unit=units["pd"], index_number="80000002"),
    ]


def test_case_with_vendors_and_panel_is_flagged_until_all_declare(api, manager2, panel):
    client = api(manager2)
    response = client.post(
        CASES,
        {
            "reference": "RFP-26-001",
            "unit": "DOS-PD",
            "vendors": ["Acme", "Globex"],
            "value": "125000.50",
            "panel": ["80000001", "80000002"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["flagged"] is True
        and body["vendors"] == ["Acme", "Globex"]
        and body["value"] == "125000.50"
    )
    for number in ("80000001", "80000002"):
        r = client.post(
            "/api/risk/interest-declarations/",
            {"case": body["id"], "person": number, "vendor": ""},
            format="json",
        )
        assert r.status_code == 201, r.json()
    assert client.get(f"{CASES}{body['id']}/").json()["flagged"] is False
    assert [c["id"] for c in client.get(CASES, {"flagged": "false"}).json()["results"]] == [
        body["id"]
    ]


def test_declaration_by_someone_not_on_the_panel_is_a_400(api, units, manager2, panel):
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=panel[:1])
    response = api(manager2).post(
        "/api/risk/interest-declarations/", {"case": case.pk, "person": "80000002"}, format="json"
    )
    assert response.status_code == 400 and "person" in response.json()
    assert not InterestDeclaration.objects.exists()


def test_award_while_flagged_is_a_400_until_cleared(api, units, manager2, panel):
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=panel)
    client = api(manager2)
    response = client.post(f"{CASES}{case.pk}/award/", {"awarded_to": "Acme"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    assert ProcurementCase.objects.get(pk=case.pk).status == "open"
    assert client.post(f"{CASES}{case.pk}/clear/", {"reason": ""}, format="json").status_code == 400
    response = client.post(
        f"{CASES}{case.pk}/clear/", {"reason": "Declarations on file in paper form"}, format="json"
    )
    assert response.status_code == 200 and response.json()["cleared_by"] == "manager2"
    response = client.post(
        f"{CASES}{case.pk}/award/",
        {"awarded_to": "Acme", "status": "awarded", "version": response.json()["version"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["awarded_to"]) == ("awarded", "Acme")


@pytest.mark.parametrize(
    "field, value, action",
    [
        ("status", "awarded", "award"),
        ("awarded_to", "Acme", "award"),
        ("awarded_on", "2026-03-01", "award"),
        ("clearance_reason", "Recused", "clear"),
        ("cleared_on", "2026-03-01", "clear"),
    ],
)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_generic_edit_of_award_or_clearance_is_a_400_naming_the_action(
    api, units, manager2, panel, field, value, action, method
):
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=panel)
    body = {"reference": case.reference, "unit": "DOS-PD", "value": "10.00", field: value}
    response = getattr(api(manager2), method)(f"{CASES}{case.pk}/", body, format="json")
    assert response.status_code == 400
    assert f"POST /api/risk/procurement-cases/{case.pk}/{action}/" in str(response.json()[field])
    stored = ProcurementCase.objects.get(pk=case.pk)
    assert (stored.status, stored.awarded_to, stored.clearance_reason) == ("open", "", "")


def test_status_moves_freely_short_of_award(api, units, manager2, panel):
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=panel)
    response = api(manager2).patch(f"{CASES}{case.pk}/", {"status": "evaluation"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "evaluation"


def _awarded_case(units, panel):
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=panel)
    for person in panel:
        DeclarationFactory(case=case, person=person, vendor="")
    services.award_case(case, acting_user=SYSTEM, awarded_to="Acme")
    return ProcurementCase.objects.get(pk=case.pk)


def test_an_awarded_case_is_reopened_only_through_reopen_with_a_reason(
    api, units, manager2, oios, panel
):
    case = _awarded_case(units, panel)
    client = api(manager2)
    response = client.patch(f"{CASES}{case.pk}/", {"status": "open"}, format="json")
    assert response.status_code == 400
    assert f"POST /api/risk/procurement-cases/{case.pk}/reopen/" in str(response.json()["status"])
    assert ProcurementCase.objects.get(pk=case.pk).status == "awarded"
    assert api(oios).post(f"{CASES}{case.pk}/reopen/", {"reason": "x"}).status_code == 403
    assert (
        client.post(f"{CASES}{case.pk}/reopen/", {"reason": ""}, format="json").status_code == 400
    )
    stale = client.post(
        f"{CASES}{case.pk}/reopen/", {"reason": "Bid protest", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    response = client.post(f"{CASES}{case.pk}/reopen/", {"reason": "Bid protest"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["awarded_to"]) == ("evaluation", "")
    reasons = [e.changes for e in HistoryEntry.objects.for_object(case)]
    assert {"reopened_because": [None, "Bid protest"]} in reasons
    again = client.post(f"{CASES}{case.pk}/reopen/", {"reason": "Twice"}, format="json")
    assert again.status_code == 400  # not awarded any more


def test_awarding_again_after_reopening_rechecks_the_flag(api, units, manager2, panel):
    case = _awarded_case(units, panel)
    client = api(manager2)
    client.post(f"{CASES}{case.pk}/reopen/", {"reason": "Bid protest"}, format="json")
    extra = PersonFactory(unit=units["pd"], index_number="80000009")
    client.patch(
        f"{CASES}{case.pk}/", {"panel": ["80000001", "80000002", "80000009"]}, format="json"
    )
    assert ProcurementCase.objects.flagged().filter(pk=case.pk).exists() and extra.pk
    response = client.post(f"{CASES}{case.pk}/award/", {"awarded_to": "Acme"}, format="json")
    assert response.status_code == 400 and "status" in response.json()


def test_oversight_may_not_award_a_case_it_reads(api, units, oios, panel):
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=panel)
    assert api(oios).get(f"{CASES}{case.pk}/").status_code == 200
    response = api(oios).post(f"{CASES}{case.pk}/award/", {"awarded_to": "Acme"}, format="json")
    assert response.status_code == 403


def test_changing_a_declarations_person_is_rechecked_like_a_create(api, units, manager2, panel):
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=panel)
    declaration = DeclarationFactory(case=case, person=panel[0])
    PersonFactory(unit=units["pd"], index_number="80000077")  # not on the panel
    url = f"/api/risk/interest-declarations/{declaration.pk}/"
    response = api(manager2).patch(url, {"person": "80000077"}, format="json")
    assert response.status_code == 400 and "person" in response.json()
    assert InterestDeclaration.objects.get(pk=declaration.pk).person_id == panel[0].pk


def test_a_panel_member_may_not_move_their_declaration_to_someone_else(api, units, panel):
    from django.contrib.auth import get_user_model

    member = get_user_model().objects.create_user("member1", password="x")
    panel[0].user = member
    panel[0].save()
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=panel)
    declaration = DeclarationFactory(case=case, person=panel[0])
    url = f"/api/risk/interest-declarations/{declaration.pk}/"
    response = api(member).patch(url, {"person": "80000002"}, format="json")
    # A panel member names only themselves: anyone else is not found (issue 12).
    assert response.status_code == 400 and "person" in response.json()
    assert InterestDeclaration.objects.get(pk=declaration.pk).person_id == panel[0].pk


def test_declarations_are_hidden_from_ga_staff_and_other_units(
    api, units, gastaff, manager, oios, panel
):
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=panel)
    declaration = DeclarationFactory(case=case, person=panel[0])
    url = f"/api/risk/interest-declarations/{declaration.pk}/"
    assert api(gastaff).get(url).status_code == 404
    assert api(manager).get(url).status_code == 404
    assert api(oios).get(url).status_code == 200
    assert api(gastaff).get(f"{CASES}{case.pk}/").status_code == 200


# --- Recovery -------------------------------------------------------------------------------


def test_recovery_more_than_lost_is_a_400_and_nothing_saved(api, manager):
    response = api(manager).post(
        "/api/risk/recovery-cases/",
        {
            "unit": "DMSPC",
            "finding": "fraud",
            "amount_lost": "1000.00",
            "amount_recovered": "1500.00",
            "opened_on": "2025-01-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "amount_recovered" in response.json()
    assert not RecoveryCase.objects.exists()


def test_recovery_case_and_actions(api, units, manager):
    client = api(manager)
    response = client.post(
        "/api/risk/recovery-cases/",
        {
            "unit": "DMSPC",
            "finding": "fraud",
            "amount_lost": "1000.00",
            "amount_recovered": "100.00",
            "opened_on": "2025-01-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    case_id = response.json()["id"]
    assert (
        response.json()["amount_recovered"] == "100.00" and response.json()["recovery_rate"] == 10.0
    )
    r = client.post(
        "/api/risk/recovery-actions/",
        {"case": case_id, "amount": "950.00", "taken_on": "2025-03-01"},
        format="json",
    )
    assert r.status_code == 400 and "amount" in r.json()
    r = client.post(
        "/api/risk/recovery-actions/",
        {"case": case_id, "amount": "400.00", "taken_on": "2025-03-01"},
        format="json",
    )
    assert r.status_code == 201
    assert client.get(f"/api/risk/recovery-cases/{case_id}/").json()["amount_recovered"] == "500.00"
    assert (
        client.patch(
            f"/api/risk/recovery-actions/{r.json()['id']}/", {"amount": "1"}, format="json"
        ).status_code
        == 405
    )


def test_recovery_case_links_a_decision_when_the_log_has_one(api, units, manager):
    case = RecoveryCaseFactory(unit=units["dmspc"])
    response = api(manager).patch(
        f"/api/risk/recovery-cases/{case.pk}/", {"decision": 999999}, format="json"
    )
    assert response.status_code == 400 and "decision" in response.json()


# --- Query counts ---------------------------------------------------------------------------


def _fill(units, manager, panel, n):
    for _i in range(n):
        risk = RiskFactory(unit=units["dmspc"], owner=manager)
        TreatmentFactory(risk=risk)
        control = ControlFactory(unit=units["dmspc"])
        control.risks.add(risk)
        ControlTestFactory(control=control)
        case = ProcurementCaseFactory(unit=units["ohr"], vendors=["A", "B"], panel=panel)
        DeclarationFactory(case=case, person=panel[0])
        RecoveryCaseFactory(unit=units["dmspc"])


@pytest.mark.parametrize("n", [10, 200])
def test_api_lists_use_a_fixed_number_of_queries(
    api, units, manager, panel, resolution, n, django_assert_max_num_queries
):
    _fill(units, manager, panel, n)
    client = api(manager)
    for url in (
        RISKS,
        CASES,
        "/api/risk/controls/",
        "/api/risk/control-tests/",
        "/api/risk/treatments/",
        "/api/risk/interest-declarations/",
        "/api/risk/recovery-cases/",
    ):
        with django_assert_max_num_queries(12):
            response = client.get(url, {"page_size": 500})
        assert response.status_code == 200
        assert len(response.json()["results"]) == n


def test_unit_head_certifies_through_the_api(api, units, manager, manager2):
    from risk.models import SelfAssessment

    assessment = SelfAssessment.objects.create(unit=units["dmspc"], year=2026)
    url = f"/api/risk/self-assessments/{assessment.pk}/certify/"
    assert api(manager2).post(url, {"conclusion": "effective"}, format="json").status_code == 404
    assert api(manager).post(url, {"conclusion": "nonsense"}, format="json").status_code == 400
    response = api(manager).post(
        url, {"conclusion": "effective", "statement": "All good"}, format="json"
    )
    assert response.status_code == 200 and response.json()["certified_by"] == "manager"


def test_panel_member_without_a_role_sees_the_case_and_declares(api, web, units):
    from org.tests.factories import UserWithRoleFactory

    user = UserWithRoleFactory(username="panelist")
    member = PersonFactory(unit=units["pd"], user=user, index_number="80000009")
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=[member])
    ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"])
    assert [c["id"] for c in api(user).get(CASES).json()["results"]] == [case.pk]
    response = api(user).post(
        "/api/risk/interest-declarations/", {"case": case.pk, "person": "80000009"}, format="json"
    )
    assert response.status_code == 201
    assert api(user).get(f"{CASES}{case.pk}/").json()["flagged"] is False
    assert web(user).get(f"/risk/procurement/{case.pk}/").status_code == 200


def test_oversight_reads_but_cannot_certify_or_clear(api, units, manager2, oios, panel):
    from risk.models import SelfAssessment

    assessment = SelfAssessment.objects.create(unit=units["dmspc"], year=2026)
    url = f"/api/risk/self-assessments/{assessment.pk}/certify/"
    assert api(oios).get(f"/api/risk/self-assessments/{assessment.pk}/").status_code == 200
    assert api(oios).post(url, {"conclusion": "effective"}, format="json").status_code == 403
    assert SelfAssessment.objects.get(pk=assessment.pk).certified_on is None
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=panel)
    response = api(oios).post(f"{CASES}{case.pk}/clear/", {"reason": "Looks fine"}, format="json")
    assert response.status_code == 403
    assert ProcurementCase.objects.get(pk=case.pk).cleared_by_id is None
