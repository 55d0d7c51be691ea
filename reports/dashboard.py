"""The report's headline figures on `/`: the latest issued report's beside the live ones.

The live figures run every app's report metrics (seconds at Secretariat scale), so the page
never computes them: it reads the last values a Celery task stored (LiveHeadline) and asks for a
refresh when they are older than LIVE_MAX_AGE."""

import datetime
import logging

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from core.registry import Card
from reports.labels import label_for
from reports.layout import display
from reports.models import LiveHeadline, ReportRun
from reports.snapshot import collect, headline

LIVE_MAX_AGE = datetime.timedelta(minutes=10)
logger = logging.getLogger(__name__)


def refresh_live_headline(period_start: datetime.date, period_end: datetime.date) -> LiveHeadline:
    metrics, _measures, _sources, _fed = collect(period_start, period_end)
    values = {item["key"]: item["value"] for item in headline(metrics)}
    before = LiveHeadline.objects.filter(period_start=period_start, period_end=period_end).first()
    live, _created = LiveHeadline.objects.update_or_create(
        period_start=period_start,
        period_end=period_end,
        defaults={"values": values, "computed_at": timezone.now()},
    )
    if before is None or before.values != live.values:
        # The dashboards' cached tiles read the old values (or "not computed yet"): not a
        # tracked write, so say it.
        from core.dashboard import invalidate

        invalidate()
    return live


def live_headline(run: ReportRun) -> LiveHeadline | None:
    live = LiveHeadline.objects.filter(
        period_start=run.period_start, period_end=run.period_end
    ).first()
    if live is None or live.computed_at < timezone.now() - LIVE_MAX_AGE:
        # One refresh request per period and minute, however many people open the dashboard.
        if cache.add(f"reports:live-refresh:{run.period_start}:{run.period_end}", 1, 60):
            from reports.tasks import refresh_live_figures

            try:
                refresh_live_figures.delay(run.period_start.isoformat(), run.period_end.isoformat())
            except Exception:  # the dashboard must not fail because the broker does
                logger.warning("Could not ask for fresh live report figures", exc_info=True)
            live = LiveHeadline.objects.filter(
                period_start=run.period_start, period_end=run.period_end
            ).first()
    return live


def cards(user) -> list[Card]:
    result = _cards(user)
    for card in result:
        card.group_title = _("Implementation report")
        if card.hint:
            card.group_note = _(
                "Each tile shows a figure of the latest issued report for its period. "
                "“Live” is the same figure for the same period computed from the records as "
                "they stand today (recomputed every few minutes): a difference means records of "
                "that period changed after the report was issued."
            )
            if getattr(card, "pending", False):
                card.group_note = "{} {}".format(
                    card.group_note,
                    _(
                        "The live figures are being computed now: they appear here within a "
                        "minute, without reloading the page."
                    ),
                )
            card.hint_title = _("Live: the same figure computed from today's records")
    return result


def _cards(user) -> list[Card]:
    if not getattr(user, "is_authenticated", False):
        return []
    run = ReportRun.objects.restrict(user, "view").done().order_by("-finished_at", "-id").first()
    if run is None:
        return [Card("reports", _("Issued implementation reports"), 0, "/reports/")]
    live = live_headline(run)
    result = []
    pending = live is None
    for item in (run.snapshot or {}).get("headline", []):
        if item["value"] is None and (live is None or live.values.get(item["key"]) is None):
            continue
        if live is None:
            hint = _("Live: being computed")
        else:
            hint = _("Live: %(value)s") % {
                "value": display(item["key"], live.values.get(item["key"]))
            }
        result.append(
            Card(
                "reports",
                # In the reader's language, not the one the report was issued in.
                f"{label_for(item['key'])} ({run.reference})"
                if run.reference
                else label_for(item["key"]),
                display(item["key"], item["value"]),
                run.get_absolute_url(),
                hint=hint,
            )
        )
        # The dashboard polls the tiles until the live figures are in.
        result[-1].pending = pending
    return result or [Card("reports", _("Latest report"), run.reference, run.get_absolute_url())]
