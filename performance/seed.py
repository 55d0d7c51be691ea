"""Demo and scale data for performance: compacts with objectives and Board findings,
appraisals for every staff member per cycle, indicators with results per budget period."""

import datetime
import itertools
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core import history
from core.actions import SYSTEM
from org.choices import Grade
from org.models import OrgUnit, Paragraph, Person
from org.seed_base import Builder, copy_insert
from performance import services
from performance.choices import (
    UNDERPERFORMANCE_RATINGS,
    CaseOutcome,
    CompactStatus,
    CourseArea,
    Direction,
    DisciplinaryCategory,
    DisciplinaryMeasure,
    FindingStatus,
    IndicatorKind,
    MPBRating,
    ObjectiveKind,
    ObjectiveOutcome,
    Rating,
    RebuttalOutcome,
    RecognitionKind,
)
from performance.models import (
    Appraisal,
    BoardFinding,
    BudgetPerformance,
    Compact,
    CompactObjective,
    Course,
    CourseCompletion,
    DisciplinaryCase,
    ExpectedAccomplishment,
    Indicator,
    IndicatorResult,
    RBMResponsibility,
    Recognition,
    UnderperformanceCase,
    default_due_on,
)

OBJECTIVES = [
    (
        ObjectiveKind.PROGRAMME,
        "Deliver the approved programme of work",
        "Outputs delivered as planned",
        "95%",
    ),
    (
        ObjectiveKind.MANAGEMENT,
        "Implement oversight recommendations on time",
        "Recommendations implemented by their target date",
        "80%",
    ),
    (
        ObjectiveKind.MANAGEMENT,
        "Complete staff performance appraisals on time",
        "Appraisals completed by the due date",
        "100%",
    ),
    (
        ObjectiveKind.MANAGEMENT,
        "Advance gender parity among professional staff",
        "Share of women at P-5 and above",
        "50%",
    ),
]
FINDINGS = [
    "Appraisal compliance in the department fell short of the compact target.",
    "Oversight recommendations older than two years remain open.",
    "The gender parity target at senior levels was not met.",
]
INDICATORS = [
    # unit, kind, title, unit of measure, baseline, target, direction, paragraphs
    (
        "DMSPC-OPPFB",
        IndicatorKind.ACCOMPLISHMENT,
        "Budget fascicles submitted by the deadline",
        "%",
        70,
        95,
        Direction.INCREASE,
        [10, 23],
    ),
    (
        "DMSPC-OPPFB",
        IndicatorKind.EFFICIENCY,
        "Cost per budget fascicle processed",
        "USD",
        12000,
        9000,
        Direction.DECREASE,
        [11],
    ),
    (
        "DMSPC-OHR",
        IndicatorKind.ACCOMPLISHMENT,
        "Average days to fill a vacancy",
        "days",
        180,
        120,
        Direction.DECREASE,
        [22, 24],
    ),
    (
        "DMSPC-BTAD",
        IndicatorKind.ACCOMPLISHMENT,
        "Entities reporting against results frameworks",
        "%",
        40,
        90,
        Direction.INCREASE,
        [23, 25, 27],
    ),
    (
        "DOS-PD",
        IndicatorKind.EFFICIENCY,
        "Procurement lead time",
        "days",
        90,
        60,
        Direction.DECREASE,
        [11],
    ),
    (
        "DOS",
        IndicatorKind.ACCOMPLISHMENT,
        "Mission supply requests met on time",
        "%",
        60,
        85,
        Direction.INCREASE,
        [24, 26],
    ),
    (
        "DGACM",
        IndicatorKind.EFFICIENCY,
        "Documents issued within the six-week rule",
        "%",
        55,
        90,
        Direction.INCREASE,
        [10, 11],
    ),
    (
        "DPPA",
        IndicatorKind.ACCOMPLISHMENT,
        "Mediation processes supported",
        "processes",
        10,
        15,
        Direction.INCREASE,
        [26],
    ),
]
DEMO_PERIODS = ["2020-2021", "2022-2023", "2024", "2025"]
RATING_WEIGHTS = [
    (Rating.EXCEEDS, 18),
    (Rating.MEETS, 72),
    (Rating.PARTIALLY_MEETS, 7),
    (Rating.DOES_NOT_MEET, 3),
]


