"""The figures this app gives the dashboard, the resolution page and the paragraph 33 report.
Every figure is an aggregate computed in the database: a handful of queries whatever the size."""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import Authority, CommitmentStatus, ReviewOutcome
from accountability.models import EXPIRING_WITHIN_DAYS, Commitment, Decision, Delegation
from accountability.querysets import overdue_q, valid_on_q
from core.figures import rate

PARAGRAPHS = (8, 13, 15, 17, 21)
OPEN = (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS)


def _money(value) -> str:
    return f"{(value or Decimal(0)):.2f}"


def decision_figures(decisions) -> dict:
    """Counts over a queryset of decisions, in one query."""
    row = decisions.aggregate(
        logged=Count("pk"),
        within=Count("pk", filter=Q(within_authority=True)),
        outside=Count("pk", filter=Q(within_authority=False)),
        pending=Count("pk", filter=Q(within_authority=False, review_outcome="")),
        justified=Count(
            "pk", filter=Q(within_authority=False, review_outcome=ReviewOutcome.JUSTIFIED)
        ),
        mismanagement=Count(
            "pk", filter=Q(within_authority=False, review_outcome=ReviewOutcome.MISMANAGEMENT)
        ),
        abuse=Count("pk", filter=Q(within_authority=False, review_outcome=ReviewOutcome.ABUSE)),
        actions=Count("pk", filter=Q(within_authority=False) & ~Q(review_action="")),
        amount_total=Sum("amount"),
        outside_amount=Sum("amount", filter=Q(within_authority=False)),
    )
    return row


def commitment_figures(
    commitments, today: datetime.date | None = None, as_of: datetime.date | None = None
) -> dict:
    """With `as_of` (the report's period end), a commitment honoured after that date counts as
    still open on it."""
    today = today or timezone.localdate()
    honoured = Q(status=CommitmentStatus.HONOURED)
    if as_of is not None:
        honoured &= Q(honoured_on__lte=as_of)
        later = Q(status=CommitmentStatus.HONOURED, honoured_on__gt=as_of)
        return commitments.aggregate(
            due=Count("pk"),
            honoured_on_time=Count("pk", filter=honoured & Q(honoured_on__lte=F("due_on"))),
            honoured_late=Count("pk", filter=honoured & Q(honoured_on__gt=F("due_on"))),
            missed=Count("pk", filter=Q(status=CommitmentStatus.MISSED)),
            cancelled=Count("pk", filter=Q(status=CommitmentStatus.CANCELLED)),
            open=Count("pk", filter=Q(status__in=OPEN) | later),
            overdue=Count("pk", filter=overdue_q(today)),
        )
    return commitments.aggregate(
        due=Count("pk"),
        honoured_on_time=Count("pk", filter=honoured & Q(honoured_on__lte=F("due_on"))),
        honoured_late=Count("pk", filter=honoured & Q(honoured_on__gt=F("due_on"))),
        missed=Count("pk", filter=Q(status=CommitmentStatus.MISSED)),
        cancelled=Count("pk", filter=Q(status=CommitmentStatus.CANCELLED)),
        open=Count("pk", filter=Q(status__in=OPEN)),
        overdue=Count("pk", filter=overdue_q(today)),
    )


def delegation_figures(delegations, period_start, period_end) -> dict:
    soon = period_end + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    # A pending instrument (or one whose chain is pending) confers nothing: not active.
    active = valid_on_q(period_end) & Q(chain_accepted_on__lte=period_end)
    return delegations.aggregate(
        issued=Count("pk", filter=Q(valid_from__range=(period_start, period_end))),
        sub_delegated=Count(
            "pk",
            filter=Q(valid_from__range=(period_start, period_end), parent__isnull=False),
        ),
        active=Count("pk", filter=active),
        expiring=Count("pk", filter=active & Q(valid_to__lte=soon)),
        revoked=Count("pk", filter=Q(revoked_on__range=(period_start, period_end))),
        pending=Count(
            "pk",
            filter=valid_on_q(period_end)
            & (Q(accepted_on__isnull=True) | Q(accepted_on__gt=period_end)),
        ),
    )


def kpi_by_entity(period_start: datetime.date, period_end: datetime.date) -> list[dict]:
    """Section G's KPI table: every entity with each KPI's value, numerator, denominator,
    target and status (`met`, `not_met`, `no_data`) for the period (accountability.kpis)."""
    from accountability.kpis import kpi_table

    return kpi_table(period_start, period_end)


def kpi_section(period_start: datetime.date, period_end: datetime.date) -> dict:
    """What section G shows of the KPI framework: `kpi_by_entity` for the period and
    `kpi_by_entity_previous_period` (same length, ending the day before), and
    `kpi_definitions` ({code: {title, definition, source, target}}) for the methodology."""
    from accountability.kpis import report_section_g

    return report_section_g(period_start, period_end)


