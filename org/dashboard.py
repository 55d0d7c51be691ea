"""The dashboard's scope (core.dashboard): whose figures are whose. Found by core.dashboard's
discovery of `dashboard` modules, so core imports no app."""

from core import dashboard
from org.access import access_for


@dashboard.scope
def scope_parts(user) -> list[str] | None:
    """Every policy reads these three (plus the unit's subtree, fixed by the unit): users who
    share them see the same rows, except for what personal_rows names."""
    access = access_for(user)
    if not access.authenticated:
        return None
    return [access.kind or "-", str(access.unit_id or "-"), access.body_code or "-"]
