"""Demo and scale data for issue 15's records in the risk area: the statement of internal control,
the Secretariat-wide critical risk register, vendor sanctions, committee on contracts reviews and
referrals of recovery cases. Called from risk.seed (seed_demo, seed_scale); idempotent."""

import datetime
import random

from django.db import transaction

from core import history
from core.actions import SYSTEM
from org.models import Person
from org.seed_base import copy_insert
from risk import services
from risk.models import (
    ContractsReview,
    Control,
    ControlTest,
    CriticalRisk,
    Deficiency,
    InternalControlStatement,
    ProcurementCase,
    RecoveryCase,
    Risk,
    RiskAssessment,
    SelfAssessment,
    VendorSanction,
)

D = datetime.date

# risk title, Secretariat-wide treatment
DEMO_CRITICAL = [
    (
        "Fraud in fuel supply to field missions",
        "Fuel management system with automated reconciliation in every mission; annual fraud "
        "risk assessment reviewed by the Management Committee.",
    ),
    (
        "Delegated authority exercised beyond its limits",
        "Delegation of authority portal with limits per area; quarterly monitoring of decisions "
        "outside authority by DMSPC.",
    ),
    (
        "Diversion of humanitarian assistance",
        "Third-party monitoring and a common partner vetting platform across entities.",
    ),
]

# vendor, measure, from, until (None: until further notice), reason
DEMO_SANCTIONS = [
    (
        "Initech Oil",
        "debarment",
        "2025-11-01",
        "2028-10-31",
        "Falsified certificates of origin (Vendor Review Committee, case 2025/14).",
    ),
    (
        "Tailspin Comms",
        "suspension",
        "2026-03-01",
        None,
        "Under investigation by OIOS for collusive bidding.",
    ),
    ("Globex Energy", "censure", "2025-06-01", None, "Repeated late deliveries in 2024-2025."),
]

# case reference, reviewed on, outcome, recommendation
DEMO_REVIEWS = [
    (
        "RFP-2026-004",
        "2026-02-15",
        "recommended",
        "Award to Litware Catering, the member with a declared interest having recused.",
    ),
    (
        "RFP-2026-001",
        "2026-03-10",
        "recommended",
        "Award to Acme Fuels, lowest technically compliant offer.",
    ),
    (
        "RFP-2026-002",
        "2026-03-05",
        "deferred",
        "Deferred until the Ethics Office has reviewed the declared interest.",
    ),
]


