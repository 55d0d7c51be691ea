"""Who a user is for the permission engine: the kind of role they hold, the unit subtree a manager
answers for, the oversight body an oversight user serves. Policies (org.permissions) read this."""

from dataclasses import dataclass, field

from django.apps import apps

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
    role = (
        apps.get_model("org", "Role").objects.select_related("unit").filter(user_id=user.pk).first()
    )
    access = Access(authenticated=True, user_id=user.pk)
    if role is not None:
        access.kind = role.kind
        access.unit_id = role.unit_id
        access.unit_path = role.unit.path if role.unit_id else ""
        access.body_code = role.body_code
    if user.is_superuser:
        access.kind = RoleKind.ADMINISTRATOR
    user._tracker_access = access
    return access