def _latest_due_cycle(today: datetime.date) -> int:
    """The last cycle whose appraisals were due by today."""
    cycle = today.year - 1
    while default_due_on(cycle) > today:
        cycle -= 1
    return cycle


_RATINGS = [r for r, _ in RATING_WEIGHTS]
# The cumulated weights random.choices computes from `weights` (the same draw and result),
# computed once rather than for each of 370,000 appraisals.
_RATING_CUM_WEIGHTS = list(itertools.accumulate(w for _, w in RATING_WEIGHTS))


def _pick_rating(rng: random.Random) -> str:
    return rng.choices(_RATINGS, cum_weights=_RATING_CUM_WEIGHTS)[0]


def _completion(rng: random.Random, cycle: int, today: datetime.date) -> datetime.date | None:
    """Most appraisals close within a few weeks of the due date, some late, a few never."""
    due = default_due_on(cycle)
    roll = rng.random()
    if roll < 0.06:
        return None
    offset = rng.randint(-50, 0) if roll < 0.8 else rng.randint(1, 90)
    done = due + datetime.timedelta(days=offset)
    return done if done <= today else None


def _paragraphs(numbers):
    return list(Paragraph.objects.filter(number__in=numbers))


@transaction.atomic
def seed_demo(stdout=None) -> dict[str, int]:
    today = timezone.localdate()
    rng = random.Random(2010_64_259)
    units = {u.code: u for u in OrgUnit.objects.all()}
    seniors = list(
        Person.objects.filter(index_number__in=["90000002", "90000003"])
        .select_related("unit")
        .order_by("index_number")
    )
    # RBM responsibility (paragraph 25): the head of DMSPC.
    if seniors and not RBMResponsibility.objects.exists():
        services.assign_rbm_responsibility(
            RBMResponsibility(
                senior_manager=seniors[0],
                assigned_on=datetime.date(2019, 1, 1),
                remit="Results-based management across the Secretariat, reporting to the "
                "Management Committee.",
            ),
            acting_user=SYSTEM,
        )
    for person in seniors:
        for year in (today.year - 2, today.year - 1, today.year):
            if Compact.objects.filter(senior_manager=person, year=year).exists():
                continue
            compact = services.save_compact(
                Compact(senior_manager=person, unit=person.unit, year=year),
                acting_user=SYSTEM,
                paragraphs=_paragraphs([16, 18]),
            )
            past = year < today.year
            for n, (kind, title, indicator, target) in enumerate(OBJECTIVES):
                outcome = ""
                result = ""
                if past:
                    outcome = [
                        ObjectiveOutcome.ACHIEVED,
                        ObjectiveOutcome.PARTIALLY,
                        ObjectiveOutcome.ACHIEVED,
                        ObjectiveOutcome.NOT_ACHIEVED,
                    ][(n + year) % 4]
                    result = {
                        "achieved": "Target reached",
                        "partially": "Most of the target reached",
                        "not_achieved": "Target missed",
                    }[outcome]
                services.save_objective(
                    CompactObjective(
                        compact=compact,
                        kind=kind,
                        title=title,
                        indicator=indicator,
                        target=target,
                        result=result,
                        outcome=outcome,
                    ),
                    acting_user=SYSTEM,
                )
            services.sign_compact(compact, acting_user=SYSTEM, signed_on=datetime.date(year, 2, 15))
            if past:
                services.assess_compact(
                    compact,
                    acting_user=SYSTEM,
                    assessed_on=datetime.date(year + 1, 4, 30),
                    mpb_rating=MPBRating.NEEDS_IMPROVEMENT if year % 2 else MPBRating.SATISFACTORY,
                    mpb_assessment="The Board reviewed the end-of-year results against each "
                    "objective.",
                )
                finding = services.save_finding(
                    BoardFinding(
                        compact=compact,
                        finding=FINDINGS[year % len(FINDINGS)],
                        action_plan="Quarterly review by the senior management team.",
                        due_on=datetime.date(year + 1, 12, 31),
                    ),
                    acting_user=SYSTEM,
                )
                if year < today.year - 1:
                    services.close_finding(
                        finding, acting_user=SYSTEM, closed_on=datetime.date(year + 1, 11, 30)
                    )
    # Appraisals: three cycles for every demo staff member.
    last = _latest_due_cycle(today)
    staff = list(Person.objects.filter(index_number__startswith="9").order_by("index_number"))
    existing = set(Appraisal.objects.filter(staff__in=staff).values_list("staff_id", "cycle"))
    new = []
    for cycle in (last - 2, last - 1, last):
        for person in staff:
            completed = _completion(rng, cycle, today)
            rating = _pick_rating(rng) if completed else ""
            if (person.pk, cycle) in existing:
                continue
            new.append(
                Appraisal(
                    staff=person,
                    unit_id=person.unit_id,
                    cycle=cycle,
                    due_on=default_due_on(cycle),
                    completed_on=completed,
                    rating=rating,
                )
            )
    Appraisal.objects.bulk_create(new)
    history.record_bulk(new)
    for appraisal in Appraisal.objects.filter(
        staff__in=staff, rating__in=UNDERPERFORMANCE_RATINGS, underperformance_case__isnull=True
    ).order_by("pk"):
        closed = appraisal.cycle < last
        services.save_underperformance_case(
            UnderperformanceCase(
                appraisal=appraisal,
                improvement_plan="Six-month performance improvement plan with monthly check-ins.",
                plan_start=appraisal.completed_on,
                plan_end=appraisal.completed_on + datetime.timedelta(days=182),
                rebuttal=RebuttalOutcome.MAINTAINED
                if appraisal.rating == Rating.DOES_NOT_MEET
                else "",
                outcome=CaseOutcome.IMPROVED if closed else "",
                closed_on=appraisal.completed_on + datetime.timedelta(days=200) if closed else None,
            ),
            acting_user=SYSTEM,
        )
    # Results-based management.
    for code, kind, title, measure, baseline, target, direction, numbers in INDICATORS:
        unit = units.get(code)
        if unit is None or Indicator.objects.filter(unit=unit, title=title).exists():
            continue
        ea_title = f"More effective and efficient services of {unit.name}"
        accomplishment = ExpectedAccomplishment.objects.filter(
            unit=unit, title=ea_title
        ).first() or services.save_accomplishment(
            ExpectedAccomplishment(unit=unit, title=ea_title), acting_user=SYSTEM
        )
        indicator = services.save_indicator(
            Indicator(
                accomplishment=accomplishment,
                unit=unit,
                kind=kind,
                title=title,
                unit_of_measure=measure,
                baseline=Decimal(baseline),
                target=Decimal(target),
                direction=direction,
            ),
            acting_user=SYSTEM,
            paragraphs=_paragraphs(numbers),
        )
        for step, period in enumerate(DEMO_PERIODS, start=1):
            progress = (
                Decimal(target - baseline)
                * Decimal(step)
                / Decimal(len(DEMO_PERIODS) + (title[0] in "AM"))
            )
            services.record_indicator_result(
                IndicatorResult(
                    indicator=indicator,
                    period=period,
                    value=(Decimal(baseline) + progress).quantize(Decimal("0.01")),
                ),
                acting_user=SYSTEM,
            )
    _seed_people_demo(today, rng, units)
    return {
        "compacts": Compact.objects.count(),
        "appraisals": Appraisal.objects.count(),
        "indicators": Indicator.objects.count(),
        "course completions": CourseCompletion.objects.count(),
        "disciplinary cases": DisciplinaryCase.objects.count(),
        "budget performance": BudgetPerformance.objects.count(),
    }


