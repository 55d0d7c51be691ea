"""The accountability framework's key performance indicators on delegated authority (in force
since 1 January 2020, ST/SGB/2019/2): per entity and period, each with its definition, source,
target and status (met / not met).

The computed indicators come from what the tracker holds, in SQL: one grouped query per
indicator over org units, folded into entities (the units directly below the Secretariat) in
Python. The entered ones (ENTERED_KPIS) are KpiEntry records with their evidence, one per
entity, indicator and year. `kpi_table` is what the report's section G and the KPI pages read.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accountability.models import Decision, Delegation
from core.figures import previous_period, rate
from org.models import OrgUnit

REVIEW_WITHIN_DAYS = 30
ACCEPT_WITHIN_DAYS = 14


@dataclass(frozen=True)
class Kpi:
    code: str
    title: str
    definition: str
    source: str
    target: float  # a percentage: met when the value is at least the target
    params: tuple = ()

    @property
    def label(self) -> str:
        """The title in the reader's language (formatted when read, not at import)."""
        return str(self.title) % dict(self.params) if self.params else str(self.title)

    @property
    def description(self) -> str:
        return str(self.definition) % dict(self.params) if self.params else str(self.definition)


KPIS = [
    Kpi(
        "decisions_within_authority",
        _("Decisions within delegated authority"),
        _(
            "Decisions logged with a decision date in the period that were within delegated "
            "authority, as a share of all decisions logged in the period."
        ),
        _("Decision log (within_authority, stored and re-judged on acceptance and revocation)."),
        95.0,
    ),
    Kpi(
        "exceptions_reviewed_on_time",
        _("Exceptions reviewed within %(days)s days"),
        _(
            "Decisions outside delegated authority dated in the period whose review was recorded "
            "within %(days)s days of the decision, as a share of all such decisions."
        ),
        _("Decision log (review outcome and date)."),
        90.0,
        (("days", REVIEW_WITHIN_DAYS),),
    ),
    Kpi(
        "instruments_accepted_on_time",
        _("Instruments accepted within %(days)s days"),
        _(
            "Instruments taking effect in the period accepted by their delegatee no later than "
            "%(days)s days after their first day of validity, as a share of all of them."
        ),
        _("Register of instruments (valid_from, accepted_on)."),
        90.0,
        (("days", ACCEPT_WITHIN_DAYS),),
    ),
    Kpi(
        "sub_delegations_recorded",
        _("Authority of the head of entity sub-delegated in the tracker"),
        _(
            "Instruments from the Secretary-General to the head of entity in force during the "
            "period under which at least one sub-delegation is recorded, as a share of all of "
            "them."
        ),
        _("Register of instruments (parent)."),
        75.0,
    ),
    Kpi(
        "delegatees_trained",
        _("Delegatees who completed the mandatory training"),
        _(
            "Staff holding delegated authority in the entity at the end of the period (an "
            "accepted instrument in force that day) who had completed the mandatory course on "
            "delegation of authority by then, as a share of all of them."
        ),
        _(
            "Register of instruments (delegatee, acceptance, validity, revocation) and learning "
            "records (completions of the mandatory delegation of authority course)."
        ),
        100.0,
    ),
]

# Entered with evidence: the data lives outside the tracker.
ENTERED_KPIS = [
    Kpi(
        "oversight_recommendations_delegated_areas",
        _("Oversight recommendations on delegated areas implemented on time"),
        _(
            "Oversight recommendations on the use of delegated authority due in the year that "
            "were implemented by their target date, as a share of all of them."
        ),
        _("Entered with evidence (the oversight bodies' follow-up)."),
        80.0,
    ),
    Kpi(
        "appraisal_compliance_delegatees",
        _("Appraisal compliance of delegatees"),
        _(
            "Delegatees whose performance appraisal for the cycle was completed on time, as a "
            "share of all delegatees."
        ),
        _("Entered with evidence (the performance management system)."),
        100.0,
    ),
]

