"""Small inline SVG charts drawn on the server: no JavaScript, nothing from a CDN.

Pure: values in, an SVG string (markupsafe.Markup, labels escaped) out. Each point
carries a <title> so hovering shows the exact figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

W, H = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 30


@dataclass(frozen=True)
class Point:
    label: str  # x-axis label, e.g. "01-20"
    value: float
    tooltip: str


def nice_max(v: float, ticks: int = 4) -> float:
    """The smallest axis top >= `v` whose `ticks` steps are round numbers
    (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k each)."""
    if v <= 0:
        return 1.0
    raw = v / ticks
    exp = 10 ** math.floor(math.log10(raw))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * exp >= raw - 1e-12:
            return m * exp * ticks
    return 10 * exp * ticks


def _frame(y_max: float, y_fmt: Callable[[float], str], labels: Sequence[str],
           xs: Sequence[float]) -> list[str]:
    parts = []
    for i in range(5):
        v = y_max * i / 4
        y = _y(v, y_max)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" '
                     f'y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 8}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{escape(y_fmt(v))}</text>')
    step = max(1, math.ceil(len(labels) / 7))
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(f'<text class="axis" x="{x:.1f}" y="{H - 8}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    return parts


def _y(v: float, y_max: float) -> float:
    return TOP + (H - TOP - BOTTOM) * (1 - v / y_max)


def _svg(parts: list[str], title: str) -> Markup:
    body = "".join(parts)
    return Markup(f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" '
                  f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">'
                  f'{body}</svg>')


def line_chart(points: Sequence[Point], *, title: str, y_fmt: Callable[[float], str],
               target: float | None = None, target_label: str = "",
               partial_last: bool = False) -> Markup:
    """A line with a soft area; `partial_last` dashes the last segment (a day not over)."""
    if not points:
        return _svg([], title)
    top = max([p.value for p in points] + [target or 0])
    y_max = nice_max(top * 1.15)
    n = len(points)
    inner = W - LEFT - RIGHT
    xs = [LEFT + inner * (i + 0.5) / n for i in range(n)]
    parts = _frame(y_max, y_fmt, [p.label for p in points], xs)
    coords = [(x, _y(p.value, y_max)) for x, p in zip(xs, points, strict=True)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    base = _y(0, y_max)
    parts.append('<defs><linearGradient id="area" x1="0" y1="0" x2="0" y2="1">'
                 '<stop offset="0%" stop-color="currentColor" stop-opacity="0.22"/>'
                 '<stop offset="100%" stop-color="currentColor" stop-opacity="0"/>'
                 '</linearGradient></defs>')
    parts.append(f'<polygon class="area" points="{xs[0]:.1f},{base:.1f} {line} '
                 f'{xs[-1]:.1f},{base:.1f}" fill="url(#area)"/>')
    if target is not None:
        ty = _y(target, y_max)
        parts.append(f'<line class="target" x1="{LEFT}" y1="{ty:.1f}" x2="{W - RIGHT}" '
                     f'y2="{ty:.1f}"/>')
        parts.append(f'<text class="target-label" x="{W - RIGHT - 4}" y="{ty - 6:.1f}" '
                     f'text-anchor="end">{escape(target_label)}</text>')
    if partial_last and len(coords) > 1:
        done = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords[:-1])
        (x1, y1), (x2, y2) = coords[-2], coords[-1]
        parts.append(f'<polyline class="line" points="{done}"/>')
        parts.append(f'<line class="line partial" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                     f'y2="{y2:.1f}"/>')
    else:
        parts.append(f'<polyline class="line" points="{line}"/>')
    for (x, y), p in zip(coords, points, strict=True):
        parts.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                     f'<title>{escape(p.tooltip)}</title></circle>')
    return _svg(parts, title)


def bar_chart(points: Sequence[Point], *, title: str,
              y_fmt: Callable[[float], str]) -> Markup:
    if not points:
        return _svg([], title)
    y_max = nice_max(max(p.value for p in points) * 1.1)
    n = len(points)
    inner = W - LEFT - RIGHT
    slot = inner / n
    xs = [LEFT + slot * (i + 0.5) for i in range(n)]
    parts = _frame(y_max, y_fmt, [p.label for p in points], xs)
    base = _y(0, y_max)
    bw = slot * 0.62
    for i, (x, p) in enumerate(zip(xs, points, strict=True)):
        y = _y(p.value, y_max)
        cls = "bar bar-last" if i == n - 1 else "bar"
        parts.append(f'<rect class="{cls}" x="{x - bw / 2:.1f}" y="{y:.1f}" '
                     f'width="{bw:.1f}" height="{max(0.0, base - y):.1f}" rx="3">'
                     f'<title>{escape(p.tooltip)}</title></rect>')
    return _svg(parts, title)