def _senior_managers(units: list[OrgUnit]) -> list[Person]:
    """One head per synthetic unit (the base seeds staff below ASG only)."""
    wanted = {f"6{n:07d}": unit for n, unit in enumerate(units)}
    existing = set(
        Person.objects.filter(index_number__in=list(wanted)).values_list("index_number", flat=True)
    )
    new = [
        Person(
            index_number=index,
            name=f"Head of {unit.code}",
            unit=unit,
            grade=Grade.USG if unit.code.startswith("S-D") else Grade.ASG,
            is_head_of_entity=True,
        )
        for index, unit in wanted.items()
        if index not in existing
    ]
    Person.objects.bulk_create(new)
    history.record_bulk(new)
    return list(Person.objects.filter(index_number__in=list(wanted)).order_by("index_number"))


def seed_scale(factor: float, progress) -> dict[str, int]:
    today = timezone.localdate()
    rng = random.Random(370_000)
    units = list(OrgUnit.objects.filter(code__startswith="S-").order_by("code"))
    # Light Person objects carry the names the history entries show, without a query per row.
    light_person = Builder(Person)
    staff = [
        light_person(pk=pk, unit_id=unit_id, name=name)
        for pk, unit_id, name in Person.objects.filter(index_number__startswith="7")
        .order_by("index_number")
        .values_list("pk", "unit_id", "name")
    ]
    last = _latest_due_cycle(today)
    cycles = list(range(last - 9, last + 1))
    batch = 5000
    total = len(staff) * len(cycles)
    done = 0
    new_appraisal = Builder(Appraisal)
    for cycle in cycles:
        seeded = set(
            Appraisal.objects.filter(cycle=cycle, staff__index_number__startswith="7").values_list(
                "staff_id", flat=True
            )
        )
        for start in range(0, len(staff), batch):
            rows = []
            for person in staff[start : start + batch]:
                completed = _completion(rng, cycle, today)
                rating = _pick_rating(rng) if completed else ""
                if person.pk in seeded:
                    continue
                rows.append(
                    new_appraisal(
                        staff=person,
                        unit_id=person.unit_id,
                        cycle=cycle,
                        due_on=default_due_on(cycle),
                        completed_on=completed,
                        rating=rating,
                    )
                )
            copy_insert(Appraisal, rows)
            # Outside a transaction the entries are linked as they are written (inside one they
            # are written pending and rewritten at commit: twice the work for 370,000 rows).
            history.record_bulk(rows)
            done += len(staff[start : start + batch])
            progress("appraisals", done, total)
    # Underperformance cases for a share of the low ratings of the last three cycles.
    low = (
        Appraisal.objects.filter(
            cycle__gte=last - 2,
            rating__in=UNDERPERFORMANCE_RATINGS,
            underperformance_case__isnull=True,
            staff__index_number__startswith="7",
        )
        .select_related("staff")
        .order_by("pk")
    )
    cases = [
        UnderperformanceCase(
            appraisal=appraisal,
            improvement_plan="Performance improvement plan.",
            plan_start=appraisal.completed_on,
            plan_end=appraisal.completed_on + datetime.timedelta(days=182),
            outcome=CaseOutcome.IMPROVED if appraisal.cycle < last else "",
            closed_on=appraisal.completed_on + datetime.timedelta(days=200)
            if appraisal.cycle < last
            else None,
        )
        for appraisal in low
        if appraisal.pk % 2 == 0
    ]
    with transaction.atomic():
        copy_insert(UnderperformanceCase, cases)
        history.record_bulk(cases)
    progress("underperformance cases", 1, 1)
    _seed_compacts(units, cycles, today, rng, progress)
    _seed_indicators(units, factor, rng, progress)
    _seed_people_scale(units, factor, rng, progress)
    return {
        "appraisals": Appraisal.objects.count(),
        "underperformance cases": UnderperformanceCase.objects.count(),
        "compacts": Compact.objects.count(),
        "indicators": Indicator.objects.count(),
        "indicator results": IndicatorResult.objects.count(),
        "course completions": CourseCompletion.objects.count(),
        "budget performance": BudgetPerformance.objects.count(),
        "disciplinary cases": DisciplinaryCase.objects.count(),
    }


