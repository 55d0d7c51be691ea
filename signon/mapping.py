"""The group-to-role mapping read from OIDC_GROUP_ROLES, parsed when the settings load so a typo
stops start-up with a message naming the variable (no Django import here: settings import it).

Format: entries separated by ";" or new lines, each `<group>=<role>`, the role one of
`administrator`, `manager:<unit code>`, `oversight:<body code>`, `ga_staff`. A user holds one
role: the first entry (in the order written) whose group is among the user's groups wins, so
list the widest rights first.
"""

from dataclasses import dataclass

ROLE_KINDS = ("administrator", "manager", "oversight", "ga_staff")


class MappingError(ValueError):
    pass


@dataclass(frozen=True)
class GroupRole:
    group: str
    kind: str
    unit_code: str = ""
    body_code: str = ""

    def describe(self) -> str:
        where = self.unit_code or self.body_code
        return f"{self.kind}:{where}" if where else self.kind


def parse_group_roles(raw: str | None) -> tuple[GroupRole, ...]:
    entries = []
    for chunk in (raw or "").replace("\n", ";").split(";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        group, sep, role = chunk.rpartition("=")
        group, role = group.strip(), role.strip()
        if not sep or not group or not role:
            raise MappingError(f"{chunk!r} is not <group>=<role>")
        kind, _sep, where = role.partition(":")
        kind, where = kind.strip().lower(), where.strip()
        if kind not in ROLE_KINDS:
            raise MappingError(f"{role!r}: the role must be one of {', '.join(ROLE_KINDS)}")
        if kind == "manager":
            if not where:
                raise MappingError(f"{role!r}: a manager needs a unit code (manager:DMSPC)")
            entries.append(GroupRole(group, kind, unit_code=where))
        elif kind == "oversight":
            if not where:
                raise MappingError(
                    f"{role!r}: an oversight role needs a body code (oversight:OIOS)"
                )
            entries.append(GroupRole(group, kind, body_code=where.upper()))
        else:
            if where:
                raise MappingError(f"{role!r}: {kind} takes no unit or body")
            entries.append(GroupRole(group, kind))
    return tuple(entries)


def role_for_groups(mapping: tuple[GroupRole, ...], groups) -> GroupRole | None:
    """The first mapped entry among the user's groups, or None (no access)."""
    held = {str(g) for g in groups or ()}
    for entry in mapping:
        if entry.group in held:
            return entry
    return None
