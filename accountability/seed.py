"""Demo and scale data for delegations, decisions and commitments (called by seed_demo and
seed_scale after the base units, people and accounts)."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accountability.choices import AuthorityArea, CommitmentStatus, ReviewOutcome
from accountability.models import (
    Commitment,
    CommitmentTransition,
    Decision,
    Delegation,
    KpiEntry,
)
from accountability.services import (
    accept_delegation,
    change_commitment_status,
    review_decision,
    save_commitment,
    save_decision,
    save_delegation,
    save_kpi_entry,
)
from core import history
from core.actions import SYSTEM
from org.choices import Grade, RoleKind
from org.models import OrgUnit, Paragraph, Person, Role
from org.seed_base import Builder, copy_insert, copy_rows, reserve_ids

DEMO_PREFIX = "DEMO/DOA/"

# username, name, index number, unit, grade, head of entity
DEMO_STAFF = [
    ("ohr.director", "Grace Mensah", "92000001", "DMSPC-OHR", Grade.D2, False),
    ("oppfb.controller", "Li Zhang", "92000002", "DMSPC-OPPFB", Grade.ASG, False),
    ("oppfb.officer", "Carlos Garcia", "92000003", "DMSPC-OPPFB", Grade.P4, False),
    ("pd.director", "Elena Petrova", "92000004", "DOS-PD", Grade.D2, False),
    ("oscm.director", "Kwame Okafor", "92000005", "DOS-OSCM", Grade.D2, False),
    ("btad.chief", "Priya Sharma", "92000006", "DMSPC-BTAD", Grade.D1, False),
    ("dppa.head", "Amina Yusuf", "92000007", "DPPA", Grade.USG, True),
    ("dppa.exo", "Daniel Moreau", "92000008", "DPPA", Grade.P5, False),
    ("unog.head", "Sofia Lindqvist", "92000009", "UNOG", Grade.USG, True),
]


def _demo_users() -> dict:
    User = get_user_model()
    users = {
        u.username: u for u in User.objects.filter(username__in=["admin", "manager", "manager2"])
    }
    for username, name, index, unit_code, grade, head in DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, email=f"{username}@example.org")
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if not Person.objects.filter(index_number=index).exists():
            Person.objects.create(
                index_number=index,
                name=name,
                unit=OrgUnit.objects.get(code=unit_code),
                grade=grade,
                is_head_of_entity=head,
                user=user,
                email=user.email,
            )
        users[username] = user
    return users


@transaction.atomic
def seed_demo(stdout=None) -> dict[str, int]:
    if Delegation.objects.filter(reference=DEMO_PREFIX + "SG/DMSPC/FIN").exists():
        return _counts()
    users = _demo_users()
    units = {u.code: u for u in OrgUnit.objects.all()}
    today = timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    last_year = datetime.date(today.year - 1, 1, 1)

    def delegation(
        ref, delegator, delegatee, unit, area, limit, valid_from, valid_to, accepted=True, **extra
    ):
        d = Delegation(
            reference=DEMO_PREFIX + ref,
            delegator=users[delegator],
            delegatee=users[delegatee],
            unit=units[unit],
            area=area,
            limit_amount=Decimal(limit) if limit is not None else None,
            valid_from=valid_from,
            valid_to=valid_to,
            **extra,
        )
        save_delegation(d, acting_user=SYSTEM)
        if accepted:
            # Acceptance recorded with its date (the portal's, or an administrator's record).
            accept_delegation(d, acting_user=SYSTEM, accepted_on=min(valid_from, today))
        return d

    # The chain of authority (ST/SGB/2019/2): the Secretary-General delegates to heads of entity
    # (recorded by the administrator on the Secretary-General's behalf), who sub-delegate.
    sg_end = today + datetime.timedelta(days=730)
    two_years_ago = datetime.date(today.year - 2, 1, 1)
    F, P, H = AuthorityArea.FINANCE, AuthorityArea.PROCUREMENT, AuthorityArea.HUMAN_RESOURCES
    sg_fin = delegation(
        "SG/DMSPC/FIN",
        "admin",
        "manager",
        "DMSPC",
        F,
        "5000000.00",
        two_years_ago,
        sg_end,
        scope="Financial authority under the Financial Regulations and Rules, ST/SGB/2019/2.",
    )
    sg_proc = delegation(
        "SG/DMSPC/PROC",
        "admin",
        "manager",
        "DMSPC",
        P,
        "1000000.00",
        two_years_ago,
        sg_end,
        scope="Procurement authority under the Financial Regulations and Rules.",
    )
    sg_hr = delegation(
        "SG/DMSPC/HR",
        "admin",
        "manager",
        "DMSPC",
        H,
        None,
        two_years_ago,
        sg_end,
        scope="Human resources authority under the Staff Regulations and Rules.",
    )
    sg_other = delegation(
        "SG/DMSPC/OTHER",
        "admin",
        "manager",
        "DMSPC",
        AuthorityArea.OTHER,
        None,
        two_years_ago,
        sg_end,
        scope="Approval of business transformation initiatives.",
    )
    sg_dos_proc = delegation(
        "SG/DOS/PROC",
        "admin",
        "manager2",
        "DOS",
        P,
        "5000000.00",
        two_years_ago,
        sg_end,
        scope="Procurement authority for Headquarters and field requirements.",
    )
    sg_dos_prop = delegation(
        "SG/DOS/PROP",
        "admin",
        "manager2",
        "DOS",
        AuthorityArea.PROPERTY,
        "500000.00",
        two_years_ago,
        sg_end,
        scope="Property management, write-off and disposal.",
    )
    sg_dos_fin = delegation(
        "SG/DOS/FIN",
        "admin",
        "manager2",
        "DOS",
        F,
        "2000000.00",
        two_years_ago,
        sg_end,
        scope="Financial authority for the Department's budget.",
    )
    sg_dppa = delegation(
        "SG/DPPA/FIN",
        "admin",
        "dppa.head",
        "DPPA",
        F,
        "1500000.00",
        two_years_ago,
        sg_end,
        scope="Financial authority for the Department's regular budget.",
    )
    delegation(
        "SG/UNOG/HR",
        "admin",
        "unog.head",
        "UNOG",
        H,
        None,
        two_years_ago,
        sg_end,
        scope="Human resources authority for the Office at Geneva.",
    )
    # Heads of entity to their deputies and directors.
    d_fin, d_proc = sg_fin, sg_proc
    d_hr = delegation(
        "2025/003",
        "manager",
        "ohr.director",
        "DMSPC-OHR",
        H,
        None,
        last_year,
        today + datetime.timedelta(days=540),
        parent=sg_hr,
        scope="Selection and appointment of staff up to P-5; extensions of appointments.",
    )
    d_ctrl = delegation(
        "2025/004",
        "manager",
        "oppfb.controller",
        "DMSPC-OPPFB",
        F,
        "500000.00",
        last_year,
        today + datetime.timedelta(days=365),
        parent=sg_fin,
        scope="Certify and approve expenditure of the Office.",
    )
    d_sub = delegation(
        "2025/005",
        "oppfb.controller",
        "oppfb.officer",
        "DMSPC-OPPFB",
        F,
        "50000.00",
        year_start,
        today + datetime.timedelta(days=180),
        parent=d_ctrl,
        scope="Approve payments to vendors up to USD 50,000.",
    )
    d_pd = delegation(
        "2025/006",
        "manager2",
        "pd.director",
        "DOS-PD",
        P,
        "1000000.00",
        last_year,
        today + datetime.timedelta(days=20),
        parent=sg_dos_proc,
        scope="Procurement authority for Headquarters requirements.",
    )
    d_prop = delegation(
        "2025/007",
        "manager2",
        "oscm.director",
        "DOS-OSCM",
        AuthorityArea.PROPERTY,
        "100000.00",
        last_year,
        today + datetime.timedelta(days=365),
        parent=sg_dos_prop,
        scope="Write-off and disposal of property.",
    )
    # A revocation dated in the past (the demo's history): the revoke action never backdates, so
    # the seed writes it and its history entry directly.
    Delegation.objects.filter(pk=d_prop.pk).update(
        revoked_on=today - datetime.timedelta(days=60),
        revocation_reason="Disposal cases referred to the Property Survey Board after an audit.",
        revoked_by=users["manager2"],
    )
    d_prop.refresh_from_db()
    history.record(d_prop, "update", {"revoked_on": [None, d_prop.revoked_on.isoformat()]})
    delegation(
        "2024/011",
        "manager",
        "btad.chief",
        "DMSPC-BTAD",
        AuthorityArea.OTHER,
        None,
        two_years_ago,
        last_year - datetime.timedelta(days=1),
        parent=sg_other,
        scope="Approve business transformation project charters.",
    )
    delegation(
        "2025/008",
        "dppa.head",
        "dppa.exo",
        "DPPA",
        F,
        "250000.00",
        last_year,
        today + datetime.timedelta(days=365),
        parent=sg_dppa,
        scope="Certify expenditure of the Executive Office.",
    )
    # Awaiting acceptance: issued, but it confers nothing until the delegatee accepts it.
    delegation(
        "2026/001",
        "manager2",
        "oscm.director",
        "DOS-OSCM",
        F,
        "300000.00",
        today,
        today + datetime.timedelta(days=365),
        parent=sg_dos_fin,
        accepted=False,
        scope="Certify expenditure of the Office of Supply Chain Management.",
    )

    paragraphs = {p.number: p for p in Paragraph.objects.filter(number__in=[8, 13, 15, 17, 21])}

    def cite(*numbers):
        return [paragraphs[n] for n in numbers if n in paragraphs]

    def decide(title, who, unit, days_ago, area="", amount=None, deleg=None, paras=(8,), why=""):
        d = Decision(
            title=title,
            rationale=why or f"Recorded for the demo: {title.lower()}.",
            unit=units[unit],
            decided_by=users[who],
            decided_on=today - datetime.timedelta(days=days_ago),
            area=area,
            amount=Decimal(amount) if amount is not None else None,
            delegation=deleg,
        )
        return save_decision(d, acting_user=SYSTEM, paragraphs=cite(*paras))

    decide(
        "Approve the 2026 travel plan of the Department",
        "manager",
        "DMSPC",
        40,
        F,
        "185000.00",
        d_fin,
        (8, 13),
    )
    decide(
        "Award the contract for enterprise risk software",
        "manager",
        "DMSPC",
        25,
        P,
        "310000.00",
        d_proc,
        (8, 21),
        why="Urgent renewal before the licence lapsed; within the Department's procurement limit.",
    )
    decide("Publish the accountability framework update", "manager", "DMSPC", 12, paras=(8, 15))
    decide(
        "Extend 12 fixed-term appointments in OHR",
        "ohr.director",
        "DMSPC-OHR",
        30,
        H,
        None,
        d_hr,
        (8, 15),
    )
    decide(
        "Approve payment for consultancy services",
        "oppfb.officer",
        "DMSPC-OPPFB",
        20,
        F,
        "42000.00",
        d_sub,
        (8,),
    )
    over = decide(
        "Approve a vendor payment above the sub-delegated limit",
        "oppfb.officer",
        "DMSPC-OPPFB",
        15,
        F,
        "64500.00",
        d_sub,
        (8, 17, 21),
    )
    decide(
        "Approve the Office's quarterly allotment",
        "oppfb.controller",
        "DMSPC-OPPFB",
        10,
        F,
        "420000.00",
        d_ctrl,
        (8,),
    )
    decide(
        "Award the long-term agreement for freight forwarding",
        "pd.director",
        "DOS-PD",
        35,
        P,
        "870000.00",
        d_pd,
        (8, 21),
    )
    unsupported = decide(
        "Write off office furniture without a delegation",
        "oscm.director",
        "DOS-OSCM",
        70,
        AuthorityArea.PROPERTY,
        "12000.00",
        None,
        (8, 17),
    )
    # Acted after the revocation: logged with the instrument relied on, flagged outside
    # authority and awaiting the delegator's review.
    decide(
        "Write off damaged vehicles in the Office",
        "oscm.director",
        "DOS-OSCM",
        5,
        AuthorityArea.PROPERTY,
        "38000.00",
        d_prop,
        (8, 17, 21),
        why="Write-off approved under the Office's property delegation.",
    )
    decide("Approve the Department's business continuity plan", "manager2", "DOS", 8, paras=(8, 13))
    admin = users["admin"]
    review_decision(
        over,
        acting_user=admin,
        outcome=ReviewOutcome.MISMANAGEMENT,
        action_taken="Payment held; officer retrained; controller to countersign.",
    )
    review_decision(
        unsupported,
        acting_user=admin,
        outcome=ReviewOutcome.JUSTIFIED,
        action_taken="Ratified by the Property Survey Board.",
    )

    def commit(title, owner, unit, due_in, status=None, paras=(8,), honoured_days_ago=None):
        c = Commitment(
            title=title,
            deliverable=f"Deliverable: {title.lower()}.",
            unit=units[unit],
            owner=users[owner],
            due_on=today + datetime.timedelta(days=due_in),
        )
        save_commitment(c, acting_user=SYSTEM, paragraphs=cite(*paras))
        if status in (CommitmentStatus.HONOURED, CommitmentStatus.MISSED):
            change_commitment_status(c, acting_user=SYSTEM, status=CommitmentStatus.IN_PROGRESS)
        if status:
            honoured = (
                today - datetime.timedelta(days=honoured_days_ago)
                if status == CommitmentStatus.HONOURED
                else None
            )
            change_commitment_status(c, acting_user=SYSTEM, status=status, honoured_on=honoured)
        return c

    commit(
        "Issue the revised delegation of authority policy",
        "manager",
        "DMSPC",
        -30,
        CommitmentStatus.HONOURED,
        (8, 21),
        honoured_days_ago=35,
    )
    commit(
        "Implement the dashboard of exceptions to delegated authority",
        "manager",
        "DMSPC",
        10,
        CommitmentStatus.IN_PROGRESS,
        (21,),
    )
    commit(
        "Train all hiring managers on the staff selection system",
        "ohr.director",
        "DMSPC-OHR",
        60,
        None,
        (15,),
    )
    commit(
        "Close the 2025 accounts on time",
        "oppfb.controller",
        "DMSPC-OPPFB",
        -10,
        CommitmentStatus.MISSED,
        (8, 13),
    )
    commit(
        "Complete the annual certification of delegated authority",
        "manager2",
        "DOS",
        14,
        None,
        (21,),
    )
    commit(
        "Publish the procurement conflict-of-interest guidance",
        "pd.director",
        "DOS-PD",
        -60,
        CommitmentStatus.HONOURED,
        (8,),
        honoured_days_ago=50,
    )
    commit(
        "Roll out the property disposal checklist",
        "oscm.director",
        "DOS-OSCM",
        90,
        CommitmentStatus.CANCELLED,
        (8,),
    )
    _seed_previous_year(today, users, decide, d_fin, d_hr, d_ctrl, d_pd)
    return _counts()


def _seed_previous_year(today, users, decide, d_fin, d_hr, d_ctrl, d_pd) -> None:
    """Last year's decisions, reviews and entered KPIs, so that the KPI table compares two
    years for the demo's entities (DMSPC and DOS)."""

    def days_since(month: int, day: int) -> int:
        return (today - datetime.date(today.year - 1, month, day)).days

    F, P, H = AuthorityArea.FINANCE, AuthorityArea.PROCUREMENT, AuthorityArea.HUMAN_RESOURCES
    decide(
        "Approve the conference servicing budget for the year",
        "manager",
        "DMSPC",
        days_since(3, 14),
        F,
        "420000.00",
        d_fin,
        (8, 21),
    )
    decide(
        "Extend the appointment of a finance officer (P-4)",
        "ohr.director",
        "DMSPC-OHR",
        days_since(5, 6),
        H,
        None,
        d_hr,
        (8, 15),
    )
    over_ctrl = decide(
        "Pay a consultancy invoice above the Office's limit",
        "oppfb.controller",
        "DMSPC-OPPFB",
        days_since(9, 22),
        F,
        "650000.00",
        d_ctrl,
        (8, 21),
    )
    decide(
        "Award the freight forwarding contract",
        "pd.director",
        "DOS-PD",
        days_since(4, 2),
        P,
        "800000.00",
        d_pd,
        (8,),
    )
    over_pd = decide(
        "Purchase armoured vehicles for field missions",
        "pd.director",
        "DOS-PD",
        days_since(10, 8),
        P,
        "1200000.00",
        d_pd,
        (8, 21),
    )
    admin = users["admin"]
    # Reviewed in 12 days (on time) and in 50 days (late against the 30-day KPI).
    review_decision(
        over_ctrl,
        acting_user=admin,
        outcome=ReviewOutcome.JUSTIFIED,
        action_taken="Ratified: the invoice was split across two obligations by error.",
        reviewed_on=over_ctrl.decided_on + datetime.timedelta(days=12),
    )
    review_decision(
        over_pd,
        acting_user=admin,
        outcome=ReviewOutcome.MISMANAGEMENT,
        action_taken="Referred to the Headquarters Committee on Contracts; director reminded.",
        reviewed_on=over_pd.decided_on + datetime.timedelta(days=50),
    )
    # Entered with evidence: the data lives in the oversight and performance systems (trained
    # delegatees are computed from the learning records).
    entered = {
        "DMSPC": {
            "oversight_recommendations_delegated_areas": ("75.0", "83.3"),
            "appraisal_compliance_delegatees": ("88.0", "94.0"),
        },
        "DOS": {
            "oversight_recommendations_delegated_areas": ("60.0", "81.0"),
            "appraisal_compliance_delegatees": ("90.0", "85.0"),
        },
    }
    for code, values in entered.items():
        unit = OrgUnit.objects.get(code=code)
        for kpi, (previous, current) in values.items():
            for year, value in ((today.year - 1, previous), (today.year, current)):
                evidence = ContentFile(
                    f"{code} {kpi} {year}: {value}%, extract from the source system.\n".encode(),
                    name=f"{code}-{kpi}-{year}.txt",
                )
                save_kpi_entry(
                    KpiEntry(
                        unit=unit,
                        kpi=kpi,
                        year=year,
                        value=Decimal(value),
                        evidence=evidence,
                        note="Demo figure.",
                    ),
                    acting_user=SYSTEM,
                )