def _seed_compacts(units, cycles, today, rng, progress) -> None:
    seniors = _senior_managers(units)
    years = [c + 1 for c in cycles]  # ten compact years, the last one the current year
    years = [y for y in years if y <= today.year]
    for year in years:
        have = set(
            Compact.objects.filter(year=year, senior_manager__in=seniors).values_list(
                "senior_manager_id", flat=True
            )
        )
        past = year < today.year
        compacts = []
        for person in seniors:
            if person.pk in have:
                continue
            signed = rng.random() < 0.95 or past
            rating = (
                rng.choice(
                    [MPBRating.SATISFACTORY] * 6
                    + [MPBRating.NEEDS_IMPROVEMENT] * 3
                    + [MPBRating.UNSATISFACTORY]
                )
                if past
                else ""
            )
            compacts.append(
                Compact(
                    senior_manager=person,
                    unit_id=person.unit_id,
                    year=year,
                    status=CompactStatus.ASSESSED
                    if past
                    else (CompactStatus.SIGNED if signed else CompactStatus.DRAFT),
                    signed_on=datetime.date(year, 2, rng.randint(1, 28)) if signed else None,
                    assessed_on=datetime.date(year + 1, 4, 30) if past else None,
                    mpb_rating=rating,
                    mpb_assessment="End-of-year review by the Board." if past else "",
                )
            )
        with transaction.atomic():
            copy_insert(Compact, compacts)
            objectives, findings = [], []
            for compact in compacts:
                for kind, title, indicator, target in OBJECTIVES:
                    outcome = rng.choice(list(ObjectiveOutcome.values)[1:]) if past else ""
                    objectives.append(
                        CompactObjective(
                            compact=compact,
                            kind=kind,
                            title=title,
                            indicator=indicator,
                            target=target,
                            outcome=outcome,
                            result="Recorded at year end" if past else "",
                        )
                    )
                if past and compact.mpb_rating != MPBRating.SATISFACTORY:
                    closed = year < today.year - 1 and rng.random() < 0.8
                    findings.append(
                        BoardFinding(
                            compact=compact,
                            finding=rng.choice(FINDINGS),
                            action_plan="Action plan agreed with the Board.",
                            due_on=datetime.date(year + 1, 12, 31),
                            status=FindingStatus.CLOSED if closed else FindingStatus.IN_PROGRESS,
                            closed_on=datetime.date(year + 1, 11, 30) if closed else None,
                        )
                    )
            copy_insert(CompactObjective, objectives)
            copy_insert(BoardFinding, findings)
            history.record_bulk(compacts + objectives + findings)
        progress("compacts", years.index(year) + 1, len(years))


