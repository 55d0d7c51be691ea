"""Procurement (para 32): a vendor under suspension or debarment is never awarded a case while
the measure is in force, and a case above the committee on contracts threshold is awarded only
after a review recommending the award. Cases in two departments; figures counted by hand."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from risk import metrics, services
from risk.models import ContractsReview, ProcurementCase, VendorSanction
from risk.querysets import sanction_in_force
from risk.tests.factories import ProcurementCaseFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def sanction(admin, vendor, measure, start, end=None, reason="Misrepresentation."):
    return services.save_vendor_sanction(
        VendorSanction(
            vendor=vendor,
            measure=measure,
            sanctioned_from=start,
            sanctioned_to=end,
            reason=reason,
        ),
        acting_user=admin,
    )


def review(admin, case, reviewed_on, outcome):
    return services.record_contracts_review(
        ContractsReview(
            case=case,
            reviewed_on=reviewed_on,
            outcome=outcome,
            recommendation="As minuted.",
            reference=f"HCC/{reviewed_on.year}/{case.pk}",
        ),
        acting_user=admin,
    )


def award(user, case, vendor, on):
    return services.award_case(case, acting_user=user, awarded_to=vendor, awarded_on=on)


def fresh(case) -> ProcurementCase:
    return ProcurementCase.objects.get(pk=case.pk)


# --- Vendor sanctions ---------------------------------------------------------------------------


def test_a_debarred_vendor_is_not_awarded_during_the_sanction(units, admin_user, manager):
    sanction(admin_user, "Acme Supplies", "debarment", D(2025, 1, 1), D(2025, 12, 31))
    case = ProcurementCaseFactory(unit=units["ohr"], vendors=["Acme Supplies", "Beta Services"])
    with pytest.raises(ValidationError) as refused:
        award(manager, case, "Acme Supplies", D(2025, 6, 1))
    message = " ".join(refused.value.message_dict["awarded_to"])
    assert "Acme Supplies is under debarment from 2025-01-01 until 2025-12-31" in message
    assert fresh(case).status == "open" and fresh(case).awarded_to == ""
    # Another vendor of the case may be awarded meanwhile; after the sanction, Acme too.
    other = ProcurementCaseFactory(unit=units["ohr"], vendors=["Acme Supplies"])
    award(manager, other, "Acme Supplies", D(2026, 1, 1))
    assert fresh(other).status == "awarded"
    award(manager, case, "Beta Services", D(2025, 6, 1))
    assert fresh(case).awarded_to == "Beta Services"


def test_names_match_whatever_their_case(units, admin_user, manager2):
    sanction(admin_user, "acme supplies ", "suspension", D(2025, 3, 1))  # until further notice
    case = ProcurementCaseFactory(unit=units["pd"], vendors=["ACME Supplies"])
    with pytest.raises(ValidationError) as refused:
        award(manager2, case, "ACME Supplies", D(2026, 6, 1))
    assert "until further notice" in " ".join(refused.value.message_dict["awarded_to"])
    # The day before the suspension began, the award was possible.
    award(manager2, case, "ACME Supplies", D(2025, 2, 28))
    assert fresh(case).status == "awarded"


def test_a_censure_does_not_bar_an_award(units, admin_user, manager):
    sanction(admin_user, "Gamma Ltd", "censure", D(2025, 1, 1), D(2025, 12, 31))
    case = ProcurementCaseFactory(unit=units["ohr"], vendors=["Gamma Ltd"])
    award(manager, case, "Gamma Ltd", D(2025, 6, 1))
    assert fresh(case).status == "awarded"


def test_only_administrators_record_sanctions(units, admin_user, manager, api):
    with pytest.raises(PermissionDenied):
        sanction(manager, "Acme Supplies", "debarment", D(2025, 1, 1))
    payload = {
        "vendor": "Acme Supplies",
        "measure": "suspension",
        "sanctioned_from": "2025-05-01",
        "sanctioned_to": "2025-04-01",
        "reason": "Under investigation.",
    }
    assert api(manager).post("/api/risk/vendor-sanctions/", payload).status_code == 403
    backwards = api(admin_user).post("/api/risk/vendor-sanctions/", payload)
    assert backwards.status_code == 400 and "sanctioned_to" in backwards.json()
    payload["sanctioned_to"] = ""
    payload["reason"] = ""
    no_reason = api(admin_user).post("/api/risk/vendor-sanctions/", payload)
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert not VendorSanction.objects.exists()
    payload["reason"] = "Under investigation."
    created = api(admin_user).post("/api/risk/vendor-sanctions/", payload)
    assert created.status_code == 201, created.json()
    assert created.json()["decided_by"] == "admin"
    assert created.json()["in_force"] is True


def test_in_force_rule_one_row_and_sql_agree(units, admin_user):
    sanctions = [
        sanction(admin_user, "A", "debarment", D(2025, 1, 1), D(2025, 1, 31)),
        sanction(admin_user, "B", "suspension", D(2025, 1, 15)),
        sanction(admin_user, "C", "censure", D(2025, 2, 1), D(2025, 2, 1)),
    ]
    for day in (D(2024, 12, 31), D(2025, 1, 1), D(2025, 1, 31), D(2025, 2, 1), D(2025, 2, 2)):
        in_sql = set(
            VendorSanction.objects.filter(sanction_in_force(day)).values_list("vendor", flat=True)
        )
        one_by_one = {s.vendor for s in sanctions if s.in_force_on(day)}
        assert in_sql == one_by_one, day
    assert {s.vendor for s in VendorSanction.objects.in_force(D(2025, 2, 1))} == {"B", "C"}


def test_the_award_through_the_api_names_the_sanction(units, admin_user, manager, api):
    sanction(admin_user, "Acme Supplies", "debarment", D(2025, 1, 1))
    case = ProcurementCaseFactory(unit=units["ohr"], vendors=["Acme Supplies"])
    response = api(manager).post(
        f"/api/risk/procurement-cases/{case.pk}/award/",
        {"awarded_to": "Acme Supplies", "awarded_on": "2025-07-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "debarment" in str(response.json()["awarded_to"])
    assert fresh(case).status == "open"


# --- Committee on contracts ---------------------------------------------------------------------


@pytest.fixture
def big_case(units):
    """Above the default threshold (500,000 USD)."""
    return ProcurementCaseFactory(
        unit=units["pd"], vendors=["Delta Logistics"], value=Decimal("750000.00")
    )


def test_a_case_above_the_threshold_needs_a_review_recommending_the_award(
    big_case, admin_user, manager2
):
    with pytest.raises(ValidationError) as no_review:
        award(manager2, big_case, "Delta Logistics", D(2025, 5, 1))
    assert "committee on contracts threshold (500000 USD)" in str(no_review.value)
    review(admin_user, big_case, D(2025, 4, 1), "not_recommended")
    with pytest.raises(ValidationError) as not_recommended:
        award(manager2, big_case, "Delta Logistics", D(2025, 5, 1))
    assert "did not recommend the award" in str(not_recommended.value)
    # A later recommending review counts only for awards made on or after it.
    review(admin_user, big_case, D(2025, 4, 20), "conditions")
    with pytest.raises(ValidationError):
        award(manager2, big_case, "Delta Logistics", D(2025, 4, 10))
    award(manager2, big_case, "Delta Logistics", D(2025, 5, 1))
    assert fresh(big_case).status == "awarded"
    with pytest.raises(ValidationError):
        review(admin_user, fresh(big_case), D(2025, 5, 2), "recommended")


def test_at_or_below_the_threshold_no_review_is_needed(units, manager, settings):
    at_threshold = ProcurementCaseFactory(
        unit=units["ohr"], vendors=["Epsilon"], value=Decimal("500000.00")
    )
    award(manager, at_threshold, "Epsilon", D(2025, 5, 1))
    assert fresh(at_threshold).status == "awarded"
    settings.CONTRACTS_COMMITTEE_THRESHOLD_USD = 1_000_000
    raised = ProcurementCaseFactory(
        unit=units["ohr"], vendors=["Epsilon"], value=Decimal("750000.00")
    )
    award(manager, raised, "Epsilon", D(2025, 5, 1))
    assert fresh(raised).status == "awarded"


def test_reviews_are_recorded_by_administrators_and_read_as_the_case(
    big_case, api, admin_user, manager, manager2
):
    payload = {
        "case": big_case.pk,
        "reviewed_on": "2025-04-01",
        "outcome": "recommended",
        "recommendation": "Award to Delta Logistics.",
    }
    assert api(manager2).post("/api/risk/contracts-reviews/", payload).status_code == 403
    early = api(admin_user).post(
        "/api/risk/contracts-reviews/", {**payload, "reviewed_on": "2025-01-01"}
    )
    assert early.status_code == 400 and "reviewed_on" in early.json()
    created = api(admin_user).post("/api/risk/contracts-reviews/", payload)
    assert created.status_code == 201, created.json()
    assert (
        api(manager2).get(f"/api/risk/contracts-reviews/{created.json()['id']}/").status_code == 200
    )
    assert (
        api(manager).get(f"/api/risk/contracts-reviews/{created.json()['id']}/").status_code == 404
    )


def test_the_case_page_shows_the_review_and_the_sanctions(big_case, web, admin_user, manager2):
    sanction(admin_user, "Delta Logistics", "censure", D(2025, 1, 1))
    review(admin_user, big_case, D(2025, 4, 1), "deferred")
    html = web(manager2).get(f"/risk/procurement/{big_case.pk}/").content.decode()
    assert "Deferred for more information" in html
    assert "Vendor sanctions in force" in html and "Censure" in html
    assert "Record the committee&#x27;s review" not in html  # administrators record it
    admin_html = web(admin_user).get(f"/risk/procurement/{big_case.pk}/").content.decode()
    assert "/committee-reviews/new/" in admin_html


def test_procurement_control_figures_by_hand(units, admin_user, manager, manager2, settings):
    """2025: sanctions imposed: 2 debarments (one DOS-era vendor, one ended), 1 censure; one
    imposed in 2024 and one in 2026 are outside. In force on 31 December 2025: the open-ended
    debarment, the 2024 suspension (until further notice) and the censure to 2026 = 3.
    Awards above the threshold (500,000 USD) in 2025: three, two of them after a review
    recommending the award (DMSPC-OHR, DOS-PD); the third (DOS-PD) was awarded while the
    threshold stood at 1,000,000 USD, without one. A small award does not count."""
    sanction(admin_user, "V1", "debarment", D(2025, 2, 1))
    sanction(admin_user, "V2", "debarment", D(2025, 3, 1), D(2025, 6, 30))
    sanction(admin_user, "V3", "censure", D(2025, 9, 1), D(2026, 3, 1))
    sanction(admin_user, "V4", "suspension", D(2024, 6, 1))
    sanction(admin_user, "V5", "suspension", D(2026, 1, 5))
    big = Decimal("900000.00")
    reviewed = [
        ProcurementCaseFactory(unit=units["ohr"], vendors=["W1"], value=big),
        ProcurementCaseFactory(unit=units["pd"], vendors=["W2"], value=big),
    ]
    for case in reviewed:
        review(admin_user, case, D(2025, 4, 1), "recommended")
    award(manager, reviewed[0], "W1", D(2025, 5, 1))
    award(manager2, reviewed[1], "W2", D(2025, 11, 1))
    small = ProcurementCaseFactory(unit=units["pd"], vendors=["W3"], value=Decimal("1000.00"))
    award(manager2, small, "W3", D(2025, 7, 1))
    unreviewed = ProcurementCaseFactory(unit=units["pd"], vendors=["W4"], value=big)
    settings.CONTRACTS_COMMITTEE_THRESHOLD_USD = 1_000_000
    award(manager2, unreviewed, "W4", D(2025, 8, 1))
    settings.CONTRACTS_COMMITTEE_THRESHOLD_USD = 500_000
    assert metrics.procurement_control_figures(D(2025, 1, 1), D(2025, 12, 31)) == {
        "vendor_sanctions_imposed": 3,
        "vendor_sanctions_by_measure": {"suspension": 0, "debarment": 2, "censure": 1},
        "vendor_sanctions_in_force_at_end": 3,
        "committee_reviews": 2,
        "awards_above_threshold": 3,
        "awards_above_threshold_reviewed": 2,
    }


def test_sanction_and_review_pages(units, big_case, web, admin_user, manager2):
    assert web(manager2).get("/risk/vendor-sanctions/new/").status_code == 403
    refused = web(admin_user).post(
        "/risk/vendor-sanctions/new/",
        {
            "vendor": "Delta Logistics",
            "measure": "suspension",
            "sanctioned_from": "2025-06-01",
            "sanctioned_to": "2025-05-01",
            "reason": "Investigation.",
        },
    )
    assert refused.status_code == 200 and "cannot end before it starts" in refused.content.decode()
    assert not VendorSanction.objects.exists()
    done = web(admin_user).post(
        "/risk/vendor-sanctions/new/",
        {
            "vendor": "Delta Logistics",
            "measure": "suspension",
            "sanctioned_from": "2025-06-01",
            "reason": "Investigation.",
        },
    )
    assert done.status_code == 302
    listing = web(manager2).get("/risk/vendor-sanctions/", {"in_force_on": "2025-07-01"})
    assert "Delta Logistics" in listing.content.decode()
    assert (
        "Delta Logistics"
        not in web(manager2)
        .get("/risk/vendor-sanctions/", {"in_force_on": "2025-05-31"})
        .content.decode()
    )
    review_url = f"/risk/procurement/{big_case.pk}/committee-reviews/new/"
    assert web(manager2).get(review_url).status_code == 403
    recorded = web(admin_user).post(
        review_url,
        {"reviewed_on": "2025-04-01", "outcome": "recommended", "recommendation": "Award."},
    )
    assert recorded.status_code == 302
    assert big_case.committee_reviews.get().outcome == "recommended"
    # The award page then refuses the suspended vendor, on the form, and saves nothing.
    award_page = web(manager2).post(
        f"/risk/procurement/{big_case.pk}/award/",
        {"awarded_to": "Delta Logistics", "awarded_on": "2025-07-01"},
    )
    assert award_page.status_code == 200
    assert "under suspension" in award_page.content.decode()
    assert fresh(big_case).status == "open"