def report_metrics(period_start: datetime.date, period_end: datetime.date) -> dict[str, dict]:
    """Section A (decisions and commitments) and G (delegation of authority) of the report."""
    d = decision_figures(Decision.objects.filter(decided_on__range=(period_start, period_end)))
    c = commitment_figures(
        Commitment.objects.filter(due_on__range=(period_start, period_end)), as_of=period_end
    )
    g = delegation_figures(Delegation.objects.all(), period_start, period_end)
    by_unit = unit_breakdown(period_start, period_end)
    counted = c["due"] - c["cancelled"]
    return {
        "A": {
            "decisions_logged": d["logged"],
            "decisions_within_authority": d["within"],
            "decisions_within_authority_rate": rate(d["within"], d["logged"]),
            "decisions_amount": _money(d["amount_total"]),
            "commitments_due": c["due"],
            "commitments_honoured_on_time": c["honoured_on_time"],
            "commitments_honoured_late": c["honoured_late"],
            "commitments_missed": c["missed"],
            "commitments_open": c["open"],
            "commitments_cancelled": c["cancelled"],
            "commitments_honoured_on_time_rate": rate(c["honoured_on_time"], counted),
            "accountability_by_unit": by_unit,
        },
        "G": {
            "delegations_issued": g["issued"],
            "delegations_sub_delegated": g["sub_delegated"],
            "delegations_active": g["active"],
            "delegations_expiring": g["expiring"],
            "delegations_revoked": g["revoked"],
            "decisions_outside_authority": d["outside"],
            "decisions_outside_authority_amount": _money(d["outside_amount"]),
            "outside_authority_reviews": {
                "justified": d["justified"],
                "mismanagement": d["mismanagement"],
                "abuse": d["abuse"],
                "pending": d["pending"],
            },
            "outside_authority_actions_taken": d["actions"],
        },
    }


def unit_breakdown(period_start: datetime.date, period_end: datetime.date, units=None) -> list:
    """Per org unit: decisions logged and outside authority, commitments due, honoured on time
    and missed, instruments issued and revoked, in the period (three grouped queries)."""
    rows: dict[str, dict] = {}

    def merge(queryset, **figures):
        if units is not None:
            queryset = queryset.filter(unit__in=units)
        for row in queryset.values("unit__code").annotate(**figures).order_by():
            entry = rows.setdefault(row.pop("unit__code"), dict.fromkeys(UNIT_FIELDS, 0))
            entry.update(row)

    merge(
        Decision.objects.filter(decided_on__range=(period_start, period_end)),
        decisions_logged=Count("pk"),
        decisions_outside_authority=Count("pk", filter=Q(within_authority=False)),
    )
    merge(
        Commitment.objects.filter(due_on__range=(period_start, period_end)),
        commitments_due=Count("pk"),
        commitments_honoured_on_time=Count(
            "pk", filter=Q(status=CommitmentStatus.HONOURED, honoured_on__lte=F("due_on"))
        ),
        commitments_missed=Count("pk", filter=Q(status=CommitmentStatus.MISSED)),
    )
    merge(
        Delegation.objects.filter(
            Q(valid_from__range=(period_start, period_end))
            | Q(revoked_on__range=(period_start, period_end))
        ),
        delegations_issued=Count("pk", filter=Q(valid_from__range=(period_start, period_end))),
        delegations_revoked=Count("pk", filter=Q(revoked_on__range=(period_start, period_end))),
    )
    return [{"unit": code, **rows[code]} for code in sorted(rows)]


UNIT_FIELDS = (
    "decisions_logged",
    "decisions_outside_authority",
    "commitments_due",
    "commitments_honoured_on_time",
    "commitments_missed",
    "delegations_issued",
    "delegations_revoked",
)


def _items(queryset, date_field: str, status) -> list[dict]:
    return [
        {
            "id": obj.pk,
            "title": obj.title,
            "status": status(obj),
            "date": getattr(obj, date_field).isoformat(),
        }
        for obj in queryset.order_by(f"-{date_field}", "-pk")[:10]
    ]