def _seed_indicators(units, factor, rng, progress) -> None:
    per_unit = 30
    periods = ["2016-2017", "2018-2019", "2020-2021", "2022-2023", "2024", "2025"]
    for n, unit in enumerate(units):
        if Indicator.objects.filter(unit=unit).exists():
            continue
        indicators = []
        for i in range(per_unit):
            efficiency = i % 5 == 0
            baseline = Decimal(rng.randint(20, 70))
            indicators.append(
                Indicator(
                    unit=unit,
                    kind=IndicatorKind.EFFICIENCY if efficiency else IndicatorKind.ACCOMPLISHMENT,
                    title=f"{'Efficiency measure' if efficiency else 'Indicator'} {i + 1} of {unit.code}",
                    unit_of_measure="%",
                    baseline=baseline,
                    target=baseline + rng.randint(5, 30),
                    direction=Direction.INCREASE,
                )
            )
        with transaction.atomic():
            copy_insert(Indicator, indicators)
            results = []
            for indicator in indicators:
                value = indicator.baseline
                for period in periods:
                    value = max(Decimal(0), value + rng.randint(-4, 8))
                    results.append(
                        IndicatorResult(
                            indicator=indicator,
                            period=period,
                            start_year=int(period[:4]),
                            value=value,
                        )
                    )
            copy_insert(IndicatorResult, results)
            history.record_bulk(indicators + results)
        progress("indicators", n + 1, len(units))


# --- Issue 15: learning, rewards and sanctions, budget performance, objective links ----------

