"""Who may do what to delegations, decisions and commitments: each rule written once, read by
`restrict(user, action)` everywhere (lists, pages, the API, form choices, actions, the admin)."""

from django.db.models import Q

from org.access import access_for
from org.models import OrgUnit
from org.permissions import Policy, UnitPolicy, ids_when_few, known_large, remember_large


def issued_delegation_ids(access) -> tuple[int, ...]:
    """The instruments the user issued (their delegator sees what is decided under them)."""
    from accountability.models import Delegation

    if access.user_id is None:
        return ()
    return access.resolved_ids(
        "issued_delegations",
        lambda: Delegation.objects.filter(delegator_id=access.user_id).values_list("pk", flat=True),
    )


# Up to this many decisions under a user's instruments are listed by id (exact row estimates for
# the planner); beyond it the filter is on the instruments' ids.
UNDER_ISSUED_BY_ID = 1000


def decided_under_issued(access) -> Q:
    """The decisions taken under instruments the user issued, as a test on the decision's own
    columns. Their ids when few: the planner estimates `delegation_id IN (...)` from averages
    (hundreds of rows for three instruments that cover two decisions) and then walks every
    decision by date; `id IN (...)` it estimates exactly."""
    from accountability.models import Decision

    issued = issued_delegation_ids(access)
    if not issued:
        return Q(pk__in=[])
    ids = access.resolved_ids(
        "decided_under_issued",
        lambda: (
            Decision.objects.filter(delegation_id__in=issued)
            .order_by()
            .values_list("pk", flat=True)[: UNDER_ISSUED_BY_ID + 1]
        ),
    )
    if len(ids) > UNDER_ISSUED_BY_ID:
        return Q(delegation_id__in=issued)
    return Q(pk__any_of=ids)


def decision_scope(access) -> Q:
    """A manager's decisions (their unit subtree's, and those under instruments they issued) as
    a test on the decision's own columns, resolved by one query (org.permissions.ids_when_few).
    A side with at most UNDER_ISSUED_BY_ID rows is given by its ids, which the planner estimates
    exactly; `unit_id IN (...)` it estimates from the average unit, and at ten million decisions
    it expected six thousand rows for a manager's four small units (who had seven) and walked
    every decision by date to fill a page: 30 s."""
    from accountability.models import Decision

    subtree = access.subtree_ids()
    issued = issued_delegation_ids(access)
    if not subtree:
        return decided_under_issued(access)
    large = ("accountability.decision", "unit", UNDER_ISSUED_BY_ID, subtree)
    sides = {"issued": Decision.objects.filter(delegation_id__in=issued)}
    if not known_large(large):
        sides["units"] = Decision.objects.filter(unit_id__in=subtree)
    found = access.resolved(
        f"decision_scope:{UNDER_ISSUED_BY_ID}",
        lambda: {"units": None, **ids_when_few(sides, limit=UNDER_ISSUED_BY_ID)},
    )
    if found["units"] is None:
        remember_large(large)
    ids, scope = set(), Q()
    for side_ids, by_column in (
        (found["units"], Q(unit_id__in=subtree)),
        (found["issued"], Q(delegation_id__in=issued)),
    ):
        if side_ids is None:
            scope |= by_column  # many rows: the planner's average is near enough
        else:
            ids.update(side_ids)
    if ids or not scope:
        scope |= Q(pk__any_of=sorted(ids))
    return scope


class DelegationPolicy(UnitPolicy):
    """Readers of all and the managers of the unit subtree see an instrument; so do its delegator
    and its delegatee, wherever it sits. Administrators and the unit's managers change it; the
    delegator may also revoke what they issued."""

    def view(self, queryset, access):
        if access.can_read_all:
            return queryset
        if not access.authenticated:
            return queryset.none()
        own = Q(delegator_id=access.user_id) | Q(delegatee_id=access.user_id)
        if access.is_manager:
            return queryset.filter(Q(unit_id__in=access.subtree_ids()) | own)
        return queryset.filter(own)

    def accept(self, queryset, access):
        """The delegatee accepts; an administrator records an acceptance made elsewhere."""
        if access.is_admin:
            return queryset
        if not access.authenticated:
            return queryset.none()
        return queryset.filter(delegatee_id=access.user_id)

    def backdate_acceptance(self, queryset, access):
        """Only an administrator records an acceptance dated before today."""
        return queryset if access.is_admin else queryset.none()

    def issue_root(self, queryset, access):
        """Root instruments come from the Secretary-General, issued by administrators on the
        Secretary-General's behalf; everyone else sub-delegates what they hold."""
        return queryset if access.is_admin else queryset.none()

    def revoke(self, queryset, access):
        if access.is_admin:
            return queryset
        if not access.authenticated:
            return queryset.none()
        issued = Q(delegator_id=access.user_id)
        if access.is_manager:
            return queryset.filter(Q(unit_id__in=access.subtree_ids()) | issued)
        return queryset.filter(issued)


class DecisionPolicy(UnitPolicy):
    """Readers of all and the managers of the unit subtree see a decision; a delegator sees what
    is decided under the instruments they issued, wherever the unit sits (paragraph 21's
    monitoring). Administrators and the delegator of the cited instrument review it."""

    as_change = (*Policy.as_change, "attach")
    page_by_unit = True  # a department's decisions: tens of thousands (core.db.pages)

    def view(self, queryset, access):
        if access.can_read_all:
            return queryset
        if not access.authenticated:
            return queryset.none()
        # Both sides as id lists on the decision's own columns (ids themselves when few): the
        # planner combines the unit and primary-key indexes instead of walking every decision
        # by date.
        if access.is_manager:
            return queryset.filter(decision_scope(access))
        return queryset.filter(decided_under_issued(access))

    def review(self, queryset, access):
        if access.is_admin:
            return queryset
        if not access.authenticated:
            return queryset.none()
        return queryset.filter(delegation_id__in=issued_delegation_ids(access))

    revise_review = review


class FollowsParentPolicy(Policy):
    """A record that belongs to another (an attachment to its decision, a status change to its
    commitment): whoever may see the parent sees it; whoever may change the parent changes it."""

    def __init__(self, parent_field: str):
        self.parent_field = parent_field

    def _parents(self, queryset, access, action):
        model = queryset.model._meta.get_field(self.parent_field).related_model
        rows = model.policy.rows(model._default_manager.all(), access, action)
        return queryset.filter(**{f"{self.parent_field}__in": rows.values("pk")})

    def view(self, queryset, access):
        if access.can_read_all:
            return queryset
        return self._parents(queryset, access, "view")

    def change(self, queryset, access):
        if access.is_admin:
            return queryset
        return self._parents(queryset, access, "change")


class ReadOnlyRecordPolicy(FollowsParentPolicy):
    """A record of what happened (a commitment's status changes): read with its parent, changed
    by no one (only the action that made the change writes it)."""

    def change(self, queryset, access):
        return queryset.none()


def recordable_units(user):
    """The org units the user may record delegations, decisions and commitments for: every unit
    for an administrator, a manager's subtree, none for anyone else (form choices)."""
    access = access_for(user)
    if access.is_admin:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(pk__in=access.subtree_ids())


def default_unit_id(user) -> int | None:
    """The unit a new record starts in on a form: the user's own."""
    return access_for(user).unit_id


def readable_unit_ids(user) -> list[int] | None:
    """The units whose figures the user reads: None for every unit (readers of all), else the
    manager's subtree (the figures page)."""
    access = access_for(user)
    return None if access.can_read_all else list(access.subtree_ids())
