import datetime
import functools

from django.db import connection, connections, models
from django.db.models import Case, F, Prefetch, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accountability.choices import EXPIRING_WITHIN_DAYS, OPEN_COMMITMENT_STATUSES
from org.permissions import RestrictedQuerySet


def valid_on_q(day, prefix: str = "") -> Q:
    """Instruments that confer authority on `day` (a date or an F() of one)."""
    return (
        Q(**{f"{prefix}valid_from__lte": day})
        & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day}))
        & (Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": day}))
    )


# A list page reads what its rows show of their related records (a unit's code, a username,
# the cited paragraphs' numbers, the attachments' names) in the record's own row: each by a
# correlated sub-select, written here once per process. Joined tables cost the planner a join
# order search over six tables, the ORM a join and a record a row, and the to-many relations a
# query each; a sub-select of the page's 50 rows is an index read each, run after the sort.


def _name(model, field: str | None = None) -> str:
    quote = connection.ops.quote_name
    return quote(model._meta.db_table if field is None else model._meta.get_field(field).column)


def _on_postgresql(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


_DELEGATION_PEOPLE = ("delegator", "delegatee", "accepted_by", "revoked_by")

# The columns a delegation list's row reads of its own (the people, the unit and the area of
# authority come as codes): not the timestamps, the reminder's date or the chain's acceptance.
DELEGATION_LIST_COLUMNS = (
    *("id", "version", "reference", "area", "scope", "limit_amount", "valid_from", "valid_to"),
    *("parent_id", "accepted_on", "revoked_on", "revocation_reason"),
)


@functools.cache
def _list_columns(model) -> dict:
    """{name: (SQL, output field)} of the values a list row of `model` shows of its related
    records, each a sub-select correlated with the list's own table (which a list's query names
    by its table's name)."""
    from django.contrib.auth import get_user_model
    from django.contrib.postgres.fields import ArrayField

    from accountability.models import AuthorityItem, Decision, DecisionAttachment
    from org.models import OrgUnit, Paragraph

    user = get_user_model()
    own = _name(model)

    def value(related, column: str, key: str, alias: str) -> str:
        return (
            f"(SELECT {alias}.{_name(related, column)} FROM {_name(related)} {alias}"
            f" WHERE {alias}.{_name(related, 'id')} = {own}.{_name(model, key)})"
        )

    text = models.TextField()
    columns = {
        "unit_code": (value(OrgUnit, "code", "unit", "u"), text),
    }
    if model is Decision:
        columns["decided_by_username"] = (value(user, "username", "decided_by", "p"), text)
        columns["reviewed_by_username"] = (value(user, "username", "reviewed_by", "p"), text)
        # The numbers of the paragraphs cited (a key each in the link table's index), in their
        # order: a join hashed the paragraphs for every row.
        field = model._meta.get_field("paragraphs")
        cites, number = field.remote_field.through, _name(Paragraph, "number")
        columns["paragraph_numbers"] = (
            f"ARRAY(SELECT (SELECT g.{number} FROM {_name(Paragraph)} g"
            f" WHERE g.{_name(Paragraph, 'id')} = c.{_name(cites, field.m2m_reverse_field_name())})"
            f" FROM {_name(cites)} c"
            f" WHERE c.{_name(cites, field.m2m_field_name())} = {own}.{_name(model, 'id')}"
            " ORDER BY 1)",
            ArrayField(models.IntegerField()),
        )
        # Each attachment's key and name, in the attachments' order (their Meta.ordering); NULL
        # when there is none, as for most decisions: nothing to parse.
        key, name = _name(DecisionAttachment, "id"), _name(DecisionAttachment, "name")
        columns["attachment_rows"] = (
            f"(SELECT json_agg(json_build_array(a.{key}, a.{name}) ORDER BY a.{key})::text"
            f" FROM {_name(DecisionAttachment)} a"
            f" WHERE a.{_name(DecisionAttachment, 'decision')} = {own}.{_name(model, 'id')})",
            models.JSONField(),
        )
    else:
        for name in _DELEGATION_PEOPLE:
            columns[f"{name}_username"] = (value(user, "username", name, "p"), text)
        columns["authority_code"] = (value(AuthorityItem, "code", "authority", "i"), text)
    return columns


def _with_columns(queryset):
    return queryset.annotate(
        **{
            name: RawSQL(sql, (), output_field=output)
            for name, (sql, output) in _list_columns(queryset.model).items()
        }
    )


class DelegationQuerySet(RestrictedQuerySet):
    def with_codes(self):
        """A list's rows: the unit's code, the people's usernames and the area of authority's
        code as columns (`unit_code`, `delegator_username`, ..., `authority_code`:
        DelegationListSerializer), no related record loaded. On SQLite by joins."""
        queryset = self.select_related(None).prefetch_related(None).only(*DELEGATION_LIST_COLUMNS)
        if _on_postgresql(self):
            return _with_columns(queryset)
        return queryset.annotate(
            unit_code=F("unit__code"),
            authority_code=F("authority__code"),
            **{f"{n}_username": F(f"{n}__username") for n in _DELEGATION_PEOPLE},
        )

    def valid_on(self, day: datetime.date):
        return self.filter(valid_on_q(day))

    def confer_on(self, day: datetime.date):
        """Instruments valid on `day` whose whole chain was accepted by then."""
        return self.filter(valid_on_q(day), chain_accepted_on__lte=day)

    def pending(self):
        return self.filter(accepted_on__isnull=True)

    def in_state(self, state: str, today: datetime.date | None = None):
        """The register's tabs: active, expiring (within 30 days), future, expired, revoked."""
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
        not_revoked = Q(revoked_on__isnull=True) | Q(revoked_on__gt=today)
        current = (
            not_revoked
            & Q(accepted_on__isnull=False)
            & Q(valid_from__lte=today)
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        )
        if state == "revoked":
            return self.filter(revoked_on__lte=today)
        if state == "expired":
            return self.filter(not_revoked, valid_to__lt=today)
        if state == "pending":
            return self.filter(not_revoked, accepted_on__isnull=True).exclude(valid_to__lt=today)
        if state == "future":
            return self.filter(not_revoked, accepted_on__isnull=False, valid_from__gt=today)
        if state == "expiring":
            return self.filter(current, valid_to__lte=soon)
        if state == "active":
            return self.filter(current)
        return self.none()


# The columns a decision list's row reads: its own, and those of the cited instrument that
# Decision.authority_problems reads (the parent's are not: the chain's acceptance is stored on
# the instrument).
DECISION_LIST_COLUMNS = (
    *("id", "version", "reference", "title", "rationale", "unit_id", "decided_by_id"),
    *("decided_on", "area", "amount", "delegation_id", "within_authority", "review_outcome"),
    *("review_action", "reviewed_by_id", "reviewed_on", "review_revision_reason"),
    *("delegation__delegatee_id", "delegation__area", "delegation__valid_from"),
    *("delegation__valid_to", "delegation__revoked_on", "delegation__accepted_on"),
    *("delegation__chain_accepted_on", "delegation__limit_amount"),
)


class DecisionQuerySet(RestrictedQuerySet):
    def with_codes(self):
        """A list's rows: the columns DECISION_LIST_COLUMNS names, the unit's code and the
        usernames as columns, and on PostgreSQL the cited paragraphs' numbers and the
        attachments (`paragraph_numbers`, `attachment_rows`: DecisionListSerializer) in the
        row too, so that a page is one query (it was three: the page, the paragraphs, the
        attachments). Elsewhere (SQLite) the codes are joined and the relations prefetched."""
        queryset = self.select_related(None).select_related("delegation").prefetch_related(None)
        queryset = queryset.only(*DECISION_LIST_COLUMNS)
        if _on_postgresql(self):
            return _with_columns(queryset)
        from accountability.models import DecisionAttachment
        from org.models import Paragraph

        return queryset.prefetch_related(
            Prefetch("paragraphs", Paragraph.objects.only("id", "number")),
            Prefetch("attachments", DecisionAttachment.objects.only("id", "decision_id", "name")),
        ).annotate(
            unit_code=F("unit__code"),
            decided_by_username=F("decided_by__username"),
            reviewed_by_username=F("reviewed_by__username"),
        )

    @staticmethod
    def authority_expression():
        """SQL form of Decision.compute_within_authority (CONTRACT.md's rule)."""
        covered = (
            Q(delegation__isnull=False)
            & Q(delegation__delegatee_id=F("decided_by_id"))
            & Q(delegation__area=F("area"))
            & valid_on_q(F("decided_on"), prefix="delegation__")
            & Q(delegation__chain_accepted_on__lte=F("decided_on"))
            & (
                Q(delegation__limit_amount__isnull=True)
                | Q(amount__isnull=True, delegation__limit_amount__gte=0)
                | Q(delegation__limit_amount__gte=F("amount"))
            )
        )
        return Case(
            When(Q(delegation__isnull=True, area=""), then=Value(True)),
            When(covered, then=Value(True)),
            default=Value(False),
            output_field=models.BooleanField(),
        )

    def with_computed_authority(self):
        return self.annotate(computed_within=self.authority_expression())

    def outside_authority(self):
        return self.filter(within_authority=False)

    def awaiting_review(self):
        return self.filter(within_authority=False, review_outcome="")


class CommitmentQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_COMMITMENT_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        """The overdue rule (Commitment.is_overdue says the same for one record)."""
        return self.filter(overdue_q(today))


def overdue_q(today: datetime.date | None = None) -> Q:
    """Open (planned or in progress) and due before `today`: the one overdue rule of commitments,
    used by the list filter, the API, the dashboard and the figures."""
    from accountability.choices import OPEN_COMMITMENT_STATUSES

    return Q(status__in=OPEN_COMMITMENT_STATUSES, due_on__lt=today or timezone.localdate())
