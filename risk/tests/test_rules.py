"""Each rule is written once in SQL; the one-row properties must say the same (issue 10), and
every action is attributed to the user it was given, in or out of a request."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core import actions
from core.actions import SYSTEM
from core.models import HistoryEntry
from org.tests.factories import PersonFactory
from risk import services
from risk.models import (
    Control,
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
    RiskFactory,
    TreatmentFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def test_every_model_with_a_page_api_or_admin_edit_has_a_save_action():
    for model in (
        Risk,
        Treatment,
        Control,
        ControlTest,
        Deficiency,
        SelfAssessment,
        ProcurementCase,
        InterestDeclaration,
        RecoveryCase,
        RecoveryAction,
    ):
        assert actions.get(model, "save") is not None, model
    for model, name in [
        (Deficiency, "close"),
        (SelfAssessment, "certify"),
        (ProcurementCase, "award"),
        (ProcurementCase, "clear"),
        (ProcurementCase, "reopen"),
    ]:
        assert actions.get(model, name) is not None, name


def test_the_flag_property_says_what_the_sql_says(units):
    members = [PersonFactory(unit=units["pd"]) for _ in range(3)]
    clean = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=members[:1])
    DeclarationFactory(case=clean, person=members[0], vendor="")
    undeclared = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=members[:2])
    DeclarationFactory(case=undeclared, person=members[0], vendor="")
    conflicted = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=members[2:])
    DeclarationFactory(case=conflicted, person=members[2], vendor="Acme", interest="Brother")
    empty = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=[])
    sql = set(ProcurementCase.objects.flagged().values_list("pk", flat=True))
    annotated = {c.pk: c.flagged for c in ProcurementCase.objects.with_flag()}
    for case in (clean, undeclared, conflicted, empty):
        one_row = ProcurementCase.objects.get(pk=case.pk).flagged  # no annotation: Python
        assert one_row == (case.pk in sql) == annotated[case.pk], case.reference
    assert sql == {undeclared.pk, conflicted.pk}
    assert set(ProcurementCase.objects.flagged(False).values_list("pk", flat=True)) == {
        clean.pk,
        empty.pk,
    }


def test_the_overdue_property_says_what_the_sql_says(units):
    rows = [
        TreatmentFactory(due_on=TODAY - datetime.timedelta(days=1), status="planned"),
        TreatmentFactory(due_on=TODAY - datetime.timedelta(days=1), status="in_progress"),
        TreatmentFactory(due_on=TODAY - datetime.timedelta(days=1), status="done"),
        TreatmentFactory(due_on=TODAY - datetime.timedelta(days=1), status="cancelled"),
        TreatmentFactory(due_on=TODAY, status="planned"),
    ]
    sql = set(Treatment.objects.overdue().values_list("pk", flat=True))
    assert {t.pk for t in rows if t.is_overdue} == sql == {rows[0].pk, rows[1].pk}


def test_review_due_property_says_what_the_sql_says(units):
    rows = [
        RiskFactory(reviewed_on=None),
        RiskFactory(reviewed_on=TODAY - datetime.timedelta(days=366)),
        RiskFactory(reviewed_on=TODAY - datetime.timedelta(days=365)),
        RiskFactory(reviewed_on=TODAY),
    ]
    Risk.objects.filter(pk=rows[0].pk).update(reviewed_on=None)
    rows[0].reviewed_on = None
    sql = set(Risk.objects.review_overdue().values_list("pk", flat=True))
    assert {r.pk for r in rows if r.review_due} == sql == {rows[0].pk, rows[1].pk}


def test_recovery_rate_uses_the_one_rounding_rule(units):
    from core.figures import rate

    case = RecoveryCase(amount_lost=3, amount_recovered=1)
    assert case.recovery_rate == rate(1, 3) == 33.3
    assert RecoveryCase(amount_lost=0, amount_recovered=0).recovery_rate is None


def test_an_action_outside_a_request_is_attributed_to_its_acting_user(units, manager2):
    members = [PersonFactory(unit=units["pd"])]
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=members)
    services.clear_case(case, acting_user=manager2, reason="Member recused")
    case = ProcurementCase.objects.get(pk=case.pk)
    entry = HistoryEntry.objects.for_object(case).first()
    assert entry.actor == "user:manager2" and "clearance_reason" in entry.changes
    services.award_case(case, acting_user=manager2, awarded_to="Acme")
    assert HistoryEntry.objects.for_object(case).first().actor == "user:manager2"


def test_oversight_may_not_clear_or_certify(units, oios, manager2):
    members = [PersonFactory(unit=units["pd"])]
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=members)
    with pytest.raises(PermissionDenied):
        services.clear_case(case, acting_user=oios, reason="Looks fine")
    assessment = SelfAssessment.objects.create(unit=units["pd"], year=2026)
    with pytest.raises(PermissionDenied):
        services.certify_self_assessment(assessment, acting_user=oios, conclusion="effective")
    assert actions.allowed(oios, "view", assessment)


def test_a_generic_save_cannot_close_a_deficiency_but_close_can(units, manager):
    test = ControlTestFactory(control=ControlFactory(unit=units["dmspc"]))
    deficiency = Deficiency.objects.create(test=test, description="Gap", remediation="Fixed")
    deficiency.closed_on = TODAY
    with pytest.raises(ValidationError):
        services.save_deficiency(deficiency, acting_user=manager)
    deficiency = Deficiency.objects.get(pk=deficiency.pk)
    services.close_deficiency(deficiency, acting_user=manager, closed_on=TODAY)
    deficiency.refresh_from_db()
    assert (deficiency.status, deficiency.closed_on) == ("closed", TODAY)
    assert HistoryEntry.objects.for_object(deficiency).first().actor == "user:manager"


def test_reminder_task_runs_as_system(units, mailoutbox, django_user_model):
    owner = django_user_model.objects.create_user("owner1", email="o@example.org")
    TreatmentFactory(owner=owner, due_on=TODAY - datetime.timedelta(days=3))
    assert services.send_treatment_reminders(acting_user=SYSTEM) == {"owners": 1, "treatments": 1}
    assert len(mailoutbox) == 1


# --- Transition pages ------------------------------------------------------------------------


def test_deficiency_is_closed_on_its_page_not_on_the_edit_form(web, units, manager, oios):
    test = ControlTestFactory(control=ControlFactory(unit=units["dmspc"]))
    deficiency = Deficiency.objects.create(test=test, description="Gap")
    client = web(manager)
    edit = client.get(reverse("risk:deficiency_update", args=[deficiency.pk]))
    assert "closed_on" not in edit.context["form"].fields
    url = reverse("risk:deficiency_close", args=[deficiency.pk])
    assert web(oios).get(url).status_code == 403
    response = client.post(url, {"closed_on": str(TODAY)})
    assert response.status_code == 200 and "remediation" in response.context["form"].errors
    response = client.post(url, {"closed_on": str(TODAY), "remediation": "Second approver"})
    assert response.status_code == 302
    assert Deficiency.objects.get(pk=deficiency.pk).status == "closed"


def test_an_awarded_case_is_reopened_on_its_page(web, units, manager2):
    members = [PersonFactory(unit=units["pd"])]
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["Acme"], panel=members)
    DeclarationFactory(case=case, person=members[0], vendor="")
    services.award_case(case, acting_user=SYSTEM, awarded_to="Acme")
    client = web(manager2)
    edit = client.get(reverse("risk:case_update", args=[case.pk]))
    assert "status" not in edit.context["form"].fields
    page = client.get(reverse("risk:case_detail", args=[case.pk])).content.decode()
    assert reverse("risk:case_reopen", args=[case.pk]) in page
    response = client.post(
        reverse("risk:case_reopen", args=[case.pk]), {"reason": "Protest", "status": "open"}
    )
    assert response.status_code == 302
    case = ProcurementCase.objects.get(pk=case.pk)
    assert (case.status, case.awarded_to) == ("open", "")
