"""Bar charts for the pages (no script, no CDN, nothing inline the CSP forbids), drawn by
templates/includes/bar_chart.html.

Each row is the label and the value as page text (body size, whatever the width) beside a bar
drawn in an SVG that fills its cell (viewBox, width 100%). Every bar, or every segment of a
stacked bar, is a link to the filtered list it counts. Every chart is shown beside a table with
the same figures, which is what screen readers read first.
"""

from dataclasses import dataclass, field

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
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}{suffix}"
    return f"{value:,}{suffix}"


def bar_chart(
    title, items, *, maximum: float | None = None, suffix: str = "", key: str = ""
) -> Chart:
    """Horizontal bars. `items` are (label, value, tone) or (label, value, tone, url); a value of
    None is drawn empty and reads "—"."""
    values = [item[1] or 0 for item in items]
    top = maximum if maximum is not None else max(values, default=0)
    bars = []
    for item in items:
        label, value, tone = item[:3]
        url = item[3] if len(item) > 3 else ""
        width = (value or 0) / top * SCALE if top else 0
        bars.append(
            Bar(str(label), value or 0, _text(value, suffix), round(width, 1), tone, url or "")
        )
    return Chart(str(title), bars, key=key)


def stacked_chart(title, rows, keys, *, labels=None, url=None, key: str = "") -> Chart:
    """One bar per row, split by `keys` [(key, tone)]; rows are [(label, {key: n})].
    `labels` names each key; `url(row_label, key)` gives the list a segment counts."""
    labels = labels or {}
    top = max((sum(counts.get(k, 0) for k, _t in keys) for _l, counts in rows), default=0)
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
                        x=round(x, 1),
                        width=round(w, 1),
                        fill=FILLS.get(tone, FILLS[""]),
                        url=url(row_label, segment_key) if url else "",
                    )
                )
            x += w
        bars.append(Bar(str(row_label), total, f"{total:,}", round(x, 1), segments=segments))
    legend = [(str(labels.get(k, k)), FILLS.get(t, FILLS[""])) for k, t in keys]
    return Chart(str(title), bars, key=key, legend=legend)
