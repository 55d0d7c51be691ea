"""Paragraph 17: a recovery case is referred for disciplinary action and to national authorities
by dated actions that stay in its history, and the report counts referrals by their date. Cases
in two departments; figures counted by hand."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.models import HistoryEntry
from risk import metrics, services
from risk.models import RecoveryCase
from risk.tests.factories import RecoveryCaseFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def refer(user, case, to, on, **extra):
    return services.refer_recovery_case(case, acting_user=user, to=to, referred_on=on, **extra)


def test_a_referral_is_dated_and_kept_in_the_history(units, manager):
    case = RecoveryCaseFactory(unit=units["ohr"], opened_on=D(2025, 2, 1))
    refer(manager, case, "disciplinary", D(2025, 3, 1), note="OIOS report 2025/012.")
    refer(
        manager,
        RecoveryCase.objects.get(pk=case.pk),
        "national",
        D(2025, 4, 15),
        authority="Office of the Prosecutor, Host Country",
    )
    stored = RecoveryCase.objects.get(pk=case.pk)
    assert stored.referred_for_discipline_on == D(2025, 3, 1)
    assert stored.referred_to_authorities_on == D(2025, 4, 15)
    assert stored.national_authority == "Office of the Prosecutor, Host Country"
    changes = [e.changes for e in HistoryEntry.objects.for_object(case).order_by("seq")]
    assert any(c.get("referred_for_discipline_on") == [None, "2025-03-01"] for c in changes)
    assert any(c.get("referral_note") == [None, "OIOS report 2025/012."] for c in changes)
    assert any(c.get("referred_to_authorities_on") == [None, "2025-04-15"] for c in changes)
    entries = HistoryEntry.objects.for_object(case).exclude(action="create")
    assert {e.user_id for e in entries} == {manager.pk}


def test_refusals(units, manager, manager2, gastaff):
    case = RecoveryCaseFactory(unit=units["ohr"], opened_on=D(2025, 2, 1))
    with pytest.raises(ValidationError) as before:
        refer(manager, case, "disciplinary", D(2025, 1, 31))
    assert "referred_on" in before.value.message_dict
    with pytest.raises(ValidationError) as future:
        refer(manager, case, "disciplinary", datetime.date.today() + datetime.timedelta(days=1))
    assert "referred_on" in future.value.message_dict
    with pytest.raises(ValidationError) as nameless:
        refer(manager, case, "national", D(2025, 3, 1))
    assert "authority" in nameless.value.message_dict
    with pytest.raises(ValidationError):
        refer(manager, case, "elsewhere", D(2025, 3, 1))
    with pytest.raises(Http404):  # another department's case does not exist for manager2
        refer(manager2, case, "disciplinary", D(2025, 3, 1))
    with pytest.raises(PermissionDenied):  # GA staff read it, never act
        refer(gastaff, case, "disciplinary", D(2025, 3, 1))
    stored = RecoveryCase.objects.get(pk=case.pk)
    assert (stored.referred_for_discipline_on, stored.referred_to_authorities_on) == (None, None)
    refer(manager, stored, "disciplinary", D(2025, 3, 1))
    with pytest.raises(ValidationError) as twice:
        refer(manager, RecoveryCase.objects.get(pk=case.pk), "disciplinary", D(2025, 4, 1))
    assert "2025-03-01" in " ".join(twice.value.message_dict["to"])


def test_referrals_are_counted_by_referral_date(units, admin_user, manager, manager2):
    """2025: disciplinary referrals on 1 March (DMSPC-OHR) and 30 November (DOS-PD, a case opened
    in 2024) = 2; the one of 10 January 2026 (DOS) is outside. National referrals: 15 April
    (DMSPC-OHR) = 1; the one of 20 December 2024 (DOS-PD) is outside."""
    ohr = RecoveryCaseFactory(unit=units["ohr"], opened_on=D(2025, 2, 1))
    pd_old = RecoveryCaseFactory(unit=units["pd"], opened_on=D(2024, 6, 1))
    dos = RecoveryCaseFactory(unit=units["dos"], opened_on=D(2025, 12, 1))
    refer(manager, ohr, "disciplinary", D(2025, 3, 1))
    refer(manager, RecoveryCase.objects.get(pk=ohr.pk), "national", D(2025, 4, 15), authority="X")
    refer(manager2, pd_old, "national", D(2024, 12, 20), authority="Y")
    refer(manager2, RecoveryCase.objects.get(pk=pd_old.pk), "disciplinary", D(2025, 11, 30))
    refer(admin_user, dos, "disciplinary", D(2026, 1, 10))
    assert metrics.referral_figures(D(2025, 1, 1), D(2025, 12, 31)) == {
        "referred_for_disciplinary_action": 2,
        "referred_to_national_authorities": 1,
    }
    assert metrics.referral_figures(D(2024, 1, 1), D(2024, 12, 31)) == {
        "referred_for_disciplinary_action": 0,
        "referred_to_national_authorities": 1,
    }
    report = metrics.report_metrics(D(2025, 1, 1), D(2025, 12, 31))
    assert report["D"]["referred_for_disciplinary_action"] == 2
    # The paragraph 17 measure lists the cases referred in the period, by referral date.
    measures = metrics.paragraph_measures(D(2025, 1, 1), D(2025, 12, 31))[17]
    referrals = next(m for m in measures if m["kind"] == "recovery_referrals")
    assert referrals["count"] == 2
    assert sorted(i["date"] for i in referrals["items"]) == ["2025-03-01", "2025-11-30"]


def test_refer_through_the_api_and_the_page(units, api, web, manager, manager2):
    case = RecoveryCaseFactory(unit=units["ohr"], opened_on=D(2025, 2, 1))
    url = f"/api/risk/recovery-cases/{case.pk}/refer/"
    assert api(manager2).post(url, {"to": "disciplinary"}, format="json").status_code == 404
    bad = api(manager).post(url, {"to": "national"}, format="json")
    assert bad.status_code == 400 and "authority" in bad.json()
    sneaky = api(manager).patch(
        f"/api/risk/recovery-cases/{case.pk}/",
        {"referred_for_discipline_on": "2025-03-01"},
        format="json",
    )
    assert sneaky.status_code == 400 and "refer/" in str(sneaky.json())
    done = api(manager).post(
        url, {"to": "disciplinary", "referred_on": "2025-03-01"}, format="json"
    )
    assert done.status_code == 200, done.json()
    assert done.json()["referred_for_discipline_on"] == "2025-03-01"
    page = web(manager).post(
        f"/risk/recovery/{case.pk}/refer/",
        {"to": "national", "referred_on": "2025-04-15", "authority": "Host Country police"},
    )
    assert page.status_code == 302
    html = web(manager).get(f"/risk/recovery/{case.pk}/").content.decode()
    assert "Host Country police" in html and "Refer the case" in html
    refused = web(manager).post(f"/risk/recovery/{case.pk}/refer/", {"to": "national"})
    assert refused.status_code == 200 and "already referred" in refused.content.decode()
