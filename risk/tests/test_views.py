import datetime

import pytest
from django.urls import reverse

from org.tests.factories import PersonFactory
from risk.models import ControlTest, InterestDeclaration, ProcurementCase, Risk, Treatment
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


def test_manager_rates_a_risk_in_the_browser_and_finds_it_on_the_heat_map(web, units, manager):
    client = web(manager)
    response = client.post(
        reverse("risk:risk_create"),
        {
            "unit": units["ohr"].pk,
            "title": "Recruitment bypassed",
            "category": "compliance",
            "owner": manager.pk,
            "likelihood": 4,
            "impact": 3,
            "response": "mitigate",
            "identified_on": "2026-01-10",
        },
    )
    risk = Risk.objects.get(title="Recruitment bypassed")
    assert response.status_code == 302 and response["Location"] == risk.get_absolute_url()
    assert risk.score == 12 and risk.assessments.count() == 1
    page = client.get(reverse("risk:heat_map"), {"unit": "DMSPC"}).content.decode()
    assert 'data-cell="4-3"' in page and "likelihood=4&amp;impact=3" in page
    listing = client.get(
        reverse("risk:risk_list"), {"within": units["dmspc"].pk, "likelihood": 4, "impact": 3}
    )
    assert "Recruitment bypassed" in listing.content.decode()


