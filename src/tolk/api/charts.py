"""Server-side SVG line charts for the dashboard: no JavaScript, no CDN, every label escaped."""

from __future__ import annotations

import math
from datetime import datetime

from markupsafe import Markup, escape

from tolk.dashboard import Line

COLORS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04")
W, H, LEFT, RIGHT, TOP, BOTTOM = 640, 220, 64, 12, 28, 44


def _fmt(value: float) -> str:
    """A tick as people read it: 1,234 · 12.5 · 0.42 · 0.000015 (never 1.5e-05)."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}".removesuffix(".0")
    if value >= 0.001 or value <= 0:
        return f"{value:.3g}"
    return f"{value:.{1 - math.floor(math.log10(value))}f}"


def line_chart(
    title: str, ticks: list[datetime], series: Line, unit: str = "", hourly: bool = False
) -> Markup:
    """One chart: a polyline per series over the buckets (hours or days, from `ticks`); gaps where a
    bucket has no value."""
    days = ticks
    when = "%m-%d %H:00" if hourly else "%m-%d"
    values = [v for line in series.values() for v in line if v is not None]
    top = max(values, default=0.0) or 1.0
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / max(len(days) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * v / top

    height = H + 16 * ((max(len(series), 1) - 1) // 4)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img" class="chart" '
        f'aria-label="{escape(title)}">',
        f'<text x="{LEFT}" y="16" class="title">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{W - RIGHT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" class="tick" text-anchor="end">{escape(_fmt(top) + unit)}'
        "</text>",
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" class="tick" text-anchor="end">0</text>',
    ]
    if days:
        parts.append(f'<text x="{LEFT}" y="{H - BOTTOM + 14}" class="tick">{days[0]:{when}}</text>')
        end = f'<text x="{W - RIGHT}" y="{H - BOTTOM + 14}" class="tick" text-anchor="end">'
        parts.append(f"{end}{days[-1]:{when}}</text>")
    if not values:
        parts.append(
            f'<text x="{W / 2}" y="{TOP + plot_h / 2}" class="empty" text-anchor="middle">no data</text>'
        )
    for n, (name, line) in enumerate(series.items()):
        color = COLORS[n % len(COLORS)]
        for run in _runs(line):
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in run)
            if len(run) == 1:
                i, v = run[0]
                parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}"/>')
            else:
                parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        lx, ly = LEFT + (n % 4) * 150, H - 14 + 16 * (n // 4)  # four legends a row
        parts.append(f'<rect x="{lx}" y="{ly - 8}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{lx + 14}" y="{ly + 1}" class="legend">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _runs(line: list[float | None]) -> list[list[tuple[int, float]]]:
    """Consecutive days with values: a day without data breaks the line instead of drawing zero."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for i, v in enumerate(line):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((i, v))
    if current:
        runs.append(current)
    return runs
