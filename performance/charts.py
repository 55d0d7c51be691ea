"""Small server-rendered SVG line charts (no script, no inline style: the CSP forbids both).
Every chart is shown with its table, so the figures stay readable without the picture."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.charts import bar_chart

WIDTH, HEIGHT, PAD = 640, 220, 40


def line_chart(
    points: list[tuple[str, float | None]],
    *,
    suffix: str = "",
    max_value: float | None = None,
    target: float | None = None,
    baseline: float | None = None,
) -> SafeString:
    values = [v for _, v in points if v is not None]
    if not values:
        return mark_safe("")
    extra = [v for v in (target, baseline) if v is not None]
    top = max_value if max_value is not None else max([*values, *extra])
    bottom = 0 if min([*values, *extra]) >= 0 else min([*values, *extra])
    span = (top - bottom) or 1
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def y(value):
        return HEIGHT - PAD - (value - bottom) / span * (HEIGHT - 2 * PAD)

    coords = [
        (PAD + i * step, y(v), label, v) for i, (label, v) in enumerate(points) if v is not None
    ]
    path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy, _label, _value in coords)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="#0a5a9c"><title>{}: {}{}</title></circle>',
        ((f"{x:.1f}", f"{yy:.1f}", label, value, suffix) for x, yy, label, value in coords),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#4d5661">{}</text>',
        (
            (f"{PAD + i * step:.1f}", HEIGHT - PAD + 16, label)
            for i, (label, _value) in enumerate(points)
        ),
    )
    guides = []
    for value, colour, name in (
        (target, "#116329", _("target")),
        (baseline, "#8a5a00", _("baseline")),
    ):
        if value is not None:
            guides.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-dasharray="6 4"/>'
                    '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                    PAD,
                    WIDTH - PAD,
                    f"{y(value):.1f}",
                    f"{y(value):.1f}",
                    colour,
                    PAD + 4,
                    f"{y(value) - 4:.1f}",
                    colour,
                    name,
                )
            )
    axis = format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d0d7de"/>'
        '<text x="4" y="{}" font-size="11" fill="#4d5661">{}{}</text>'
        '<text x="4" y="{}" font-size="11" fill="#4d5661">{}{}</text>',
        PAD,
        WIDTH - PAD,
        HEIGHT - PAD,
        HEIGHT - PAD,
        f"{y(top) + 4:.1f}",
        _short(top),
        suffix,
        f"{y(bottom):.1f}",
        _short(bottom),
        suffix,
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-hidden="true">'
        '{}{}<polyline points="{}" fill="none" stroke="#0a5a9c" stroke-width="2"/>{}{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        axis,
        mark_safe("".join(guides)),
        path,
        dots,
        labels,
    )


def _short(value: float) -> str:
    return f"{value:g}"


# --- Bar charts of appraisal compliance (core.charts draws them) ---------------------------------


def _appraisal_list(unit, **params) -> str:
    query = {"within": unit.code} if unit is not None else {}
    query.update({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse('performance:appraisal_list')}?{urlencode(query)}"


def compliance_chart(trend: list[dict], unit=None):
    """Appraisals completed on time, % of those due, one bar per cycle; each bar opens the
    cycle's appraisals (of the unit and the units below it). Suppressed cycles read "—"."""
    items = []
    for row in trend:
        suppressed = row.get("suppressed") or row.get("compliance_rate") is None
        url = "" if suppressed else _appraisal_list(unit, cycle=row["cycle"])
        tone = "ok" if (row.get("compliance_rate") or 0) >= 80 else "warn"
        items.append((row["cycle_label"], row.get("compliance_rate"), tone, url))
    return bar_chart(
        _("Appraisals completed on time (%), by cycle"),
        items,
        maximum=100.0,
        suffix="%",
        key="compliance",
    )


def distribution_chart(distribution: list[dict], cycle, unit=None):
    """The rating distribution of a cycle; each bar opens the appraisals with that rating."""
    tones = {"exceeds": "ok", "meets": "info", "partially_meets": "warn", "does_not_meet": "alert"}
    return bar_chart(
        _("Staff by rating"),
        [
            (
                item["label"],
                item["count"],
                tones.get(item["rating"], ""),
                ""
                if item["count"] is None
                else _appraisal_list(unit, cycle=cycle, rating=item["rating"]),
            )
            for item in distribution
        ],
        key="distribution",
    )
