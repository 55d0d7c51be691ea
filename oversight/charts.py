"""Server-rendered SVG bar charts (no script, no CDN): geometry computed here, drawn by
templates/oversight/_bar_chart.html. Every chart on a page has a table with the same figures."""

from dataclasses import dataclass, field

LABEL_WIDTH = 150
BAR_WIDTH = 380
ROW = 26
FILLS = {
    "ok": "#116329",
    "info": "#0a5a9c",
    "progress": "#5b8fc7",
    "warn": "#c98a00",
    "alert": "#b3261e",
    "muted": "#8c959f",
    "dark": "#4d5661",
    "": "#0a5a9c",
}


@dataclass
class Bar:
    label: str
    value: float
    text: str
    y: int
    width: float
    tone: str = ""
    segments: list = field(default_factory=list)

    @property
    def fill(self) -> str:
        return FILLS.get(self.tone, FILLS[""])


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    height: int
    width: int = LABEL_WIDTH + BAR_WIDTH + 70
    label_width: int = LABEL_WIDTH


def bar_chart(title, items, *, maximum: float | None = None, suffix: str = "") -> Chart:
    """Horizontal bars; `items` is [(label, value, tone)], value None drawn as empty."""
    values = [v or 0 for _label, v, _tone in items]
    top = maximum if maximum is not None else max(values, default=0)
    bars = []
    for i, (label, value, tone) in enumerate(items):
        width = (value or 0) / top * BAR_WIDTH if top else 0
        text = (
            "—"
            if value is None
            else f"{value:g}{suffix}"
            if isinstance(value, float)
            else f"{value:,}{suffix}"
        )
        bars.append(Bar(str(label), value or 0, text, i * ROW + 4, round(width, 1), tone))
    return Chart(str(title), bars, len(items) * ROW + 8)


def stacked_chart(title, rows, keys) -> Chart:
    """One bar per row, split by `keys` [(key, tone)]; rows are [(label, {key: n})]."""
    top = max((sum(counts.get(k, 0) for k, _t in keys) for _l, counts in rows), default=0)
    bars = []
    for i, (label, counts) in enumerate(rows):
        total = sum(counts.get(k, 0) for k, _t in keys)
        x = 0.0
        segments = []
        for key, tone in keys:
            n = counts.get(key, 0)
            w = n / top * BAR_WIDTH if top else 0
            if w:
                segments.append(
                    {
                        "x": round(LABEL_WIDTH + x, 1),
                        "width": round(w, 1),
                        "fill": FILLS.get(tone, FILLS[""]),
                        "n": n,
                        "key": key,
                    }
                )
            x += w
        bars.append(
            Bar(str(label), total, f"{total:,}", i * ROW + 4, round(x, 1), segments=segments)
        )
    return Chart(str(title), bars, len(rows) * ROW + 8)