COURSES = [
    ("ETH-001", "Ethics and integrity at the United Nations", CourseArea.ETHICS, True),
    ("FRA-001", "Preventing fraud and corruption at the United Nations", CourseArea.FRAUD, True),
    (
        "DOA-001",
        "Delegation of authority: the framework of ST/SGB/2019/2",
        CourseArea.DELEGATION,
        True,
    ),
    ("RBM-001", "Results-based management and reporting", CourseArea.RBM, True),
    ("LEAD-001", "United Nations Leadership Programme", CourseArea.OTHER, False),
]
# (unit, period, appropriation, expenditure) in US dollars: a unit's budget performance.
BUDGETS = [
    ("DMSPC-OPPFB", "2022-2023", 18_400_000, 17_650_200),
    ("DMSPC-OPPFB", "2024", 9_350_000, 8_904_700),
    ("DMSPC-OPPFB", "2025", 9_520_000, 9_130_400),
    ("DMSPC-OHR", "2024", 14_200_000, 13_310_800),
    ("DMSPC-OHR", "2025", 14_650_000, 14_020_300),
    ("DMSPC-BTAD", "2024", 6_100_000, 5_480_900),
    ("DMSPC-BTAD", "2025", 6_300_000, 6_012_500),
    ("DOS", "2024", 31_800_000, 30_150_600),
    ("DOS", "2025", 32_400_000, 33_020_100),
    ("DOS-PD", "2022-2023", 21_900_000, 20_410_300),
    ("DOS-PD", "2024", 11_300_000, 10_620_400),
    ("DOS-PD", "2025", 11_600_000, 11_210_900),
    ("DGACM", "2024", 64_700_000, 61_980_200),
    ("DGACM", "2025", 65_900_000, 63_400_800),
    ("DPPA", "2024", 38_200_000, 35_870_500),
    ("DPPA", "2025", 39_100_000, 37_260_000),
]
# Efficiency measures: what the outputs of a period cost, and how many were delivered.
OUTPUT_COSTS = {
    "Cost per budget fascicle processed": (0.22, 190),
    "Procurement lead time": (0.35, 1_450),
    "Documents issued within the six-week rule": (0.41, 15_800),
}
DISCIPLINE = [
    # unit, opened (days ago), category, measure, measure (days ago), referred (days ago)
    ("DOS-PD", 620, DisciplinaryCategory.PROCUREMENT, DisciplinaryMeasure.SEPARATION, 420, 400),
    ("DOS-PD", 540, DisciplinaryCategory.CONFLICT, DisciplinaryMeasure.CENSURE, 380, None),
    ("DOS", 500, DisciplinaryCategory.FRAUD, DisciplinaryMeasure.DISMISSAL, 300, 280),
    ("DOS", 480, DisciplinaryCategory.THEFT, DisciplinaryMeasure.RECOVERY, 330, None),
    ("DMSPC-OHR", 460, DisciplinaryCategory.FRAUD, DisciplinaryMeasure.FINE, 310, None),
    ("DMSPC-OHR", 430, DisciplinaryCategory.HARASSMENT, DisciplinaryMeasure.DEMOTION, 250, None),
    ("DGACM", 410, DisciplinaryCategory.MISUSE, DisciplinaryMeasure.CENSURE, 260, None),
    ("DGACM", 390, DisciplinaryCategory.MISUSE, DisciplinaryMeasure.LOSS_OF_STEPS, 220, None),
    ("DPPA", 360, DisciplinaryCategory.SEA, DisciplinaryMeasure.SEPARATION, 190, 170),
    ("DOS", 300, DisciplinaryCategory.FRAUD, DisciplinaryMeasure.CENSURE, 150, None),
    ("DMSPC-OPPFB", 240, DisciplinaryCategory.MISUSE, DisciplinaryMeasure.CENSURE, 120, None),
    ("DOS-PD", 200, DisciplinaryCategory.FRAUD, DisciplinaryMeasure.CENSURE, 90, None),
    ("DMSPC-BTAD", 160, DisciplinaryCategory.OTHER, DisciplinaryMeasure.NO_MEASURE, 60, None),
    ("DOS", 120, DisciplinaryCategory.FRAUD, "", None, None),
    ("DPPA", 60, DisciplinaryCategory.HARASSMENT, "", None, None),
]
RECOGNITIONS = [
    ("DMSPC-OHR", RecognitionKind.SG_AWARD, 400, "Led the move to the new appraisal cycle."),
    ("DOS-PD", RecognitionKind.TEAM_AWARD, 350, "Cut procurement lead time by a third."),
    ("DGACM", RecognitionKind.INNOVATION, 300, "Machine-assisted translation memory."),
    ("DMSPC-BTAD", RecognitionKind.TEAM_AWARD, 200, "Results frameworks for every entity."),
    ("DOS", RecognitionKind.COMMENDATION, 150, "Supply chain to a new mission in six weeks."),
    ("DPPA", RecognitionKind.SG_AWARD, 90, "Mediation support under difficult conditions."),
    ("DMSPC-OPPFB", RecognitionKind.COMMENDATION, 40, "Every budget fascicle on time."),
]


