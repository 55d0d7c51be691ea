"""Every state change of a recommendation that matters: one function each. The browser views,
the API, the admin and the tasks all call these."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.uploads import check_evidence
from org.access import access_for
from oversight.choices import RecommendationStatus
from oversight.models import Evidence, Recommendation, RecommendationUpdate

S = RecommendationStatus

# What the addressed unit's management may do: report progress, say it is done, or decline.
MANAGEMENT_TRANSITIONS: dict[str, set[str]] = {
    S.OPEN: {S.IN_PROGRESS, S.PENDING_VERIFICATION, S.NOT_ACCEPTED},
    S.IN_PROGRESS: {S.IN_PROGRESS, S.PENDING_VERIFICATION},
}
# What the issuing body may do: verify and close, or send back (reopen) with a reason.
BODY_TRANSITIONS: dict[str, set[str]] = {
    S.OPEN: {S.IMPLEMENTED, S.NOT_IMPLEMENTED, S.OVERTAKEN},
    S.IN_PROGRESS: {S.IMPLEMENTED, S.NOT_IMPLEMENTED, S.OVERTAKEN},
    S.PENDING_VERIFICATION: {S.IMPLEMENTED, S.NOT_IMPLEMENTED, S.OVERTAKEN, S.IN_PROGRESS},
    S.IMPLEMENTED: {S.IN_PROGRESS},
    S.NOT_IMPLEMENTED: {S.IN_PROGRESS},
    S.OVERTAKEN: {S.IN_PROGRESS},
}


def allowed_transitions(recommendation: Recommendation, user) -> list[str]:
    """The statuses this user may move the recommendation to, in workflow order."""
    access = access_for(user)
    allowed: set[str] = set()
    if access.is_admin or access.manages_unit(recommendation.unit_id):
        allowed |= MANAGEMENT_TRANSITIONS.get(recommendation.status, set())
    if access.is_admin or (
        access.is_oversight and access.body_code == recommendation.report.body.code
    ):
        allowed |= BODY_TRANSITIONS.get(recommendation.status, set())
    return [value for value in S.values if value in allowed]


@transaction.atomic
def change_status(
    recommendation: Recommendation,
    *,
    acting_user,
    to_status: str,
    note: str,
    evidence_files: Iterable = (),
    on_date: datetime.date | None = None,
    expected_version: int | None = None,
) -> RecommendationUpdate:
    """Move a recommendation to `to_status` and write the dated update on its timeline.

    Raises Http404 when the user may not see the recommendation, PermissionDenied when they may
    see it but this move is not theirs to make, ValidationError for a bad move or input."""
    if not Recommendation.objects.visible_to(acting_user).filter(pk=recommendation.pk).exists():
        raise Http404
    recommendation = (
        Recommendation.objects.select_for_update()
        .select_related("report__body")
        .get(pk=recommendation.pk)
    )
    if expected_version is not None:
        recommendation.version = expected_version
    if to_status not in S.values:
        raise ValidationError(
            {"to_status": _("Unknown status %(status)s.") % {"status": to_status}}
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done, or why.")})
    allowed = allowed_transitions(recommendation, acting_user)
    if to_status not in allowed:
        body_may = BODY_TRANSITIONS.get(recommendation.status, set())
        possible = body_may | MANAGEMENT_TRANSITIONS.get(recommendation.status, set())
        if to_status not in possible:
            raise ValidationError(
                {
                    "to_status": _("A recommendation that is %(current)s cannot become %(new)s.")
                    % {"current": recommendation.get_status_display(), "new": S(to_status).label}
                }
            )
        if to_status in body_may and not access_for(acting_user).is_oversight:
            raise PermissionDenied(
                _("Only the issuing oversight body verifies and closes a recommendation.")
            )
        raise PermissionDenied(_("You may not make this change to this recommendation."))
    files = list(evidence_files)
    for upload in files:
        try:
            check_evidence(upload)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from None

    today = on_date or timezone.localdate()
    from_status = recommendation.status
    recommendation.status = to_status
    recommendation.status_changed_on = today
    if to_status == S.IMPLEMENTED:
        recommendation.implemented_on = today
    elif recommendation.implemented_on is not None:
        recommendation.implemented_on = None
    if to_status == S.NOT_ACCEPTED:
        recommendation.accepted = False
        recommendation.acceptance_comment = note
    recommendation.save()

    update = RecommendationUpdate.objects.create(
        recommendation=recommendation,
        from_status=from_status,
        to_status=to_status,
        note=note,
        author=acting_user,
        author_label=acting_user.get_username(),
    )
    for upload in files:
        Evidence.objects.create(update=update, file=upload, name=str(upload.name)[:200])
    return update


@transaction.atomic
def record_acceptance_change(
    recommendation: Recommendation, *, acting_user, from_status: str
) -> RecommendationUpdate | None:
    """After an edit of `accepted` moved the recommendation into or out of 'not accepted', put
    that move on its timeline like any other, with management's comment as the note."""
    if recommendation.status == from_status:
        return None
    return RecommendationUpdate.objects.create(
        recommendation=recommendation,
        from_status=from_status,
        to_status=recommendation.status,
        note=recommendation.acceptance_comment or "-",
        author=acting_user,
        author_label=acting_user.get_username(),
    )