def _head_of(unit) -> Person | None:
    return (
        Person.objects.filter(unit=unit, is_head_of_entity=True, is_active=True)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def seed_demo(units: dict, users: dict) -> None:
    _demo_significant_deficiencies(units, users)
    _demo_certifications(units, users)
    _demo_statements()
    _demo_critical_risks()
    _demo_sanctions_and_reviews(users)
    _demo_referrals()


def _demo_significant_deficiencies(units, users) -> None:
    """Two significant deficiencies of 2025, so the 2025 statement has something to disclose."""
    found = [
        (
            "DOS",
            "Fuel deliveries paid without receiving reports at two depots.",
            "material_weakness",
            D(2025, 10, 15),
            D(2026, 3, 31),
            None,
        ),
        (
            "DMSPC-OHR",
            "Selection decisions filed without the panel's documented rationale.",
            "significant",
            D(2025, 5, 20),
            D(2025, 11, 30),
            D(2025, 12, 10),
        ),
    ]
    for code, description, severity, tested_on, due_on, closed_on in found:
        if code not in units or Deficiency.objects.filter(description=description).exists():
            continue
        control = Control.objects.filter(unit=units[code]).order_by("pk").first()
        if control is None:
            continue
        test = ControlTest.objects.create(
            control=control,
            tested_on=tested_on,
            result="ineffective",
            tester=users.get("admin"),
            notes="Sample of 40 transactions.",
        )
        Deficiency.objects.create(
            test=test,
            description=description,
            severity=severity,
            remediation="Controls redesigned and staff retrained." if closed_on else "",
            due_on=due_on,
            status="closed" if closed_on else "open",
            closed_on=closed_on,
        )


def _demo_certifications(units, users) -> None:
    """DMSPC certified its 2025 self-assessment; DOS has not yet (manager2 can do it)."""
    assessment = SelfAssessment.objects.filter(
        unit=units.get("DMSPC"), year=2025, certified_on__isnull=True
    ).first()
    if assessment is not None and users.get("manager"):
        assessment.conclusion = "exceptions"
        assessment.certified_by = users["manager"]
        assessment.certified_on = D(2026, 2, 15)
        assessment.save()


def _demo_statements() -> None:
    """The 2024 statement, issued (its roll-up frozen then), and the 2025 one in draft."""
    if not InternalControlStatement.objects.filter(year=2024).exists():
        statement = services.save_statement(
            InternalControlStatement(
                year=2024,
                text=(
                    "The Secretary-General is responsible for maintaining effective internal "
                    "control. On the basis of the heads of entity's certifications and the work "
                    "of the oversight bodies, internal control operated effectively in 2024, "
                    "with the exceptions listed below."
                ),
            ),
            acting_user=SYSTEM,
        )
        services.issue_statement(statement, acting_user=SYSTEM, issued_on=D(2025, 3, 31))
    if not InternalControlStatement.objects.filter(year=2025).exists():
        services.save_statement(
            InternalControlStatement(
                year=2025,
                text=(
                    "Draft. Internal control operated effectively in 2025, except for the "
                    "material weakness in fuel management disclosed below."
                ),
            ),
            acting_user=SYSTEM,
        )


def _demo_critical_risks() -> None:
    for title, treatment in DEMO_CRITICAL:
        risk = Risk.objects.filter(title=title).select_related("unit").first()
        if risk is None or CriticalRisk.objects.filter(risk=risk).exists():
            continue
        # The head of the risk's unit answers for it, else the head of the department above.
        manager = _head_of(risk.unit) or (_head_of(risk.unit.parent) if risk.unit.parent else None)
        if manager is None:
            continue
        owner_unit = manager.unit
        if title.startswith("Delegated authority"):
            # Rated down in mid-2025, up again at the last review: a worsening trend.
            RiskAssessment.objects.get_or_create(
                risk=risk,
                assessed_on=D(2025, 6, 1),
                defaults={"likelihood": 3, "impact": 4, "score": 12},
            )
        CriticalRisk.objects.create(
            risk=risk,
            owner_unit=owner_unit,
            accountable_manager=manager,
            treatment=treatment,
            flagged_on=max(D(2025, 9, 1), risk.identified_on),
        )


def _demo_sanctions_and_reviews(users) -> None:
    for vendor, measure, start, end, reason in DEMO_SANCTIONS:
        if VendorSanction.objects.filter(vendor=vendor, measure=measure).exists():
            continue
        VendorSanction.objects.create(
            vendor=vendor,
            measure=measure,
            sanctioned_from=D.fromisoformat(start),
            sanctioned_to=D.fromisoformat(end) if end else None,
            reason=reason,
            decided_by=users.get("admin"),
        )
    for reference, reviewed_on, outcome, recommendation in DEMO_REVIEWS:
        case = ProcurementCase.objects.filter(reference=reference).first()
        if case is None or case.committee_reviews.exists():
            continue
        # Recorded as the committee minuted it (the awarded case was reviewed before its award).
        ContractsReview.objects.create(
            case=case,
            reviewed_on=D.fromisoformat(reviewed_on),
            reference=f"HCC/2026/{reference[-3:]}",
            outcome=outcome,
            recommendation=recommendation,
        )


def _demo_referrals() -> None:
    case = RecoveryCase.objects.filter(reference="OIOS-2025-0117").first()
    if case is not None and case.referred_for_discipline_on is None:
        case.referred_for_discipline_on = D(2025, 7, 15)
        case.referred_to_authorities_on = D(2025, 9, 1)
        case.national_authority = "Public Prosecutor of the host country"
        case.save()


# --- Scale ------------------------------------------------------------------------------------


def seed_scale(factor: float, progress) -> dict[str, int]:
    """About 200 Secretariat-wide critical risks, 300 vendor sanctions and referrals of a third of
    the fraud cases at factor 1; reruns add only what is missing."""
    rng = random.Random(15_30_32)
    base = D(2026, 6, 30)
    n_critical, n_sanctions = round(200 * factor), round(300 * factor)

    done = CriticalRisk.objects.filter(risk__title__startswith="S-risk ").count()
    if done < n_critical:
        heads = dict(
            Person.objects.filter(is_head_of_entity=True, is_active=True)
            .order_by("unit_id", "pk")
            .values_list("unit_id", "pk")
        )
        candidates = (
            Risk.objects.filter(title__startswith="S-risk ", score__gte=15, closed_on__isnull=True)
            .exclude(critical_entries__isnull=False)
            .filter(unit_id__in=list(heads))
            .order_by("pk")
            .values_list("pk", "unit_id", "identified_on")[: n_critical - done]
        )
        entries = [
            CriticalRisk(
                risk_id=pk,
                owner_unit_id=unit_id,
                accountable_manager_id=heads[unit_id],
                treatment="Secretariat-wide treatment plan reviewed by the Management Committee.",
                flagged_on=max(identified, base - datetime.timedelta(days=rng.randint(0, 700))),
            )
            for pk, unit_id, identified in candidates
        ]
        with transaction.atomic():
            copy_insert(CriticalRisk, entries)
            history.record_bulk(entries)
    progress("critical risks", n_critical, n_critical)

    done = VendorSanction.objects.filter(reason__startswith="S-sanction").count()
    sanctions = []
    for n in range(done, n_sanctions):
        start = base - datetime.timedelta(days=rng.randint(0, 1500))
        measure = rng.choices(["suspension", "debarment", "censure"], [3, 2, 1])[0]
        sanctions.append(
            VendorSanction(
                # The names the synthetic procurement cases use ("Vendor 0001"...).
                vendor=f"Vendor {rng.randint(1, 5000):04d}",
                measure=measure,
                sanctioned_from=start,
                sanctioned_to=start + datetime.timedelta(days=rng.randint(180, 1800))
                if measure != "censure" and rng.random() < 0.7
                else None,
                reason=f"S-sanction {n:05d}",
            )
        )
    with transaction.atomic():
        copy_insert(VendorSanction, sanctions)
        history.record_bulk(sanctions)
    progress("vendor sanctions", n_sanctions, n_sanctions)

    # Every third synthetic fraud case (by its number, so a rerun picks the same ones) referred
    # for disciplinary action 45 days after it was opened; every thirtieth to national
    # authorities too, 90 days after.
    fraud = RecoveryCase.objects.filter(
        reference__startswith="S-REC-", finding="fraud", referred_for_discipline_on__isnull=True
    ).order_by("pk")
    referred = []
    for case in fraud:
        number = int(case.reference.rsplit("-", 1)[-1])
        if number % 3:
            continue
        case._history_before = history.snapshot(case)
        case.referred_for_discipline_on = case.opened_on + datetime.timedelta(days=45)
        if number % 30 == 0:
            case.referred_to_authorities_on = case.opened_on + datetime.timedelta(days=90)
            case.national_authority = "National authorities of the host country"
        referred.append(case)
    with transaction.atomic():
        fields = ["referred_for_discipline_on", "referred_to_authorities_on", "national_authority"]
        RecoveryCase.objects.bulk_update(referred, fields, batch_size=2000)
        history.record_bulk(referred, action="update")
    progress("referrals", len(referred), len(referred))
    return {
        "critical risks": CriticalRisk.objects.count(),
        "vendor sanctions": VendorSanction.objects.count(),
        "referred recovery cases": RecoveryCase.objects.filter(
            referred_for_discipline_on__isnull=False
        ).count(),
    }
