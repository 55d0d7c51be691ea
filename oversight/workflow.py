"""The recommendation workflow as people read it: its steps, where a recommendation stands, and who
acts next (management or the issuing body). The moves themselves are services.change_status's;
this module only describes them."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from oversight.choices import RecommendationStatus
from oversight.models import Recommendation

S = RecommendationStatus

# Verifying as implemented straight from these statuses skips management's report of
# implementation (pending verification): CONTRACT.md allows it to the issuing body, with a note.
SKIP_FROM = (S.OPEN, S.IN_PROGRESS)


def is_skip(from_status: str, to_status: str) -> bool:
    """Whether the move verifies an implementation management has not reported."""
    return to_status == S.IMPLEMENTED and from_status in SKIP_FROM


@dataclass
class Step:
    key: str
    label: str
    actor: str  # who acts at this step
    state: str  # "done", "current" or "todo"


def _closing_label(status: str) -> str:
    if status in (S.NOT_IMPLEMENTED, S.OVERTAKEN, S.NOT_ACCEPTED):
        return S(status).label
    return str(_("Verified and closed"))


def steps(recommendation: Recommendation) -> list[Step]:
    """The four steps, in order; the one the recommendation is at is "current". A closed
    recommendation is at the last step (its label says how it was closed)."""
    status = recommendation.status
    management = str(_("Management"))
    body = str(_("Oversight body"))
    plan = [
        (S.OPEN, str(_("Open: accepted, nothing done yet")), management),
        (S.IN_PROGRESS, str(S.IN_PROGRESS.label), management),
        (S.PENDING_VERIFICATION, str(_("Reported implemented: awaiting verification")), body),
        ("closed", _closing_label(status), body),
    ]
    order = [key for key, _label, _actor in plan]
    at = "closed" if status not in (S.OPEN, S.IN_PROGRESS, S.PENDING_VERIFICATION) else status
    index = order.index(at)
    result = []
    for i, (key, label, actor) in enumerate(plan):
        state = "done" if i < index else "current" if i == index else "todo"
        if key == "closed" and at == "closed":
            state = "current"
        result.append(Step(key, label, actor, state))
    return result


def next_actor(recommendation: Recommendation) -> tuple[str, str]:
    """(who, what): who acts next on the recommendation and what they do."""
    status = recommendation.status
    unit = recommendation.unit.code
    body = recommendation.report.body.code
    if status in (S.OPEN, S.IN_PROGRESS):
        return (
            str(_("Management of %(unit)s") % {"unit": unit}),
            str(
                _(
                    "reports progress, or reports the recommendation implemented for %(body)s "
                    "to verify."
                )
                % {"body": body}
            ),
        )
    if status == S.PENDING_VERIFICATION:
        return (
            str(body),
            str(_("verifies the implementation reported by management, or sends it back.")),
        )
    if status == S.NOT_ACCEPTED:
        return (
            str(_("No one")),
            str(
                _(
                    "management did not accept the recommendation; accepting it again "
                    "(by editing it) reopens it."
                )
            ),
        )
    return (
        str(_("No one")),
        str(_("the recommendation is closed; %(body)s may reopen it.") % {"body": body}),
    )
