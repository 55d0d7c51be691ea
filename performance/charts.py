"""Small server-rendered SVG line charts (no script, no inline style: the CSP forbids both).
Every chart is shown with its table, so the figures stay readable without the picture."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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