def _counts() -> dict[str, int]:
    return {
        "delegations": Delegation.objects.count(),
        "decisions": Decision.objects.count(),
        "commitments": Commitment.objects.count(),
    }


# --- Scale -------------------------------------------------------------------------------------

SCALE_PREFIX = "S/DOA/"
BATCH = 20_000


def _scale_users(n: int, unit_ids: list[int]) -> list[int]:
    User = get_user_model()
    existing = set(
        User.objects.filter(username__startswith="doa-").values_list("username", flat=True)
    )
    new = [
        User(username=f"doa-{i:05d}", email=f"doa-{i:05d}@example.org", password="!")
        for i in range(n)
        if f"doa-{i:05d}" not in existing
    ]
    User.objects.bulk_create(new, batch_size=5000)
    return list(
        User.objects.filter(username__startswith="doa-").order_by("pk").values_list("pk", flat=True)
    )


def _within(delegation: Delegation | None, decided_by: int, area: str, day, amount) -> bool:
    if delegation is None:
        return not area
    return (
        delegation.delegatee_id == decided_by
        and delegation.area == area
        and delegation.valid_on(day)
        and delegation.chain_accepted_on is not None
        and delegation.chain_accepted_on <= day
        and (delegation.limit_amount is None or (amount or 0) <= delegation.limit_amount)
    )