KPI_BY_CODE = {k.code: k for k in KPIS}
ENTERED_BY_CODE = {k.code: k for k in ENTERED_KPIS}
ALL_KPIS = [*KPIS, *ENTERED_KPIS]


def _entity_of() -> tuple[dict[int, int], dict[int, OrgUnit]]:
    """Map every unit id to its entity's id (the unit directly below the Secretariat)."""
    units = list(OrgUnit.objects.only("pk", "code", "name", "name_zh", "path", "parent_id"))
    by_code = {u.code: u for u in units}
    mapping, entities = {}, {}
    for unit in units:
        parts = [p for p in unit.path.split("/") if p]
        if len(parts) < 2 or parts[1] not in by_code:
            continue
        entity = by_code[parts[1]]
        mapping[unit.pk] = entity.pk
        entities[entity.pk] = entity
    return mapping, entities


def _fold(rows, mapping, key="unit_id") -> dict[int, list[int]]:
    totals: dict[int, list[int]] = {}
    for row in rows:
        entity = mapping.get(row[key])
        if entity is None:
            continue
        pair = totals.setdefault(entity, [0, 0])
        pair[0] += row["num"]
        pair[1] += row["den"]
    return totals


def _figures(period_start: datetime.date, period_end: datetime.date, mapping) -> dict:
    in_period = Q(decided_on__range=(period_start, period_end))
    decisions = Decision.objects.filter(in_period).values("unit_id")
    within = decisions.annotate(num=Count("pk", filter=Q(within_authority=True)), den=Count("pk"))
    outside = Q(within_authority=False)
    reviewed = decisions.annotate(
        num=Count(
            "pk",
            filter=outside
            & Q(reviewed_on__isnull=False, reviewed_on__lte=period_end)
            & Q(reviewed_on__lte=F("decided_on") + datetime.timedelta(days=REVIEW_WITHIN_DAYS)),
        ),
        den=Count("pk", filter=outside),
    )
    starting = Delegation.objects.filter(valid_from__range=(period_start, period_end)).values(
        "unit_id"
    )
    accepted = starting.annotate(
        num=Count(
            "pk",
            filter=Q(
                accepted_on__isnull=False,
                accepted_on__lte=F("valid_from") + datetime.timedelta(days=ACCEPT_WITHIN_DAYS),
            )
            & Q(accepted_on__lte=period_end),
        ),
        den=Count("pk"),
    )
    in_force = (
        Q(valid_from__lte=period_end)
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=period_start))
        & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=period_start))
    )
    roots = (
        Delegation.objects.filter(in_force, parent__isnull=True)
        .annotate(
            has_child=Exists(
                # as at the period end: a sub-delegation issued later is not counted
                Delegation.objects.filter(parent_id=OuterRef("pk"), valid_from__lte=period_end)
            )
        )
        .values("unit_id")
    )
    sub = roots.annotate(num=Count("pk", filter=Q(has_child=True)), den=Count("pk"))
    return {
        "decisions_within_authority": _fold(within, mapping),
        "exceptions_reviewed_on_time": _fold(reviewed, mapping),
        "instruments_accepted_on_time": _fold(accepted, mapping),
        "sub_delegations_recorded": _fold(sub, mapping),
        "delegatees_trained": _delegatees_trained(period_end, mapping),
    }


def _delegatees_trained(period_end: datetime.date, mapping) -> dict[int, list[int]]:
    """Per entity: [delegatees trained by `period_end`, delegatees], counting each person once
    per entity however many instruments they hold there. A delegatee is whoever holds an
    instrument accepted on or before `period_end`, valid that day and not revoked by then;
    trained, whoever completed the mandatory delegation of authority course(s) by then
    (performance's learning records, through core.registry). No such course (or no performance
    app): no data."""
    from core.registry import provided

    # The learning records are performance's (it offers the figure; accountability does not
    # import it: performance already reads accountability).
    delegation_trained_users = provided("delegation_trained_users")
    trained = delegation_trained_users(period_end) if delegation_trained_users else None
    if trained is None:
        return {}
    holders = (
        Delegation.objects.filter(
            Q(accepted_on__isnull=False, accepted_on__lte=period_end, valid_from__lte=period_end)
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=period_end))
            & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=period_end))
        )
        .annotate(trained=Q(delegatee_id__in=trained))
        .values_list("unit_id", "delegatee_id", "trained")
        .distinct()
    )
    people: dict[int, dict[int, bool]] = {}
    for unit_id, delegatee_id, is_trained in holders:
        entity = mapping.get(unit_id)
        if entity is not None:
            seen = people.setdefault(entity, {})
            seen[delegatee_id] = seen.get(delegatee_id, False) or bool(is_trained)
    return {entity: [sum(found.values()), len(found)] for entity, found in people.items()}


