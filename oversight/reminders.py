"""Reminders by email: each unit's managers hear once about recommendations falling due within
30 days and once when they become overdue; each body gets a weekly digest of what awaits its
verification."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import SYSTEM, action
from org.choices import RoleKind
from org.models import Role
from oversight.choices import RecommendationStatus
from oversight.models import Recommendation

DUE_WITHIN_DAYS = 30
MAX_LINES = 200


def _line(rec: Recommendation) -> str:
    url = reverse("oversight:recommendation_detail", args=[rec.pk])
    due = rec.target_date.isoformat() if rec.target_date else "—"
    return f"- {rec.report.symbol} #{rec.number} ({rec.report.body.code}), {_('target date')} {due}: {url}"


def _manager_emails() -> dict[str, list[str]]:
    """Unit path -> emails of that unit's managers."""
    emails: dict[str, list[str]] = defaultdict(list)
    roles = Role.objects.filter(
        kind=RoleKind.MANAGER, unit__isnull=False, user__is_active=True
    ).exclude(user__email="")
    for path, email in roles.values_list("unit__path", "user__email"):
        emails[path].append(email)
    return emails


def _recipients_for(path: str, emails: dict[str, list[str]]) -> list[str]:
    """The addressed unit's managers or, when it has none, those of the nearest unit above."""
    parts = path.strip("/").split("/")
    for depth in range(len(parts), 0, -1):
        found = emails.get("/" + "/".join(parts[:depth]) + "/")
        if found:
            return sorted(set(found))
    return []


@action(Recommendation, "remind", check=False)
def mark_reminded(
    due_soon: list[Recommendation], *, acting_user, overdue: list[Recommendation]
) -> None:
    """Note that these were reminded for their current target date. Bookkeeping fields the change
    history ignores (Recommendation.history_ignored_fields), so a bulk update is enough and keeps
    the job cheap."""
    for start in range(0, len(due_soon), 900):
        ids = [r.pk for r in due_soon[start : start + 900]]
        Recommendation.objects.filter(pk__in=ids).update(due_reminder_for=F("target_date"))
    for start in range(0, len(overdue), 900):
        ids = [r.pk for r in overdue[start : start + 900]]
        Recommendation.objects.filter(pk__in=ids).update(overdue_reminder_for=F("target_date"))


def send_due_reminders(today: datetime.date | None = None, *, acting_user=SYSTEM) -> dict[str, int]:
    """Idempotent: a recommendation is reminded once per target date for each kind of reminder."""
    today = today or timezone.localdate()
    still_open = (
        Recommendation.objects.still_open()
        .select_related("report__body", "unit")
        .order_by("target_date", "pk")
    )
    due_soon = list(
        still_open.filter(
            target_date__gte=today,
            target_date__lte=today + datetime.timedelta(days=DUE_WITHIN_DAYS),
        ).exclude(due_reminder_for=F("target_date"))
    )
    overdue = list(still_open.overdue(today).exclude(overdue_reminder_for=F("target_date")))
    emails = _manager_emails()
    by_recipients: dict[tuple, dict[str, list]] = defaultdict(lambda: {"due": [], "overdue": []})
    for kind, recs in (("due", due_soon), ("overdue", overdue)):
        for rec in recs:
            recipients = tuple(_recipients_for(rec.unit.path, emails))
            if recipients:
                by_recipients[recipients][kind].append(rec)
    messages = []
    for recipients, found in by_recipients.items():
        lines = [_("Oversight recommendations addressed to your unit that need attention."), ""]
        if found["overdue"]:
            lines += [_("Now overdue:"), *(_line(r) for r in found["overdue"][:MAX_LINES]), ""]
        if found["due"]:
            lines += [
                _("Due within %(days)d days:") % {"days": DUE_WITHIN_DAYS},
                *(_line(r) for r in found["due"][:MAX_LINES]),
                "",
            ]
        subject = _("Oversight recommendations: %(overdue)d overdue, %(due)d due soon") % {
            "overdue": len(found["overdue"]),
            "due": len(found["due"]),
        }
        messages.append(
            EmailMessage(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, list(recipients))
        )
    if messages:
        get_connection().send_messages(messages)
    mark_reminded(due_soon, acting_user=acting_user, overdue=overdue)
    return {"due_soon": len(due_soon), "overdue": len(overdue), "emails": len(messages)}


def send_verification_digest() -> dict[str, int]:
    """One email per body listing the recommendations that await its verification."""
    pending = (
        Recommendation.objects.filter(status=RecommendationStatus.PENDING_VERIFICATION)
        .select_related("report__body", "unit")
        .order_by("report__body__code", "status_changed_on", "pk")
    )
    by_body: dict[str, list] = defaultdict(list)
    for rec in pending.iterator(chunk_size=2000):
        by_body[rec.report.body.code].append(rec)
    recipients: dict[str, list[str]] = defaultdict(list)
    roles = Role.objects.filter(kind=RoleKind.OVERSIGHT, user__is_active=True).exclude(
        user__email=""
    )
    for code, email in roles.values_list("body_code", "user__email"):
        recipients[code.upper()].append(email)
    messages = []
    for code, recs in by_body.items():
        if not recipients.get(code):
            continue
        lines = [
            _("%(n)d recommendations await verification by %(body)s.")
            % {"n": len(recs), "body": code},
            "",
            *(_line(r) for r in recs[:MAX_LINES]),
        ]
        subject = _("Weekly digest: %(n)d recommendations await your verification") % {
            "n": len(recs)
        }
        messages.append(
            EmailMessage(
                subject,
                "\n".join(lines),
                settings.DEFAULT_FROM_EMAIL,
                sorted(set(recipients[code])),
            )
        )
    if messages:
        get_connection().send_messages(messages)
    return {"bodies": len(messages), "pending": sum(len(r) for r in by_body.values())}
