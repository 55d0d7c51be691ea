"""Every change of an oversight record: one named action each (core.actions). The browser views,
the API, the admin, the import and the tasks all call these; the policies (oversight.policies)
decide who may."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import action, allowed
from core.models import StaleVersion
from core.uploads import check_evidence
from org.models import Paragraph
from oversight.choices import RecommendationStatus
from oversight.importer import import_recommendations  # noqa: F401 (the "import" action)
from oversight.models import (
    Evidence,
    OversightBody,
    OversightReport,
    Recommendation,
    RecommendationUpdate,
)

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


def _author(user) -> dict:
    """The timeline's author fields: the user, or only a label for jobs acting for no one."""
    return {
        "author": user if getattr(user, "pk", None) else None,
        "author_label": user.get_username(),
    }


def _set_paragraphs(record, paragraphs: Iterable[Paragraph] | None) -> None:
    if paragraphs is None:
        return
    wanted = {p.pk for p in paragraphs}
    if wanted != set(record.paragraphs.values_list("pk", flat=True)):
        record.paragraphs.set(wanted)


# --- Bodies and reports ------------------------------------------------------------------------


@action(OversightBody, "save")
def save_body(body: OversightBody, *, acting_user) -> OversightBody:
    """Add or rename an oversight body (administrators)."""
    body.full_clean()
    body.save()
    return body


@action(OversightReport, "save")
def save_report(
    report: OversightReport, *, acting_user, paragraphs: Iterable[Paragraph] | None = None
) -> OversightReport:
    """Enter or edit an oversight report (a body its own, an administrator any)."""
    report.full_clean(exclude=["paragraphs"])
    report.save()
    _set_paragraphs(report, paragraphs)
    return report


# --- Recommendations ---------------------------------------------------------------------------


@action(Recommendation, "save")
def save_recommendation(recommendation: Recommendation, *, acting_user) -> Recommendation:
    """Enter or edit a recommendation. Its status moves only through `change_status`, except
    management's acceptance: declining moves an open recommendation to 'not accepted' (with a
    reason), accepting again reopens it, and either move goes on the timeline."""
    if recommendation._state.adding:
        recommendation.status = S.OPEN
        recommendation.apply_acceptance(recommendation.accepted, recommendation.acceptance_comment)
        from_status = recommendation.status  # a new record starts in its initial status
    else:
        from_status = (
            Recommendation.objects.filter(pk=recommendation.pk)
            .values_list("status", flat=True)
            .get()
        )
        recommendation.status = from_status
        recommendation.apply_acceptance(recommendation.accepted, recommendation.acceptance_comment)
    if recommendation.status != from_status:
        recommendation.status_changed_on = timezone.localdate()
    recommendation.full_clean()
    recommendation.save()
    if recommendation.status != from_status:
        RecommendationUpdate.objects.create(
            recommendation=recommendation,
            from_status=from_status,
            to_status=recommendation.status,
            note=recommendation.acceptance_comment or "-",
            **_author(acting_user),
        )
    return recommendation


def allowed_transitions(recommendation: Recommendation, user) -> list[str]:
    """The statuses this user may move the recommendation to, in workflow order."""
    moves: set[str] = set()
    if allowed(user, "progress", recommendation):
        moves |= MANAGEMENT_TRANSITIONS.get(recommendation.status, set())
    if allowed(user, "verify", recommendation):
        moves |= BODY_TRANSITIONS.get(recommendation.status, set())
    return [value for value in S.values if value in moves]


@action(Recommendation, "status")
def change_status(
    recommendation: Recommendation,
    *,
    acting_user,
    status: str,
    note: str,
    evidence: Iterable = (),
    implemented_on: datetime.date | None = None,
) -> Recommendation:
    """Move a recommendation to `status` and write the dated update on its timeline, with the
    note and any evidence files. Management reports progress; only the issuing body (or an
    administrator) verifies and closes (implemented, not implemented, overtaken) or sends back.

    Http404 when the user may not see the recommendation, PermissionDenied when this move is not
    theirs to make, ValidationError for a bad move or input, StaleVersion for a stale edit."""
    locked = (
        Recommendation.objects.select_for_update()
        .select_related("report__body")
        .get(pk=recommendation.pk)
    )
    if recommendation.version != locked.version:
        raise StaleVersion(locked, recommendation.version)
    given, recommendation = recommendation, locked
    if status not in S.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done, or why.")})
    if status not in allowed_transitions(recommendation, acting_user):
        body_may = BODY_TRANSITIONS.get(recommendation.status, set())
        if status not in body_may | MANAGEMENT_TRANSITIONS.get(recommendation.status, set()):
            raise ValidationError(
                {
                    "status": _("A recommendation that is %(current)s cannot become %(new)s.")
                    % {"current": recommendation.get_status_display(), "new": S(status).label}
                }
            )
        if status in body_may:
            raise PermissionDenied(
                _("Only the issuing oversight body verifies and closes a recommendation.")
            )
        raise PermissionDenied(_("You may not make this change to this recommendation."))
    today = timezone.localdate()
    if implemented_on is not None:
        if status != S.IMPLEMENTED:
            raise ValidationError(
                {
                    "implemented_on": _(
                        "Only an implemented recommendation has an implementation date."
                    )
                }
            )
        if implemented_on > today:
            raise ValidationError({"implemented_on": _("This date is in the future.")})
    files = list(evidence)
    for upload in files:
        try:
            check_evidence(upload)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from None

    from_status = recommendation.status
    recommendation.status = status
    recommendation.status_changed_on = today
    recommendation.implemented_on = (implemented_on or today) if status == S.IMPLEMENTED else None
    if status == S.NOT_ACCEPTED:
        recommendation.accepted = False
        recommendation.acceptance_comment = note
    recommendation.save()

    update = RecommendationUpdate.objects.create(
        recommendation=recommendation,
        from_status=from_status,
        to_status=status,
        note=note,
        **_author(acting_user),
    )
    for upload in files:
        Evidence.objects.create(update=update, file=upload, name=str(upload.name)[:200])
    # The caller's copy reads as saved, like any save (a second move from it is not stale).
    for name in ("status", "status_changed_on", "implemented_on", "accepted", "version"):
        setattr(given, name, getattr(recommendation, name))
    given.acceptance_comment = recommendation.acceptance_comment
    return recommendation