def paragraph_measures(
    period_start: datetime.date, period_end: datetime.date
) -> dict[int, list[dict]]:
    """For each paragraph this app holds evidence for: decisions and commitments that cite it
    (and, for paragraph 21, the delegation instruments issued; for 17, the decisions found to be
    mismanagement or abuse), with up to ten recent items each."""
    decisions = Decision.objects.filter(decided_on__range=(period_start, period_end))
    commitments = Commitment.objects.filter(due_on__range=(period_start, period_end))
    decision_counts = dict(
        Decision.paragraphs.through.objects.filter(decision__in=decisions)
        .values_list("paragraph__number")
        .annotate(n=Count("decision_id", distinct=True))
    )
    commitment_counts = dict(
        Commitment.paragraphs.through.objects.filter(commitment__in=commitments)
        .values_list("paragraph__number")
        .annotate(n=Count("commitment_id", distinct=True))
    )
    measures: dict[int, list[dict]] = {}

    def authority(obj):
        return (Authority.WITHIN if obj.within_authority else Authority.OUTSIDE).value

    for number in sorted(set(decision_counts) | set(commitment_counts)):
        entries = []
        if decision_counts.get(number):
            entries.append(
                {
                    "kind": "decisions",
                    "label": _("Decisions logged"),
                    "count": decision_counts[number],
                    "items": _items(
                        decisions.filter(paragraphs__number=number), "decided_on", authority
                    ),
                }
            )
        if commitment_counts.get(number):
            entries.append(
                {
                    "kind": "commitments",
                    "label": _("Commitments due"),
                    "count": commitment_counts[number],
                    "items": _items(
                        commitments.filter(paragraphs__number=number), "due_on", lambda o: o.status
                    ),
                }
            )
        measures[number] = entries
    issued = Delegation.objects.filter(valid_from__range=(period_start, period_end))
    issued_count = issued.count()
    if issued_count:
        measures.setdefault(21, []).append(
            {
                "kind": "delegations",
                "label": _("Delegation instruments issued"),
                "count": issued_count,
                "items": [
                    {
                        "id": x.pk,
                        "title": str(x),
                        "status": x.state,
                        "date": x.valid_from.isoformat(),
                    }
                    for x in issued.order_by("-valid_from", "-pk")[:10]
                ],
            }
        )
    misuse = decisions.filter(
        within_authority=False,
        review_outcome__in=[ReviewOutcome.MISMANAGEMENT, ReviewOutcome.ABUSE],
    )
    misuse_count = misuse.count()
    if misuse_count:
        measures.setdefault(17, []).append(
            {
                "kind": "decisions_misuse",
                "label": _("Decisions found to be mismanagement or abuse of authority"),
                "count": misuse_count,
                "items": _items(misuse, "decided_on", lambda o: o.review_outcome),
            }
        )
    return measures


# --- Dashboard and resolution page (scoped to the user) -----------------------------------------


def dashboard_figures(user, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)
    visible = Decision.objects.restrict(user, "view")
    d = visible.filter(decided_on__gt=year_ago).aggregate(
        logged=Count("pk"), within=Count("pk", filter=Q(within_authority=True))
    )
    # Filtered counts (not FILTER clauses over the whole table) so the index on
    # within_authority answers them.
    d["pending"] = visible.filter(within_authority=False, review_outcome="").count()
    c = Commitment.objects.restrict(user, "view").aggregate(
        overdue=Count("pk", filter=overdue_q(today)),
        due_soon=Count(
            "pk",
            filter=Q(
                status__in=OPEN, due_on__gte=today, due_on__lte=today + datetime.timedelta(days=30)
            ),
        ),
    )
    soon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    g = Delegation.objects.restrict(user, "view").aggregate(
        active=Count("pk", filter=valid_on_q(today)),
        expiring=Count("pk", filter=valid_on_q(today) & Q(valid_to__lte=soon)),
    )
    return {
        "decisions_logged": d["logged"],
        "within_rate": rate(d["within"], d["logged"]),
        "awaiting_review": d["pending"],
        "commitments_overdue": c["overdue"],
        "commitments_due_soon": c["due_soon"],
        "delegations_active": g["active"],
        "delegations_expiring": g["expiring"],
    }


def paragraph_counts(user) -> dict[int, dict[str, int]]:
    """What the user may see, counted per paragraph, for /resolution/ (four queries)."""
    counts: dict[int, dict[str, int]] = {n: {} for n in PARAGRAPHS}
    for kind, model in (("decisions", Decision), ("commitments", Commitment)):
        rows = (
            model.objects.restrict(user, "view")
            .filter(paragraphs__number__in=PARAGRAPHS)
            .values_list("paragraphs__number")
            .annotate(n=Count("pk"))
        )
        for number, n in rows:
            counts[number][kind] = n
    outside = Decision.objects.restrict(user, "view").filter(within_authority=False)
    counts[21]["delegations"] = Delegation.objects.restrict(user, "view").count()
    counts[21]["outside"] = outside.count()
    counts[17]["misuse"] = outside.filter(
        review_outcome__in=[ReviewOutcome.MISMANAGEMENT, ReviewOutcome.ABUSE]
    ).count()
    return counts
