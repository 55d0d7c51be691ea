"""The monitoring page's charts (core.charts draws them): every bar, and every segment of a
stacked bar, links to the list of recommendations it counts, narrowed by the page's own filters.
Every chart on the page has a table with the same figures."""

import datetime
from urllib.parse import urlencode

from django.urls import reverse

from core.charts import FILLS, Chart, bar_chart, stacked_chart  # noqa: F401 (the page's API)
from oversight.metrics import years_before

# The page's filters that narrow the list the same way (as_at and period_from only date the
# figures: the list shows the recommendations as they stand today).
CARRIED = ("body", "within", "issued_from", "issued_to")


def list_url(query, **params) -> str:
    """The recommendation list narrowed by the page's filters in `query` and by `params`."""
    carried = {k: query.get(k) for k in CARRIED if query.get(k)}
    for name, value in params.items():
        if value in (None, ""):
            continue
        kept = carried.get(name)
        # Dates narrow within the page's own period (ISO dates compare as text).
        if name == "issued_from" and kept:
            value = max(kept, value)
        elif name == "issued_to" and kept:
            value = min(kept, value)
        carried[name] = value
    return f"{reverse('oversight:recommendation_list')}?{urlencode(carried)}"


def ageing_urls(query, on: datetime.date) -> dict[str, str]:
    """The lists behind the ageing bars: open recommendations by time from issue to `on`
    (oversight.metrics: under 1 year is issued after the day a year before `on`)."""
    one, two = years_before(on, 1), years_before(on, 2)
    day = datetime.timedelta(days=1)
    return {
        "under_1_year": list_url(query, state="open", issued_from=(one + day).isoformat()),
        "1_to_2_years": list_url(
            query,
            state="open",
            issued_from=(two + day).isoformat(),
            issued_to=one.isoformat(),
        ),
        "over_2_years": list_url(query, state="open", issued_to=two.isoformat()),
    }


def year_url(query, year: str, status: str) -> str:
    return list_url(query, issued_from=f"{year}-01-01", issued_to=f"{year}-12-31", status=status)