def test_bad_rating_in_the_form_shows_the_field_error_and_saves_nothing(web, units, manager):
    response = web(manager).post(
        reverse("risk:risk_create"),
        {
            "unit": units["dmspc"].pk,
            "title": "x",
            "category": "fraud",
            "likelihood": 7,
            "impact": 3,
            "response": "mitigate",
            "identified_on": "2026-01-10",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["likelihood"]
    assert not Risk.objects.exists()


def test_treatment_due_before_identification_is_a_form_error(web, units, manager):
    risk = RiskFactory(unit=units["dmspc"], identified_on=datetime.date(2026, 1, 1))
    response = web(manager).post(
        reverse("risk:treatment_create", args=[risk.pk]),
        {
            "title": "Fix",
            "due_on": "2025-12-01",
            "status": "planned",
        },
    )
    assert response.status_code == 200 and "due_on" in response.context["form"].errors
    assert not Treatment.objects.exists()


def test_stale_edit_in_the_browser_is_a_form_error(web, units, manager):
    risk = RiskFactory(unit=units["dmspc"], likelihood=2, impact=2)
    data = {
        "unit": units["dmspc"].pk,
        "title": risk.title,
        "category": "fraud",
        "likelihood": 3,
        "impact": 3,
        "response": "mitigate",
        "identified_on": "2025-01-10",
        "reviewed_on": "2026-01-01",
        "version": 1,
    }
    assert web(manager).post(reverse("risk:risk_update", args=[risk.pk]), data).status_code == 302
    response = web(manager).post(
        reverse("risk:risk_update", args=[risk.pk]), {**data, "likelihood": 5}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Risk.objects.get(pk=risk.pk).likelihood == 3


def test_page_permissions(web, units, manager, manager2, oios, gastaff, outsider):
    risk = RiskFactory(unit=units["dmspc"])
    detail, edit = (
        reverse("risk:risk_detail", args=[risk.pk]),
        reverse("risk:risk_update", args=[risk.pk]),
    )
    assert web(manager).get(edit).status_code == 200
    assert web(manager2).get(detail).status_code == 404
    assert web(manager2).get(edit).status_code == 404
    assert web(oios).get(detail).status_code == 200
    assert web(oios).get(edit).status_code == 403
    assert web(gastaff).get(reverse("risk:risk_create")).status_code == 403
    assert web(outsider).get(detail).status_code == 404
    assert web(None).get(reverse("risk:index")).status_code == 302


def test_every_page_renders(web, units, manager, resolution):
    risk = RiskFactory(unit=units["dmspc"], residual_likelihood=1, residual_impact=2)
    TreatmentFactory(risk=risk)
    test = ControlTestFactory(control=ControlFactory(unit=units["dmspc"]))
    case = ProcurementCaseFactory(
        unit=units["ohr"], vendors=["Acme"], panel=[PersonFactory(unit=units["ohr"])]
    )
    recovery = RecoveryCaseFactory(unit=units["dmspc"])
    client = web(manager)
    from risk.models import SelfAssessment

    assessment = SelfAssessment.objects.create(unit=units["dmspc"], year=2026)
    names = [
        ("index", []),
        ("heat_map", []),
        ("risk_list", []),
        ("risk_create", []),
        ("risk_detail", [risk.pk]),
        ("risk_update", [risk.pk]),
        ("treatment_list", []),
        ("treatment_create", [risk.pk]),
        ("control_list", []),
        ("control_create", []),
        ("control_detail", [test.control_id]),
        ("control_test_list", []),
        ("control_test_detail", [test.pk]),
        ("control_test_create", [test.control_id]),
        ("deficiency_create", [test.pk]),
        ("self_assessment_list", []),
        ("self_assessment_create", []),
        ("self_assessment_detail", [assessment.pk]),
        ("self_assessment_certify", [assessment.pk]),
        ("case_list", []),
        ("flagged_cases", []),
        ("case_create", []),
        ("case_detail", [case.pk]),
        ("case_update", [case.pk]),
        ("declaration_create", [case.pk]),
        ("case_clear", [case.pk]),
        ("case_award", [case.pk]),
        ("recovery_list", []),
        ("recovery_create", []),
        ("recovery_detail", [recovery.pk]),
        ("recovery_update", [recovery.pk]),
        ("recovery_action_create", [recovery.pk]),
    ]
    for name, args in names:
        response = client.get(reverse(f"risk:{name}", args=args))
        assert response.status_code == 200, name
        assert b'style="' not in response.content, name
    for name in ("risk_list", "case_list", "recovery_list", "control_list"):
        response = client.get(reverse(f"risk:{name}"), {"export": "csv"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_procurement_in_the_browser_flag_clear_award(web, units, manager2):
    member = PersonFactory(unit=units["pd"], index_number="81000001")
    client = web(manager2)
    response = client.post(
        reverse("risk:case_create"),
        {
            "reference": "RFP-B-1",
            "unit": units["pd"].pk,
            "value": "5000",
            "opened_on": "2026-02-01",
            "status": "open",
            "vendor_names": "Acme\nGlobex",
            "panel_members": "81000001",
        },
    )
    case = ProcurementCase.objects.get(reference="RFP-B-1")
    assert response.status_code == 302 and case.flagged
    assert "RFP-B-1" in client.get(reverse("risk:flagged_cases")).content.decode()
    response = client.post(
        reverse("risk:case_award", args=[case.pk]),
        {"awarded_to": "Acme", "awarded_on": "2026-03-01"},
    )
    assert response.status_code == 200 and "status" not in response.context["form"].fields
    assert response.context["form"].non_field_errors()
    response = client.post(
        reverse("risk:declaration_create", args=[case.pk]),
        {
            "person": member.pk,
            "vendor": "Globex",
            "interest": "Spouse works there",
            "declared_on": "2026-02-02",
        },
    )
    assert response.status_code == 302 and InterestDeclaration.objects.count() == 1
    assert (
        client.post(
            reverse("risk:case_clear", args=[case.pk]), {"clearance_reason": "Member recused"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("risk:case_award", args=[case.pk]),
            {"awarded_to": "Acme", "awarded_on": "2026-03-01"},
        ).status_code
        == 302
    )
    assert ProcurementCase.objects.get(pk=case.pk).status == "awarded"


def test_case_form_refuses_unknown_index_numbers(web, units, manager2):
    response = web(manager2).post(
        reverse("risk:case_create"),
        {
            "reference": "RFP-B-2",
            "unit": units["pd"].pk,
            "value": "5000",
            "opened_on": "2026-02-01",
            "status": "open",
            "vendor_names": "Acme",
            "panel_members": "99999999",
        },
    )
    assert response.status_code == 200 and "panel_members" in response.context["form"].errors
    assert not ProcurementCase.objects.exists()


def test_control_test_recorded_in_the_browser(web, units, manager):
    control = ControlFactory(unit=units["dmspc"])
    response = web(manager).post(
        reverse("risk:control_test_create", args=[control.pk]),
        {
            "tested_on": "2026-01-05",
            "tester": manager.pk,
            "result": "ineffective",
            "notes": "Approvals skipped",
        },
    )
    assert response.status_code == 302 and ControlTest.objects.get().result == "ineffective"


def test_dashboard_shows_the_owner_their_risks_and_overdue_treatments(web, units, manager):
    risk = RiskFactory(unit=units["dmspc"], owner=manager, identified_on=datetime.date(2024, 1, 1))
    TreatmentFactory(risk=risk, due_on=datetime.date(2024, 6, 1))
    page = web(manager).get("/").content.decode()
    assert "Risks I own" in page and "My overdue treatment actions" in page


def _many(units, manager, n):
    member = PersonFactory(unit=units["ohr"])
    for _ in range(n):
        risk = RiskFactory(unit=units["dmspc"], owner=manager)
        TreatmentFactory(risk=risk)
        ControlTestFactory(control=ControlFactory(unit=units["dmspc"]))
        case = ProcurementCaseFactory(unit=units["ohr"], vendors=["A"], panel=[member])
        DeclarationFactory(case=case, person=member)
        RecoveryCaseFactory(unit=units["dmspc"])


@pytest.mark.parametrize("n", [10, 200])
def test_pages_use_a_fixed_number_of_queries(web, units, manager, n, django_assert_max_num_queries):
    _many(units, manager, n)
    client = web(manager)
    for name in (
        "index",
        "heat_map",
        "risk_list",
        "treatment_list",
        "control_list",
        "control_test_list",
        "case_list",
        "flagged_cases",
        "recovery_list",
        "self_assessment_list",
    ):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(f"risk:{name}")).status_code == 200
    with django_assert_max_num_queries(30):  # the dashboard holds every app's cards; ours take 6
        assert client.get("/").status_code == 200


def test_pages_in_chinese(web, units, manager):
    risk = RiskFactory(unit=units["dmspc"], likelihood=5, impact=5)
    client = web(manager)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("risk:risk_detail", args=[risk.pk])).content.decode()
    assert "风险登记册" in page and "极高" in page and "固有风险评级" in page


def test_resolution_page_shows_what_the_risk_area_holds(web, units, manager, resolution):
    RiskFactory(unit=units["dmspc"])
    RecoveryCaseFactory(unit=units["dmspc"], finding="fraud")
    page = web(manager).get("/resolution/").content.decode()
    assert "Risks in registers" in page and "Recovery cases for fraud" in page


def test_heat_map_lists_registers_by_unit_and_ga_staff_see_no_panel_names(
    web, units, manager, gastaff
):
    RiskFactory(
        unit=units["dmspc"],
        reviewed_on=datetime.date(2020, 1, 1),
        identified_on=datetime.date(2019, 1, 1),
    )
    RiskFactory(unit=units["dos"])
    page = web(gastaff).get(reverse("risk:heat_map")).content.decode()
    assert "?unit=DMSPC" in page and "?unit=DOS" in page and "Register current" in page
    member = PersonFactory(unit=units["pd"], name="Secret Panelist")
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["A"], panel=[member])
    assert (
        "Secret Panelist"
        not in web(gastaff).get(reverse("risk:case_detail", args=[case.pk])).content.decode()
    )


def test_records_under_a_parent_need_the_right_to_change_the_parent(
    web, units, manager, manager2, gastaff
):
    from risk.models import Deficiency, RecoveryAction

    risk = RiskFactory(unit=units["dmspc"])
    test = ControlTestFactory(control=ControlFactory(unit=units["dmspc"]))
    recovery = RecoveryCaseFactory(unit=units["dmspc"])
    pages = [
        ("treatment_create", risk.pk),
        ("control_test_create", test.control_id),
        ("deficiency_create", test.pk),
        ("recovery_action_create", recovery.pk),
    ]
    before = (
        Treatment.objects.count(),
        ControlTest.objects.count(),
        Deficiency.objects.count(),
        RecoveryAction.objects.count(),
    )
    for name, pk in pages:
        url = reverse(f"risk:{name}", args=[pk])
        assert web(manager).get(url).status_code == 200, name
        assert web(manager2).get(url).status_code == 404, name  # another unit's parent: unseen
        assert web(manager2).post(url, {}).status_code == 404, name
        assert web(gastaff).get(url).status_code == 403, name  # seen, not changeable
        assert web(gastaff).post(url, {}).status_code == 403, name
    after = (
        Treatment.objects.count(),
        ControlTest.objects.count(),
        Deficiency.objects.count(),
        RecoveryAction.objects.count(),
    )
    assert after == before
