"""The procurement flag is stored (issue 13): every action that changes a case's panel, vendors
or declarations keeps it equal to the rule, read three ways (stored, SQL, Python); `?flagged=`
reads the column; `check_procurement_flags` finds and repairs a stored flag that drifted."""

import pytest
from django.core.management import call_command

from org.tests.factories import PersonFactory
from risk import services
from risk.models import InterestDeclaration, ProcurementCase
from risk.querysets import flag_expression

pytestmark = pytest.mark.django_db


def _three_ways(case) -> tuple[bool, bool, bool]:
    stored = ProcurementCase.objects.get(pk=case.pk)
    sql = ProcurementCase.objects.filter(pk=case.pk).filter(flag_expression()).exists()
    return stored.is_flagged, sql, stored.compute_flagged()


def _new_case(unit, user, reference, vendors, panel):
    case = ProcurementCase(reference=reference, unit=unit, value="100000.00")
    return services.save_procurement_case(case, acting_user=user, vendors=vendors, panel=panel)


@pytest.fixture
def cases(units, manager, manager2):
    """A DMSPC case (panel of two) and a DOS case (panel of one), each with two vendors."""
    ohr_panel = [PersonFactory(unit=units["ohr"]) for _ in range(2)]
    pd_panel = [PersonFactory(unit=units["pd"])]
    return {
        "dmspc": (
            _new_case(units["ohr"], manager, "OHR-1", ["Acme", "Globex"], ohr_panel),
            ohr_panel,
        ),
        "dos": (
            _new_case(units["pd"], manager2, "PD-1", ["Initech", "Umbrella"], pd_panel),
            pd_panel,
        ),
    }


def _declare(case, person, user, vendor="", interest=""):
    return services.save_declaration(
        InterestDeclaration(case=case, person=person, vendor=vendor, interest=interest),
        acting_user=user,
    )


def test_each_action_keeps_the_stored_flag_equal_to_the_rule(cases, manager, units):
    case, panel = cases["dmspc"]
    # Two panel members, no declarations: flagged, and the object the action returned says so.
    assert case.flagged is True
    assert _three_ways(case) == (True, True, True)
    _declare(case, panel[0], manager)
    assert _three_ways(case) == (True, True, True)  # one member still undeclared
    declaration = _declare(case, panel[1], manager)
    assert _three_ways(case) == (False, False, False)
    # An interest in one of the case's vendors flags it again.
    declaration.vendor, declaration.interest = "Globex", "Sister is a director"
    services.save_declaration(declaration, acting_user=manager)
    assert _three_ways(case) == (True, True, True)
    # The vendor leaves the case: the interest no longer counts.
    services.save_procurement_case(case, acting_user=manager, vendors=["Acme"])
    assert _three_ways(case) == (False, False, False)
    assert case.flagged is False
    # A newcomer joins the panel without declaring.
    newcomer = PersonFactory(unit=units["ohr"])
    services.save_procurement_case(case, acting_user=manager, panel=[*panel, newcomer])
    assert _three_ways(case) == (True, True, True)
    # ...and leaves it.
    services.save_procurement_case(case, acting_user=manager, panel=panel)
    assert _three_ways(case) == (False, False, False)
    # The award leaves the flag as it was (a clean case is awarded).
    services.award_case(
        ProcurementCase.objects.get(pk=case.pk), acting_user=manager, awarded_to="Acme"
    )
    assert _three_ways(case) == (False, False, False)


def test_an_edit_from_a_stale_object_does_not_overwrite_the_flag(cases, manager):
    case, panel = cases["dmspc"]
    stale = ProcurementCase.objects.get(pk=case.pk)  # loaded while flagged
    for person in panel:
        _declare(case, person, manager)
    stale.title = "Renamed"
    services.save_procurement_case(stale, acting_user=manager)
    assert _three_ways(case) == (False, False, False)


def test_flagged_filter_lists_each_persona_its_flagged_cases(
    cases, api, manager, manager2, admin_user, oios
):
    dos_case, dos_panel = cases["dos"]
    _declare(dos_case, dos_panel[0], manager2)  # the DOS case is clean; the DMSPC one flagged
    expected = {
        manager: ({"OHR-1"}, set()),
        manager2: (set(), {"PD-1"}),
        admin_user: ({"OHR-1"}, {"PD-1"}),
        oios: ({"OHR-1"}, {"PD-1"}),
    }
    for user, (flagged, clean) in expected.items():
        client = api(user)
        listed = client.get("/api/risk/procurement-cases/", {"flagged": "true"}).json()["results"]
        assert {c["reference"] for c in listed} == flagged, user.username
        assert all(c["flagged"] for c in listed)
        listed = client.get("/api/risk/procurement-cases/", {"flagged": "false"}).json()["results"]
        assert {c["reference"] for c in listed} == clean, user.username


def test_check_command_reports_and_repairs_a_drifted_flag(cases, capsys):
    call_command("check_procurement_flags")
    assert "OK 2 cases" in capsys.readouterr().out
    # A bulk write that bypassed the actions: the DOS case marked clean though undeclared.
    ProcurementCase.objects.filter(reference="PD-1").update(is_flagged=False)
    with pytest.raises(SystemExit) as exit_:
        call_command("check_procurement_flags")
    assert exit_.value.code == 1
    output = capsys.readouterr()
    assert "PD-1" in output.out and "OHR-1" not in output.out
    assert "1 of 2 cases" in output.err
    assert ProcurementCase.objects.get(reference="PD-1").is_flagged is False  # nothing changed
    call_command("check_procurement_flags", "--repair")
    assert "Repaired 1 of 2 cases" in capsys.readouterr().out
    assert ProcurementCase.objects.get(reference="PD-1").is_flagged is True
    call_command("check_procurement_flags")
    assert "OK 2 cases" in capsys.readouterr().out
