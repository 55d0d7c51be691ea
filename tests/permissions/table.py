"""The permission table: one declarative row per API resource.

Each row says where the resource lives, which world records it is tested on, and who may do what,
as rules of (persona, Ref) written from DESIGN.md ("Who uses it") and CONTRACT.md, not from what
the code answers today:

- administrators: everything;
- a manager: reads and changes the records of their unit and the units below it; the other
  department's records do not exist for them (404);
- oversight body users: read all; change only their own body's reports and recommendations;
- General Assembly staff: read (aggregates, never personal data: appraisals, underperformance
  cases and interest declarations do not exist for them), never write;
- outsider (signed in, no role): reference data only (units, bodies, paragraphs, issued report
  runs, which CONTRACT.md gives to "every signed-in user"); no domain record;
- anonymous: 401/403 everywhere.

cases.py turns the rows into list/detail/create/update/delete/transition/state-field tests.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.permissions.world import PERSONAS, Ref, World

TODAY = datetime.date.today()
Rule = Callable[[str, Ref], bool]
Payload = Callable[[World, Ref], dict]

MANAGES = {"manager": "dmspc", "manager2": "dos"}
BODY_OF = {"oios": "OIOS", "boa": "BOA"}
READ_ALL = {"admin", "oios", "boa", "gastaff"}


# --- rules -------------------------------------------------------------------------------------


def nobody(p: str, r: Ref) -> bool:
    return False


def admin(p: str, r: Ref) -> bool:
    return p == "admin"


def signed_in(p: str, r: Ref) -> bool:
    return p != "anon"


def with_role(p: str, r: Ref) -> bool:
    return p not in ("anon", "outsider")


def unit_view(p: str, r: Ref) -> bool:
    return p in READ_ALL or MANAGES.get(p) == r.side


def personal_view(p: str, r: Ref) -> bool:
    """Records about a named person: as unit_view, but never GA staff."""
    return p != "gastaff" and unit_view(p, r)


def staff_file_view(p: str, r: Ref) -> bool:
    """Named appraisals and underperformance cases: administrators and the unit's managers only.
    Oversight bodies and GA staff read the aggregates (performance.metrics), not the names."""
    return p == "admin" or MANAGES.get(p) == r.side


def unit_change(p: str, r: Ref) -> bool:
    return p == "admin" or MANAGES.get(p) == r.side


def own_body(p: str, r: Ref) -> bool:
    return p == "admin" or BODY_OF.get(p) == r.body


def progress(p: str, r: Ref) -> bool:
    """Reporting progress on a recommendation (open -> in progress): management's side, the
    addressed unit's managers and administrators. The body verifies, closes and reopens."""
    return unit_change(p, r)


def head_of_unit(p: str, r: Ref) -> bool:
    """Certifying is personal: the head of that very unit (not even an administrator)."""
    return MANAGES.get(p) == r.side


def assessment_view(p: str, r: Ref) -> bool:
    """A paragraph assessment is its office's own until accepted: then every role reads it."""
    return unit_change(p, r) or (r.variant == "accepted" and with_role(p, r))


def run_view(p: str, r: Ref) -> bool:
    """Administrators and GA staff follow every run; every signed-in user reads issued ones."""
    return p in ("admin", "gastaff") or (p != "anon" and r.side == "done")


def run_request(p: str, r: Ref) -> bool:
    return p in ("admin", "gastaff")


def edition_view(p: str, r: Ref) -> bool:
    """Authors (administrators here) read every edition; every signed-in user an issued one."""
    return p == "admin" or (p != "anon" and r.side == "issued")


