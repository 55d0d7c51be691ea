import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import HistoryEntry
from org.tests.factories import PersonFactory
from risk import services
from risk.choices import CaseStatus, Conclusion
from risk.models import (
    ControlTest,
    Deficiency,
    InterestDeclaration,
    ProcurementCase,
    RecoveryAction,
    RecoveryCase,
    Risk,
    SelfAssessment,
    Treatment,
)
from risk.tests.factories import (
    ControlFactory,
    ControlTestFactory,
    DeclarationFactory,
    ProcurementCaseFactory,
    RecoveryCaseFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db


def flagged(case) -> bool:
    return ProcurementCase.objects.flagged().filter(pk=case.pk).exists()


# --- Risk register ------------------------------------------------------------------------


def test_rerating_a_risk_records_a_review_and_a_point_of_its_trend(units, manager):
    risk = services.save_risk(
        Risk(unit=units["dmspc"], title="Payroll fraud", category="fraud", likelihood=2, impact=4),
        acting_user=manager,
    )
    assert risk.reviewed_on == datetime.date.today()
    risk = Risk.objects.get(pk=risk.pk)
    risk.reviewed_on = datetime.date(2020, 1, 1)  # an edit that keeps the old review date
    Risk.objects.filter(pk=risk.pk).update(reviewed_on=datetime.date(2025, 1, 1))
    risk = Risk.objects.get(pk=risk.pk)
    risk.likelihood = 5
    services.save_risk(risk, acting_user=manager)
    risk.refresh_from_db()
    assert (risk.score, risk.reviewed_on) == (20, datetime.date.today())
    assert list(risk.assessments.values_list("score", flat=True)) == [8, 20]
    entry = HistoryEntry.objects.for_object(risk).first()
    assert entry.changes["likelihood"] == [2, 5] and entry.actor == "user:manager"


def test_saving_without_rerating_adds_no_trend_point(units, manager):
    risk = services.save_risk(
        Risk(unit=units["dmspc"], title="R", category="fraud", likelihood=2, impact=2),
        acting_user=manager,
    )
    risk = Risk.objects.get(pk=risk.pk)
    risk.title = "Renamed"
    services.save_risk(risk, acting_user=manager)
    assert risk.assessments.count() == 1


def test_manager_cannot_keep_a_risk_of_another_unit(units, manager):
    with pytest.raises(PermissionDenied):
        services.save_risk(
            Risk(unit=units["dos"], title="R", category="fraud", likelihood=2, impact=2),
            acting_user=manager,
        )
    assert not Risk.objects.exists()


def test_treatment_cannot_be_due_before_its_risk_was_identified(units, manager):
    risk = RiskFactory(unit=units["dmspc"], identified_on=datetime.date(2025, 5, 1))
    with pytest.raises(ValidationError) as exc:
        services.save_treatment(
            Treatment(risk=risk, title="Too early", due_on=datetime.date(2025, 4, 30)),
            acting_user=manager,
        )
    assert "due_on" in exc.value.message_dict
    assert not Treatment.objects.exists()


def test_treatment_overdue_and_done(units, manager):
    risk = RiskFactory(unit=units["dmspc"], identified_on=datetime.date(2024, 1, 1))
    late = services.save_treatment(
        Treatment(risk=risk, title="Late", due_on=datetime.date(2024, 6, 1)), acting_user=manager
    )
    assert late.is_overdue and list(Treatment.objects.overdue()) == [late]
    late.status = "done"
    services.save_treatment(late, acting_user=manager)
    assert late.completed_on == datetime.date.today() and not Treatment.objects.overdue().exists()


def test_control_cannot_link_risks_of_units_not_managed(units, manager):
    theirs = RiskFactory(unit=units["dos"])
    control = ControlFactory.build(unit=units["dmspc"])
    with pytest.raises(ValidationError) as exc:
        services.save_control(control, acting_user=manager, risks=[theirs])
    assert "risks" in exc.value.message_dict


# --- Internal control ---------------------------------------------------------------------


def test_test_tester_defaults_to_the_acting_user(units, manager):
    control = ControlFactory(unit=units["dmspc"])
    test = services.record_control_test(
        ControlTest(control=control, tested_on=datetime.date(2025, 1, 5), result="ineffective"),
        acting_user=manager,
    )
    assert test.tester == manager


def test_deficiency_closes_only_with_remediation(units, manager):
    test = ControlTestFactory(control=ControlFactory(unit=units["dmspc"]))
    deficiency = services.save_deficiency(
        Deficiency(test=test, description="No segregation of duties"), acting_user=manager
    )
    with pytest.raises(ValidationError):
        services.close_deficiency(deficiency, acting_user=manager)
    deficiency.remediation = "Second approver added"
    services.close_deficiency(deficiency, acting_user=manager)
    assert Deficiency.objects.get(pk=deficiency.pk).closed_on == datetime.date.today()


def test_only_the_unit_head_certifies_and_not_effective_with_open_deficiencies(
    units, manager, admin_user
):
    assessment = services.save_self_assessment(
        SelfAssessment(unit=units["dmspc"], year=2025), acting_user=manager
    )
    test = ControlTestFactory(control=ControlFactory(unit=units["dmspc"]), result="ineffective")
    Deficiency.objects.create(test=test, description="Open gap")
    with pytest.raises(PermissionDenied):
        services.certify_self_assessment(
            assessment, acting_user=admin_user, conclusion=Conclusion.EXCEPTIONS
        )
    with pytest.raises(ValidationError) as exc:
        services.certify_self_assessment(
            assessment, acting_user=manager, conclusion=Conclusion.EFFECTIVE
        )
    assert "conclusion" in exc.value.message_dict
    services.certify_self_assessment(
        assessment, acting_user=manager, conclusion=Conclusion.EXCEPTIONS, statement="Signed"
    )
    assessment.refresh_from_db()
    assert assessment.certified_by == manager and assessment.conclusion == Conclusion.EXCEPTIONS
    with pytest.raises(ValidationError):
        services.save_self_assessment(assessment, acting_user=manager)


# --- The flag rule ------------------------------------------------------------------------


@pytest.fixture
def panel(units):
    return [
        PersonFactory(unit=units["pd"], name="Ana Panel"),
        PersonFactory(unit=units["pd"], name="Ben Panel"),
    ]


@pytest.fixture
def case(units, panel):
    return ProcurementCaseFactory(unit=units["pd"], vendors=["Acme Ltd", "Globex"], panel=panel)


def test_flagged_when_a_panel_member_has_not_declared(case, panel):
    DeclarationFactory(case=case, person=panel[0])
    assert flagged(case) and case.flag_reasons()["undeclared"] == [panel[1]]


def test_not_flagged_when_all_declared_no_interest(case, panel):
    for person in panel:
        DeclarationFactory(case=case, person=person)
    assert not flagged(case)
    assert ProcurementCase.objects.with_flag().get(pk=case.pk).flagged is False


def test_flagged_when_a_member_declares_an_interest_in_a_vendor(case, panel):
    DeclarationFactory(case=case, person=panel[0])
    DeclarationFactory(
        case=case, person=panel[1], vendor="Globex", interest="Brother is a director"
    )
    assert flagged(case) and [d.person for d in case.flag_reasons()["conflicts"]] == [panel[1]]


def test_case_without_panel_is_not_flagged(units):
    assert not flagged(ProcurementCaseFactory(unit=units["pd"], vendors=["Acme Ltd"]))


def test_panel_changed_after_declarations(case, panel, units, manager2):
    for person in panel:
        DeclarationFactory(case=case, person=person)
    newcomer = PersonFactory(unit=units["pd"])
    services.save_procurement_case(case, acting_user=manager2, panel=[*panel, newcomer])
    assert flagged(case)  # the newcomer has not declared
    DeclarationFactory(case=case, person=newcomer, vendor="Acme Ltd", interest="Former employee")
    assert flagged(case)
    services.save_procurement_case(case, acting_user=manager2, panel=panel)
    assert not flagged(
        case
    )  # the conflicted member left the panel: their interest no longer counts


def test_interest_in_a_vendor_removed_from_the_case_no_longer_flags(case, panel, manager2):
    DeclarationFactory(case=case, person=panel[0])
    DeclarationFactory(case=case, person=panel[1], vendor="Globex", interest="Shares")
    services.save_procurement_case(case, acting_user=manager2, vendors=["Acme Ltd"])
    assert not flagged(case)


def test_declaration_by_someone_not_on_the_panel_is_refused(case, units, manager2):
    outsider = PersonFactory(unit=units["pd"])
    with pytest.raises(ValidationError) as exc:
        services.save_declaration(
            InterestDeclaration(case=case, person=outsider), acting_user=manager2
        )
    assert "person" in exc.value.message_dict and not InterestDeclaration.objects.exists()


def test_declaration_for_an_unknown_vendor_or_without_interest_is_refused(case, panel, manager2):
    with pytest.raises(ValidationError) as exc:
        services.save_declaration(
            InterestDeclaration(case=case, person=panel[0], vendor="Initech", interest="x"),
            acting_user=manager2,
        )
    assert "vendor" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_declaration(
            InterestDeclaration(case=case, person=panel[0], vendor="Acme Ltd"), acting_user=manager2
        )
    assert "interest" in exc.value.message_dict


def test_panel_member_declares_for_themselves_but_not_for_others(case, panel, units):
    from org.tests.factories import UserWithRoleFactory

    user = UserWithRoleFactory(username="ana")
    panel[0].user = user
    panel[0].save()
    services.save_declaration(InterestDeclaration(case=case, person=panel[0]), acting_user=user)
    with pytest.raises(PermissionDenied):
        services.save_declaration(InterestDeclaration(case=case, person=panel[1]), acting_user=user)


# --- Clearance before award ---------------------------------------------------------------


def test_flagged_case_cannot_be_awarded_without_clearance(case, panel, manager2):
    DeclarationFactory(case=case, person=panel[0], vendor="Acme Ltd", interest="Cousin")
    DeclarationFactory(case=case, person=panel[1])
    with pytest.raises(ValidationError) as exc:
        services.award_case(case, acting_user=manager2, awarded_to="Globex")
    assert "status" in exc.value.message_dict
    assert ProcurementCase.objects.get(pk=case.pk).status == CaseStatus.OPEN
    with pytest.raises(ValidationError):
        services.clear_case(case, acting_user=manager2, reason="  ")
    services.clear_case(case, acting_user=manager2, reason="Member recused from scoring Acme")
    case.refresh_from_db()
    assert case.cleared_by == manager2 and case.cleared_on == datetime.date.today()
    services.award_case(case, acting_user=manager2, awarded_to="Globex")
    case.refresh_from_db()
    assert case.status == CaseStatus.AWARDED and case.awarded_to == "Globex"


def test_clean_case_is_awarded_without_clearance_and_only_to_its_vendors(case, panel, manager2):
    for person in panel:
        DeclarationFactory(case=case, person=person)
    with pytest.raises(ValidationError):
        services.clear_case(case, acting_user=manager2, reason="Nothing to clear")
    with pytest.raises(ValidationError) as exc:
        services.award_case(case, acting_user=manager2, awarded_to="Initech")
    assert "awarded_to" in exc.value.message_dict
    services.award_case(case, acting_user=manager2, awarded_to="Acme Ltd")


def test_panel_change_after_clearance_needs_a_new_clearance(case, panel, units, manager2):
    DeclarationFactory(case=case, person=panel[0], vendor="Acme Ltd", interest="Cousin")
    services.clear_case(case, acting_user=manager2, reason="Recused")
    case.refresh_from_db()
    assert case.is_cleared
    services.save_procurement_case(
        case, acting_user=manager2, panel=[*panel, PersonFactory(unit=units["pd"])]
    )
    case.refresh_from_db()
    assert not case.is_cleared
    with pytest.raises(ValidationError):
        services.award_case(case, acting_user=manager2, awarded_to="Globex")


def test_panel_member_cannot_clear(case, panel, units):
    from org.choices import RoleKind
    from org.tests.factories import UserWithRoleFactory

    user = UserWithRoleFactory(username="chief", role_kind=RoleKind.MANAGER, role_unit=units["pd"])
    panel[0].user = user
    panel[0].save()
    with pytest.raises(ValidationError):
        services.clear_case(case, acting_user=user, reason="I am fine")


# --- Recovery -----------------------------------------------------------------------------


def test_recovery_arithmetic(units, manager):
    case = services.save_recovery_case(
        RecoveryCase(
            unit=units["dmspc"],
            finding="fraud",
            amount_lost=Decimal("1000.00"),
            opened_on=datetime.date(2025, 1, 1),
        ),
        acting_user=manager,
    )
    services.add_recovery_action(
        RecoveryAction(case=case, amount=Decimal("300.00"), taken_on=datetime.date(2025, 2, 1)),
        acting_user=manager,
    )
    services.add_recovery_action(
        RecoveryAction(case=case, amount=Decimal("450.50"), taken_on=datetime.date(2025, 3, 1)),
        acting_user=manager,
    )
    case.refresh_from_db()
    assert (
        case.amount_recovered == Decimal("750.50")
        and case.recovery_rate == 75.1  # core.figures.rate: 75.05 rounds half up
        and case.outstanding == Decimal("249.50")
    )
    with pytest.raises(ValidationError) as exc:
        services.add_recovery_action(
            RecoveryAction(case=case, amount=Decimal("249.51")), acting_user=manager
        )
    assert "amount" in exc.value.message_dict
    case.refresh_from_db()
    assert case.amount_recovered == Decimal("750.50") and case.actions.count() == 2


def test_setting_amount_recovered_records_a_correction(units, manager):
    case = RecoveryCaseFactory(unit=units["dmspc"], amount_lost=Decimal("500"))
    services.save_recovery_case(case, acting_user=manager, amount_recovered=Decimal("200"))
    case.refresh_from_db()
    assert case.amount_recovered == Decimal("200") and case.actions.get().amount == Decimal("200")
    with pytest.raises(ValidationError) as exc:
        services.save_recovery_case(case, acting_user=manager, amount_recovered=Decimal("600"))
    assert "amount_recovered" in exc.value.message_dict
    assert RecoveryCase.objects.get(pk=case.pk).amount_recovered == Decimal("200")


def test_amount_lost_cannot_drop_below_recovered(units, manager):
    case = RecoveryCaseFactory(unit=units["dmspc"], amount_lost=Decimal("500"))
    services.save_recovery_case(case, acting_user=manager, amount_recovered=Decimal("400"))
    case = RecoveryCase.objects.get(pk=case.pk)
    case.amount_lost = Decimal("300")
    with pytest.raises(ValidationError):
        services.save_recovery_case(case, acting_user=manager)


def test_recovery_before_the_case_opened_is_refused(units, manager):
    case = RecoveryCaseFactory(unit=units["dmspc"], opened_on=datetime.date(2025, 5, 1))
    with pytest.raises(ValidationError) as exc:
        services.add_recovery_action(
            RecoveryAction(case=case, amount=Decimal("1"), taken_on=datetime.date(2025, 4, 1)),
            acting_user=manager,
        )
    assert "taken_on" in exc.value.message_dict


def test_overdue_treatment_reminders_are_sent_once_a_week(units, manager, mailoutbox):
    from risk.tasks import treatment_reminders

    manager.email = "manager@example.org"
    manager.save()
    risk = RiskFactory(unit=units["dmspc"], owner=manager, identified_on=datetime.date(2024, 1, 1))
    late = Treatment.objects.create(
        risk=risk, title="Late action", due_on=datetime.date(2024, 6, 1)
    )
    Treatment.objects.create(
        risk=risk, title="Future action", due_on=datetime.date.today() + datetime.timedelta(days=9)
    )
    assert treatment_reminders.delay().get() == {"owners": 1, "treatments": 1}
    assert (
        len(mailoutbox) == 1
        and "Late action" in mailoutbox[0].body
        and "Future" not in mailoutbox[0].body
    )
    assert treatment_reminders.delay().get() == {"owners": 0, "treatments": 0}
    assert len(mailoutbox) == 1
    entry = HistoryEntry.objects.for_object(late).first()
    assert entry.actor == "task:risk.treatment_reminders" and "reminded_on" in entry.changes
