"""The report's charts, drawn from the snapshot as PNG (Pillow), so the same picture goes into
the HTML page, the PDF and the Word document. Labels use Noto Sans CJK: Chinese reports too."""

import base64
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
SCALE = 2  # drawn at twice the size, so print and zoom stay sharp
INK = (27, 31, 36)
MUTED = (77, 86, 97)
LINE = (208, 215, 222)
BLUE = (10, 90, 156)
HEAT = [(216, 240, 222), (245, 225, 140), (245, 180, 100), (230, 120, 90), (179, 38, 30)]


@dataclass
class Chart:
    key: str
    section: str
    title: str
    png: bytes
    width: int  # in CSS pixels
    height: int

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@lru_cache(maxsize=8)
def _font(size: int):
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            try:
                # Index 2 of the CJK collection is Simplified Chinese (SC).
                index = 2 if candidate.endswith(".ttc") else 0
                return ImageFont.truetype(candidate, size * SCALE, index=index)
            except OSError:
                continue
    return ImageFont.load_default(size=size * SCALE)


def _canvas(width: int, height: int):
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    return image, ImageDraw.Draw(image)


def _png(image) -> bytes:
    buffer = io.BytesIO()
    # No timestamps or other metadata: the same snapshot draws the same bytes.
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _s(*values):
    return [v * SCALE for v in values]


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def implementation_rate_chart(section: dict) -> Chart | None:
    by_body = section.get("metrics", {}).get("by_body")
    if not isinstance(by_body, dict):
        return None
    rows = [
        (str(body), _number(v.get("implementation_rate")))
        for body, v in sorted(by_body.items())
        if isinstance(v, dict)
    ]
    rows = [(body, rate) for body, rate in rows if rate is not None]
    if not rows:
        return None
    width, bar, gap, left, top = 640, 22, 10, 90, 40
    height = top + len(rows) * (bar + gap) + 30
    image, draw = _canvas(width, height)
    title = _("Implementation rate of oversight recommendations by body (%)")
    draw.text(_s(10, 8), title, fill=INK, font=_font(14))
    span = width - left - 70
    for i, (body, rate) in enumerate(rows):
        y = top + i * (bar + gap)
        draw.text(_s(10, y + 3), body, fill=INK, font=_font(12))
        draw.rectangle(_s(left, y, left + span, y + bar), outline=LINE, width=SCALE)
        filled = int(span * max(0.0, min(rate, 100.0)) / 100)
        if filled:
            draw.rectangle(_s(left, y, left + filled, y + bar), fill=BLUE)
        draw.text(_s(left + span + 8, y + 3), f"{rate:.1f}", fill=INK, font=_font(12))
    return Chart("implementation_rate_by_body", "C", title, _png(image), width, height)


def _trend_points(snapshot: dict) -> list[tuple[str, float]]:
    own = None
    for section in snapshot.get("sections", []):
        if section.get("code") in ("D", "F"):
            metrics = section.get("metrics", {})
            own = (
                own
                or metrics.get("appraisal_compliance_trend")
                or metrics.get("appraisal_compliance_by_cycle")
            )
    points: list[tuple[str, float]] = []
    if isinstance(own, dict):
        points = [(str(k), _number(v)) for k, v in own.items()]
    elif isinstance(own, list):
        for item in own:
            if isinstance(item, dict):
                label = item.get("cycle") or item.get("year") or item.get("period")
                value = next(
                    (
                        item[k]
                        for k in ("rate", "compliance_rate", "value", "appraisal_compliance_rate")
                        if k in item
                    ),
                    None,
                )
                points.append((str(label), _number(value)))
    if not points:
        trend = snapshot.get("trends", {}).get("appraisal_compliance_rate", [])
        points = [
            (str(p.get("period", "")).replace("/", " – "), _number(p.get("value"))) for p in trend
        ]
    return [(label, value) for label, value in points if value is not None]


def appraisal_trend_chart(snapshot: dict) -> Chart | None:
    points = _trend_points(snapshot)
    if not points:
        return None
    width, height, left, right, top, bottom = 640, 260, 50, 20, 40, 50
    image, draw = _canvas(width, height)
    title = _("Appraisal compliance trend (%)")
    draw.text(_s(10, 8), title, fill=INK, font=_font(14))
    plot_w, plot_h = width - left - right, height - top - bottom
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * tick / 100
        draw.line(_s(left, y, left + plot_w, y), fill=LINE, width=SCALE)
        draw.text(_s(8, y - 8), str(tick), fill=MUTED, font=_font(10))
    step = plot_w / max(len(points) - 1, 1)
    coords = []
    for i, (label, value) in enumerate(points):
        x = left + (i * step if len(points) > 1 else plot_w / 2)
        y = top + plot_h - plot_h * max(0.0, min(value, 100.0)) / 100
        coords.append((x, y))
        draw.text(_s(x - 40, top + plot_h + 8), label[:24], fill=MUTED, font=_font(9))
        draw.text(_s(x - 12, y - 20), f"{value:.1f}", fill=INK, font=_font(10))
    if len(coords) > 1:
        draw.line([c * SCALE for xy in coords for c in xy], fill=BLUE, width=3 * SCALE)
    for x, y in coords:
        draw.ellipse(_s(x - 4, y - 4, x + 4, y + 4), fill=BLUE)
    return Chart("appraisal_compliance_trend", "D", title, _png(image), width, height)


