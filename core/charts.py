"""Bar charts for the pages (no script, no CDN, nothing inline the CSP forbids), drawn by
templates/includes/bar_chart.html.

Each row is the label and the value as page text (body size, whatever the width) beside a bar
drawn in an SVG that fills its cell (viewBox, width 100%). Every bar, or every segment of a
stacked bar, is a link to the filtered list it counts. Every chart is shown beside a table with
the same figures, which is what screen readers read first.

In a right-to-left language (Arabic) the page's grid puts the label on the right and the value on
the left, and the bars grow from the right: each bar's and segment's x is mirrored here, when the
chart is built in the reader's language, so the SVG needs no transform.
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import get_language_bidi

SCALE = 1000  # the bars' viewBox width: a bar of value v is v / top * SCALE wide
FILLS = {
    "ok": "#116329",
    "info": "#0a5a9c",
    "progress": "#5b8fc7",
    "warn": "#9a6700",
    "alert": "#b3261e",
    "muted": "#6e7781",
    "dark": "#4d5661",
    "": "#0a5a9c",
}


@dataclass
class Segment:
    key: str
    label: str
    n: int
    x: float
    width: float
    fill: str
    url: str = ""


@dataclass
class Bar:
    label: str
    value: float
    text: str
    width: float
    tone: str = ""
    url: str = ""
    segments: list[Segment] = field(default_factory=list)
    x: float = 0.0  # where the bar starts: 0, or SCALE - width right to left

    @property
    def fill(self) -> str:
        return FILLS.get(self.tone, FILLS[""])


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    key: str = ""  # the id of the chart on its page
    legend: list[tuple[str, str]] = field(default_factory=list)
    scale: int = SCALE

    @property
    def stacked(self) -> bool:
        return any(bar.segments for bar in self.bars)


def _text(value, suffix: str) -> str:
    """The value as the reader's language writes numbers (4,130 / 4 130 / 4.130; 66.7 / 66,7)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = float(f"{value:g}")
    return f"{number_format(value, force_grouping=True)}{suffix}"


def bar_chart(
    title, items, *, maximum: float | None = None, suffix: str = "", key: str = ""
) -> Chart:
    """Horizontal bars. `items` are (label, value, tone) or (label, value, tone, url); a value of
    None is drawn empty and reads "—"."""
    values = [item[1] or 0 for item in items]
    top = maximum if maximum is not None else max(values, default=0)
    rtl = get_language_bidi()
    bars = []
    for item in items:
        label, value, tone = item[:3]
        url = item[3] if len(item) > 3 else ""
        width = round((value or 0) / top * SCALE if top else 0, 1)
        bar = Bar(str(label), value or 0, _text(value, suffix), width, tone, url or "")
        bar.x = _start(0.0, width, rtl)
        bars.append(bar)
    return Chart(str(title), bars, key=key)


def _start(x: float, width: float, rtl: bool) -> float:
    """A bar's left edge in the viewBox: x from the left, or from the right in RTL."""
    return round(SCALE - x - width, 1) if rtl else round(x, 1)


def stacked_chart(title, rows, keys, *, labels=None, url=None, key: str = "") -> Chart:
    """One bar per row, split by `keys` [(key, tone)]; rows are [(label, {key: n})].
    `labels` names each key; `url(row_label, key)` gives the list a segment counts."""
    labels = labels or {}
    top = max((sum(counts.get(k, 0) for k, _t in keys) for _l, counts in rows), default=0)
    rtl = get_language_bidi()
    bars = []
    for row_label, counts in rows:
        total = sum(counts.get(k, 0) for k, _t in keys)
        x = 0.0
        segments = []
        for segment_key, tone in keys:
            n = counts.get(segment_key, 0)
            w = n / top * SCALE if top else 0
            if w:
                segments.append(
                    Segment(
                        key=segment_key,
                        label=str(labels.get(segment_key, segment_key)),
                        n=n,
                        x=_start(x, round(w, 1), rtl),
                        width=round(w, 1),
                        fill=FILLS.get(tone, FILLS[""]),
                        url=url(row_label, segment_key) if url else "",
                    )
                )
            x += w
        bar = Bar(str(row_label), total, _text(total, ""), round(x, 1), segments=segments)
        bar.x = _start(0.0, bar.width, rtl)
        bars.append(bar)
    legend = [(str(labels.get(k, k)), FILLS.get(t, FILLS[""])) for k, t in keys]
    return Chart(str(title), bars, key=key, legend=legend)
