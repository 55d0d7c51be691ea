"""The roll-up behind the statement of internal control (paras 30-31): which units were expected
to certify their internal control for the year, which did and with what conclusion, and the
significant deficiencies of the year with their owner unit and remediation status as at the
year's end. It names units, not people: GA staff read it too.

One definition, used by a draft statement (live), by the issue action (stored) and by the report.
"""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.figures import rate
from org.models import OrgUnit, Person
from risk.choices import SIGNIFICANT_SEVERITIES, Conclusion, DeficiencyStatus


def expected_units():
    """Units expected to certify: the active units with an active head of entity. Certifying is
    the head's personal act (SelfAssessmentPolicy.certify), so a unit without one cannot."""
    heads = Person.objects.filter(unit=OuterRef("pk"), is_head_of_entity=True, is_active=True)
    return OrgUnit.objects.filter(is_active=True).filter(Exists(heads))


def significant_deficiencies(year: int):
    """Significant deficiencies and material weaknesses found by the year's end and not closed
    before the year began: the ones the year's statement must disclose."""
    from risk.models import Deficiency

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        Deficiency.objects.filter(severity__in=SIGNIFICANT_SEVERITIES, test__tested_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .select_related("test__control__unit")
        .order_by("test__control__unit__code", "test__tested_on", "pk")
    )


def compute_rollup(year: int) -> dict:
    from risk.models import SelfAssessment

    end = datetime.date(year, 12, 31)
    units = list(expected_units().order_by("code").values("pk", "code", "name"))
    unit_ids = {u["pk"] for u in units}
    certified = [
        a
        for a in SelfAssessment.objects.filter(year=year, certified_on__isnull=False)
        .select_related("unit")
        .order_by("unit__code")
        if a.unit_id in unit_ids
    ]
    certified_ids = {a.unit_id for a in certified}
    by_conclusion = {value: 0 for value in Conclusion.values}
    for assessment in certified:
        by_conclusion[assessment.conclusion] = by_conclusion.get(assessment.conclusion, 0) + 1
    deficiencies = []
    for d in significant_deficiencies(year):
        closed_by_end = d.closed_on is not None and d.closed_on <= end
        deficiencies.append(
            {
                "id": d.pk,
                "description": d.description,
                "severity": d.severity,
                "control": d.test.control.title,
                "unit": d.test.control.unit.code,
                "found_on": d.test.tested_on.isoformat(),
                "remediation": d.remediation,
                "due_on": d.due_on.isoformat() if d.due_on else None,
                # As at the year's end: a closure after it does not count for this statement.
                "status": DeficiencyStatus.CLOSED if closed_by_end else DeficiencyStatus.OPEN,
                "closed_on": d.closed_on.isoformat() if closed_by_end else None,
                "overdue": not closed_by_end and d.due_on is not None and d.due_on < end,
            }
        )
    return {
        "year": year,
        "period_end": end.isoformat(),
        "computed_on": timezone.localdate().isoformat(),
        "units_expected": len(units),
        "units_certified": len(certified_ids),
        "certification_rate": rate(len(certified_ids), len(units)),
        "by_conclusion": by_conclusion,
        "certified": [
            {
                "unit": a.unit.code,
                "name": a.unit.name,
                "conclusion": a.conclusion,
                "certified_on": a.certified_on.isoformat(),
            }
            for a in certified
        ],
        "not_certified": [u["code"] for u in units if u["pk"] not in certified_ids],
        "significant_deficiencies": deficiencies,
        "significant_open_at_end": sum(1 for d in deficiencies if d["status"] == "open"),
    }