def _scale_administrator() -> int:
    """The administrator who records the root instruments on the Secretary-General's behalf."""
    User = get_user_model()
    user = User.objects.filter(username="doa-sg-office").first()
    if user is None:
        user = User.objects.create(
            username="doa-sg-office", email="doa-sg-office@example.org", password="!"
        )
        role = Role(user=user, kind=RoleKind.ADMINISTRATOR)
        Role.objects.bulk_create([role])
        history.record_bulk([role])
    return user.pk


def _record_after_commit(rows: list) -> None:
    """The history of a committed batch of the big tables. Outside a transaction the entries
    are linked into the chain as they are written; inside one they are written pending and
    rewritten when it commits (core.history), twice the work for a million rows. A run stopped
    between the two leaves rows without entries: rerun on a fresh database."""
    history.record_bulk(rows)


def _other_than(excluded, choices, rng):
    """A random choice that is not `excluded`: authority is never delegated to oneself."""
    while (chosen := rng.choice(choices)) == excluded:
        pass
    return chosen


def seed_scale(factor: float, progress) -> dict[str, int]:
    """~5,000 instruments, 1,000,000 decisions and 200,000 commitments at factor 1, in bulk."""
    return seed_scale_split(factor, progress)(progress)


def seed_scale_split(factor: float, progress):
    """The instruments (and the accounts that hold them) written now; returns the writer of the
    decisions and commitments, `write(progress) -> counts`, which no other app's seed reads:
    seed_scale (the command) runs it in a process of its own beside the other apps' seeds. It
    draws from the same random stream as the instruments, so the rows are the same either way.

    The instruments follow ST/SGB/2019/2 as issue 14 has it: root instruments are issued by an
    administrator on the Secretary-General's behalf to the heads of entity (org.seed_base makes
    one per synthetic unit), and every other instrument is a sub-delegation of one held, from
    its delegatee, within its limit and dates."""
    rng = random.Random(21)
    today = timezone.localdate()
    unit_ids = list(OrgUnit.objects.filter(code__startswith="S-").values_list("pk", flat=True))
    if not unit_ids:
        unit_ids = list(OrgUnit.objects.values_list("pk", flat=True))
    n_delegations = max(20, round(5_000 * factor))
    n_decisions = max(100, round(1_000_000 * factor))
    n_commitments = max(20, round(200_000 * factor))
    user_ids = _scale_users(max(10, round(2_000 * factor)), unit_ids)
    areas = list(AuthorityArea.values)
    paragraph_ids = dict(Paragraph.objects.values_list("number", "pk"))
    cited = [paragraph_ids[n] for n in (8, 13, 15, 17, 21) if n in paragraph_ids]
    heads = list(
        Person.objects.filter(is_head_of_entity=True, user__isnull=False, unit_id__in=unit_ids)
        .order_by("unit__code")
        .values_list("user_id", "unit_id")
    )
    sg_office = _scale_administrator()

    start = Delegation.objects.filter(reference__startswith=SCALE_PREFIX).count()
    made: list[Delegation] = list(
        Delegation.objects.filter(reference__startswith=SCALE_PREFIX).order_by("pk")
    )
    # One root instrument per head of entity and area (while they fit in n_delegations), the
    # rest sub-delegated down the chains.
    roots = [(user, unit, area) for user, unit in heads for area in areas][: n_delegations // 4]
    # Chains as ST/SGB/2019/2 has them: the Secretary-General, the head of entity, and at most
    # two further levels below (a director, a chief), never the long chains of a random walk.
    depth: dict[int, int] = {}
    for d in made:
        depth[d.pk] = depth.get(d.parent_id, -1) + 1 if d.parent_id else 0
    with transaction.atomic():
        # Keys drawn first: a sub-delegation may cite an instrument of its own batch.
        ids = iter(reserve_ids(Delegation, n_delegations - start))
        new = []
        for i in range(start, n_delegations):
            if i < len(roots):
                delegatee, unit_id, area = roots[i]
                valid_from = today - datetime.timedelta(days=rng.randint(400, 3650))
                d = Delegation(
                    reference=f"{SCALE_PREFIX}{i:06d}",
                    delegator_id=sg_office,
                    delegatee_id=delegatee,
                    unit_id=unit_id,
                    area=area,
                    limit_amount=None if rng.random() < 0.3 else Decimal(5_000_000),
                    valid_from=valid_from,
                    valid_to=None
                    if rng.random() < 0.5
                    else valid_from + datetime.timedelta(days=3652),
                    scope="Authority delegated by the Secretary-General (ST/SGB/2019/2)",
                    accepted_on=valid_from,
                    chain_accepted_on=valid_from,
                )
            else:
                held = [m for m in made[-600:] if m.revoked_on is None and depth[m.pk] < 3]
                parent = rng.choice(held) if held else None
                if parent is None:
                    continue
                end = min(parent.valid_to or today, today)
                span = (end - parent.valid_from).days - 1
                if span < 1:
                    continue  # nothing left of the parent to sub-delegate
                valid_from = parent.valid_from + datetime.timedelta(days=rng.randint(0, span))
                valid_to = valid_from + datetime.timedelta(days=rng.choice([365, 730, 1095, 1825]))
                if parent.valid_to is not None:
                    valid_to = min(valid_to, parent.valid_to)
                cap = parent.limit_amount or Decimal(5_000_000)
                d = Delegation(
                    reference=f"{SCALE_PREFIX}{i:06d}",
                    delegator_id=parent.delegatee_id,
                    parent_id=parent.pk,
                    delegatee_id=_other_than(parent.delegatee_id, user_ids, rng),
                    unit_id=parent.unit_id,
                    area=parent.area,
                    limit_amount=(cap * Decimal(rng.choice([10, 20, 50]) / 100)).quantize(
                        Decimal("1")
                    ),
                    valid_from=valid_from,
                    valid_to=valid_to,
                    scope="Sub-delegated authority",
                    accepted_on=valid_from,
                    chain_accepted_on=max(valid_from, parent.chain_accepted_on or valid_from),
                )
                if rng.random() < 0.08:
                    span = max(1, (min(valid_to, today) - valid_from).days)
                    d.revoked_on = valid_from + datetime.timedelta(days=rng.randint(1, span))
                    d.revocation_reason = "Revoked after review"
            d.pk = next(ids)
            depth[d.pk] = depth[d.parent_id] + 1 if d.parent_id else 0
            made.append(d)
            new.append(d)
            if len(new) == 1000 or i == n_delegations - 1:
                copy_insert(Delegation, new)
                history.record_bulk(new)
                new = []
        copy_insert(Delegation, new)
        history.record_bulk(new)
        progress("delegations", n_delegations, n_delegations)

    # Decisions under the sub-delegations, by their delegatees (the heads hold the roots).
    usable = [d for d in made if d.valid_from <= today and d.parent_id is not None] or [
        d for d in made if d.valid_from <= today
    ]

    def write(progress, finished=None) -> dict[str, int]:
        """`finished(models)`, if given, is told when the rows of `models` are all written (the
        command rebuilds their indexes meanwhile)."""
        _scale_decisions(
            rng, today, n_decisions, usable, unit_ids, user_ids, areas, cited, progress
        )
        if finished is not None:
            finished([Decision])
        _scale_commitments(rng, today, n_commitments, unit_ids, user_ids, progress)
        return _counts()

    return write


def _scale_decisions(rng, today, n_decisions, usable, unit_ids, user_ids, areas, cited, progress):
    Through = Decision.paragraphs.through
    new_decision = Builder(Decision)
    outcomes = ReviewOutcome.values  # a new list on every read (Django's enums): read once
    done = Decision.objects.filter(title__startswith="Decision S-").count()
    for offset in range(done, n_decisions, BATCH):
        batch = []
        for n in range(offset, min(offset + BATCH, n_decisions)):
            roll = rng.random()
            delegation = rng.choice(usable) if roll < 0.85 and usable else None
            if delegation is not None:
                end = min(delegation.valid_to or today, today)
                span = max(0, (end - delegation.valid_from).days)
                day = delegation.valid_from + datetime.timedelta(days=rng.randint(0, span))
                limit = delegation.limit_amount or Decimal(2_000_000)
                share = rng.random() * (1.2 if rng.random() < 0.04 else 0.95)
                amount = (limit * Decimal(str(round(share, 4)))).quantize(Decimal("0.01"))
                area, unit_id, who = delegation.area, delegation.unit_id, delegation.delegatee_id
            else:
                day = today - datetime.timedelta(days=rng.randint(0, 3650))
                area = rng.choice(areas) if roll > 0.95 else ""
                amount = Decimal(rng.randint(1_000, 90_000)) if area else None
                unit_id, who = rng.choice(unit_ids), rng.choice(user_ids)
            within = _within(delegation, who, area, day, amount)
            decision = new_decision(
                title=f"Decision S-{n:07d}",
                rationale="Synthetic decision",
                unit_id=unit_id,
                decided_by_id=who,
                decided_on=day,
                area=area,
                amount=amount,
                delegation=delegation,
                within_authority=within,
            )
            if not within and rng.random() < 0.5:
                decision.review_outcome = rng.choice(outcomes)
                decision.review_action = "Reviewed"
                decision.reviewed_on = min(today, day + datetime.timedelta(days=30))
            batch.append(decision)
        with transaction.atomic():
            copy_insert(Decision, batch)
            # One paragraph per linked decision: no duplicate pairs to guard against.
            copy_rows(
                Through,
                ["decision_id", "paragraph_id"],
                [(d.pk, rng.choice(cited)) for d in batch if cited and rng.random() < 0.2],
            )
        _record_after_commit(batch)
        progress("decisions", min(offset + BATCH, n_decisions), n_decisions)


def _scale_commitments(rng, today, n_commitments, unit_ids, user_ids, progress):
    statuses = [CommitmentStatus.HONOURED] * 5 + [
        CommitmentStatus.MISSED,
        CommitmentStatus.CANCELLED,
    ]
    new_commitment, new_transition = Builder(Commitment), Builder(CommitmentTransition)
    done = Commitment.objects.filter(title__startswith="Commitment S-").count()
    for offset in range(done, n_commitments, BATCH):
        batch = []
        for n in range(offset, min(offset + BATCH, n_commitments)):
            due = today + datetime.timedelta(days=rng.randint(-3650, 365))
            if due >= today:
                status = rng.choice([CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS])
            else:
                status = rng.choice(statuses)
            honoured = (
                min(today, due + datetime.timedelta(days=rng.randint(-60, 20)))
                if status == CommitmentStatus.HONOURED
                else None
            )
            batch.append(
                new_commitment(
                    title=f"Commitment S-{n:07d}",
                    deliverable="Synthetic deliverable",
                    unit_id=rng.choice(unit_ids),
                    owner_id=rng.choice(user_ids),
                    due_on=due,
                    status=status,
                    honoured_on=honoured,
                    reminded_before_on=due if due < today else None,
                    reminded_due_on=due if due < today else None,
                )
            )
        with transaction.atomic():
            copy_insert(Commitment, batch)
            transitions = [
                new_transition(
                    commitment=c, from_status="", to_status=c.status, actor="command:seed_scale"
                )
                for c in batch
            ]
            copy_insert(CommitmentTransition, transitions)
        _record_after_commit(batch + transitions)
        progress("commitments", min(offset + BATCH, n_commitments), n_commitments)
