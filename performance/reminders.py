"""Paragraph 18 asks that the deficiencies the Management Performance Board finds be fully
addressed: managers hear about action plans past their due date, once a month until closed."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import action
from org.choices import RoleKind
from org.models import Role
from performance.models import BoardFinding

REMIND_EVERY = datetime.timedelta(days=30)


def _managers_by_path() -> list[tuple[str, str]]:
    """(unit path, email) of every manager with an address: a manager answers for the units
    below theirs too."""
    return list(
        Role.objects.filter(kind=RoleKind.MANAGER, unit__isnull=False)
        .exclude(user__email="")
        .values_list("unit__path", "user__email")
    )


def _not_reminded_since(today: datetime.date) -> Q:
    return Q(reminded_on__isnull=True) | Q(reminded_on__lte=today - REMIND_EVERY)


def remind_overdue_findings(today: datetime.date | None = None, *, acting_user) -> dict[str, int]:
    """Email the managers of each unit whose Board findings are open past their due date.
    Idempotent: a finding reminded in the last 30 days is skipped, so reruns send nothing. One
    action per unit, so a mail server failing half-way leaves the units already told stamped."""
    today = today or timezone.localdate()
    due = (
        BoardFinding.objects.overdue(today)
        .filter(_not_reminded_since(today))
        .select_related("compact__unit", "compact__senior_manager")
        .order_by("compact__unit__path", "pk")
    )
    managers = _managers_by_path()
    sent = findings = 0
    by_unit: dict[str, list[BoardFinding]] = {}
    for finding in due:
        by_unit.setdefault(finding.compact.unit.path, []).append(finding)
    for path, items in by_unit.items():
        recipients = sorted({email for unit_path, email in managers if path.startswith(unit_path)})
        if recipients and remind(
            items, acting_user=acting_user, today=today, recipients=recipients
        ):
            sent += 1
            findings += len(items)
    return {"emails": sent, "findings": findings}


@action(BoardFinding, "remind", check=False)
def remind(
    items: list[BoardFinding], *, acting_user, today: datetime.date, recipients: list[str]
) -> bool:
    """Stamp and email one unit's overdue findings; False when a concurrent run got there first."""
    unit = items[0].compact.unit
    lines = [
        _("%(year)s compact of %(name)s: %(finding)s (action due %(due)s)")
        % {
            "year": f.compact.year,
            "name": f.compact.senior_manager.name,
            "finding": f.finding[:200],
            "due": f.due_on.isoformat(),
        }
        for f in items
    ]
    # Stamp first, guarded: a concurrent run that got here first makes this one skip. The stamp
    # is bookkeeping the history ignores (BoardFinding.history_ignored_fields).
    stamped = BoardFinding.objects.filter(pk__in=[f.pk for f in items]).filter(
        _not_reminded_since(today)
    )
    if not stamped.update(reminded_on=today):
        return False
    send_mail(
        _("Management Performance Board findings overdue in %(unit)s") % {"unit": unit.code},
        "\n".join(lines),
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )
    return True
