"""The decision form's live check: what the rule of CONTRACT.md (Decision.compute_within_authority,
with its reasons in Decision.authority_problems) will say of the decision being typed, before it
is saved. The same two methods judge the saved decision: one rule, read twice."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from accountability.choices import AuthorityArea
from accountability.models import Decision, Delegation


@dataclass
class AuthorityCheck:
    """The verdict on a decision not yet saved: `state` is "none" (no delegated authority is
    needed), "within" or "outside"; `problems` says why a decision is outside, in the words the
    review reads."""

    state: str
    problems: list[str] = field(default_factory=list)
    delegation: Delegation | None = None

    @property
    def within(self) -> bool:
        return self.state != "outside"

    @property
    def heading(self) -> str:
        if self.state == "outside":
            return str(_("This decision will be recorded outside delegated authority"))
        if self.state == "within":
            return str(_("This decision is within the delegated authority cited"))
        return str(_("This decision needs no delegated authority"))

    @property
    def explanation(self) -> str:
        if self.state == "outside":
            return str(
                _(
                    "You may still save it: it is recorded, flagged outside authority and "
                    "sent for review. Correct the instrument, the area, the amount or the date "
                    "if one of them is wrong."
                )
            )
        if self.state == "within":
            return str(
                _(
                    "The instrument was given to the person who decided, covers the area, "
                    "is valid and accepted on the date, and its limit covers the amount."
                )
            )
        return str(_("No area of delegated authority and no instrument are given."))


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal((text or "").replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def check_decision(decision: Decision) -> AuthorityCheck:
    """The verdict on a decision as it stands (saved or not), by the model's own rule."""
    if decision.delegation_id is None and not decision.area:
        return AuthorityCheck("none")
    if decision.compute_within_authority():
        return AuthorityCheck("within", delegation=decision.delegation)
    return AuthorityCheck(
        "outside",
        [str(p) for p in decision.authority_problems],
        delegation=decision.delegation,
    )


def check_input(user, data, *, decided_by=None) -> AuthorityCheck:
    """The verdict on the form's current input (a QueryDict or dict of the form's fields).
    Only an instrument the user may see is looked up; an unknown or hidden one reads as none
    cited, like the form's own validation, so the answer never reveals an instrument's terms."""
    decided_on = parse_date(data.get("decided_on") or "") or timezone.localdate()
    if not isinstance(decided_on, datetime.date):
        decided_on = timezone.localdate()
    area = data.get("area") or ""
    if area not in AuthorityArea.values:
        area = ""
    delegation = None
    pk = data.get("delegation") or ""
    if str(pk).isdigit():
        delegation = (
            Delegation.objects.restrict(user, "view").filter(pk=int(pk)).select_related().first()
        )
    decision = Decision(
        decided_by=decided_by or user,
        decided_on=decided_on,
        area=area,
        amount=_amount(data.get("amount") or ""),
        delegation=delegation,
    )
    return check_decision(decision)
