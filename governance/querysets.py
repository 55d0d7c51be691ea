"""The SQL rules the lists, metrics and reminders share, each written once: a follow-up action's
status as at a date, overdue, an assessment in force at a date; and the parts an API list page
reads in each record's own row (`with_parts`)."""

import datetime
import functools

from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from governance.choices import FollowUpStatus, ReviewState
from org.permissions import RestrictedQuerySet
from performance import querysets as sql  # the SQL helpers of the parts read in a row

# The parts the API writes with each record, prefetched for one record (and on SQLite); a list
# page reads them in the record's own row on PostgreSQL (with_parts), by sub-selects written once
# per process, as performance.querysets does for compacts: the prefetches built every related
# record (a page of 50 meetings built some 300 decisions to write their ids) and cost a query
# each.
PARTS = {
    "governance.mandate": ("accomplishments", "indicators", "paragraphs"),
    "governance.committeemeeting": ("decisions",),
    "governance.committeedecision": ("paragraphs",),
    "governance.consultation": ("paragraphs",),
    "governance.lesson": ("paragraphs",),
    "governance.followupaction": ("transitions",),
}


@functools.cache
def _ids_by_unit_and_title_sql(owner, name: str) -> str:
    """The ids of the records `owner`'s many-to-many `name` links (expected accomplishments,
    indicators), in their own order: by their unit's code, then title (then id, for ties)."""
    from org.models import OrgUnit

    field = owner._meta.get_field(name)
    linked = field.remote_field.through
    target = field.related_model
    mine = sql._column(linked, field.m2m_field_name())
    theirs = sql._column(linked, field.m2m_reverse_field_name())
    target_id = sql._column(target, "id")
    return (
        f"ARRAY(SELECT l.{theirs} FROM {sql._table(linked)} l"
        f" JOIN {sql._table(target)} t ON t.{target_id} = l.{theirs}"
        f" LEFT JOIN {sql._table(OrgUnit)} u ON u.{sql._column(OrgUnit, 'id')} = t.{sql._column(target, 'unit')}"
        f" WHERE l.{mine} = {sql._table(owner)}.{sql._column(owner, 'id')}"
        f" ORDER BY u.{sql._column(OrgUnit, 'code')}, t.{sql._column(target, 'title')}, t.{target_id})"
    )


@functools.cache
def _decision_ids_sql() -> str:
    """A meeting's decisions' ids, by number (unique within the meeting)."""
    from governance.models import CommitteeDecision, CommitteeMeeting

    return (
        f"ARRAY(SELECT d.{sql._column(CommitteeDecision, 'id')} FROM {sql._table(CommitteeDecision)} d"
        f" WHERE d.{sql._column(CommitteeDecision, 'meeting')}"
        f" = {sql._table(CommitteeMeeting)}.{sql._column(CommitteeMeeting, 'id')}"
        f" ORDER BY d.{sql._column(CommitteeDecision, 'number')})"
    )


@functools.cache
def _transitions() -> tuple:
    """A follow-up action's status changes as the API writes them, in their own order."""
    from governance.models import FollowUpAction, FollowUpTransition

    columns = {
        name: f"t.{sql._column(FollowUpTransition, name)}"
        for name in ("from_status", "to_status", "changed_on", "note")
    }
    return (
        f"FROM {sql._table(FollowUpTransition)} t"
        f" WHERE t.{sql._column(FollowUpTransition, 'action')}"
        f" = {sql._table(FollowUpAction)}.{sql._column(FollowUpAction, 'id')}",
        columns,
        f"t.{sql._column(FollowUpTransition, 'changed_on')}, t.{sql._column(FollowUpTransition, 'id')}",
    )


def _in_row(queryset, name: str):
    """The annotation that reads the part `name` of `queryset`'s records in their row."""
    if name == "paragraphs":
        return "paragraph_numbers", sql.paragraph_numbers(queryset.model)
    if name in ("accomplishments", "indicators"):
        return f"{name[:-1]}_ids", sql._keys(_ids_by_unit_and_title_sql(queryset.model, name))
    if name == "decisions":
        return "decision_ids", sql._keys(_decision_ids_sql())
    if name == "transitions":
        return "transition_rows", sql._json_rows(*_transitions())
    raise ValueError(name)


class PartsInRow:
    """`with_parts()`: the parts (PARTS) an API list page writes with each record, read in the
    record's own row on PostgreSQL (`paragraph_numbers`, `accomplishment_ids`, `indicator_ids`,
    `decision_ids`, `transition_rows`: what the serializers' ReadInRow fields take), so a page is
    one query whatever its parts; prefetched elsewhere (SQLite) and for one record."""

    def with_parts(self):
        parts = PARTS[self.model._meta.label_lower]
        if not sql._on_postgresql(self):
            return self.prefetch_related(*parts)
        return self.annotate(**dict(_in_row(self, name) for name in parts))


class GovernanceQuerySet(PartsInRow, RestrictedQuerySet):
    pass


class AssessmentQuerySet(RestrictedQuerySet):
    def with_codes(self):
        """What a list shows of an assessment's paragraph, office and reviewer (the number, the
        code, the username), read as columns of the page's query instead of three records a
        row (a paragraph's texts in six languages among them): AssessmentListRowSerializer."""
        return self.select_related(None).annotate(
            paragraph_number=F("paragraph__number"),
            unit_code=F("unit__code"),
            reviewer_username=F("reviewed_by__username"),
        )

    def in_force(self, on: datetime.date):
        """Accepted on or before `on` for a period that had begun by then; the latest period (then
        the latest acceptance) per paragraph is the one in force (metrics.paragraph_assessments)."""
        return self.filter(
            state=ReviewState.ACCEPTED, accepted_on__lte=on, period_start__lte=on
        ).order_by("paragraph_id", "-period_end", "-accepted_on", "-pk")


class FollowUpQuerySet(PartsInRow, RestrictedQuerySet):
    def with_status_on(self, on: datetime.date):
        """`status_then`: the status in force on `on`, from the dated status changes (an action
        with no change dated by then was open, as every action starts)."""
        from governance.models import FollowUpTransition

        latest = (
            FollowUpTransition.objects.filter(action=OuterRef("pk"), changed_on__lte=on)
            .order_by("-changed_on", "-pk")
            .values("to_status")[:1]
        )
        return self.filter(assigned_on__lte=on).annotate(
            status_then=Coalesce(Subquery(latest), Value(FollowUpStatus.OPEN))
        )

    def overdue(self, today: datetime.date | None = None):
        """Open with its due date passed (FollowUpAction.is_overdue says the same for one row)."""
        return self.filter(overdue_condition(today))


def overdue_condition(today: datetime.date | None = None) -> Q:
    return Q(status=FollowUpStatus.OPEN, due_on__lt=today or timezone.localdate())
