"""The report on real figures (issue 11): a small world built through the apps' services
(reports/tests/world.py: two units, two oversight bodies, every figure hand-counted), compiled
through reports.services on PostgreSQL. A closed period compiled again after later changes gives
the same snapshot apart from `generated_at` and `audit_trail`; a backdated addition shows under
`restatements`."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from oversight import services as oversight
from oversight.models import Recommendation
from performance import services as performance
from performance.models import BoardFinding
from reports.choices import RunStatus
from reports.tests import world as test_world
from reports.tests.world import PERIOD
from risk import services as risk
from risk.models import RecoveryAction

pytestmark = pytest.mark.django_db
D = datetime.date


def section(snapshot, code):
    return next(s for s in snapshot["sections"] if s["code"] == code)["metrics"]


def headline(snapshot):
    return {h["key"]: (h["value"], h["previous"]) for h in snapshot["headline"]}


def comparable(snapshot):
    """The snapshot less what differs between two compiles by design (CONTRACT.md): when it
    was compiled and the change-history anchor."""
    return {k: v for k, v in snapshot.items() if k not in ("generated_at", "audit_trail")}


@pytest.fixture
def world(resolution, units, admin_user, manager, manager2, gastaff):
    people = {
        "admin_user": admin_user,
        "manager": manager,
        "manager2": manager2,
        "gastaff": gastaff,
    }
    return test_world.build(units, people)


def counts(**given):
    keys = (
        "total implemented in_progress pending_verification not_implemented overtaken "
        "not_accepted open overdue"
    ).split()
    return {key: given.get(key, 0) for key in keys}


def test_the_report_gives_the_hand_counted_figures_and_the_same_ones_when_compiled_again(
    world, issue, gastaff, admin_user
):
    first = issue(gastaff, **PERIOD)
    assert first.status == RunStatus.DONE, first.error
    snap = first.snapshot
    top = headline(snap)
    # K: recovered in 2025 = 150,000 + 5,000 (the 2024 case counts; the 2026 action does not);
    # lost in 2025 = the DOS case, 40,000. Previous period (2024): 10,000 recovered, 200,000 lost.
    assert top["amount_recovered"] == ("155000.00", "10000.00")
    assert top["amount_lost"] == ("40000.00", "200000.00")
    k = section(snap, "K")
    # Outstanding on 31 Dec 2025: (200,000 - 10,000 - 150,000) + (40,000 - 5,000) = 75,000.
    assert k["amount_outstanding"] == "75000.00" and k["recovery_actions_in_period"] == 2
    # D: 4 of 6 appraisals due in 2025 completed by their due date; none due in 2024.
    assert top["appraisal_compliance_rate"] == (66.7, None)
    # One compact signed by 31 Dec 2025 for 2025 (the other is still a draft).
    assert top["compacts_signed"] == (1, 0)
    d = section(snap, "D")
    assert d["mpb_findings_open"] == 1  # the 2023 compact's open finding
    assert d["mpb_findings_closed"] == 1  # closed 1 April 2025
    e = section(snap, "E")
    # Required: the ASG, the USG and the two heads of entity (not the P-5 nor the deputies); one
    # has a signed compact.
    assert (e["senior_managers_required_compact"], e["senior_managers_with_compact"]) == (4, 1)
    assert e["compact_coverage_rate"] == 25.0
    # A: three decisions in 2025, one in 2024, all within authority (no delegation needed).
    assert top["decisions_logged"] == (3, 1)
    assert top["decisions_within_authority_rate"] == (100.0, 100.0)
    # C, as at 31 Dec 2025 (reports/tests/world.py): OIOS o1 in progress, o2 implemented, o3 not
    # accepted, o4 open; o1 and o4 overdue. BOA b1, b3 implemented, b2 in progress, b4 open and
    # overdue (b2's target is the period end itself, not before it), b5 not accepted.
    c = section(snap, "C")
    oios, boa = c["by_body"]["OIOS"], c["by_body"]["BOA"]
    assert {k: oios[k] for k in counts()} == counts(
        total=4, implemented=1, in_progress=1, not_accepted=1, open=1, overdue=2
    )
    assert (
        oios["implementation_rate"],
        oios["acceptance_rate"],
        oios["implementation_rate_of_accepted"],
    ) == (25.0, 75.0, 33.3)
    assert {k: boa[k] for k in counts()} == counts(
        total=5, implemented=2, in_progress=1, not_accepted=1, open=1, overdue=1
    )
    assert (
        boa["implementation_rate"],
        boa["acceptance_rate"],
        boa["implementation_rate_of_accepted"],
    ) == (40.0, 80.0, 50.0)
    # BOA's prior-period table: issued before 2025 and open on 31 Dec 2024 (b1, b2, b4; b3 was
    # implemented in 2024), by status on 31 Dec 2025: the Board's four categories.
    prior = boa["prior_period"]
    assert (
        prior["total"],
        prior["implemented"],
        prior["under_implementation"],
        prior["open"],
        prior["overtaken"],
    ) == (3, 1, 1, 1, 0)
    assert boa["issued_in_period"]["total"] == 1 and boa["issued_in_period"]["not_accepted"] == 1
    # OIOS's prior period: o1 and o2 (o3, not accepted, was closed); critical: o1, o3, o4.
    assert (oios["prior_period"]["total"], oios["prior_period"]["implemented"]) == (2, 1)
    assert (oios["critical"]["total"], oios["critical"]["overdue"]) == (3, 2)
    assert oios["amount_identified"] == "300000.00"
    assert [(r["report"], r["number"], r["days_past_due"]) for r in c["critical_past_due"]] == [
        ("2024/010", "1", 184),
        ("2025/020", "1", 31),
    ]
    # Headline: (1 + 2) of 9 implemented, 3 overdue; on 31 Dec 2024: 1 (b3) of the 7 issued by
    # then, none overdue.
    assert top["recommendations_implementation_rate"] == (33.3, 14.3)
    assert top["recommendations_overdue"] == (3, 0)

    # G: the KPI table by entity, as at 31 Dec 2025 (world._delegations).
    kpis = {row["entity"]: row["kpis"] for row in section(snap, "G")["kpi_by_entity"]}
    assert set(kpis) == {"DMSPC", "DOS"}
    assert kpis["DMSPC"]["instruments_accepted_on_time"]["value"] == 100.0
    assert kpis["DOS"]["instruments_accepted_on_time"]["value"] == 0.0
    assert kpis["DMSPC"]["sub_delegations_recorded"]["value"] == 100.0
    assert kpis["DOS"]["sub_delegations_recorded"]["value"] == 0.0
    assert kpis["DOS"]["sub_delegations_recorded"]["status"] == "not_met"
    assert snap["methodology"]["kpi_sub_delegations_recorded"]["definition"]

    # The trend: appraisal compliance in 2025 and the three years before, each as at its end.
    assert snap["trends"]["appraisal_compliance_rate"] == [
        {"period": "2022-01-01/2022-12-31", "value": None},
        {"period": "2023-01-01/2023-12-31", "value": None},
        {"period": "2024-01-01/2024-12-31", "value": None},
        {"period": "2025-01-01/2025-12-31", "value": 66.7},
    ]

    # Every figure documented; the annex holds the compliance definition once.
    assert "appraisal_completion_rate" not in section(snap, "F")
    assert snap["methodology"]["amount_recovered"]["date_rule"]
    for body in (section(snap, "C").get("by_body") or {}).values():
        assert all(key in snap["methodology"] for key in body)
    assert snap["restatements"] == []

    # Later changes, all dated after the period end: the USG signs in January 2026, the open
    # finding closes in February 2026. The closed period's figures do not move.
    performance.sign_compact(
        world["late_compact"], signed_on=D(2026, 1, 20), acting_user=admin_user
    )
    finding = BoardFinding.objects.get(pk=world["open_finding"].pk)
    finding.action_plan = "Targets revised"
    finding = performance.save_finding(finding, acting_user=admin_user)
    performance.close_finding(finding, closed_on=D(2026, 2, 1), acting_user=admin_user)
    # Recommendations move today; b4 is implemented, o4 overtaken (both dated today).
    recs = world["recommendations"]
    for key, status in (("b4", "implemented"), ("o4", "overtaken"), ("o1", "pending_verification")):
        oversight.change_status(
            Recommendation.objects.get(pk=recs[key].pk),
            acting_user=admin_user,
            status=status,
            note="Later.",
        )
    # An earlier period's run now exists: the trend does not read it.
    assert issue(gastaff, period_start=D(2024, 1, 1), period_end=D(2024, 12, 31)).status == "done"
    second = issue(gastaff, **PERIOD)
    assert second.status == RunStatus.DONE, second.error
    assert comparable(second.snapshot) == comparable(snap)
    assert second.snapshot["audit_trail"]["entries"] > snap["audit_trail"]["entries"]

    # A backdated addition: a recovery action of September 2025 recorded now.
    risk.add_recovery_action(
        RecoveryAction(case=world["new_case"], taken_on=D(2025, 9, 1), amount=Decimal("1000")),
        acting_user=admin_user,
    )
    third = issue(gastaff, **PERIOD)
    assert headline(third.snapshot)["amount_recovered"][0] == "156000.00"
    restated = third.snapshot["restatements"]
    assert [(r["object_type"], r["action"], r["record_date"]) for r in restated] == [
        ("risk.recoveryaction", "create", "2025-09-01")
    ]
    html = default_storage.open(third.files.get(format="html").name).read().decode()
    assert "Restatements" in html and "Annex: methodology" in html
