"""The report's headline figures on `/`: the latest issued report's beside the live ones."""

from django.core.cache import cache
from django.utils.translation import gettext as _

from core.registry import Card
from reports.layout import display
from reports.models import ReportRun
from reports.snapshot import collect, headline

LIVE_CACHE_SECONDS = 300


def live_headline(run: ReportRun) -> dict[str, object]:
    """Today's values of the headline figures for the latest report's period (cached: it runs
    every app's report metrics)."""
    key = f"reports:live-headline:{run.period_start}:{run.period_end}"
    values = cache.get(key)
    if values is None:
        metrics, _measures, _sources, _fed = collect(run.period_start, run.period_end)
        values = {item["key"]: item["value"] for item in headline(metrics)}
        cache.set(key, values, LIVE_CACHE_SECONDS)
    return values


def cards(user) -> list[Card]:
    result = _cards(user)
    for card in result:
        card.group_title = _("Implementation report")
    return result


def _cards(user) -> list[Card]:
    if not getattr(user, "is_authenticated", False):
        return []
    run = ReportRun.objects.visible_to(user).done().order_by("-finished_at", "-id").first()
    if run is None:
        return [Card("reports", _("Issued implementation reports"), 0, "/reports/")]
    live = live_headline(run)
    result = []
    for item in (run.snapshot or {}).get("headline", []):
        if item["value"] is None and live.get(item["key"]) is None:
            continue
        result.append(
            Card(
                "reports",
                f"{item['label']} ({run.symbol})",
                display(item["key"], item["value"]),
                run.get_absolute_url(),
                hint=_("Live: %(value)s") % {"value": display(item["key"], live.get(item["key"]))},
            )
        )
    return result or [Card("reports", _("Latest report"), run.symbol, run.get_absolute_url())]
