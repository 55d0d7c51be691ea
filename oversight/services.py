"""Every change of an oversight record: one named action each (core.actions). The browser views,
the API, the admin, the import and the tasks all call these; the policies (oversight.policies)
decide who may."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import SYSTEM, action, allowed
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
from oversight.workflow import is_skip

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


def timeline_entry(
    recommendation: Recommendation,
    *,
    acting_user,
    from_status: str,
    note: str,
    effective_on: datetime.date,
    from_target_date: datetime.date | None,
    from_amount_realised,
) -> RecommendationUpdate:
    """Write one dated entry on the timeline: the status, target date and amount realised
    before and after (the recommendation as now saved), in force from `effective_on`."""
    return RecommendationUpdate.objects.create(
        recommendation=recommendation,
        from_status=from_status,
        to_status=recommendation.status,
        note=note,
        effective_on=effective_on,
        from_target_date=from_target_date,
        target_date=recommendation.target_date,
        from_amount_realised=from_amount_realised,
        amount_realised=recommendation.amount_realised,
        **_author(acting_user),
    )


def check_effective_on(
    recommendation: Recommendation, effective_on: datetime.date, acting_user, field: str
) -> None:
    """A change takes effect today, or (recorded by the body or an administrator) on an earlier
    date, never before the report was issued nor before the latest dated change: the timeline
    stays in order, so the status on any date is the latest one dated on or before it."""
    today = timezone.localdate()
    if effective_on > today:
        raise ValidationError({field: _("This date is in the future.")})
    issued_on = recommendation.report.issued_on
    if effective_on < issued_on:
        raise ValidationError(
            {
                field: _("The report was issued on %(date)s: a change cannot precede it.")
                % {"date": issued_on.isoformat()}
            }
        )
    if effective_on < today and not (
        acting_user is SYSTEM or allowed(acting_user, "backdate", recommendation)
    ):
        raise ValidationError(
            {field: _("Only the issuing body or an administrator records an earlier date.")}
        )
    latest = (
        RecommendationUpdate.objects.filter(recommendation=recommendation)
        .order_by("-effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )
    if latest is not None and effective_on < latest:
        raise ValidationError(
            {
                field: _(
                    "The timeline already holds a change dated %(date)s; "
                    "a later change cannot take effect before it."
                )
                % {"date": latest.isoformat()}
            }
        )


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
    reason), accepting again reopens it. Either move, and a new target date or amount realised,
    goes on the timeline dated today, so figures as at an earlier date keep the old values."""
    today = timezone.localdate()
    if recommendation._state.adding:
        recommendation.status = S.OPEN
        recommendation.apply_acceptance(recommendation.accepted, recommendation.acceptance_comment)
        before = None  # a new record starts in its initial status, nothing to date
    else:
        before = (
            Recommendation.objects.filter(pk=recommendation.pk)
            .values("status", "target_date", "amount_realised")
            .get()
        )
        recommendation.status = before["status"]
        recommendation.apply_acceptance(recommendation.accepted, recommendation.acceptance_comment)
    status_moved = before is not None and recommendation.status != before["status"]
    if status_moved:
        recommendation.status_changed_on = today
    recommendation.full_clean()
    recommendation.save()
    if before is None:
        return recommendation
    notes = []
    if status_moved:
        notes.append(recommendation.acceptance_comment or "-")
    if recommendation.target_date != before["target_date"]:
        notes.append(
            _("Target date changed from %(old)s to %(new)s.")
            % {
                "old": before["target_date"].isoformat() if before["target_date"] else "–",
                "new": recommendation.target_date.isoformat()
                if recommendation.target_date
                else "–",
            }
        )
    if recommendation.amount_realised != before["amount_realised"]:
        notes.append(
            _("Amount realised changed from %(old)s to %(new)s (USD).")
            % {
                "old": before["amount_realised"] if before["amount_realised"] is not None else "–",
                "new": recommendation.amount_realised
                if recommendation.amount_realised is not None
                else "–",
            }
        )
    if notes:
        timeline_entry(
            recommendation,
            acting_user=acting_user,
            from_status=before["status"],
            note=" ".join(str(n) for n in notes),
            effective_on=max(today, recommendation.report.issued_on),
            from_target_date=before["target_date"],
            from_amount_realised=before["amount_realised"],
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
    effective_on: datetime.date | None = None,
) -> Recommendation:
    """Move a recommendation to `status` and write the dated update on its timeline, with the
    note and any evidence files. Management reports progress; only the issuing body (or an
    administrator) verifies and closes (implemented, not implemented, overtaken) or sends back.

    The change takes effect on `effective_on`: today by default; the issuing body (or an
    administrator) may record a change made elsewhere with its earlier date, from the report's
    issue date on and not before the latest dated change. An implementation takes effect on its
    `implemented_on` (the same date: give either).

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
    if (
        not note
        and is_skip(recommendation.status, status)
        and allowed(acting_user, "verify", recommendation)
    ):
        # Verified without management's report of implementation (allowed to the body): the
        # note is where the body says what its verification rests on.
        raise ValidationError(
            {
                "note": _(
                    "Verifying without management's report: say what the verification rests on."
                )
            }
        )
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
    if implemented_on is not None and status != S.IMPLEMENTED:
        raise ValidationError(
            {"implemented_on": _("Only an implemented recommendation has an implementation date.")}
        )
    if status == S.IMPLEMENTED:
        if implemented_on and effective_on and implemented_on != effective_on:
            raise ValidationError(
                {"effective_on": _("An implementation takes effect on its implementation date.")}
            )
        field = "implemented_on" if implemented_on else "effective_on"
        effective_on = implemented_on = implemented_on or effective_on or today
        check_effective_on(recommendation, effective_on, acting_user, field)
    else:
        effective_on = effective_on or today
        check_effective_on(recommendation, effective_on, acting_user, "effective_on")
    files = list(evidence)
    for upload in files:
        try:
            check_evidence(upload)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from None

    from_status = recommendation.status
    recommendation.status = status
    recommendation.status_changed_on = effective_on
    recommendation.implemented_on = implemented_on if status == S.IMPLEMENTED else None
    if status == S.NOT_ACCEPTED:
        recommendation.accepted = False
        recommendation.acceptance_comment = note
    recommendation.save()

    update = timeline_entry(
        recommendation,
        acting_user=acting_user,
        from_status=from_status,
        note=note,
        effective_on=effective_on,
        from_target_date=recommendation.target_date,
        from_amount_realised=recommendation.amount_realised,
    )
    for upload in files:
        Evidence.objects.create(update=update, file=upload, name=str(upload.name)[:200])
    # The caller's copy reads as saved, like any save (a second move from it is not stale).
    for name in ("status", "status_changed_on", "implemented_on", "accepted", "version"):
        setattr(given, name, getattr(recommendation, name))
    given.acceptance_comment = recommendation.acceptance_comment
    return recommendation