def _entered(period_end: datetime.date, mapping) -> dict:
    """{kpi code: {entity id: entry}} for the year the period ends in."""
    from accountability.models import KpiEntry

    found: dict[str, dict] = {}
    for entry in KpiEntry.objects.filter(year=period_end.year):
        entity = mapping.get(entry.unit_id)
        if entity is not None:
            found.setdefault(entry.kpi, {})[entity] = entry
    return found


def _entered_cell(kpi: Kpi, entry) -> dict:
    if entry is None:
        return {"value": None, "target": kpi.target, "status": "no_data", "entered": True}
    value = float(entry.value)
    return {
        "value": value,
        "target": kpi.target,
        "status": "met" if value >= kpi.target else "not_met",
        "entered": True,
        "entry_id": entry.pk,
    }


def _cell(kpi: Kpi, pair) -> dict:
    numerator, denominator = pair if pair else (0, 0)
    value = rate(numerator, denominator)
    if value is None:
        status = "no_data"
    else:
        status = "met" if value >= kpi.target else "not_met"
    return {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "target": kpi.target,
        "status": status,
    }


def kpi_table(period_start: datetime.date, period_end: datetime.date, unit_ids=None) -> list[dict]:
    """Every entity (or those containing `unit_ids`, a reader's scope) with each KPI's value,
    numerator, denominator, target and status (`met`, `not_met`, `no_data`) for the period,
    sorted by entity code. Rates are percentages rounded to one decimal (core.figures.rate)."""
    mapping, entities = _entity_of()
    figures = _figures(period_start, period_end, mapping)
    entered = _entered(period_end, mapping)
    if unit_ids is not None:
        wanted = {mapping[u] for u in unit_ids if u in mapping}
        entities = {pk: e for pk, e in entities.items() if pk in wanted}
    rows = []
    for pk, entity in sorted(entities.items(), key=lambda item: item[1].code):
        rows.append(
            {
                "entity": entity.code,
                "name": entity.name,
                "kpis": {
                    **{k.code: _cell(k, figures[k.code].get(pk)) for k in KPIS},
                    **{
                        k.code: _entered_cell(k, entered.get(k.code, {}).get(pk))
                        for k in ENTERED_KPIS
                    },
                },
            }
        )
    return rows


def kpi_definitions() -> dict[str, dict]:
    """The methodology of each KPI: title, definition, source, target (%)."""
    return {
        k.code: {
            "title": k.label,
            "definition": k.description,
            "source": str(k.source),
            "target": k.target,
            "computed": k.code in KPI_BY_CODE,
        }
        for k in ALL_KPIS
    }


def report_section_g(period_start: datetime.date, period_end: datetime.date) -> dict:
    """What the report's section G shows of the KPI framework: the table by entity for the
    period and for the previous period (the report's rule, core.figures.previous_period: whole
    years for whole years, whatever the leap days), and the definitions."""
    previous_start, previous_end = previous_period(period_start, period_end)
    return {
        "kpi_by_entity": kpi_table(period_start, period_end),
        "kpi_by_entity_previous_period": kpi_table(previous_start, previous_end),
        "kpi_definitions": kpi_definitions(),
    }


__all__ = ["ALL_KPIS", "ENTERED_KPIS", "KPIS", "kpi_definitions", "kpi_table", "report_section_g"]
