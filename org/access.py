"""Who a user is for the permission engine: the kind of role they hold, the unit subtree a manager
answers for, the oversight body an oversight user serves. Policies (org.permissions) read this."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.db.models import OuterRef
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.actions import SYSTEM
from org.choices import RoleKind


@dataclass
class Access:
    authenticated: bool = False
    kind: str | None = None
    user_id: int | None = None
    unit_id: int | None = None
    unit_path: str = ""
    body_code: str = ""
    is_system: bool = False
    _subtree: tuple[int, ...] | None = field(default=None, repr=False)
    _ids: dict = field(default_factory=dict, repr=False)

    @property
    def kind_label(self) -> str:
        return str(RoleKind(self.kind).label) if self.kind in RoleKind.values else ""

    @property
    def is_admin(self) -> bool:
        return self.kind == RoleKind.ADMINISTRATOR

    @property
    def is_manager(self) -> bool:
        return self.kind == RoleKind.MANAGER and self.unit_id is not None

    @property
    def is_oversight(self) -> bool:
        return self.kind == RoleKind.OVERSIGHT and bool(self.body_code)

    @property
    def is_ga_staff(self) -> bool:
        return self.kind == RoleKind.GA_STAFF

    @property
    def can_read_all(self) -> bool:
        """Oversight bodies and GA staff read across units (GA staff never personal data)."""
        return self.is_admin or self.is_oversight or self.is_ga_staff

    def subtree_ids(self) -> tuple[int, ...]:
        """The manager's unit and every unit below it (one query, then cached)."""
        if self._subtree is None:
            if not self.is_manager:
                self._subtree = ()
            else:
                self._subtree = tuple(
                    apps.get_model("org", "OrgUnit")
                    .objects.filter(path__startswith=self.unit_path)
                    .values_list("pk", flat=True)
                )
        return self._subtree

    def manages_unit(self, unit_id: int | None) -> bool:
        return self.is_admin or (self.is_manager and unit_id in self.subtree_ids())

    def resolved_ids(self, name: str, compute: Callable[[], Iterable[int]]) -> tuple[int, ...]:
        """Ids a policy narrows by, fetched by one small query and kept for the request.
        Policies filter with `IN (ids)` rather than OR-ing a sub-select into the main query: the
        planner then uses the indexes of both sides (an OR over a sub-select walked all 1M
        decisions for a manager who sees 7, issue 13). A write to a model these sets are read
        from drops them (any ORM write does), so an Access kept across writes never answers
        stale."""
        return self.resolved(name, lambda: tuple(sorted({i for i in compute() if i is not None})))

    def known(self, name: str):
        """What `resolved(name, ...)` has kept, or None: asked without computing it."""
        cached = self._ids.get(name)
        return cached[1] if cached is not None and cached[0] == _generation else None

    def resolved(self, name: str, compute: Callable[[], object]):
        """Whatever a policy resolved by a query (`compute()`), kept as resolved_ids keeps ids."""
        cached = self._ids.get(name)
        if cached is not None and cached[0] == _generation:
            return cached[1]
        value = compute()
        self._ids[name] = (_generation, value)
        return value

    def person_ids(self) -> tuple[int, ...]:
        """The staff records of the signed-in user (usually one)."""
        if self.user_id is None:
            return ()
        return self.resolved_ids(
            "person",
            lambda: (
                apps.get_model("org", "Person")
                .objects.filter(user_id=self.user_id)
                .values_list("pk", flat=True)
            ),
        )

    def body_id(self) -> int | None:
        """The id of an oversight user's body (filters compare ids, never codes)."""
        if not self.is_oversight:
            return None
        found = self.resolved_ids(
            "body",
            lambda: (
                apps.get_model("oversight", "OversightBody")
                .objects.filter(code=self.body_code)
                .values_list("pk", flat=True)
            ),
        )
        return found[0] if found else None


# A write changes the id sets policies resolve (who issued which instrument, who sits on which
# panel, whose staff record is whose, the rows a manager's subtree holds when few): any save or
# deletion through the ORM bumps the generation that cached sets are checked against, so a set
# read before a write in the same request (or by the same user object, as tests keep one) is
# read again after it. The tables behind these sets are written by the named actions, which
# save rows one by one.
_generation = 0


def _forget_resolved_ids(**kwargs):
    global _generation
    _generation += 1


def generation() -> int:
    """The process's write generation: it changes with every ORM save, deletion and
    many-to-many change, so something kept under it is known to predate no write since."""
    return _generation


post_save.connect(_forget_resolved_ids, dispatch_uid="access-ids-save")
post_delete.connect(_forget_resolved_ids, dispatch_uid="access-ids-delete")
# Panels (and any other many-to-many) change without a save of either side.
m2m_changed.connect(_forget_resolved_ids, dispatch_uid="access-ids-m2m")


ANONYMOUS = Access()
# Jobs that act on no one's behalf (reminders, sweeps, seeding) pass core.actions.SYSTEM.
SYSTEM_ACCESS = Access(authenticated=True, kind=RoleKind.ADMINISTRATOR, is_system=True)


def access_for(user) -> Access:
    if user is SYSTEM:
        return SYSTEM_ACCESS
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_tracker_access", None)
    if cached is not None:
        return cached
    return access_from_role(user, role_of(user.pk))


def access_from_role(user, role: dict | None) -> Access:
    """The Access of an authenticated user holding `role` (role_of's answer), kept on the user
    object for the rest of the request. signon.session_user passes a role it kept in the cache
    (dropped by any change of a role or a unit)."""
    access = Access(authenticated=True, user_id=user.pk)
    if role is not None:
        access.kind = role["kind"]
        access.unit_id = role["unit_id"]
        access.unit_path = role["unit__path"] or ""
        access.body_code = role["body_code"]
    if user.is_superuser:
        access.kind = RoleKind.ADMINISTRATOR
    if role is not None and "subtree" in role:
        access._subtree = tuple(role["subtree"]) if access.is_manager else ()
    user._tracker_access = access
    return access


def role_of(user_id: int) -> dict | None:
    """The user's role, read afresh once per request (or kept by signon.session_user until a role
    or a unit changes: a role change counts from the next request): its fields only, no model instances, and on PostgreSQL the ids of a manager's unit
    subtree in the same query, so a manager's scoped list costs no second query for them."""
    roles = apps.get_model("org", "Role").objects.filter(user_id=user_id)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        units = apps.get_model("org", "OrgUnit").objects.filter(
            path__startswith=OuterRef("unit__path")
        )
        roles = roles.annotate(subtree=ArraySubquery(units.order_by("path").values("pk")))
        return roles.values("kind", "unit_id", "unit__path", "body_code", "subtree").first()
    return roles.values("kind", "unit_id", "unit__path", "body_code").first()
