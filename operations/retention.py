"""Retention of personal data (RETENTION_YEARS, per kind of record): expired records are
anonymised through the apps' own save actions, so each change is in the change history, and
the figures the reports count (units, cycles, ratings, dates, categories, measures) are kept.

Kinds:
- "person": a staff member separated for longer than the period, counted from their date of
  separation (Person.separated_on); for a person made inactive without one, from their record's
  last change (updated_at), the only proxy there is (the dry run says which was used): name,
  index number, e-mail and account link removed.
  Their appraisals, underperformance cases, disciplinary records and declarations then name no
  one.
- "disciplinary_case": the free-text summary of a case opened longer ago than the period."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

ANONYMOUS_NAME = "Former staff member"
ANONYMOUS_PREFIX = "ANON-"


@dataclass
class RetentionResult:
    dry_run: bool
    changed: dict[str, list[int]] = field(default_factory=dict)
    # person id -> (the date the period ran from, whether it is the separation date)
    person_basis: dict[int, tuple[datetime.date, bool]] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        return len(self.changed.get(kind, []))


def _years_ago(years: int) -> datetime.datetime:
    now = timezone.now()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def expired_people(years: int):
    from django.db.models import Q

    from org.models import Person

    cutoff = _years_ago(years)
    separated = Q(separated_on__lt=cutoff.date())
    inactive_without_date = Q(separated_on__isnull=True, is_active=False, updated_at__lt=cutoff)
    return (
        Person.objects.filter(separated | inactive_without_date)
        .exclude(index_number__startswith=ANONYMOUS_PREFIX)
        .order_by("pk")
    )


def expired_disciplinary_cases(years: int):
    from performance.models import DisciplinaryCase

    cutoff = _years_ago(years).date()
    return DisciplinaryCase.objects.filter(opened_on__lt=cutoff).exclude(summary="").order_by("pk")


def apply_retention(*, dry_run: bool = False, years: dict | None = None) -> RetentionResult:
    from core.actions import SYSTEM
    from org.services import save_person
    from performance.services import save_disciplinary_case

    years = {**settings.RETENTION_YEARS, **(years or {})}
    result = RetentionResult(dry_run=dry_run)
    people = list(expired_people(years["person"]))
    cases = list(expired_disciplinary_cases(years["disciplinary_case"]))
    result.changed["person"] = [p.pk for p in people]
    result.person_basis = {
        p.pk: (p.separated_on, True)
        if p.separated_on
        else (timezone.localdate(p.updated_at), False)
        for p in people
    }
    result.changed["disciplinary_case"] = [c.pk for c in cases]
    if dry_run:
        return result
    with transaction.atomic():
        for person in people:
            person.name = f"{ANONYMOUS_NAME} {person.pk}"
            person.index_number = f"{ANONYMOUS_PREFIX}{person.pk}"
            person.email = ""
            person.user = None
            save_person(person, acting_user=SYSTEM)
        for case in cases:
            case.summary = ""
            save_disciplinary_case(case, acting_user=SYSTEM)
    return result