def _seed_people_demo(today: datetime.date, rng: random.Random, units: dict) -> None:
    """Courses and the demo staff's completions, disciplinary cases and awards, budget
    performance with costed efficiency results, and compact objectives linked to the
    indicators of their unit: every part idempotent."""
    courses = []
    for code, title, area, mandatory in COURSES:
        course = Course.objects.filter(code=code).first() or services.save_course(
            Course(code=code, title=title, area=area, mandatory=mandatory), acting_user=SYSTEM
        )
        courses.append(course)
    staff = list(Person.objects.filter(index_number__startswith="9").order_by("index_number"))
    done = set(
        CourseCompletion.objects.filter(person__in=staff).values_list("person_id", "course_id")
    )
    new = []
    for person in staff:
        for course in courses:
            # Drawn per person and course, so a second run makes the same choices (idempotent).
            draw = random.Random(f"{person.index_number}:{course.code}")
            # Most staff completed the mandatory courses, some only recently; few the optional.
            if draw.random() > (0.8 if course.mandatory else 0.15):
                continue
            if (person.pk, course.pk) in done:
                continue
            day = today - datetime.timedelta(days=draw.randint(5, 700))
            new.append(CourseCompletion(person=person, course=course, completed_on=day))
    CourseCompletion.objects.bulk_create(new)
    history.record_bulk(new)

    def ago(days):
        return today - datetime.timedelta(days=days) if days is not None else None

    if not DisciplinaryCase.objects.exists():
        for code, opened, category, measure, measure_on, referred in DISCIPLINE:
            if code not in units:
                continue
            services.save_disciplinary_case(
                DisciplinaryCase(
                    unit=units[code],
                    opened_on=ago(opened),
                    category=category,
                    measure=measure,
                    measure_on=ago(measure_on),
                    referred_to_national_authorities=referred is not None,
                    referred_on=ago(referred),
                    summary="Investigated by OIOS; decided by the Assistant Secretary-General "
                    "for Human Resources.",
                ),
                acting_user=SYSTEM,
            )
    if not Recognition.objects.exists():
        for code, kind, days, reason in RECOGNITIONS:
            if code in units:
                person = Person.objects.filter(unit=units[code]).order_by("index_number").first()
                services.save_recognition(
                    Recognition(
                        unit=units[code],
                        person=person if kind != RecognitionKind.TEAM_AWARD else None,
                        kind=kind,
                        awarded_on=ago(days),
                        reason=reason,
                    ),
                    acting_user=SYSTEM,
                )
    spent = {}
    for code, period, appropriation, expenditure in BUDGETS:
        unit = units.get(code)
        if unit is None:
            continue
        spent[(unit.pk, period)] = Decimal(expenditure)
        if not BudgetPerformance.objects.filter(unit=unit, period=period).exists():
            services.save_budget_performance(
                BudgetPerformance(
                    unit=unit,
                    period=period,
                    appropriation=Decimal(appropriation),
                    expenditure=Decimal(expenditure),
                ),
                acting_user=SYSTEM,
            )
    for title, (share, outputs) in OUTPUT_COSTS.items():
        for result in IndicatorResult.objects.filter(
            indicator__title=title, cost__isnull=True
        ).select_related("indicator"):
            expenditure = spent.get((result.indicator.unit_id, result.period))
            if expenditure is None:
                continue  # no budget recorded for the period: no honest cost
            result.cost = (expenditure * Decimal(str(share))).quantize(Decimal("1"))
            result.outputs = outputs * (2 if "-" in result.period else 1)
            services.record_indicator_result(result, acting_user=SYSTEM)
    # Paragraphs 13-15: each compact's programme objective is measured by its unit's indicators.
    for objective in CompactObjective.objects.filter(
        title=OBJECTIVES[0][1], indicators__isnull=True
    ).select_related("compact__unit"):
        measured = Indicator.objects.filter(unit__path__startswith=objective.compact.unit.path)
        services.save_objective(objective, acting_user=SYSTEM, indicators=list(measured[:3]))


