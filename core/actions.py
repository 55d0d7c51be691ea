"""Named actions: the one way a domain record changes.

Every change of substance is a service function declared with `@action(Model, "name")`. It takes
the record first and a keyword-only `acting_user`; the wrapper runs it in one transaction,
attributes every history entry written inside it to that user (not to whoever happens to be
ambient), and checks the user's right through the model's `restrict(user, permission)`: 404 for
a record they may not see, 403 for one they may see but not act on, before the change (on the
stored row) and after it (on the saved row, so a record cannot be moved out of reach).

HTML views, the API, the admin, commands and Celery tasks only name the action they call
(core.generic, core.api.viewsets, core.admin). Jobs acting on no one's behalf pass `SYSTEM`.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from core.context import acting_for


class _System:
    """The acting user of scheduled jobs and commands: the history keeps their own label
    (`task:<name>`, `command:<name>`), and no right is checked."""

    pk = None
    is_authenticated = True
    is_superuser = False

    def __repr__(self) -> str:
        return "SYSTEM"

    def get_username(self) -> str:
        return "system"


SYSTEM = _System()


@dataclass(frozen=True)
class ActionSpec:
    model: type
    name: str
    permission: str | None
    function: Callable


_actions: dict[tuple[type, str], ActionSpec] = {}


def get(model, name: str) -> Callable | None:
    """The action `name` declared for `model` (the admin and the adapters look up "save")."""
    spec = _actions.get((model, name))
    return spec.function if spec else None


def declared() -> list[ActionSpec]:
    return list(_actions.values())


def visible(user, obj) -> bool:
    return allowed(user, "view", obj)


def allowed(user, permission: str, obj) -> bool:
    rows = type(obj)._default_manager.restrict(user, permission)
    if rows.query.is_empty():
        return False
    if not rows.query.where and obj.pk is not None and not obj._state.adding:
        # The rule leaves every row (an administrator's): a saved record is one of them, no
        # query needed.
        return True
    return rows.filter(pk=obj.pk).exists()


def require(user, permission: str, obj, message: str | None = None) -> None:
    """404 if the user may not see the record, 403 if they may see it but not do this. The
    refusal names nothing the user may not see."""
    if user is SYSTEM:
        return
    if not visible(user, obj):
        raise Http404
    if permission != "view" and not allowed(user, permission, obj):
        raise PermissionDenied(message or _("You may read this record but not do this to it."))


def require_saved(user, permission: str, obj) -> None:
    """After a create or a move: the saved record must be one the user may act on."""
    if user is SYSTEM:
        return
    if not allowed(user, permission, obj):
        raise PermissionDenied(_("You may not record this for that unit."))


def action(model, name: str, *, permission: str | None = None, check: bool = True):
    """Declare `function(record, *, acting_user, **inputs)` as the action `name` on `model`.

    `permission` is the policy action checked on the record (default: the action's name; "save"
    checks "change" on an existing record and "add" on a new one). `check=False` leaves the
    check to the function, for actions whose first argument is not the record itself.
    """

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def run(record, *args, acting_user, **kwargs):
            if acting_user is None:
                raise TypeError(f"{function.__name__} needs an acting_user (or SYSTEM)")
            with transaction.atomic(), acting_for(acting_user):
                state = getattr(record, "_state", None)
                adding = bool(state and state.adding)
                needed = permission or ("change" if name == "save" else name)
                if check and not adding:
                    require(acting_user, needed, record)
                result = function(record, *args, acting_user=acting_user, **kwargs)
                # A save may move a record (to another unit, body or person): the saved row must
                # still be one the user may act on. Transitions leave ownership alone.
                if check and (adding or name == "save"):
                    saved = result if isinstance(result, model) else record
                    if saved.pk is not None:
                        require_saved(acting_user, "add" if adding else needed, saved)
                return result

        spec = ActionSpec(
            model=model,
            name=name,
            # What the adapters may ask before running it (None: the function checks itself).
            permission=(permission or ("change" if name == "save" else name)) if check else None,
            function=run,
        )
        run.action = spec
        _actions[(model, name)] = spec
        return run

    return decorate


def may(user, permission: str, model) -> bool:
    """Whether the user could do `permission` to some record of `model` (shows a button, refuses a
    form early). Decided by the same rule as restrict(), without a query: a rule that refuses
    everyone narrows to an empty queryset."""
    if user is SYSTEM:
        return True
    queryset = model._default_manager.all().restrict(user, permission)
    return not queryset.query.is_empty()
