"""Demo and scale data for the risk area (called by `seed_demo` and `seed_scale`)."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from core import history
from org.models import OrgUnit, Paragraph, Person
from org.seed_base import copy_insert
from risk import seed_controls
from risk.models import (
    Control,
    ControlTest,
    CriticalRisk,
    Deficiency,
    InterestDeclaration,
    ProcurementCase,
    RecoveryAction,
    RecoveryCase,
    Risk,
    RiskAssessment,
    SelfAssessment,
    Treatment,
    Vendor,
    VendorSanction,
)

TODAY = datetime.date(2026, 6, 30)  # demo records are dated around a fixed day so reruns match

# unit, title, category, owner, (L, I), (rL, rI), response, identified, reviewed
DEMO_RISKS = [
    (
        "DMSPC",
        "Delegated authority exercised beyond its limits",
        "governance",
        "manager",
        (4, 4),
        (2, 3),
        "mitigate",
        "2024-03-01",
        "2026-02-10",
    ),
    (
        "DMSPC-OPPFB",
        "Budget overruns not detected before year end",
        "financial",
        "manager",
        (3, 4),
        (2, 3),
        "mitigate",
        "2024-05-10",
        "2026-01-20",
    ),
    (
        "DMSPC-OHR",
        "Recruitment decisions without documented rationale",
        "compliance",
        "manager",
        (3, 3),
        (2, 2),
        "mitigate",
        "2024-09-01",
        "2025-03-15",
    ),
    (
        "DMSPC-BTAD",
        "Statement of internal control not supported by evidence",
        "governance",
        "manager",
        (2, 5),
        (2, 3),
        "mitigate",
        "2025-01-15",
        "2026-03-01",
    ),
    (
        "DOS",
        "Fraud in fuel supply to field missions",
        "fraud",
        "manager2",
        (4, 5),
        (3, 4),
        "mitigate",
        "2023-11-01",
        "2026-04-02",
    ),
    (
        "DOS-PD",
        "Conflicts of interest in evaluation panels",
        "fraud",
        "manager2",
        (3, 5),
        (2, 4),
        "mitigate",
        "2024-01-20",
        "2026-05-05",
    ),
    (
        "DOS-OSCM",
        "Single-source dependence for critical supplies",
        "operational",
        "manager2",
        (3, 4),
        (3, 3),
        "transfer",
        "2024-06-01",
        "2025-12-01",
    ),
    (
        "MONUSCO",
        "Losses of assets in insecure locations",
        "operational",
        None,
        (4, 3),
        (3, 3),
        "accept",
        "2023-06-01",
        "2025-01-10",
    ),
    (
        "DPPA",
        "Mandate delivery outpaces resources",
        "strategic",
        None,
        (2, 3),
        None,
        "accept",
        "2024-02-01",
        "2026-01-05",
    ),
    (
        "OCHA",
        "Diversion of humanitarian assistance",
        "fraud",
        None,
        (3, 5),
        (2, 4),
        "mitigate",
        "2024-07-01",
        "2026-02-20",
    ),
]


def _d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _users() -> dict:
    return {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["admin", "manager", "manager2"])
    }


@transaction.atomic
def seed_demo(stdout=None) -> dict[str, int]:
    units = {u.code: u for u in OrgUnit.objects.all()}
    users = _users()
    paragraphs = {p.number: p for p in Paragraph.objects.filter(number__in=[17, 30, 31, 32])}
    risks = {}
    for code, title, category, owner, (
        lk,
        im,
    ), residual, response, identified, reviewed in DEMO_RISKS:
        if code not in units:
            continue
        risk = Risk.objects.filter(unit=units[code], title=title).first()
        if risk is None:
            risk = Risk.objects.create(
                unit=units[code],
                title=title,
                category=category,
                owner=users.get(owner),
                likelihood=lk,
                impact=im,
                residual_likelihood=residual[0] if residual else None,
                residual_impact=residual[1] if residual else None,
                response=response,
                identified_on=_d(identified),
                reviewed_on=_d(reviewed),
                description=f"{title}.",
                cause="Weak oversight of the process.",
                effect="Loss of resources and of trust.",
            )
            if 30 in paragraphs:
                risk.paragraphs.add(paragraphs[30])
            # A trend: the first assessment, then the current rating.
            RiskAssessment.objects.create(
                risk=risk,
                assessed_on=_d(identified),
                likelihood=min(5, lk + 1),
                impact=im,
                score=min(5, lk + 1) * im,
            )
            RiskAssessment.objects.create(
                risk=risk,
                assessed_on=_d(reviewed),
                likelihood=lk,
                impact=im,
                score=lk * im,
                residual_likelihood=risk.residual_likelihood,
                residual_impact=risk.residual_impact,
                residual_score=risk.residual_score,
            )
        risks[title] = risk
    for index, risk in enumerate(risks.values()):
        title = f"Treat: {risk.title[:60]}"
        if not Treatment.objects.filter(risk=risk, title=title).exists():
            overdue = index % 3 == 0
            Treatment.objects.create(
                risk=risk,
                title=title,
                owner=risk.owner,
                due_on=datetime.date(2025, 9, 30) if overdue else datetime.date(2027, 3, 31),
                status="in_progress" if overdue else "planned",
            )
    controls = 0
    for index, risk in enumerate(risks.values()):
        title = f"Control over: {risk.title[:60]}"
        control = Control.objects.filter(unit=risk.unit, title=title).first()
        if control is None:
            control = Control.objects.create(
                unit=risk.unit,
                title=title,
                owner=risk.owner,
                objective="Prevent or detect the risk it treats.",
                kind="preventive" if index % 2 else "detective",
                frequency="monthly",
            )
            control.risks.add(risk)
            if 31 in paragraphs:
                control.paragraphs.add(paragraphs[31])
            result = ["effective", "partially_effective", "ineffective"][index % 3]
            test = ControlTest.objects.create(
                control=control,
                tested_on=datetime.date(2026, 3, 1 + index),
                result=result,
                tester=users.get("admin"),
                notes="Sample of 25 transactions.",
            )
            if result != "effective":
                Deficiency.objects.create(
                    test=test,
                    description="Approvals missing in part of the sample.",
                    remediation="Second approver enforced in the system.",
                    due_on=datetime.date(2026, 9, 30),
                )
        controls += 1
    for code in ("DMSPC", "DOS"):
        if (
            code in units
            and not SelfAssessment.objects.filter(unit=units[code], year=2025).exists()
        ):
            SelfAssessment.objects.create(
                unit=units[code],
                year=2025,
                statement="The department maintained effective internal control, with the exceptions listed.",
            )
    _demo_procurement(units, users, paragraphs)
    _demo_recovery(units, paragraphs)
    seed_controls.seed_demo(units, users)
    return {
        "risks": Risk.objects.count(),
        "controls": Control.objects.count(),
        "procurement cases": ProcurementCase.objects.count(),
        "recovery cases": RecoveryCase.objects.count(),
        "critical risks": CriticalRisk.objects.count(),
        "vendor sanctions": VendorSanction.objects.count(),
    }


def _demo_procurement(units, users, paragraphs) -> None:
    if "DOS-PD" not in units:
        return
    staff = list(Person.objects.filter(user__isnull=True).order_by("index_number")[:6])
    if len(staff) < 3:
        return
    cases = [
        (
            "RFP-2026-001",
            "Fuel supply for field missions",
            Decimal("12500000.00"),
            ["Acme Fuels", "Globex Energy", "Initech Oil"],
            staff[0:3],
            "clean",
        ),
        (
            "RFP-2026-002",
            "Armoured vehicles",
            Decimal("4300000.00"),
            ["Northwind Motors", "Contoso Vehicles"],
            staff[2:5],
            "interest",
        ),
        (
            "RFP-2026-003",
            "Satellite communications",
            Decimal("860000.00"),
            ["Fabrikam Telecom", "Tailspin Comms"],
            staff[3:6],
            "undeclared",
        ),
        (
            "RFP-2026-004",
            "Rations for UNMISS",
            Decimal("2100000.00"),
            ["Wingtip Foods", "Litware Catering"],
            staff[0:2],
            "cleared",
        ),
    ]
    for reference, title, value, vendors, panel, kind in cases:
        if ProcurementCase.objects.filter(reference=reference).exists():
            continue
        case = ProcurementCase.objects.create(
            reference=reference,
            title=title,
            unit=units["DOS-PD"],
            value=value,
            opened_on=datetime.date(2026, 2, 1),
            status="evaluation",
        )
        for name in vendors:
            Vendor.objects.create(case=case, name=name)
        case.panel.set(panel)
        if 32 in paragraphs:
            case.paragraphs.add(paragraphs[32])
        for number, person in enumerate(panel):
            if kind == "undeclared" and number == len(panel) - 1:
                continue
            if kind in ("interest", "cleared") and number == 0:
                InterestDeclaration.objects.create(
                    case=case,
                    person=person,
                    vendor=vendors[0],
                    interest="A close relative is employed by the vendor.",
                    declared_on=datetime.date(2026, 2, 3),
                )
            else:
                InterestDeclaration.objects.create(
                    case=case, person=person, declared_on=datetime.date(2026, 2, 3)
                )
        if kind == "cleared":
            case.cleared_by = users.get("manager2")
            case.cleared_on = datetime.date(2026, 2, 10)
            case.clearance_reason = (
                "The member recused from scoring the vendor concerned; the Ethics Office agreed."
            )
            case.status, case.awarded_to, case.awarded_on = (
                "awarded",
                vendors[1],
                datetime.date(2026, 2, 20),
            )
            case.save()


def _demo_recovery(units, paragraphs) -> None:
    cases = [
        (
            "OIOS-2025-0117",
            "DOS",
            "Fuel card fraud at a field depot",
            "fraud",
            Decimal("480000.00"),
            [("2025-08-01", "salary_deduction", "60000.00"), ("2026-01-15", "legal", "150000.00")],
            None,
        ),
        (
            "OIOS-2025-0231",
            "DMSPC-OPPFB",
            "Duplicate payments to a vendor",
            "mismanagement",
            Decimal("95000.00"),
            [("2025-10-01", "repayment", "95000.00")],
            "2026-01-31",
        ),
        (
            "OIOS-2026-0012",
            "MONUSCO",
            "Misuse of entitlements",
            "other",
            Decimal("23000.00"),
            [],
            None,
        ),
    ]
    for reference, code, title, finding, lost, actions, closed in cases:
        if code not in units or RecoveryCase.objects.filter(reference=reference).exists():
            continue
        case = RecoveryCase.objects.create(
            reference=reference,
            unit=units[code],
            title=title,
            finding=finding,
            amount_lost=lost,
            opened_on=datetime.date(2025, 6, 1),
            closed_on=_d(closed) if closed else None,
        )
        for number in (17, 32):
            if number in paragraphs:
                case.paragraphs.add(paragraphs[number])
        total = Decimal("0")
        for taken_on, kind, amount in actions:
            RecoveryAction.objects.create(
                case=case, taken_on=_d(taken_on), kind=kind, amount=Decimal(amount)
            )
            total += Decimal(amount)
        if total:
            case.amount_recovered = total
            case.save(update_fields=["amount_recovered"])


# --- Scale -------------------------------------------------------------------------------

CATEGORIES = ["strategic", "governance", "operational", "financial", "compliance", "fraud"]
BATCH = 5000


def _bulk(model, objs, *, m2m=None):
    copy_insert(model, objs)
    history.record_bulk(objs)


def _batches(total: int, done: int):
    for start in range(done, total, BATCH):
        yield start, min(start + BATCH, total)


def seed_scale(factor: float, progress) -> dict[str, int]:
    """~20,000 risks, 30,000 controls with 50,000 tests, 10,000 procurement cases with their
    declarations and 2,000 recovery cases at factor 1. Reruns add only what is missing."""
    rng = random.Random(30_31_32)
    unit_ids = list(
        OrgUnit.objects.filter(code__startswith="S-").values_list("pk", flat=True)
    ) or list(OrgUnit.objects.values_list("pk", flat=True))
    n_risks, n_controls, n_tests = (
        round(20_000 * factor),
        round(30_000 * factor),
        round(50_000 * factor),
    )
    n_cases, n_recovery = round(10_000 * factor), round(2_000 * factor)
    base = datetime.date(2026, 6, 30)

    done = Risk.objects.filter(title__startswith="S-risk ").count()
    for start, end in _batches(n_risks, done):
        risks, treatments = [], []
        for n in range(start, end):
            lk, im = rng.randint(1, 5), rng.randint(1, 5)
            rl, ri = max(1, lk - rng.randint(0, 2)), max(1, im - rng.randint(0, 1))
            identified = base - datetime.timedelta(days=rng.randint(60, 2000))
            reviewed = identified + datetime.timedelta(
                days=rng.randint(0, (base - identified).days)
            )
            risk = Risk(
                unit_id=unit_ids[n % len(unit_ids)],
                title=f"S-risk {n:06d}",
                category=CATEGORIES[n % 6],
                likelihood=lk,
                impact=im,
                residual_likelihood=rl,
                residual_impact=ri,
                identified_on=identified,
                reviewed_on=reviewed,
            )
            risk.compute_scores()
            risks.append(risk)
        with transaction.atomic():
            _bulk(Risk, risks)
            for risk in risks:
                treatments.append(
                    Treatment(
                        risk=risk,
                        title=f"Treat {risk.title}",
                        due_on=risk.identified_on + datetime.timedelta(days=rng.randint(30, 900)),
                        status=rng.choice(["planned", "in_progress", "done", "done"]),
                    )
                )
            _bulk(Treatment, treatments)
        progress("risks", end, n_risks)
    risk_ids = list(Risk.objects.filter(title__startswith="S-risk ").values_list("pk", "unit_id"))
    by_unit: dict[int, list[int]] = {}
    for pk, unit_id in risk_ids:
        by_unit.setdefault(unit_id, []).append(pk)

    done = Control.objects.filter(title__startswith="S-control ").count()
    through = Control.risks.through
    for start, end in _batches(n_controls, done):
        controls = [
            Control(
                unit_id=unit_ids[n % len(unit_ids)],
                title=f"S-control {n:06d}",
                kind="preventive" if n % 3 else "detective",
                frequency="monthly",
            )
            for n in range(start, end)
        ]
        with transaction.atomic():
            _bulk(Control, controls)
            links = []
            for control in controls:
                candidates = by_unit.get(control.unit_id) or []
                for risk_id in rng.sample(candidates, min(2, len(candidates))):
                    links.append(through(control_id=control.pk, risk_id=risk_id))
            copy_insert(through, links)
        progress("controls", end, n_controls)
    # Light Control objects, not ids: each test's history entry names its control (str()),
    # which would otherwise cost a query per row.
    control_ids = [
        Control(pk=pk, title=title)
        for pk, title in Control.objects.filter(title__startswith="S-control ").values_list(
            "pk", "title"
        )
    ]

    done = ControlTest.objects.filter(control__title__startswith="S-control ").count()
    for start, end in _batches(n_tests, done):
        tests = [
            ControlTest(
                control=control_ids[n % len(control_ids)],
                tested_on=base - datetime.timedelta(days=rng.randint(0, 1500)),
                result=rng.choices(["effective", "partially_effective", "ineffective"], [7, 2, 1])[
                    0
                ],
            )
            for n in range(start, end)
        ]
        with transaction.atomic():
            _bulk(ControlTest, tests)
            deficiencies = [
                Deficiency(
                    test=t,
                    description="Exceptions found in the sample",
                    remediation="Sample re-tested after the fix",
                    closed_on=t.tested_on + datetime.timedelta(days=90),
                    status="closed",
                )
                if rng.random() < 0.6
                else Deficiency(
                    test=t,
                    description="Exceptions found in the sample",
                    # One open deficiency in ten is significant: the statement lists those.
                    severity="significant" if rng.random() < 0.1 else "deficiency",
                )
                for t in tests
                if t.result != "effective"
            ]
            _bulk(Deficiency, deficiencies)
        progress("control tests", end, n_tests)

    people_by_unit: dict[int, list[int]] = {}
    # Loaded once: each declaration's history entry names its person (str()), which would
    # otherwise cost a query per row.
    people: dict[int, Person] = {}
    for person in Person.objects.filter(index_number__startswith="7").only(
        "pk", "unit_id", "name", "index_number"
    ):
        people[person.pk] = person
        people_by_unit.setdefault(person.unit_id, []).append(person.pk)
    all_people = [pk for ids in people_by_unit.values() for pk in ids] or list(
        Person.objects.values_list("pk", flat=True)
    )
    done = ProcurementCase.objects.filter(reference__startswith="S-RFP-").count()
    panel_through = ProcurementCase.panel.through
    for start, end in _batches(n_cases, done):
        cases = []
        for n in range(start, end):
            status = rng.choices(["open", "evaluation", "awarded", "cancelled"], [2, 3, 4, 1])[0]
            cases.append(
                ProcurementCase(
                    reference=f"S-RFP-{n:06d}",
                    unit_id=unit_ids[n % len(unit_ids)],
                    value=Decimal(rng.randint(10_000, 20_000_000)),
                    opened_on=base - datetime.timedelta(days=rng.randint(0, 1500)),
                    status=status,
                )
            )
        with transaction.atomic():
            _bulk(ProcurementCase, cases)
            vendors, panel, declarations = [], [], []
            for case in cases:
                names = [f"Vendor {rng.randint(1, 5000):04d}" for _ in range(3)]
                names = list(dict.fromkeys(names))
                vendors.extend(Vendor(case=case, name=name) for name in names)
                pool = people_by_unit.get(case.unit_id) or all_people
                members = rng.sample(pool, min(3, len(pool)))
                panel.extend(
                    panel_through(procurementcase_id=case.pk, person_id=m) for m in members
                )
                roll = rng.random()
                for number, member in enumerate(members):
                    if roll < 0.05 and number == 0:
                        continue  # undeclared: flagged
                    vendor, interest = ("", "")
                    if roll > 0.95 and number == 0:
                        vendor, interest = names[0], "Family member employed by the vendor"
                    declarations.append(
                        InterestDeclaration(
                            case=case,
                            person=people.get(member) or Person.objects.get(pk=member),
                            vendor=vendor,
                            interest=interest,
                            declared_on=case.opened_on,
                        )
                    )
            _bulk(Vendor, vendors)
            copy_insert(panel_through, panel)
            _bulk(InterestDeclaration, declarations)
            # Bulk writes send no signals: the stored flag is set from the rule, per batch.
            ProcurementCase.objects.filter(pk__in=[c.pk for c in cases]).refresh_flags()
        progress("procurement cases", end, n_cases)

    done = RecoveryCase.objects.filter(reference__startswith="S-REC-").count()
    for start, end in _batches(n_recovery, done):
        cases, actions = [], []
        for n in range(start, end):
            lost = Decimal(rng.randint(1_000, 2_000_000))
            opened = base - datetime.timedelta(days=rng.randint(30, 2000))
            recovered = (lost * Decimal(rng.choice([0, 0, 10, 25, 50, 100])) / 100).quantize(
                Decimal("0.01")
            )
            cases.append(
                RecoveryCase(
                    reference=f"S-REC-{n:06d}",
                    unit_id=unit_ids[n % len(unit_ids)],
                    finding=rng.choices(["fraud", "mismanagement", "other"], [5, 3, 2])[0],
                    amount_lost=lost,
                    amount_recovered=recovered,
                    opened_on=opened,
                    closed_on=opened + datetime.timedelta(days=400) if recovered == lost else None,
                )
            )
        with transaction.atomic():
            _bulk(RecoveryCase, cases)
            for case in cases:
                if case.amount_recovered:
                    actions.append(
                        RecoveryAction(
                            case=case,
                            amount=case.amount_recovered,
                            kind="salary_deduction",
                            taken_on=case.opened_on + datetime.timedelta(days=120),
                        )
                    )
            _bulk(RecoveryAction, actions)
        progress("recovery cases", end, n_recovery)

    return {
        "risks": Risk.objects.count(),
        "controls": Control.objects.count(),
        "control tests": ControlTest.objects.count(),
        "procurement cases": ProcurementCase.objects.count(),
        "interest declarations": InterestDeclaration.objects.count(),
        "recovery cases": RecoveryCase.objects.count(),
        **seed_controls.seed_scale(factor, progress),
    }