def _seed_people_scale(units, factor: float, rng: random.Random, progress) -> None:
    """Completions of the mandatory courses by the synthetic staff (about three in four staff
    per course), budget performance of every synthetic unit for ten years, and disciplinary
    cases and awards in proportion (about 250 cases and 400 awards a year at factor 1)."""
    today = timezone.localdate()
    for code, title, area, mandatory in COURSES:
        if not Course.objects.filter(code=code).exists():
            services.save_course(
                Course(code=code, title=title, area=area, mandatory=mandatory), acting_user=SYSTEM
            )
    # Course objects, not ids: each completion's history entry names its course (str()), which
    # would otherwise cost a query per row.
    mandatory = list(Course.objects.filter(mandatory=True))
    staff = list(
        Person.objects.filter(index_number__startswith="7")
        .exclude(course_completions__isnull=False)
        .order_by("index_number")
        .values_list("pk", "unit_id", "name")
    )
    batch = 5000
    new_completion, light_person = Builder(CourseCompletion), Builder(Person)
    for start in range(0, len(staff), batch):
        rows = [
            new_completion(
                person=light_person(pk=pk, unit_id=unit_id, name=name),
                course=course,
                completed_on=today - datetime.timedelta(days=rng.randint(1, 1500)),
            )
            for pk, unit_id, name in staff[start : start + batch]
            for course in mandatory
            if rng.random() < 0.75
        ]
        copy_insert(CourseCompletion, rows)
        history.record_bulk(rows)
        progress("course completions", min(start + batch, len(staff)), len(staff))
    years = range(today.year - 9, today.year + 1)
    seeded = set(BudgetPerformance.objects.values_list("unit_id", "period"))
    budgets = []
    for unit in units:
        base = Decimal(rng.randint(2_000, 60_000)) * 1000
        for year in years:
            if (unit.pk, str(year)) in seeded:
                continue
            appropriation = (base * Decimal(1 + (year - years[0]) * 0.02)).quantize(Decimal("1"))
            used = Decimal(str(round(rng.uniform(0.82, 1.04), 4)))
            budgets.append(
                BudgetPerformance(
                    unit=unit,
                    period=str(year),
                    start_year=year,
                    appropriation=appropriation,
                    expenditure=(appropriation * used).quantize(Decimal("1")),
                )
            )
    copy_insert(BudgetPerformance, budgets)
    history.record_bulk(budgets)
    progress("budget performance", 1, 1)
    if units and not DisciplinaryCase.objects.filter(unit__in=units).exists():
        categories, measures = DisciplinaryCategory.values, DisciplinaryMeasure.values[1:]
        cases = []
        for _n in range(int(250 * 10 * factor)):
            opened = today - datetime.timedelta(days=rng.randint(30, 3650))
            decided = rng.random() < 0.85
            measure_on = opened + datetime.timedelta(days=rng.randint(60, 400))
            decided = decided and measure_on <= today
            referred = decided and rng.random() < 0.1
            cases.append(
                DisciplinaryCase(
                    unit=rng.choice(units),
                    opened_on=opened,
                    category=rng.choice(categories),
                    measure=rng.choice(measures) if decided else "",
                    measure_on=measure_on if decided else None,
                    referred_to_national_authorities=referred,
                    referred_on=measure_on if referred else None,
                )
            )
        awards = [
            Recognition(
                unit=rng.choice(units),
                kind=rng.choice(RecognitionKind.values),
                awarded_on=today - datetime.timedelta(days=rng.randint(1, 3650)),
                reason="Recognised for results delivered.",
            )
            for _n in range(int(400 * 10 * factor))
        ]
        copy_insert(DisciplinaryCase, cases)
        copy_insert(Recognition, awards)
        history.record_bulk(cases)
        history.record_bulk(awards)
    progress("disciplinary cases and awards", 1, 1)
