"""The world the permission table runs against: one record of every model the API exposes on each
side of the organisation (the DMSPC side and the DOS side), and oversight records of two bodies
(OIOS and BOA), so that a leak across units or bodies shows.

Records are keyed: "dmspc" and "dos" are the side's main record; a key may add a variant after a
colon ("dmspc:assessed", a second record the table needs in another state) or an oversight body
after a slash ("dmspc/OIOS": an OIOS recommendation addressed to a DMSPC unit; "/BOA": a BOA report,
which belongs to no unit). `Ref(key)` reads a key back as (side, body, variant) for the rules.

Unit records sit one level below the department (DMSPC-OHR, DOS-PD), so that a manager's right over
"the unit and the units below it" is what the table exercises; records a head of entity acts on in
person (a self-assessment they certify, the instrument they received) sit at the department.

The world is built once per test module inside a transaction that is rolled back when the module
ends; each test runs in a savepoint inside it (pytest-django's `db`), so writes never leak from one
test to the next and nothing survives into other modules.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import transaction

from org.choices import RoleKind
from org.tests.factories import OrgUnitFactory, PersonFactory, UserFactory, UserWithRoleFactory

SIDES = ("dmspc", "dos")
BODIES = ("OIOS", "BOA")
PERSONAS = ("admin", "manager", "manager2", "oios", "boa", "gastaff", "outsider", "anon")
TODAY = datetime.date.today()


@dataclass(frozen=True)
class Ref:
    """A world key read back: `side` ("dmspc", "dos", "" for no unit, or a run's state for
    report runs), `body` ("OIOS", "BOA" or ""), `variant` (the part after a colon)."""

    key: str
    side: str = ""
    body: str = ""
    variant: str = ""

    @classmethod
    def of(cls, key: str) -> "Ref":
        head, _, variant = key.partition(":")
        side, _, body = head.partition("/")
        return cls(key=key, side=side, body=body, variant=variant)


@dataclass
class World:
    units: dict
    users: dict  # persona -> User (None for "anon")
    people: dict  # name -> Person
    records: dict = field(default_factory=dict)  # resource -> {key: instance}

    def add(self, resource: str, key: str, obj):
        self.records.setdefault(resource, {})[key] = obj
        return obj

    def get(self, resource: str, key: str):
        obj = self.records[resource][key]
        return type(obj)._default_manager.get(pk=obj.pk)

    def all(self, resource: str) -> dict:
        return self.records.get(resource, {})

    def unit(self, key: str):
        """The unit a new record of that side goes to (the unit below the department)."""
        return self.units[{"dmspc": "ohr", "dos": "pd"}[Ref.of(key).side]]

    def department(self, key: str):
        return self.units[Ref.of(key).side]

    def user(self, persona: str):
        return self.users[persona]


def _fields(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _with_existing(model, **values) -> dict:
    """Only the values the model has a field for (apps add fields while the table is written)."""
    names = _fields(model)
    return {k: v for k, v in values.items() if k.split("__")[0] in names}


def _create(model_label: str, **values):
    model = apps.get_model(model_label)
    return model._default_manager.create(**_with_existing(model, **values))


def build_personas():
    """The conftest personas, built here too because the world lives for a whole module (the
    conftest fixtures live for one test)."""
    units = {
        "root": OrgUnitFactory(code="UN", name="United Nations Secretariat", parent=None),
    }
    units["dmspc"] = OrgUnitFactory(
        code="DMSPC",
        name="Department of Management Strategy, Policy and Compliance",
        parent=units["root"],
    )
    units["ohr"] = OrgUnitFactory(
        code="DMSPC-OHR", name="Office of Human Resources", parent=units["dmspc"]
    )
    units["dos"] = OrgUnitFactory(
        code="DOS", name="Department of Operational Support", parent=units["root"]
    )
    units["pd"] = OrgUnitFactory(code="DOS-PD", name="Procurement Division", parent=units["dos"])
    users = {
        "admin": UserWithRoleFactory(
            username="admin", role_kind=RoleKind.ADMINISTRATOR, is_superuser=True, is_staff=True
        ),
        "manager": UserWithRoleFactory(
            username="manager", role_kind=RoleKind.MANAGER, role_unit=units["dmspc"]
        ),
        "manager2": UserWithRoleFactory(
            username="manager2", role_kind=RoleKind.MANAGER, role_unit=units["dos"]
        ),
        "oios": UserWithRoleFactory(
            username="oios", role_kind=RoleKind.OVERSIGHT, role_body="OIOS"
        ),
        "boa": UserWithRoleFactory(username="boa", role_kind=RoleKind.OVERSIGHT, role_body="BOA"),
        "gastaff": UserWithRoleFactory(username="gastaff", role_kind=RoleKind.GA_STAFF),
        "outsider": UserWithRoleFactory(username="outsider", role_kind=None),
        "anon": None,
    }
    people = {
        "manager": PersonFactory(
            user=users["manager"],
            unit=units["dmspc"],
            grade="USG",
            name="Maria Manager",
            is_head_of_entity=True,
        ),
        "manager2": PersonFactory(
            user=users["manager2"],
            unit=units["dos"],
            grade="USG",
            name="Omar Operations",
            is_head_of_entity=True,
        ),
    }
    return units, users, people


def _body(code: str):
    Body = apps.get_model("oversight", "OversightBody")
    return Body.objects.get_or_create(code=code, defaults={"name": f"{code} (world)"})[0]


def build_world() -> World:
    from accountability.tests.factories import (
        CommitmentFactory,
        DecisionFactory,
        DelegationFactory,
    )
    from oversight.tests.factories import RecommendationFactory, ReportFactory
    from performance.tests.factories import (
        AppraisalFactory,
        CompactFactory,
        FindingFactory,
        IndicatorFactory,
        ObjectiveFactory,
        ResultFactory,
        SeniorManagerFactory,
    )
    from risk.tests.factories import (
        ControlFactory,
        ControlTestFactory,
        DeclarationFactory,
        ProcurementCaseFactory,
        RecoveryCaseFactory,
        RiskFactory,
        TreatmentFactory,
    )

    units, users, people = build_personas()
    world = World(units=units, users=users, people=people)
    admin = users["admin"]

    # Reference data: the oversight bodies and their reports.
    for code in BODIES:
        world.add("oversight-bodies", f"/{code}", _body(code))
        world.add(
            "oversight-reports",
            f"/{code}",
            ReportFactory(body=_body(code), symbol=f"{code}/W/2025/1", title=f"{code} world audit"),
        )

    for side in SIDES:
        sub = world.unit(side)
        dept = world.department(side)
        head_user = users["manager" if side == "dmspc" else "manager2"]
        tag = side.upper()

        # Organisation.
        world.add("org-units", side, sub)
        staff_user = UserFactory(username=f"{side}-staff")
        staff = PersonFactory(unit=sub, user=staff_user, name=f"{tag} Staff")
        panellist = PersonFactory(unit=sub, name=f"{tag} Panellist")
        spare = PersonFactory(unit=sub, name=f"{tag} Spare")
        world.people[side] = staff
        world.people[f"{side}:panellist"] = panellist
        world.people[f"{side}:spare"] = spare
        world.add("people", side, staff)
        world.add("people", f"{side}:panellist", panellist)
        world.add("people", f"{side}:spare", spare)

        # Accountability: a root instrument (administrator -> head of entity, at the department),
        # a sub-delegation (head -> staff member, below it), a decision outside authority under
        # it, a reviewed one, and a commitment.
        accepted = {"accepted_on": TODAY - datetime.timedelta(days=100)}
        root = DelegationFactory(
            delegator=admin,
            delegatee=head_user,
            unit=dept,
            reference=f"DOA/{tag}/ROOT",
            **_with_existing(apps.get_model("accountability", "Delegation"), **accepted),
        )
        world.add("delegations", f"{side}:root", root)
        delegation = DelegationFactory(
            delegator=head_user,
            delegatee=staff_user,
            unit=sub,
            parent=root,
            reference=f"DOA/{tag}/SUB",
            limit_amount=Decimal("50000.00"),
        )
        world.add("delegations", side, delegation)
        world.add(
            "decisions",
            side,
            DecisionFactory(
                unit=sub,
                decided_by=staff_user,
                area="finance",
                amount=Decimal("500000.00"),
                delegation=delegation,
                title=f"{tag} world decision",
            ),
        )
        world.add(
            "decisions",
            f"{side}:reviewed",
            DecisionFactory(
                unit=sub,
                decided_by=staff_user,
                area="finance",
                amount=Decimal("600000.00"),
                delegation=delegation,
                title=f"{tag} reviewed decision",
                **_with_existing(
                    apps.get_model("accountability", "Decision"),
                    review_outcome="justified",
                    review_action="Noted.",
                    reviewed_by=admin,
                    reviewed_on=TODAY - datetime.timedelta(days=1),
                ),
            ),
        )
        world.add(
            "commitments",
            side,
            CommitmentFactory(unit=sub, owner=staff_user, title=f"{tag} world commitment"),
        )

        # Oversight: a recommendation of each body addressed to this side.
        for code in BODIES:
            world.add(
                "recommendations",
                f"{side}/{code}",
                RecommendationFactory(
                    report=world.records["oversight-reports"][f"/{code}"],
                    unit=sub,
                    number=f"{tag}-{code}-1",
                    text=f"{code} asks {tag} to act.",
                ),
            )

        # Performance: a draft compact with an objective (it may be signed), an assessed compact
        # with an open Board finding, appraisals (one with an underperformance case, one spare),
        # results-based management.
        senior = SeniorManagerFactory(unit=sub, name=f"{tag} Senior Manager")
        world.people[f"{side}:senior"] = senior
        world.add("people", f"{side}:senior", senior)
        compact = CompactFactory(senior_manager=senior, unit=sub, year=2026)
        world.add("compacts", side, compact)
        world.add("compact-objectives", side, ObjectiveFactory(compact=compact))
        assessed = CompactFactory(
            senior_manager=senior,
            unit=sub,
            year=2025,
            **_with_existing(
                apps.get_model("performance", "Compact"),
                status="assessed",
                signed_on=datetime.date(2025, 1, 20),
                assessed_on=datetime.date(2026, 2, 1),
            ),
        )
        world.add("compacts", f"{side}:assessed", assessed)
        world.add("compact-objectives", f"{side}:assessed", ObjectiveFactory(compact=assessed))
        signed = CompactFactory(
            senior_manager=senior,
            unit=sub,
            year=2024,
            **_with_existing(
                apps.get_model("performance", "Compact"),
                status="signed",
                signed_on=datetime.date(2024, 1, 20),
            ),
        )
        world.add("compacts", f"{side}:signed", signed)
        world.add("compact-objectives", f"{side}:signed", ObjectiveFactory(compact=signed))
        world.add("mpb-findings", side, FindingFactory(compact=assessed))
        appraisal = AppraisalFactory(
            staff=staff,
            unit=sub,
            completed_on=datetime.date(2025, 5, 20),
            rating="does_not_meet",
        )
        world.add("appraisals", side, appraisal)
        # Rated "partially meets" and without a case yet: the table opens one on it.
        world.add(
            "appraisals",
            f"{side}:spare",
            AppraisalFactory(
                staff=spare,
                unit=sub,
                completed_on=datetime.date(2025, 5, 25),
                rating="partially_meets",
            ),
        )
        world.add(
            "underperformance-cases",
            side,
            _create(
                "performance.UnderperformanceCase",
                appraisal=appraisal,
                improvement_plan="Weekly coaching.",
                plan_start=datetime.date(2025, 6, 1),
            ),
        )
        accomplishment = world.add(
            "expected-accomplishments",
            side,
            _create("performance.ExpectedAccomplishment", unit=sub, title=f"{tag} accomplishment"),
        )
        indicator = world.add(
            "indicators", side, IndicatorFactory(unit=sub, accomplishment=accomplishment)
        )
        world.add("indicator-results", side, ResultFactory(indicator=indicator, period="2024"))
        # Issue 15: a course, a completion by the side's staff member, a disciplinary case, an
        # award and the unit's budget performance.
        course = world.add(
            "courses",
            side,
            _create(
                "performance.Course",
                code=f"W-{tag}",
                title=f"{tag} course",
                area="ethics",
                mandatory=True,
            ),
        )
        world.add(
            "course-completions",
            side,
            _create(
                "performance.CourseCompletion",
                person=staff,
                course=course,
                completed_on=datetime.date(2025, 1, 15),
            ),
        )
        world.add(
            "disciplinary-cases",
            side,
            _create(
                "performance.DisciplinaryCase",
                unit=sub,
                person=spare,
                opened_on=datetime.date(2025, 1, 10),
                category="fraud",
            ),
        )
        world.add(
            "recognitions",
            side,
            _create(
                "performance.Recognition",
                unit=sub,
                person=staff,
                kind="sg_award",
                awarded_on=datetime.date(2025, 5, 1),
                reason=f"{tag} award",
            ),
        )
        world.add(
            "budget-performance",
            side,
            _create(
                "performance.BudgetPerformance",
                unit=sub,
                period="2024",
                appropriation=Decimal("1000000.00"),
                expenditure=Decimal("870000.00"),
            ),
        )

        # Risk and internal control.
        risk = world.add("risks", side, RiskFactory(unit=sub, title=f"{tag} world risk"))
        world.add("treatments", side, TreatmentFactory(risk=risk))
        control = world.add("controls", side, ControlFactory(unit=sub))
        test = world.add("control-tests", side, ControlTestFactory(control=control))
        world.add(
            "deficiencies",
            side,
            _create(
                "risk.Deficiency",
                test=test,
                description=f"{tag} deficiency",
                remediation="Retrain the approvers.",
            ),
        )
        world.add(
            "self-assessments",
            side,
            _create("risk.SelfAssessment", unit=dept, year=2025, statement="Draft statement."),
        )
        # A flagged case (its panellist declared an interest in its vendor) and a clean one
        # (the panellist declared none): the first can be cleared, the second awarded.
        flagged = ProcurementCaseFactory(
            unit=sub,
            reference=f"RFP-{tag}-FLAG",
            vendors=["Acme Supplies"],
            panel=[panellist],
        )
        world.add("procurement-cases", side, flagged)
        world.add(
            "interest-declarations",
            side,
            DeclarationFactory(
                case=flagged, person=panellist, vendor="Acme Supplies", interest="Brother-in-law"
            ),
        )
        clean = ProcurementCaseFactory(
            unit=sub,
            reference=f"RFP-{tag}-CLEAN",
            vendors=["Beta Services"],
            panel=[panellist],
        )
        world.add("procurement-cases", f"{side}:clean", clean)
        world.add(
            "interest-declarations",
            f"{side}:clean",
            DeclarationFactory(case=clean, person=panellist, vendor=""),
        )
        # Issue 15: the side's risk on the Secretariat-wide register (its head answerable for
        # it), a second risk an administrator may flag, and a committee on contracts review.
        world.add(
            "critical-risks",
            side,
            _create(
                "risk.CriticalRisk",
                risk=risk,
                owner_unit=dept,
                accountable_manager=world.people["manager" if side == "dmspc" else "manager2"],
                treatment=f"{tag} Secretariat-wide treatment",
                flagged_on=datetime.date(2025, 6, 1),
            ),
        )
        world.add("risk-candidates", side, RiskFactory(unit=sub, title=f"{tag} candidate risk"))
        world.add(
            "contracts-reviews",
            side,
            _create(
                "risk.ContractsReview",
                case=flagged,
                reviewed_on=datetime.date(2025, 3, 10),
                outcome="deferred",
                recommendation="Clarify the conflict of interest first.",
            ),
        )
        case = world.add("recovery-cases", side, RecoveryCaseFactory(unit=sub))
        world.add(
            "recovery-actions",
            side,
            _create(
                "risk.RecoveryAction",
                case=case,
                taken_on=datetime.date(2025, 3, 1),
                kind="repayment",
                amount=Decimal("1000.00"),
                note="First instalment.",
            ),
        )

    # Secretariat-wide records of issue 15: a draft statement of internal control and a
    # debarment of a vendor (no unit: every user with a role reads them).
    world.add(
        "control-statements",
        "any:draft",
        _create("risk.InternalControlStatement", year=2025, text="Draft statement for 2025."),
    )
    world.add(
        "vendor-sanctions",
        "any:debarment",
        _create(
            "risk.VendorSanction",
            vendor="Shady Supplies",
            measure="debarment",
            sanctioned_from=datetime.date(2025, 1, 1),
            reason="Fraudulent documents.",
        ),
    )

    # The resolution's paragraphs: reference data every signed-in user reads.
    from org.resolution import load_resolution

    load_resolution()
    Paragraph = apps.get_model("org", "Paragraph")
    for number in (8, 21):
        world.add("paragraphs", f"any:{number}", Paragraph.objects.get(number=number))

    # Governance (issue 15): a draft, a submitted and an accepted paragraph assessment per side (the office
    # is the unit below the department), a Committee meeting with a decision whose follow-up
    # actions are owned by each side, a lesson applied in each side, a consultation of each body,
    # two mandates and a milestone of each system.
    build_governance(world)

    # Report runs: an issued one (every signed-in user reads it) and a queued one.
    for state in ("done", "queued"):
        world.add(
            "reports",
            state,
            _create(
                "reports.ReportRun",
                title=f"World run ({state})",
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 12, 31),
                language="en",
                status=state,
                requested_by=admin,
                progress=100 if state == "done" else 0,
            ),
        )
    # Report editions: a draft (its authors only) and an issued one (every signed-in user).
    for number, state in ((501, "draft"), (502, "issued")):
        world.add(
            "report-editions",
            state,
            _create(
                "reports.ReportEdition",
                session=80,
                symbol=f"A/80/{number}",
                agenda_item="136",
                agenda_item_title_en="Review of the efficiency of the United Nations",
                period_start=datetime.date(2024, 1, 1),
                period_end=datetime.date(2025, 12, 31),
                languages=["en"],
                state=state,
                created_by=admin,
            ),
        )
    return world


def build_governance(world: World) -> None:
    Paragraph = apps.get_model("org", "Paragraph")
    for side, number in (("dmspc", 12), ("dos", 28)):
        sub = world.unit(side)
        common = {"paragraph": Paragraph.objects.get(number=number), "unit": sub}
        world.add(
            "paragraph-assessments",
            side,
            _create(
                "governance.ParagraphAssessment",
                **common,
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 12, 31),
                status="in_progress",
                justification=f"{side.upper()} draft assessment.",
            ),
        )
        world.add(
            "paragraph-assessments",
            f"{side}:submitted",
            _create(
                "governance.ParagraphAssessment",
                **common,
                period_start=datetime.date(2024, 1, 1),
                period_end=datetime.date(2024, 12, 31),
                status="implemented",
                justification=f"{side.upper()} submitted assessment.",
                state="submitted",
                submitted_on=TODAY,
            ),
        )
        world.add(
            "paragraph-assessments",
            f"{side}:accepted",
            _create(
                "governance.ParagraphAssessment",
                **common,
                period_start=datetime.date(2023, 1, 1),
                period_end=datetime.date(2023, 12, 31),
                status="implemented",
                justification=f"{side.upper()} accepted assessment.",
                state="accepted",
                submitted_on=TODAY,
                reviewed_on=TODAY,
                accepted_on=TODAY,
            ),
        )
    meeting = world.add(
        "committee-meetings",
        "any:1",
        _create(
            "governance.CommitteeMeeting",
            held_on=datetime.date(2025, 3, 4),
            agenda="Oversight recommendations past due.",
            minutes_summary="Reviewed.",
        ),
    )
    decision = world.add(
        "committee-decisions",
        "any:1",
        _create("governance.CommitteeDecision", meeting=meeting, number=1, text="Act."),
    )
    for side in SIDES:
        world.add(
            "follow-ups",
            side,
            _create(
                "governance.FollowUpAction",
                decision=decision,
                unit=world.unit(side),
                title=f"{side.upper()} follow-up",
                assigned_on=datetime.date(2025, 3, 4),
                due_on=datetime.date(2025, 6, 30),
            ),
        )
        world.add(
            "lessons",
            side,
            _create(
                "governance.Lesson",
                source_organisation="UNDP",
                title=f"{side.upper()} lesson",
                learned_on=datetime.date(2025, 2, 1),
                applied_unit=world.unit(side),
            ),
        )
    for code in BODIES:
        world.add(
            "consultations",
            f"/{code}",
            _create(
                "governance.Consultation",
                body=_body(code),
                held_on=datetime.date(2025, 5, 6),
                subject=f"{code} consultation",
            ),
        )
    for key, body in (("any:ga", "GA"), ("any:sc", "SC")):
        world.add(
            "mandates",
            key,
            _create(
                "governance.Mandate",
                symbol=f"W/{body}/RES/1",
                body=body,
                adopted_on=datetime.date(2024, 12, 1),
                title=f"{body} world mandate",
            ),
        )
    for system in ("umoja", "inspira"):
        world.add(
            "milestones",
            f"any:{system}",
            _create(
                "governance.Milestone",
                system=system,
                title=f"{system} go-live",
                planned_on=datetime.date(2025, 6, 1),
            ),
        )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module in an open transaction, rolled back at the end of the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
        try:
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