def _heat_cells(heat) -> dict[tuple[int, int], int]:
    """(likelihood, impact) -> count, from {"L": {"I": n}}, {"LxI": n} or [{likelihood, impact, count}]."""
    cells: dict[tuple[int, int], int] = {}

    def put(likelihood, impact, count):
        try:
            key = (int(likelihood), int(impact))
        except (TypeError, ValueError):
            return
        if 1 <= key[0] <= 5 and 1 <= key[1] <= 5:
            cells[key] = cells.get(key, 0) + int(count or 0)

    if isinstance(heat, dict) and isinstance(heat.get("cells"), dict | list):
        heat = heat["cells"]  # risk.metrics.heat_map's shape: {"cells": ..., "total": n}
    if isinstance(heat, list):
        for item in heat:
            if isinstance(item, dict):
                put(item.get("likelihood"), item.get("impact"), item.get("count"))
    elif isinstance(heat, dict):
        for outer, value in heat.items():
            if isinstance(value, dict):
                for inner, count in value.items():
                    put(outer, inner, count)
            else:
                for sep in ("x", "-", ",", "/"):
                    if sep in str(outer):
                        likelihood, impact = str(outer).split(sep, 1)
                        put(likelihood, impact, value)
                        break
    return cells


DEFAULT_BANDS = {"medium_from": 5, "high_from": 10, "critical_from": 15}
BAND_COLOURS = {"low": HEAT[0], "medium": HEAT[1], "high": HEAT[3], "critical": HEAT[4]}


def band_of(score: int, bands: dict | None) -> str:
    """The rating band of a score by the scale the snapshot records (risk's RatingScale rule:
    a score at or above a threshold is in that band), so the heat map and the band table agree."""
    bands = {**DEFAULT_BANDS, **(bands or {})}
    if score >= bands["critical_from"]:
        return "critical"
    if score >= bands["high_from"]:
        return "high"
    if score >= bands["medium_from"]:
        return "medium"
    return "low"


def heat_map_chart(section: dict, bands: dict | None = None) -> Chart | None:
    metrics = section.get("metrics", {})
    heat = metrics.get("heat_map") or metrics.get("risks_by_likelihood_impact")
    cells = _heat_cells(heat)
    if not cells:
        return None
    cell, left, top = 56, 90, 44
    width, height = left + 5 * cell + 20, top + 5 * cell + 50
    image, draw = _canvas(width, height)
    title = _("Risk heat map (likelihood × impact)")
    draw.text(_s(10, 8), title, fill=INK, font=_font(14))
    for likelihood in range(1, 6):
        y = top + (5 - likelihood) * cell
        draw.text(_s(left - 22, y + cell / 2 - 8), str(likelihood), fill=MUTED, font=_font(11))
        for impact in range(1, 6):
            x = left + (impact - 1) * cell
            score = likelihood * impact
            colour = BAND_COLOURS[band_of(score, bands)]
            draw.rectangle(
                _s(x, y, x + cell, y + cell), fill=colour, outline="white", width=2 * SCALE
            )
            count = cells.get((likelihood, impact), 0)
            if count:
                draw.text(
                    _s(x + cell / 2 - 10, y + cell / 2 - 9), str(count), fill=INK, font=_font(13)
                )
    for impact in range(1, 6):
        x = left + (impact - 1) * cell
        draw.text(_s(x + cell / 2 - 4, top + 5 * cell + 4), str(impact), fill=MUTED, font=_font(11))
    draw.text(_s(left, top + 5 * cell + 24), _("Impact"), fill=MUTED, font=_font(11))
    draw.text(_s(6, top - 18), _("Likelihood"), fill=MUTED, font=_font(11))
    return Chart("risk_heat_map", "J", title, _png(image), width, height)


def charts_for(snapshot: dict) -> dict[str, list[Chart]]:
    """The charts of each section, keyed by section code, titles in the report's language."""
    sections = {s["code"]: s for s in snapshot.get("sections", [])}
    charts: dict[str, list[Chart]] = {}
    with translation.override(snapshot.get("language", "en")):
        for chart in (
            implementation_rate_chart(sections.get("C", {})),
            appraisal_trend_chart(snapshot),
            heat_map_chart(sections.get("J", {}), snapshot.get("rating_bands")),
        ):
            if chart is not None:
                charts.setdefault(chart.section, []).append(chart)
    return charts