# --- rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """`POST {detail}/{name}/` with `payload`, allowed by `allowed`, on the row's records (or on
    the records of `keys`)."""

    name: str
    payload: Payload
    allowed: Rule
    label: str = ""
    keys: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Row:
    name: str  # the world's resource name
    url: str  # the list URL
    model: str  # app_label.Model
    view: Rule
    keys: tuple[str, ...] = ("dmspc", "dos")  # records of the detail/update/delete tests
    lookup: str = "pk"  # the attribute the detail URL uses
    add: Rule | None = None  # None: no create through the API at all (405)
    payload: Payload | None = None
    add_keys: tuple[str, ...] | None = None  # the refs a create is tried for (default: keys)
    created: int = 201
    self_service: bool = False  # any signed-in user may create their own (a declarant)
    change: Rule | None = None  # None: not editable through the API (405)
    patch: Payload | None = None  # a harmless, non-state change
    delete: Rule | None = None  # None: never deleted through the API (405, or 403/404)
    transitions: tuple[Transition, ...] = ()
    state_fields: dict = field(default_factory=dict)  # field -> new value (a Payload-like)
    clone: Callable | None = None  # (obj, i) -> overrides, for the query-count test

    def detail(self, world: World, key: str) -> str:
        obj = world.records[self.name][key]
        return f"{self.url}{getattr(obj, self.lookup)}/"

    def creatable(self) -> tuple[str, ...]:
        return self.add_keys if self.add_keys is not None else self.keys


def _id(world: World, resource: str, key: str) -> int:
    return world.records[resource][key].pk


def _iso(day: datetime.date) -> str:
    return day.isoformat()


def _unit_code(w: World, r: Ref) -> str:
    return w.unit(r.side).code


def _index(w: World, key: str) -> str:
    return w.people[key].index_number


ROWS: list[Row] = [
    # --- organisation ---------------------------------------------------------------------------
    Row(
        name="org-units",
        url="/api/org-units/",
        model="org.OrgUnit",
        lookup="code",
        view=signed_in,
        add=admin,
        payload=lambda w, r: {
            "code": f"NEW-{r.side.upper()}",
            "name": "New office",
            "parent": w.department(r.side).code,
        },
        change=admin,
        patch=lambda w, r: {"name_zh": "新名称"},
        clone=lambda obj, i: {"code": f"Q-{obj.code}-{i}", "path": ""},
    ),
    Row(
        name="people",
        url="/api/people/",
        model="org.Person",
        lookup="index_number",
        # Issue 12: GA staff read no personal data; a manager changes the people of their
        # units who hold no account ("dmspc"/"dos" are account holders, ":spare" are not).
        keys=("dmspc", "dos", "dmspc:spare", "dos:spare"),
        add_keys=("dmspc", "dos"),
        view=personal_view,
        add=unit_change,
        payload=lambda w, r: {
            "index_number": f"77{len(r.side)}00001",
            "name": "New Staff Member",
            "unit": _unit_code(w, r),
            "grade": "P-3",
        },
        change=lambda p, r: admin(p, r) or (bool(r.variant) and unit_change(p, r)),
        patch=lambda w, r: {"grade": "P-4"},
        clone=lambda obj, i: {"index_number": f"88{obj.pk:03d}{i:03d}", "user": None},
    ),
    Row(
        name="paragraphs",
        url="/api/resolution/paragraphs/",
        model="org.Paragraph",
        keys=("any:8", "any:21"),
        lookup="number",
        view=signed_in,
        add=None,  # the resolution is loaded, never edited
        clone=lambda obj, i: {"number": 100 + i},
        add_keys=("any:8",),
        change=None,
    ),
    # --- accountability -------------------------------------------------------------------------
    Row(
        name="delegations",
        url="/api/accountability/delegations/",
        model="accountability.Delegation",
        view=unit_view,
        add=unit_change,
        # A sub-delegation by the head of entity under the instrument they received.
        payload=lambda w, r: {
            "delegator": w.records["delegations"][f"{r.side}:root"].delegatee.username,
            "delegatee": f"{r.side}-staff",
            "unit": _unit_code(w, r),
            "area": "finance",
            "limit_amount": "1000.00",
            "valid_from": _iso(TODAY),
            "valid_to": _iso(w.records["delegations"][f"{r.side}:root"].valid_to),
            "parent": _id(w, "delegations", f"{r.side}:root"),
            "scope": "Petty cash",
        },
        change=unit_change,
        patch=lambda w, r: {"scope": "Scope restated"},
        transitions=(
            # The delegatee accepts (not a persona here) or an administrator records it.
            Transition("accept", lambda w, r: {}, admin),
            # The delegator (the head of entity) or a manager of the unit, or an administrator.
            Transition("revoke", lambda w, r: {"reason": "No longer needed."}, unit_change),
        ),
        state_fields={
            "revoked_on": lambda w, r: _iso(TODAY + datetime.timedelta(days=1)),
            "accepted_on": lambda w, r: _iso(TODAY),
        },
        # An instrument's reference is unique in the register.
        clone=lambda obj, i: {"reference": f"{obj.reference}/{i}"},
    ),
    Row(
        name="decisions",
        url="/api/accountability/decisions/",
        model="accountability.Decision",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "title": "A new decision",
            "rationale": "Needed.",
            "unit": _unit_code(w, r),
            "decided_on": _iso(TODAY - datetime.timedelta(days=1)),
        },
        change=unit_change,
        patch=lambda w, r: {"rationale": "Rationale restated."},
        transitions=(
            # An administrator or the delegator of the instrument (the side's head of entity).
            Transition(
                "review",
                lambda w, r: {"outcome": "mismanagement", "action_taken": "Reprimand."},
                unit_change,
            ),
            Transition(
                "revise-review",
                lambda w, r: {
                    "outcome": "mismanagement",
                    "action_taken": "Reprimand.",
                    "reason": "New facts came to light.",
                },
                unit_change,
                keys=("dmspc:reviewed", "dos:reviewed"),
            ),
        ),
        state_fields={
            "review_outcome": lambda w, r: "abuse",
            "review_action": lambda w, r: "Dismissal.",
            "reviewed_on": lambda w, r: _iso(TODAY),
        },
    ),
    Row(
        name="commitments",
        url="/api/accountability/commitments/",
        model="accountability.Commitment",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "title": "A new commitment",
            "deliverable": "A plan",
            "unit": _unit_code(w, r),
            "due_on": _iso(TODAY + datetime.timedelta(days=60)),
        },
        change=unit_change,
        patch=lambda w, r: {"deliverable": "A better plan"},
        transitions=(Transition("status", lambda w, r: {"status": "in_progress"}, unit_change),),
        state_fields={
            "status": lambda w, r: "in_progress",
            "honoured_on": lambda w, r: _iso(TODAY),
        },
    ),
    # --- oversight ------------------------------------------------------------------------------
    Row(
        name="oversight-bodies",
        url="/api/oversight/bodies/",
        model="oversight.OversightBody",
        keys=("/OIOS", "/BOA"),
        lookup="code",
        view=signed_in,
        add=admin,
        add_keys=("/OIOS",),
        payload=lambda w, r: {"code": "NEWB", "name": "A new body"},
        change=admin,
        patch=lambda w, r: {"name_zh": "监督机构"},
        clone=lambda obj, i: {"code": f"Q{obj.code}{i}"},
    ),
    Row(
        name="oversight-reports",
        url="/api/oversight/reports/",
        model="oversight.OversightReport",
        keys=("/OIOS", "/BOA"),
        # Reports are issued documents: everyone with a role reads them.
        view=with_role,
        add=own_body,
        payload=lambda w, r: {
            "body": r.body,
            "symbol": f"{r.body}/NEW/1",
            "title": "A new report",
            "issued_on": "2025-02-01",
        },
        change=own_body,
        patch=lambda w, r: {"title": "Title restated"},
        clone=lambda obj, i: {"symbol": f"{obj.symbol}/Q{i}"},
    ),
    Row(
        name="recommendations",
        url="/api/oversight/recommendations/",
        model="oversight.Recommendation",
        keys=("dmspc/OIOS", "dos/BOA", "dmspc/BOA", "dos/OIOS"),
        view=unit_view,
        add=own_body,
        add_keys=("dmspc/OIOS", "dos/BOA"),
        payload=lambda w, r: {
            "report": _id(w, "oversight-reports", f"/{r.body}"),
            "number": f"NEW-{r.side}",
            "text": "Do better.",
            "priority": "important",
            "unit": _unit_code(w, r),
            "target_date": "2030-06-30",
        },
        change=own_body,
        patch=lambda w, r: {"text": "Text restated."},
        transitions=(
            Transition(
                "status",
                lambda w, r: {"status": "in_progress", "note": "Work started."},
                progress,
                label="status-in_progress",
            ),
            # Only the recommendation's own body (or an administrator) verifies.
            Transition(
                "status",
                lambda w, r: {"status": "implemented", "note": "Verified."},
                own_body,
                label="status-implemented",
            ),
        ),
        state_fields={
            "status": lambda w, r: "in_progress",
            "implemented_on": lambda w, r: _iso(TODAY),
        },
        clone=lambda obj, i: {"number": f"{obj.number}-Q{i}"},
    ),
    # --- performance ----------------------------------------------------------------------------
    Row(
        name="compacts",
        url="/api/performance/compacts/",
        model="performance.Compact",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "senior_manager": _index(w, f"{r.side}:senior"),
            "unit": _unit_code(w, r),
            "year": 2027,
        },
        change=unit_change,
        patch=lambda w, r: {"paragraphs": []},
        transitions=(
            Transition("sign", lambda w, r: {"signed_on": _iso(TODAY)}, unit_change),
            # The Management Performance Board's assessment: administrators only.
            Transition(
                "assess",
                lambda w, r: {
                    "assessed_on": _iso(TODAY),
                    "mpb_rating": "satisfactory",
                    "mpb_assessment": "Met its targets.",
                },
                admin,
                keys=("dmspc:signed", "dos:signed"),
            ),
        ),
        state_fields={
            "status": lambda w, r: "signed",
            "signed_on": lambda w, r: _iso(TODAY),
            "assessed_on": lambda w, r: _iso(TODAY),
        },
        clone=lambda obj, i: {"year": 2050 + i},
    ),
    Row(
        name="compact-objectives",
        url="/api/performance/compact-objectives/",
        model="performance.CompactObjective",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "compact": _id(w, "compacts", r.side),
            "kind": "programme",
            "title": "A new objective",
            "indicator": "Share done",
            "target": "90%",
        },
        change=unit_change,
        patch=lambda w, r: {"target": "95%"},
    ),
    Row(
        name="mpb-findings",
        url="/api/performance/mpb-findings/",
        model="performance.BoardFinding",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "compact": _id(w, "compacts", f"{r.side}:assessed"),
            "finding": "Compliance below target.",
        },
        change=unit_change,
        patch=lambda w, r: {"action_plan": "Quarterly review."},
        transitions=(
            Transition(
                "close",
                lambda w, r: {"closed_on": _iso(TODAY), "action_plan": "Done."},
                unit_change,
            ),
        ),
        state_fields={"status": lambda w, r: "closed", "closed_on": lambda w, r: _iso(TODAY)},
    ),
    Row(
        name="appraisals",
        url="/api/performance/appraisals/",
        model="performance.Appraisal",
        keys=("dmspc", "dos"),
        view=staff_file_view,
        add=unit_change,
        payload=lambda w, r: {
            "staff": _index(w, r.side),
            "unit": _unit_code(w, r),
            "cycle": 2025,
            "due_on": "2026-05-31",
        },
        change=unit_change,
        patch=lambda w, r: {"due_on": "2025-06-30"},
        clone=lambda obj, i: {"cycle": 2030 + i},
    ),
    Row(
        name="underperformance-cases",
        url="/api/performance/underperformance-cases/",
        model="performance.UnderperformanceCase",
        view=staff_file_view,
        add=unit_change,
        payload=lambda w, r: {
            "appraisal": _id(w, "appraisals", f"{r.side}:spare"),
            "improvement_plan": "Monthly coaching.",
            "plan_start": "2025-07-01",
        },
        change=unit_change,
        patch=lambda w, r: {"improvement_plan": "Fortnightly coaching."},
    ),
    Row(
        name="expected-accomplishments",
        url="/api/performance/expected-accomplishments/",
        model="performance.ExpectedAccomplishment",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {"unit": _unit_code(w, r), "title": "A new accomplishment"},
        change=unit_change,
        patch=lambda w, r: {"title": "Accomplishment restated"},
    ),
    Row(
        name="indicators",
        url="/api/performance/indicators/",
        model="performance.Indicator",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "unit": _unit_code(w, r),
            "title": "A new indicator",
            "unit_of_measure": "%",
            "baseline": "10",
            "target": "20",
        },
        change=unit_change,
        patch=lambda w, r: {"title": "Indicator restated"},
    ),
    Row(
        name="indicator-results",
        url="/api/performance/indicator-results/",
        model="performance.IndicatorResult",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "indicator": _id(w, "indicators", r.side),
            "period": "2025",
            "value": "75",
        },
        change=unit_change,
        patch=lambda w, r: {"value": "72"},
        clone=lambda obj, i: {"period": f"{2050 + i}"},
    ),
    # --- performance: issue 15 (learning, discipline, recognition, budget performance) ----------
    Row(
        name="courses",
        url="/api/performance/courses/",
        model="performance.Course",
        view=signed_in,  # the catalogue is reference data
        add=admin,
        payload=lambda w, r: {"code": f"NEW-{r.side.upper()}", "title": "New", "area": "ethics"},
        change=admin,
        patch=lambda w, r: {"title": "Course renamed"},
        clone=lambda obj, i: {"code": f"{obj.code}-Q{i}"},
    ),
    Row(
        name="course-completions",
        url="/api/performance/course-completions/",
        model="performance.CourseCompletion",
        view=staff_file_view,  # personal data, kept like appraisals
        add=unit_change,
        payload=lambda w, r: {
            "person": _index(w, f"{r.side}:spare"),
            "course": w.records["courses"][r.side].code,
            "completed_on": "2025-03-01",
        },
        change=unit_change,
        patch=lambda w, r: {"completed_on": "2025-02-02"},
        clone=lambda obj, i: {
            "course": type(obj.course).objects.create(
                code=f"Q-{obj.pk}-{i}", title="Copy", area="other"
            )
        },
    ),
    Row(
        name="disciplinary-cases",
        url="/api/performance/disciplinary-cases/",
        model="performance.DisciplinaryCase",
        view=admin,  # published in aggregate only (disciplinary-summary)
        add=admin,
        payload=lambda w, r: {
            "unit": _unit_code(w, r),
            "opened_on": "2025-02-01",
            "category": "fraud",
        },
        change=admin,
        patch=lambda w, r: {"summary": "Summary restated."},
    ),
    Row(
        name="recognitions",
        url="/api/performance/recognitions/",
        model="performance.Recognition",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "unit": _unit_code(w, r),
            "kind": "team_award",
            "awarded_on": "2025-06-01",
            "reason": "Delivered the plan early.",
        },
        change=unit_change,
        patch=lambda w, r: {"reason": "Reason restated."},
    ),
    Row(
        name="budget-performance",
        url="/api/performance/budget-performance/",
        model="performance.BudgetPerformance",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "unit": _unit_code(w, r),
            "period": "2030",
            "appropriation": "1000.00",
            "expenditure": "900.00",
        },
        change=unit_change,
        patch=lambda w, r: {"expenditure": "950.00"},
        clone=lambda obj, i: {"period": f"{2050 + i}"},
    ),
    # --- risk -----------------------------------------------------------------------------------
    Row(
        name="risks",
        url="/api/risk/risks/",
        model="risk.Risk",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "title": "A new risk",
            "unit": _unit_code(w, r),
            "category": "operational",
            "likelihood": 2,
            "impact": 2,
            "identified_on": "2025-01-01",
        },
        change=unit_change,
        patch=lambda w, r: {"description": "Described again."},
    ),
    Row(
        name="treatments",
        url="/api/risk/treatments/",
        model="risk.Treatment",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "risk": _id(w, "risks", r.side),
            "title": "A new treatment",
            "due_on": _iso(TODAY + datetime.timedelta(days=60)),
        },
        change=unit_change,
        patch=lambda w, r: {"title": "Treatment restated"},
    ),
    Row(
        name="controls",
        url="/api/risk/controls/",
        model="risk.Control",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {"title": "A new control", "unit": _unit_code(w, r)},
        change=unit_change,
        patch=lambda w, r: {"objective": "Objective restated."},
    ),
    Row(
        name="control-tests",
        url="/api/risk/control-tests/",
        model="risk.ControlTest",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "control": _id(w, "controls", r.side),
            "tested_on": "2025-07-01",
            "result": "effective",
        },
        change=unit_change,
        patch=lambda w, r: {"notes": "Notes restated."},
    ),
    Row(
        name="deficiencies",
        url="/api/risk/deficiencies/",
        model="risk.Deficiency",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "test": _id(w, "control-tests", r.side),
            "description": "A new deficiency",
            "remediation": "Fix it.",
        },
        change=unit_change,
        patch=lambda w, r: {"description": "Deficiency restated"},
        transitions=(
            Transition(
                "close",
                lambda w, r: {"closed_on": _iso(TODAY), "remediation": "Approvers retrained."},
                unit_change,
            ),
        ),
        state_fields={"status": lambda w, r: "closed", "closed_on": lambda w, r: _iso(TODAY)},
    ),
    Row(
        name="self-assessments",
        url="/api/risk/self-assessments/",
        model="risk.SelfAssessment",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "unit": w.department(r.side).code,
            "year": 2026,
            "statement": "Next year.",
        },
        change=unit_change,
        patch=lambda w, r: {"statement": "Statement restated."},
        transitions=(
            Transition(
                "certify",
                lambda w, r: {"conclusion": "exceptions", "statement": "With exceptions."},
                head_of_unit,
            ),
        ),
        clone=lambda obj, i: {"year": 2050 + i},
    ),
    Row(
        name="procurement-cases",
        url="/api/risk/procurement-cases/",
        model="risk.ProcurementCase",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "reference": f"RFP-NEW-{r.side}",
            "title": "A new tender",
            "unit": _unit_code(w, r),
            "value": "1000.00",
            "vendors": ["Gamma Ltd"],
            "opened_on": "2025-04-01",
        },
        change=unit_change,
        patch=lambda w, r: {"title": "Tender restated"},
        transitions=(
            Transition("clear", lambda w, r: {"reason": "The member was recused."}, unit_change),
            Transition(
                "award",
                lambda w, r: {"awarded_to": "Beta Services"},
                unit_change,
                keys=("dmspc:clean", "dos:clean"),
            ),
        ),
        state_fields={
            "status": lambda w, r: "awarded",
            "awarded_to": lambda w, r: "Acme Supplies",
            "awarded_on": lambda w, r: _iso(TODAY),
            "cleared_on": lambda w, r: _iso(TODAY),
            "clearance_reason": lambda w, r: "Cleared.",
        },
        clone=lambda obj, i: {"reference": f"{obj.reference}-Q{i}"},
    ),
    Row(
        name="interest-declarations",
        url="/api/risk/interest-declarations/",
        model="risk.InterestDeclaration",
        view=personal_view,
        add=unit_change,
        self_service=True,  # a panel member declares for themselves
        payload=lambda w, r: {
            "case": _id(w, "procurement-cases", f"{r.side}:clean"),
            "person": _index(w, f"{r.side}:panellist"),
            "vendor": "Beta Services",
            "interest": "Former employer",
            "declared_on": "2025-03-05",
        },
        change=unit_change,
        patch=lambda w, r: {"interest": "Interest restated"},
        clone=lambda obj, i: {"vendor": f"Vendor Q{i}"},
    ),
    Row(
        name="recovery-cases",
        url="/api/risk/recovery-cases/",
        model="risk.RecoveryCase",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "title": "A new finding",
            "unit": _unit_code(w, r),
            "finding": "fraud",
            "amount_lost": "500.00",
            "opened_on": "2025-02-01",
        },
        change=unit_change,
        patch=lambda w, r: {"description": "Described again."},
        transitions=(
            Transition(
                "refer",
                lambda w, r: {"to": "disciplinary", "referred_on": "2025-03-01"},
                unit_change,
            ),
        ),
        state_fields={"referred_for_discipline_on": lambda w, r: _iso(TODAY)},
    ),
    Row(
        name="recovery-actions",
        url="/api/risk/recovery-actions/",
        model="risk.RecoveryAction",
        view=unit_view,
        add=unit_change,
        payload=lambda w, r: {
            "case": _id(w, "recovery-cases", r.side),
            "taken_on": "2025-04-01",
            "kind": "repayment",
            "amount": "10.00",
            "note": "Second instalment.",
        },
        change=None,  # dated actions are appended, never edited
    ),
    # --- risk: issue 15 (statement of internal control, critical risks, procurement) -----------
    Row(
        name="control-statements",
        url="/api/risk/control-statements/",
        model="risk.InternalControlStatement",
        keys=("any:draft",),
        view=with_role,
        add=admin,
        payload=lambda w, r: {"year": 2026, "text": "Statement for 2026."},
        change=admin,
        patch=lambda w, r: {"text": "Statement restated."},
        transitions=(Transition("issue", lambda w, r: {}, admin),),
        state_fields={"status": lambda w, r: "issued", "issued_on": lambda w, r: _iso(TODAY)},
        clone=lambda obj, i: {"year": 2060 + i},
    ),
    Row(
        name="critical-risks",
        url="/api/risk/critical-risks/",
        model="risk.CriticalRisk",
        view=unit_view,
        add=admin,
        payload=lambda w, r: {
            "risk": _id(w, "risk-candidates", r.side),
            "owner_unit": w.department(r.side).code,
            "accountable_manager": _index(w, "manager" if r.side == "dmspc" else "manager2"),
            "treatment": "Secretariat-wide treatment.",
        },
        change=admin,
        patch=lambda w, r: {"treatment": "Treatment restated."},
        transitions=(Transition("withdraw", lambda w, r: {"reason": "Now a unit risk."}, admin),),
        state_fields={"withdrawn_on": lambda w, r: _iso(TODAY)},
        # Withdrawn copies: a risk is on the register once at a time.
        clone=lambda obj, i: {"withdrawn_on": TODAY, "withdrawal_reason": f"Copy {i}"},
    ),
    Row(
        name="vendor-sanctions",
        url="/api/risk/vendor-sanctions/",
        model="risk.VendorSanction",
        keys=("any:debarment",),
        view=with_role,
        add=admin,
        payload=lambda w, r: {
            "vendor": "Careless Ltd",
            "measure": "censure",
            "sanctioned_from": "2025-05-01",
            "reason": "Late deliveries.",
        },
        change=admin,
        patch=lambda w, r: {"reason": "Reason restated."},
    ),
    Row(
        name="contracts-reviews",
        url="/api/risk/contracts-reviews/",
        model="risk.ContractsReview",
        view=unit_view,
        add=admin,
        payload=lambda w, r: {
            "case": _id(w, "procurement-cases", r.side),
            "reviewed_on": "2025-03-20",
            "outcome": "recommended",
            "recommendation": "Award after the recusal.",
        },
        change=admin,
        patch=lambda w, r: {"recommendation": "Recommendation restated."},
    ),
    # --- governance (issue 15): no personal data; every role reads (assessments once accepted) ---------------------------------
    Row(
        name="paragraph-assessments",
        url="/api/governance/assessments/",
        model="governance.ParagraphAssessment",
        view=assessment_view,
        add=unit_change,
        payload=lambda w, r: {
            "paragraph": 9,
            "unit": _unit_code(w, r),
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "status": "not_started",
            "justification": "Nothing done yet.",
        },
        change=unit_change,
        delete=unit_change,  # a draft, by its office or an administrator (issue 15)
        patch=lambda w, r: {"justification": "Justification restated."},
        transitions=(
            Transition("submit", lambda w, r: {}, unit_change),
            Transition(
                "review",
                lambda w, r: {"outcome": "return", "comment": "Add the evidence."},
                admin,
                keys=("dmspc:submitted", "dos:submitted"),
            ),
        ),
        state_fields={
            "state": lambda w, r: "accepted",
            "accepted_on": lambda w, r: _iso(TODAY),
            "submitted_on": lambda w, r: _iso(TODAY),
        },
        clone=lambda obj, i: {
            "period_start": datetime.date(2000 + i, 1, 1),
            "period_end": datetime.date(2000 + i, 12, 31),
        },
    ),
    Row(
        name="mandates",
        url="/api/governance/mandates/",
        model="governance.Mandate",
        keys=("any:ga", "any:sc"),
        view=with_role,
        add=admin,
        payload=lambda w, r: {
            "symbol": "A/RES/80/1",
            "body": "GA",
            "adopted_on": "2025-09-10",
            "title": "A new mandate",
        },
        change=admin,
        patch=lambda w, r: {"title": "Mandate restated"},
        clone=lambda obj, i: {"symbol": f"{obj.symbol}-Q{i}"},
    ),
    Row(
        name="committee-meetings",
        url="/api/governance/meetings/",
        model="governance.CommitteeMeeting",
        keys=("any:1",),
        view=with_role,
        add=admin,
        payload=lambda w, r: {"held_on": "2025-10-01", "agenda": "Follow-up of audits."},
        change=admin,
        patch=lambda w, r: {"minutes_summary": "Summary restated."},
    ),
    Row(
        name="committee-decisions",
        url="/api/governance/decisions/",
        model="governance.CommitteeDecision",
        keys=("any:1",),
        view=with_role,
        add=admin,
        payload=lambda w, r: {
            "meeting": _id(w, "committee-meetings", "any:1"),
            "number": 2,
            "text": "A second decision.",
        },
        change=admin,
        patch=lambda w, r: {"text": "Decision restated."},
        clone=lambda obj, i: {"number": 100 + i},
    ),
    Row(
        name="follow-ups",
        url="/api/governance/follow-ups/",
        model="governance.FollowUpAction",
        view=with_role,
        add=unit_change,
        payload=lambda w, r: {
            "decision": _id(w, "committee-decisions", "any:1"),
            "unit": _unit_code(w, r),
            "title": "A new follow-up",
            "due_on": _iso(TODAY + datetime.timedelta(days=30)),
        },
        change=unit_change,
        patch=lambda w, r: {"title": "Follow-up restated"},
        transitions=(Transition("status", lambda w, r: {"status": "done"}, unit_change),),
        state_fields={"status": lambda w, r: "done", "status_on": lambda w, r: _iso(TODAY)},
    ),
    Row(
        name="consultations",
        url="/api/governance/consultations/",
        model="governance.Consultation",
        keys=("/OIOS", "/BOA"),
        view=with_role,
        add=own_body,
        payload=lambda w, r: {
            "body": r.body,
            "held_on": "2025-09-01",
            "subject": "Audit plan",
        },
        change=own_body,
        patch=lambda w, r: {"outcome": "Outcome restated."},
    ),
    Row(
        name="lessons",
        url="/api/governance/lessons/",
        model="governance.Lesson",
        view=with_role,
        add=unit_change,
        payload=lambda w, r: {
            "source_organisation": "UNICEF",
            "title": "A new lesson",
            "learned_on": "2025-04-01",
            "applied_unit": _unit_code(w, r),
        },
        change=unit_change,
        patch=lambda w, r: {"applied_how": "Applied again."},
    ),
    Row(
        name="milestones",
        url="/api/governance/milestones/",
        model="governance.Milestone",
        keys=("any:umoja", "any:inspira"),
        view=with_role,
        add=admin,
        payload=lambda w, r: {
            "system": "umoja",
            "title": "Extension 2",
            "planned_on": "2026-06-30",
        },
        change=admin,
        patch=lambda w, r: {"title": "Milestone restated"},
    ),
    # --- reports --------------------------------------------------------------------------------
    Row(
        name="reports",
        url="/api/reports/",
        model="reports.ReportRun",
        keys=("done", "queued"),
        view=run_view,
        add=run_request,
        add_keys=("done",),
        created=202,
        payload=lambda w, r: {
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "language": "en",
        },
        change=None,  # a run is never edited; an issued one never changes
        clone=lambda obj, i: {"title": f"Run Q{i}"},
    ),
    Row(
        name="report-editions",
        url="/api/reports/editions/",
        model="reports.ReportEdition",
        # A draft is an internal document of its authors (administrators here); an issued
        # edition is read by every signed-in user and never changes (its PATCH is a 400).
        keys=("draft",),
        view=edition_view,
        add=admin,
        payload=lambda w, r: {
            "session": 81,
            "symbol": "A/81/555",
            "agenda_item": "136",
            "agenda_item_title_en": "Review of the efficiency of the United Nations",
            "period_start": "2024-01-01",
            "period_end": "2025-12-31",
            "languages": ["en"],
        },
        change=admin,
        patch=lambda w, r: {"agenda_item_title_en": "Review of efficiency, restated"},
        clone=lambda obj, i: {"symbol": f"A/81/{600 + i}"},
    ),
]

ROW_BY_NAME = {row.name: row for row in ROWS}

__all__ = ["PERSONAS", "ROWS", "ROW_BY_NAME", "Row", "Transition"]
