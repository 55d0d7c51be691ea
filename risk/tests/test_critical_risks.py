"""The Secretariat-wide critical risk register: flagged by administrators, with an owner unit and
an accountable manager, and each risk's band and trend as at a date from its dated assessments
(risk.metrics.with_trend). Two departments; every expected figure counted by hand."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from org.models import Person
from risk import metrics, services
from risk.models import CriticalRisk, RiskAssessment
from risk.tests.factories import RiskFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def rated(unit, title, *points):
    """A risk with dated assessments (date, likelihood, impact); its current rating is the last."""
    last = points[-1]
    risk = RiskFactory(unit=unit, title=title, likelihood=last[1], impact=last[2])
    for day, likelihood, impact in points:
        RiskAssessment.objects.create(
            risk=risk,
            assessed_on=day,
            likelihood=likelihood,
            impact=impact,
            score=likelihood * impact,
        )
    return risk


def head(user) -> Person:
    return Person.objects.get(user=user)


def flag(admin, risk, owner_unit, manager_person, flagged_on, treatment="Treat it."):
    return services.save_critical_risk(
        CriticalRisk(
            risk=risk,
            owner_unit=owner_unit,
            accountable_manager=manager_person,
            treatment=treatment,
            flagged_on=flagged_on,
        ),
        acting_user=admin,
    )


@pytest.fixture
def register(units, admin_user, manager, manager2):
    """Scores with the default scale (medium from 5, high from 10, critical from 15):

    r1 DMSPC-OHR  9 (1 Jan 2025) -> 16 (1 Jun 2025)    as at 31 Dec 2025: critical, worsening
    r2 DOS-PD    20 (1 Feb 2025) -> 12 (1 Aug 2025)    high, improving
    r3 DOS       12 (1 Mar 2025) -> 12 (1 Sep 2025)    high, stable
    r4 DMSPC      8 (1 Jan 2025), flagged 1 Feb, withdrawn 1 Oct 2025: off the register at the end
    r5 DOS-PD    25 (2 Jan 2026), flagged 15 Jan 2026: not yet on it at the end of 2025
    """
    risks = {
        "r1": rated(units["ohr"], "Payroll fraud", (D(2025, 1, 1), 3, 3), (D(2025, 6, 1), 4, 4)),
        "r2": rated(units["pd"], "Vendor collusion", (D(2025, 2, 1), 4, 5), (D(2025, 8, 1), 3, 4)),
        "r3": rated(
            units["dos"], "Supply chain break", (D(2025, 3, 1), 3, 4), (D(2025, 9, 1), 4, 3)
        ),
        "r4": rated(units["dmspc"], "Policy gaps", (D(2025, 1, 1), 2, 4)),
        "r5": rated(units["pd"], "Fuel fraud", (D(2026, 1, 2), 5, 5)),
    }
    for risk in risks.values():
        risk.identified_on = D(2024, 12, 1)
        risk.save()
    dmspc_head, dos_head = head(manager), head(manager2)
    entries = {
        "r1": flag(admin_user, risks["r1"], units["dmspc"], dmspc_head, D(2025, 3, 1)),
        "r2": flag(admin_user, risks["r2"], units["dos"], dos_head, D(2025, 3, 1)),
        "r3": flag(admin_user, risks["r3"], units["dos"], dos_head, D(2025, 4, 1)),
        "r4": flag(admin_user, risks["r4"], units["dmspc"], dmspc_head, D(2025, 2, 1)),
        "r5": flag(admin_user, risks["r5"], units["dos"], dos_head, D(2026, 1, 15)),
    }
    services.withdraw_critical_risk(
        entries["r4"],
        acting_user=admin_user,
        reason="Back to DMSPC's own register.",
        withdrawn_on=D(2025, 10, 1),
    )
    return {"risks": risks, "entries": entries}


def test_register_figures_as_at_the_end_of_2025(register):
    assert metrics.critical_risk_figures(D(2025, 12, 31)) == {
        "critical_risks": 3,
        "critical_risks_by_band": {"low": 0, "medium": 0, "high": 2, "critical": 1},
        "critical_risks_by_trend": {"improving": 1, "stable": 1, "worsening": 1},
        "critical_risks_owner_units": 2,
    }


def test_register_figures_as_at_mid_2025(register):
    """30 June 2025: r1 16 after 9 (worsening), r2 20 alone (stable), r3 12 alone (stable), r4
    still on the register, 8 alone (medium, stable); r5 not yet flagged."""
    assert metrics.critical_risk_figures(D(2025, 6, 30)) == {
        "critical_risks": 4,
        "critical_risks_by_band": {"low": 0, "medium": 1, "high": 1, "critical": 2},
        "critical_risks_by_trend": {"improving": 0, "stable": 3, "worsening": 1},
        "critical_risks_owner_units": 2,
    }


def test_trend_is_read_from_the_assessments_as_at_the_date(register):
    entries = metrics.with_trend(CriticalRisk.objects.all(), D(2025, 12, 31), prefix="risk__")
    trends = {e.risk.title: (e.at_score, e.previous_score, e.trend) for e in entries}
    assert trends["Payroll fraud"] == (16, 9, "worsening")
    assert trends["Vendor collusion"] == (12, 20, "improving")
    assert trends["Supply chain break"] == (12, 12, "stable")
    # The same rule for plain risks of the register: one definition.
    risk = metrics.with_trend(
        type(register["risks"]["r1"]).objects.filter(pk=register["risks"]["r1"].pk), D(2025, 3, 1)
    ).get()
    assert (risk.at_score, risk.previous_score, risk.trend, risk.at_band) == (
        9,
        None,
        "stable",
        "medium",
    )


def test_flagging_rules(units, admin_user, manager, manager2):
    risk = RiskFactory(unit=units["ohr"], identified_on=D(2025, 1, 10))
    with pytest.raises(PermissionDenied):
        flag(manager, risk, units["dmspc"], head(manager), D(2025, 3, 1))
    with pytest.raises(ValidationError) as outside:
        flag(admin_user, risk, units["dmspc"], head(manager2), D(2025, 3, 1))
    assert "accountable_manager" in outside.value.message_dict
    with pytest.raises(ValidationError) as early:
        flag(admin_user, risk, units["dmspc"], head(manager), D(2025, 1, 1))
    assert "flagged_on" in early.value.message_dict
    entry = flag(admin_user, risk, units["dmspc"], head(manager), D(2025, 3, 1))
    with pytest.raises(ValidationError) as twice:
        flag(admin_user, risk, units["dmspc"], head(manager), D(2025, 4, 1))
    assert "risk" in twice.value.message_dict
    assert CriticalRisk.objects.count() == 1
    with pytest.raises(ValidationError):
        services.withdraw_critical_risk(entry, acting_user=admin_user, reason=" ")
    with pytest.raises(PermissionDenied):
        services.withdraw_critical_risk(entry, acting_user=manager, reason="Mine.")
    services.withdraw_critical_risk(entry, acting_user=admin_user, reason="Treated.")
    # Once withdrawn, the risk may be flagged again: a new entry, the old one kept.
    again = flag(admin_user, risk, units["dmspc"], head(manager), D(2025, 5, 1))
    assert CriticalRisk.objects.filter(risk=risk).count() == 2
    assert again.is_active and not CriticalRisk.objects.get(pk=entry.pk).is_active
    closed = RiskFactory(unit=units["ohr"], identified_on=D(2025, 1, 10), closed_on=D(2025, 2, 1))
    with pytest.raises(ValidationError):
        flag(admin_user, closed, units["dmspc"], head(manager), D(2025, 3, 1))


def test_api_flag_filter_and_scope(register, api, admin_user, manager, gastaff, units):
    candidate = RiskFactory(unit=units["ohr"], identified_on=D(2025, 1, 10))
    payload = {
        "risk": candidate.pk,
        "owner_unit": "DMSPC",
        "accountable_manager": head(manager).index_number,
        "treatment": "Quarterly review by the Management Committee.",
        "flagged_on": "2025-05-01",
    }
    assert api(manager).post("/api/risk/critical-risks/", payload, format="json").status_code == 403
    created = api(admin_user).post("/api/risk/critical-risks/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["flagged_by"] == "admin"
    again = api(admin_user).post("/api/risk/critical-risks/", payload, format="json")
    assert again.status_code == 400 and "risk" in again.json()

    def titles(user, **params):
        response = api(user).get("/api/risk/critical-risks/", params)
        assert response.status_code == 200, response.json()
        return sorted(row["risk_title"] for row in response.json()["results"])

    assert titles(admin_user, trend="worsening", as_of="2025-12-31") == ["Payroll fraud"]
    assert titles(admin_user, trend="improving", as_of="2025-12-31") == ["Vendor collusion"]
    assert titles(admin_user, band="high", as_of="2025-12-31", active="true") == [
        "Supply chain break",
        "Vendor collusion",
    ]
    assert titles(admin_user, within="DOS", active="true") == [
        "Fuel fraud",
        "Supply chain break",
        "Vendor collusion",
    ]
    # A manager reads the entries of their own units only.
    assert titles(manager) == ["Payroll fraud", "Policy gaps", candidate.title]
    bad = api(admin_user).get("/api/risk/critical-risks/", {"as_of": "31/12/2025"})
    assert bad.status_code == 400
    # GA staff read the register but not the people named on it.
    row = api(gastaff).get("/api/risk/critical-risks/", {"trend": "worsening"}).json()["results"]
    assert (
        row and row[0]["accountable_manager"] in (None, "") and row[0]["flagged_by"] in (None, "")
    )
    withdrawn = api(admin_user).post(
        f"/api/risk/critical-risks/{created.json()['id']}/withdraw/", {}, format="json"
    )
    assert withdrawn.status_code == 400 and "reason" in withdrawn.json()


def test_register_page(register, web, admin_user, gastaff):
    page = web(admin_user).get("/risk/critical-risks/", {"as_of": "2025-12-31", "active": "true"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Worsening" in html and "Improving" in html and "Maria Manager" in html
    assert "Policy gaps" not in html  # withdrawn
    ga = web(gastaff).get("/risk/critical-risks/").content.decode()
    assert "Payroll fraud" in ga and "Maria Manager" not in ga
    detail = web(admin_user).get(f"/risk/critical-risks/{register['entries']['r1'].pk}/")
    assert detail.status_code == 200
    assert "Withdraw from the register" in detail.content.decode()
    flag_page = web(admin_user).get(f"/risk/risks/{register['risks']['r1'].pk}/")
    assert "Flag Secretariat-wide" in flag_page.content.decode()


def test_flag_through_the_page(units, web, admin_user, manager):
    risk = RiskFactory(unit=units["ohr"], identified_on=D(2025, 1, 10))
    url = f"/risk/risks/{risk.pk}/flag/"
    assert web(manager).get(url).status_code == 403
    form = {
        "owner_unit": units["dmspc"].pk,
        "manager_index": "no-such-person",
        "treatment": "Treat.",
        "flagged_on": "2025-03-01",
    }
    refused = web(admin_user).post(url, form)
    assert (
        refused.status_code == 200
        and "No staff member has index number" in refused.content.decode()
    )
    assert not CriticalRisk.objects.exists()
    form["manager_index"] = head(manager).index_number
    done = web(admin_user).post(url, form)
    assert done.status_code == 302
    entry = CriticalRisk.objects.get()
    assert (entry.risk, entry.accountable_manager.user) == (risk, manager)


def test_withdraw_through_the_page(register, web, admin_user, manager):
    entry = register["entries"]["r1"]
    url = f"/risk/critical-risks/{entry.pk}/withdraw/"
    assert web(manager).get(url).status_code == 403
    done = web(admin_user).post(url, {"reason": "Now within DMSPC's appetite."})
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.withdrawn_on == datetime.date.today()
    assert entry.withdrawal_reason == "Now within DMSPC's appetite."
    page = web(admin_user).get(f"/risk/critical-risks/{entry.pk}/").content.decode()
    assert "Withdrawn from the register on" in page
    assert f"/risk/critical-risks/{entry.pk}/withdraw/" not in page


def test_register_page_and_list_cost_the_same_at_3_and_23_entries(
    register, web, api, admin_user, manager2, units
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(fetch):
        fetch()  # warm per-process caches (content types, the rating scale)
        with CaptureQueriesContext(connection) as ctx:
            assert fetch().status_code == 200
        return len(ctx.captured_queries)

    def page():
        return web(admin_user).get("/risk/critical-risks/", {"as_of": "2025-12-31"})

    def listing():
        return api(admin_user).get("/api/risk/critical-risks/", {"as_of": "2025-12-31"})

    before = (cost(page), cost(listing))
    for n in range(20):
        risk = rated(units["pd"], f"Extra {n}", (D(2025, 1, 1), 2, 2), (D(2025, 5, 1), 3, 3))
        risk.identified_on = D(2024, 12, 1)
        risk.save()
        flag(admin_user, risk, units["dos"], head(manager2), D(2025, 6, 1))
    assert (cost(page), cost(listing)) == before
