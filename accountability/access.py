"""Who may see and change what. Every app scopes its querysets through these helpers, so the
rules of DESIGN.md ("who uses it") live in one place."""

from dataclasses import dataclass, field

from django.db import models

from accountability.choices import RoleKind


@dataclass
class Access:
    authenticated: bool = False
    kind: str | None = None
    unit_id: int | None = None
    unit_path: str = ""
    body_code: str = ""
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
            from accountability.models import OrgUnit

            if not self.is_manager:
                self._subtree = ()
            else:
                self._subtree = tuple(
                    OrgUnit.objects.filter(path__startswith=self.unit_path).values_list(
                        "pk", flat=True
                    )
                )
        return self._subtree

    def manages_unit(self, unit_id: int | None) -> bool:
        return self.is_admin or (self.is_manager and unit_id in self.subtree_ids())


ANONYMOUS = Access()


def access_for(user) -> Access:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_tracker_access", None)
    if cached is not None:
        return cached
    from accountability.models import Role

    role = Role.objects.select_related("unit").filter(user_id=user.pk).first()
    if role is not None:
        access = Access(
            authenticated=True,
            kind=role.kind,
            unit_id=role.unit_id,
            unit_path=role.unit.path if role.unit_id else "",
            body_code=role.body_code,
        )
    else:
        access = Access(authenticated=True)
    if user.is_superuser:
        access.kind = RoleKind.ADMINISTRATOR
    user._tracker_access = access
    return access


class UnitScopedQuerySet(models.QuerySet):
    """A queryset of records owned by an org unit (through `unit_field`).

    Reads: administrators, oversight bodies and GA staff see all; a manager sees the unit subtree.
    Writes: administrators everything; a manager the unit subtree. Apps narrow these where their
    rules differ (personal data, an oversight body's own records).
    """

    unit_field = "unit"

    def in_subtree_of(self, access: Access):
        return self.filter(**{f"{self.unit_field}__in": access.subtree_ids()})

    def visible_to(self, user):
        access = access_for(user)
        if access.can_read_all:
            return self.all()
        if access.is_manager:
            return self.in_subtree_of(access)
        return self.none()

    def editable_by(self, user):
        access = access_for(user)
        if access.is_admin:
            return self.all()
        if access.is_manager:
            return self.in_subtree_of(access)
        return self.none()
