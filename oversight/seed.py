"""Demo and scale data for oversight: reports of each body, recommendations in every status,
their timelines. seed_demo is idempotent; seed_scale writes in bulk with history."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from core import history
from org.models import OrgUnit, Paragraph
from org.seed_base import Builder, copy_insert
from oversight.choices import OPEN_STATUSES, Priority, RecommendationStatus
from oversight.models import OversightBody, OversightReport, Recommendation, RecommendationUpdate

S = RecommendationStatus
BODIES = [
    ("OIOS", "Office of Internal Oversight Services", "内部监督事务厅"),
    ("BOA", "Board of Auditors", "审计委员会"),
    ("JIU", "Joint Inspection Unit", "联合检查组"),
    (
        "ACABQ",
        "Advisory Committee on Administrative and Budgetary Questions",
        "行政和预算问题咨询委员会",
    ),
    ("IAAC", "Independent Audit Advisory Committee", "独立审计咨询委员会"),
]

# body, symbol, title, issued_on, paragraphs, [(number, unit, priority, target, status, text, updates)]
# updates: [(from, to, author, note)]
DEMO_REPORTS = [
    (
        "OIOS",
        "2025/012",
        "Audit of recruitment and staff selection in the Office of Human Resources",
        datetime.date(2025, 3, 14),
        [12],
        [
            (
                "1",
                "DMSPC-OHR",
                Priority.CRITICAL,
                datetime.date(2025, 12, 31),
                S.IN_PROGRESS,
                "Strengthen the monitoring of recruitment timelines and report quarterly to the Management Committee.",
                [
                    (
                        S.OPEN,
                        S.IN_PROGRESS,
                        "manager",
                        "A recruitment timeline dashboard is being built; first quarterly report drafted.",
                    )
                ],
            ),
            (
                "2",
                "DMSPC-OHR",
                Priority.IMPORTANT,
                datetime.date(2026, 9, 30),
                S.OPEN,
                "Update the staff selection guidelines to document the rationale for every selection decision.",
                [],
            ),
            (
                "3",
                "DMSPC-OHR",
                Priority.IMPORTANT,
                datetime.date(2025, 9, 30),
                S.PENDING_VERIFICATION,
                "Ensure that hiring managers complete the mandatory competency-based interview training.",
                [
                    (S.OPEN, S.IN_PROGRESS, "manager", "Training made mandatory in Inspira."),
                    (
                        S.IN_PROGRESS,
                        S.PENDING_VERIFICATION,
                        "manager",
                        "Completion rate is 98 per cent; completion report attached to the file.",
                    ),
                ],
            ),
        ],
    ),
    (
        "OIOS",
        "2024/087",
        "Audit of vendor registration and due diligence in the Procurement Division",
        datetime.date(2024, 10, 2),
        [12],
        [
            (
                "1",
                "DOS-PD",
                Priority.CRITICAL,
                datetime.date(2025, 6, 30),
                S.OPEN,
                "Implement a due diligence check of beneficial ownership before vendor registration.",
                [],
            ),
            (
                "2",
                "DOS-PD",
                Priority.IMPORTANT,
                datetime.date(2025, 3, 31),
                S.IMPLEMENTED,
                "Require conflict-of-interest declarations from all members of technical evaluation panels.",
                [
                    (
                        S.OPEN,
                        S.IN_PROGRESS,
                        "manager2",
                        "Declaration form drafted with the Ethics Office.",
                    ),
                    (
                        S.IN_PROGRESS,
                        S.PENDING_VERIFICATION,
                        "manager2",
                        "Declarations are now required for every panel.",
                    ),
                    (
                        S.PENDING_VERIFICATION,
                        S.IMPLEMENTED,
                        "oios",
                        "Verified on a sample of 25 panels.",
                    ),
                ],
            ),
        ],
    ),
    (
        "OIOS",
        "2022/031",
        "Audit of fuel management in MONUSCO",
        datetime.date(2022, 5, 20),
        [12],
        [
            (
                "1",
                "MONUSCO",
                Priority.CRITICAL,
                datetime.date(2023, 6, 30),
                S.IN_PROGRESS,
                "Install electronic fuel monitoring at all distribution points.",
                [(S.OPEN, S.IN_PROGRESS, "admin", "Installed at 12 of 30 points.")],
            ),
            (
                "2",
                "MONUSCO",
                Priority.IMPORTANT,
                datetime.date(2023, 12, 31),
                S.OVERTAKEN,
                "Reconcile fuel consumption reports with contractor invoices monthly.",
                [
                    (
                        S.OPEN,
                        S.OVERTAKEN,
                        "oios",
                        "Overtaken by the new fuel contract with automated reconciliation.",
                    )
                ],
            ),
        ],
    ),
    (
        "BOA",
        "A/79/5 (Vol. I)",
        "Financial report and audited financial statements for the year ended 31 December 2023 "
        "and report of the Board of Auditors",
        datetime.date(2024, 7, 25),
        [12],
        [
            (
                "1",
                "DMSPC-OPPFB",
                Priority.NONE,
                datetime.date(2025, 12, 31),
                S.IN_PROGRESS,
                "Improve the estimation of after-service health insurance liabilities.",
                [(S.OPEN, S.IN_PROGRESS, "manager", "Actuarial assumptions under review.")],
            ),
            (
                "2",
                "DOS",
                Priority.NONE,
                datetime.date(2025, 6, 30),
                S.PENDING_VERIFICATION,
                "Complete the physical verification of property, plant and equipment in all missions.",
                [
                    (
                        S.OPEN,
                        S.PENDING_VERIFICATION,
                        "manager2",
                        "Verification completed in all missions; results uploaded.",
                    )
                ],
            ),
            (
                "3",
                "DPO",
                Priority.NONE,
                datetime.date(2024, 12, 31),
                S.NOT_ACCEPTED,
                "Centralize the management of mission vehicle fleets at Headquarters.",
                [],
            ),
            (
                "4",
                "DMSPC-BTAD",
                Priority.NONE,
                datetime.date(2026, 12, 31),
                S.OPEN,
                "Establish a Secretariat-wide statement of internal control signed by heads of entity.",
                [],
            ),
        ],
    ),
    (
        "JIU",
        "JIU/REP/2011/5",
        "Accountability frameworks in the United Nations system",
        datetime.date(2011, 10, 1),
        [4, 5],
        [
            (
                "1",
                "DMSPC-BTAD",
                Priority.NONE,
                datetime.date(2013, 12, 31),
                S.IMPLEMENTED,
                "Executive heads should develop a stand-alone accountability framework.",
                [
                    (
                        S.OPEN,
                        S.IMPLEMENTED,
                        "admin",
                        "Accountability framework presented in A/64/640 and its successors.",
                    )
                ],
            ),
        ],
    ),
    (
        "JIU",
        "JIU/REP/2011/2",
        "Transparency in the selection and appointment of senior managers in the "
        "United Nations Secretariat",
        datetime.date(2011, 3, 1),
        [19],
        [
            (
                "1",
                "DMSPC-OHR",
                Priority.NONE,
                datetime.date(2012, 12, 31),
                S.IMPLEMENTED,
                "Publish the vacancies of senior positions and the selection criteria.",
                [(S.OPEN, S.IMPLEMENTED, "admin", "Senior vacancies are now published.")],
            ),
            (
                "2",
                "EOSG",
                Priority.NONE,
                datetime.date(2013, 12, 31),
                S.NOT_IMPLEMENTED,
                "Involve Member States in the shortlisting of candidates for senior posts.",
                [
                    (
                        S.OPEN,
                        S.NOT_IMPLEMENTED,
                        "admin",
                        "Closed: the Secretary-General retains the prerogative of appointment.",
                    )
                ],
            ),
        ],
    ),
]


def _ensure_bodies() -> dict[str, OversightBody]:
    bodies = {}
    for code, name, name_zh in BODIES:
        body = OversightBody.objects.filter(code=code).first()
        if body is None:
            body = OversightBody.objects.create(code=code, name=name, name_zh=name_zh)
        bodies[code] = body
    return bodies


# Financial implications (USD) of some demo recommendations: (identified, realised).
DEMO_AMOUNTS = {
    ("2024/087", "1"): (Decimal("1200000.00"), None),
    ("2024/087", "2"): (Decimal("350000.00"), Decimal("350000.00")),
    ("2025/012", "1"): (Decimal("80000.00"), Decimal("20000.00")),
    ("2022/031", "1"): (Decimal("2500000.00"), Decimal("900000.00")),
}


@transaction.atomic
def seed_demo(stdout=None) -> dict[str, int]:
    today = datetime.date.today()
    bodies = _ensure_bodies()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["admin", "manager", "manager2", "oios", "boa"]
        )
    }
    units = {u.code: u for u in OrgUnit.objects.all()}
    paragraphs = {p.number: p for p in Paragraph.objects.filter(number__in=[4, 5, 12, 19])}
    for code, symbol, title, issued_on, cites, recs in DEMO_REPORTS:
        report = OversightReport.objects.filter(body=bodies[code], symbol=symbol).first()
        if report is None:
            report = OversightReport.objects.create(
                body=bodies[code], symbol=symbol, title=title, issued_on=issued_on
            )
        wanted = {paragraphs[n].pk for n in cites if n in paragraphs}
        if wanted - set(report.paragraphs.values_list("pk", flat=True)):
            report.paragraphs.add(*wanted)
        for number, unit_code, priority, target, status, text, updates in recs:
            if (
                unit_code not in units
                or Recommendation.objects.filter(report=report, number=number).exists()
            ):
                continue
            # A coherent dated timeline: one change every 60 days after the issue (never after
            # today), the recommendation's status being the last one's.
            dates = [
                min(today, issued_on + datetime.timedelta(days=60 * (i + 1)))
                for i in range(len(updates))
            ]
            last_date = dates[-1] if dates else issued_on
            identified, realised = DEMO_AMOUNTS.get((symbol, number), (None, None))
            rec = Recommendation.objects.create(
                report=report,
                number=number,
                text=text,
                priority=priority,
                unit=units[unit_code],
                accepted=status != S.NOT_ACCEPTED,
                target_date=target,
                status=status,
                status_changed_on=last_date,
                acceptance_comment="Management considers that fleets are best managed by each mission."
                if status == S.NOT_ACCEPTED
                else "",
                implemented_on=last_date if status == S.IMPLEMENTED else None,
                amount_identified=identified,
                amount_realised=realised,
            )
            for i, (from_status, to_status, author, note) in enumerate(updates):
                user = users.get(author)
                last = i == len(updates) - 1
                RecommendationUpdate.objects.create(
                    recommendation=rec,
                    from_status=from_status,
                    to_status=to_status,
                    note=note,
                    effective_on=dates[i],
                    from_target_date=target,
                    target_date=target,
                    # The amount realised is reported with the last change.
                    from_amount_realised=None,
                    amount_realised=realised if last else None,
                    author=user,
                    author_label=author,
                )
    return {
        "oversight reports": OversightReport.objects.count(),
        "recommendations": Recommendation.objects.count(),
    }


# How a recommendation of a given age typically stands now, and the path it took to get there.
PATHS = {
    S.OPEN: [],
    S.IN_PROGRESS: [S.IN_PROGRESS, S.IN_PROGRESS, S.IN_PROGRESS, S.IN_PROGRESS],
    S.PENDING_VERIFICATION: [S.IN_PROGRESS, S.IN_PROGRESS, S.PENDING_VERIFICATION],
    S.IMPLEMENTED: [
        S.IN_PROGRESS,
        S.IN_PROGRESS,
        S.IN_PROGRESS,
        S.PENDING_VERIFICATION,
        S.IN_PROGRESS,
        S.PENDING_VERIFICATION,
        S.IMPLEMENTED,
    ],
    S.NOT_IMPLEMENTED: [S.IN_PROGRESS, S.NOT_IMPLEMENTED],
    S.OVERTAKEN: [S.IN_PROGRESS, S.OVERTAKEN],
    S.NOT_ACCEPTED: [S.NOT_ACCEPTED],
}
BODY_SHARE = [("OIOS", 0.62), ("BOA", 0.25), ("JIU", 0.09), ("IAAC", 0.02), ("ACABQ", 0.02)]
TEXTS = [
    "Strengthen controls over {area} and document the review of exceptions.",
    "Establish a monitoring mechanism for {area} with quarterly reporting to senior management.",
    "Update the policy on {area} and train the staff concerned.",
    "Reconcile records of {area} monthly and investigate differences.",
    "Assign clear responsibility for {area} in the delegation of authority instruments.",
]
AREAS = [
    "procurement",
    "recruitment",
    "asset management",
    "fuel management",
    "travel",
    "ICT security",
    "rations contracts",
    "cash management",
    "project management",
    "business continuity",
]


def _status_for(rng: random.Random, age_days: int) -> str:
    roll = rng.random()
    if rng.random() < 0.03:
        return S.NOT_ACCEPTED
    if age_days < 365:
        return (
            S.OPEN
            if roll < 0.45
            else S.IN_PROGRESS
            if roll < 0.8
            else S.PENDING_VERIFICATION
            if roll < 0.9
            else S.IMPLEMENTED
        )
    if age_days < 730:
        return (
            S.OPEN
            if roll < 0.1
            else S.IN_PROGRESS
            if roll < 0.35
            else S.PENDING_VERIFICATION
            if roll < 0.45
            else S.IMPLEMENTED
            if roll < 0.92
            else S.OVERTAKEN
        )
    return (
        S.OPEN
        if roll < 0.03
        else S.IN_PROGRESS
        if roll < 0.1
        else S.PENDING_VERIFICATION
        if roll < 0.13
        else S.IMPLEMENTED
        if roll < 0.88
        else S.NOT_IMPLEMENTED
        if roll < 0.94
        else S.OVERTAKEN
    )


def seed_scale(factor: float, progress) -> dict[str, int]:
    """About 30,000 recommendations and 150,000 status updates at factor 1, over ten years."""
    rng = random.Random(30000)
    bodies = _ensure_bodies()
    n_recs = max(20, round(30_000 * factor))
    recs_per_report = 10
    n_reports = n_recs // recs_per_report
    unit_ids = list(
        OrgUnit.objects.filter(code__startswith="S-").values_list("pk", flat=True)
    ) or list(OrgUnit.objects.values_list("pk", flat=True))
    today = datetime.date.today()
    start_day = today - datetime.timedelta(days=3650)
    existing = set(
        OversightReport.objects.filter(symbol__startswith="SYN/").values_list("symbol", flat=True)
    )
    weights = [share for _code, share in BODY_SHARE]
    codes = [code for code, _share in BODY_SHARE]
    created_recs = created_updates = 0
    batch_reports = 200
    new_recommendation, new_update = Builder(Recommendation), Builder(RecommendationUpdate)
    for offset in range(0, n_reports, batch_reports):
        reports = []
        for i in range(offset, min(offset + batch_reports, n_reports)):
            symbol = f"SYN/{i:06d}"
            if symbol in existing:
                continue
            code = rng.choices(codes, weights)[0]
            issued = start_day + datetime.timedelta(days=rng.randrange(3650))
            reports.append(
                OversightReport(
                    body=bodies[code],
                    symbol=symbol,
                    issued_on=issued,
                    title=f"Synthetic {code} report {i} on {rng.choice(AREAS)}",
                )
            )
        if not reports:
            progress(
                "oversight recommendations",
                min(offset + batch_reports, n_reports) * recs_per_report,
                n_recs,
            )
            continue
        with transaction.atomic():
            copy_insert(OversightReport, reports)
            history.record_bulk(reports)
            recs = []
            for report in reports:
                age = (today - report.issued_on).days
                for n in range(1, recs_per_report + 1):
                    status = _status_for(rng, age)
                    priority = (
                        rng.choice(
                            [
                                Priority.CRITICAL,
                                Priority.IMPORTANT,
                                Priority.IMPORTANT,
                                Priority.IMPORTANT,
                            ]
                        )
                        if report.body.code == "OIOS"
                        else Priority.NONE
                    )
                    target = report.issued_on + datetime.timedelta(days=rng.randrange(180, 900))
                    changed = min(
                        today,
                        report.issued_on
                        + datetime.timedelta(days=rng.randrange(30, max(31, age + 1))),
                    )
                    # A third identify savings or recoveries; what is realised grows with
                    # the status (all of it once implemented), dated on the timeline below.
                    identified = (
                        Decimal(rng.randrange(10_000, 5_000_000, 1_000))
                        if rng.random() < 0.33
                        else None
                    )
                    realised = None
                    if identified is not None and status == S.IMPLEMENTED:
                        realised = identified
                    elif identified is not None and status in OPEN_STATUSES and PATHS[status]:
                        realised = (
                            identified * Decimal(rng.choice([0, 0, 25, 50])) / 100
                        ).quantize(Decimal("0.01"))
                    recs.append(
                        new_recommendation(
                            report=report,
                            amount_identified=identified,
                            amount_realised=realised,
                            number=str(n),
                            unit_id=rng.choice(unit_ids),
                            priority=priority,
                            text=rng.choice(TEXTS).format(area=rng.choice(AREAS)),
                            accepted=status != S.NOT_ACCEPTED,
                            acceptance_comment="Management does not accept this recommendation."
                            if status == S.NOT_ACCEPTED
                            else "",
                            target_date=target,
                            status=status,
                            status_changed_on=changed,
                            implemented_on=changed if status == S.IMPLEMENTED else None,
                        )
                    )
            copy_insert(Recommendation, recs)
            history.record_bulk(recs)
            updates = []
            for rec in recs:
                previous = S.OPEN
                steps = PATHS[rec.status]
                # Dated between the issue and the last change, in order, the last on it.
                span = (rec.status_changed_on - rec.report.issued_on).days
                last = len(steps) - 1
                for i, step in enumerate(steps):
                    # The amount realised is dated on the step that reported it (the last one).
                    realised_here = rec.amount_realised if i == last else None
                    updates.append(
                        new_update(
                            recommendation=rec,
                            from_status=previous,
                            to_status=step,
                            note="Progress reported."
                            if step in OPEN_STATUSES
                            else "Verified by the body.",
                            effective_on=rec.report.issued_on
                            + datetime.timedelta(days=span * (i + 1) // len(steps)),
                            from_target_date=rec.target_date,
                            target_date=rec.target_date,
                            amount_realised=realised_here,
                            author_label="seed",
                        )
                    )
                    previous = step
            copy_insert(RecommendationUpdate, updates)
            history.record_bulk(updates)
        created_recs += len(recs)
        created_updates += len(updates)
        progress(
            "oversight recommendations",
            min(offset + batch_reports, n_reports) * recs_per_report,
            n_recs,
        )
    return {
        "recommendations": Recommendation.objects.count(),
        "recommendation updates": RecommendationUpdate.objects.count(),
    }
