"""Charts with series, drawn as accessible SVG: bars side by side or stacked, and one line per series.

Colour is never the only cue: each series also has its own fill pattern (bars) or dash and marker
shape (lines), shown in the legend, and lines carry their series' name at their end. Every series
colour reaches 3:1 against white (the palette of ``svg.py``); stacked segments are parted by a
white line, so each segment's edge keeps that contrast.
"""

from __future__ import annotations

from django.utils.html import escape

from .chart_series import Series, SeriesData
from .svg import GRID, OTHER_COLOUR, PALETTE, TEXT, WIDTH, axis_ticks, number, short_label, svg_open, value_range

# White marks drawn over the series colour in an 8×8 tile: none, stripes, dots, hatches...
MARKS = (
    "",
    '<path d="M-2,2 L2,-2 M0,8 L8,0 M6,10 L10,6" stroke="#fff" stroke-width="1.6"/>',
    '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',
    '<path d="M0,4 H8" stroke="#fff" stroke-width="1.6"/>',
    '<path d="M0,0 L8,8 M8,0 L0,8" stroke="#fff" stroke-width="1.2"/>',
    '<path d="M4,0 V8" stroke="#fff" stroke-width="1.6"/>',
    '<path d="M-2,6 L2,10 M0,0 L8,8 M6,-2 L10,2" stroke="#fff" stroke-width="1.6"/>',
    '<path d="M0,4 H8 M4,0 V8" stroke="#fff" stroke-width="1.2"/>',
)
OTHER_MARKS = '<circle cx="2" cy="2" r="1.2" fill="#fff"/><circle cx="6" cy="6" r="1.2" fill="#fff"/>'
DASHES = ("", "8 4", "2 3", "10 3 2 3", "5 5", "14 4", "1 3", "6 2 2 2")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle", "square", "triangle")
LEGEND_ROW = 24


def series_colour(index: int, series: Series) -> str:
    return OTHER_COLOUR if series.is_other else PALETTE[index % len(PALETTE)]


def _defs(data: SeriesData, ident: str) -> str:
    tiles = []
    for index, series in enumerate(data.series):
        marks = OTHER_MARKS if series.is_other else MARKS[index % len(MARKS)]
        tiles.append(
            f'<pattern id="{ident}-s{index}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<rect width="8" height="8" fill="{series_colour(index, series)}"/>{marks}</pattern>'
        )
    return "<defs>" + "".join(tiles) + "</defs>"


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z" fill="{colour}"/>'
    if kind == "diamond":
        return (
            f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} L{x - 5:.1f},{y:.1f} Z" '
            f'fill="{colour}"/>'
        )
    if kind == "cross":
        return (
            f'<path d="M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} M{x + 4:.1f},{y - 4:.1f} '
            f'L{x - 4:.1f},{y + 4:.1f}" stroke="{colour}" stroke-width="2.5"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _legend_layout(data: SeriesData) -> list[tuple[float, float]]:
    spots, x, y = [], 16.0, 8.0
    for series in data.series:
        width = 48 + 8 * len(short_label(series.label))
        if x + width > WIDTH - 8 and x > 16:
            x, y = 16.0, y + LEGEND_ROW
        spots.append((x, y))
        x += width
    return spots


def _legend(data: SeriesData, ident: str, *, lines: bool) -> tuple[str, float]:
    """The series names with their swatch (pattern) or line sample (dash and marker); and its height."""
    spots = _legend_layout(data)
    parts = []
    for index, (series, (x, y)) in enumerate(zip(data.series, spots, strict=True)):
        colour = series_colour(index, series)
        if lines:
            dash = f' stroke-dasharray="{DASHES[index % len(DASHES)]}"' if DASHES[index % len(DASHES)] else ""
            sample = (
                f'<line x1="{x}" x2="{x + 26}" y1="{y + 9}" y2="{y + 9}" stroke="{colour}" stroke-width="2.5"{dash}/>'
                + _marker(MARKERS[index % len(MARKERS)], x + 13, y + 9, colour)
            )
        else:
            sample = f'<rect x="{x}" y="{y}" width="18" height="18" fill="url(#{ident}-s{index})" stroke="{colour}"/>'
        parts.append(
            f'<g class="legend-item">{sample}<text x="{x + 32}" y="{y + 14}" fill="{TEXT}">'
            f"{escape(short_label(series.label))}</text></g>"
        )
    height = (spots[-1][1] if spots else 0) + LEGEND_ROW + 8
    return f'<g class="chart-legend">{"".join(parts)}</g>', height


def _bar_title(category: Series, series: Series, value: float | None) -> str:
    return f"<title>{escape(category.label)} — {escape(series.label)}: {escape(number(value))}</title>"


def grouped_bar_svg(data: SeriesData, *, title: str, desc: str, ident: str = "chart") -> str:
    """Horizontal bars, one per series inside each category, each series with its colour and pattern."""
    bar, gap, left, area = 14, 12, 200, 330
    legend, top = _legend(data, ident, lines=False)
    group = bar * len(data.series) + gap
    height = top + group * max(1, len(data.categories)) + 10
    low, high = value_range(data.present())
    zero = left + area * (-low) / (high - low)
    parts = [svg_open(height, title, desc, ident), _defs(data, ident), legend]
    for ci, category in enumerate(data.categories):
        y0 = top + ci * group
        parts.append(
            f'<text x="{left - 8}" y="{y0 + bar * len(data.series) / 2 + 5:.1f}" text-anchor="end" fill="{TEXT}">'
            f"{escape(short_label(category.label))}</text>"
        )
        for si, series in enumerate(data.series):
            value = data.values[ci][si]
            y = y0 + si * bar
            x0, x1 = sorted((zero, left + area * ((value or 0) - low) / (high - low)))
            rect = (
                f'<rect x="{x0:.1f}" y="{y + 1}" width="{max(x1 - x0, 1):.1f}" height="{bar - 2}" '
                f'fill="url(#{ident}-s{si})" stroke="{series_colour(si, series)}"/>'
                if value is not None
                else ""
            )
            parts.append(
                f"<g>{_bar_title(category, series, value)}{rect}"
                f'<text x="{x1 + 5:.1f}" y="{y + bar - 3}" font-size="11" fill="{TEXT}">'
                f"{escape(number(value))}</text></g>"
            )
    parts.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{top - 4}" y2="{height - 6}" stroke="{GRID}"/></svg>')
    return "".join(parts)


def stacked_bar_svg(data: SeriesData, *, title: str, desc: str, ident: str = "chart") -> str:
    """Horizontal bars whose segments are the series (counts or sums, never negative), total at the end."""
    row, left, area = 30, 200, 330
    legend, top = _legend(data, ident, lines=False)
    totals = data.category_totals()
    high = max([0.0, *totals]) or 1.0
    height = top + row * max(1, len(data.categories)) + 10
    parts = [svg_open(height, title, desc, ident), _defs(data, ident), legend]
    for ci, category in enumerate(data.categories):
        y = top + ci * row
        parts.append(
            f'<text x="{left - 8}" y="{y + 19}" text-anchor="end" fill="{TEXT}">'
            f"{escape(short_label(category.label))}</text>"
        )
        x = float(left)
        for si, series in enumerate(data.series):
            value = data.values[ci][si]
            if not value:
                continue
            width = area * value / high
            parts.append(
                f"<g>{_bar_title(category, series, value)}"
                f'<rect x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{row - 8}" '
                f'fill="url(#{ident}-s{si})" stroke="#ffffff" stroke-width="1"/></g>'
            )
            x += width
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 19}" fill="{TEXT}">{escape(number(totals[ci]))}</text>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top - 4}" y2="{height - 6}" stroke="{GRID}"/></svg>')
    return "".join(parts)


def _spread(labels: list[tuple[float, int]], low: float, high: float, gap: float = 15) -> dict[int, float]:
    """End-of-line label positions (y, series) pushed apart so that they do not overlap."""
    placed: dict[int, float] = {}
    last = low - gap
    for y, index in sorted(labels):
        y = min(max(y, last + gap), high + gap * len(labels))
        placed[index] = y
        last = y
    return placed


def multi_line_svg(data: SeriesData, *, title: str, desc: str, ident: str = "chart") -> str:
    """One line per series over the categories in their order, each with its dash, marker and end label."""
    legend, top = _legend(data, ident, lines=True)
    plot, left, right, bottom = 280, 80, 130, 48
    height = top + plot + bottom
    ticks = axis_ticks(*value_range(data.present() or [0.0]))
    low, high = min(ticks), max(ticks)
    span = (high - low) or 1
    steps = max(1, len(data.categories) - 1)

    def at(index: int, value: float) -> tuple[float, float]:
        x = left + (WIDTH - left - right) * (index / steps if len(data.categories) > 1 else 0.5)
        return x, top + plot * (1 - (value - low) / span)

    parts = [svg_open(height, title, desc, ident), legend]
    for tick in ticks:
        _x, y = at(0, tick)
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">{escape(number(tick))}</text>'
        )
    parts += _x_labels(data, at, low, top + plot + 20)
    ends = []
    for si, series in enumerate(data.series):
        points = [(ci, row[si]) for ci, row in enumerate(data.values) if row[si] is not None]
        if not points:
            continue
        parts.append(_series_line(data, si, series, [(ci, at(ci, v), v) for ci, v in points]))
        ends.append((at(*points[-1])[1], si))
    for si, y in _spread(ends, top, top + plot).items():
        parts.append(
            f'<text x="{WIDTH - right + 8}" y="{y + 4:.1f}" fill="{TEXT}">'
            f"{escape(short_label(data.series[si].label)[:16])}</text>"
        )
    return "".join(parts) + "</svg>"


def _x_labels(data: SeriesData, at, low: float, y: float) -> list[str]:
    every, last, parts = max(1, -(-len(data.categories) // 5)), len(data.categories) - 1, []
    for index, category in enumerate(data.categories):
        if (index % every == 0 and last - index >= every / 2) or index == last:
            x, _y = at(index, low)
            anchor = "start" if index == 0 and last else ("end" if index == last and last else "middle")
            label = category.label if len(category.label) <= 16 else category.label[:15] + "…"
            parts.append(f'<text x="{x:.1f}" y="{y}" text-anchor="{anchor}" fill="{TEXT}">{escape(label)}</text>')
    return parts


def _series_line(data: SeriesData, si: int, series: Series, points: list) -> str:
    colour = series_colour(si, series)
    dash = DASHES[si % len(DASHES)]
    path = " ".join(f"{'M' if n == 0 else 'L'}{x:.1f},{y:.1f}" for n, (_ci, (x, y), _v) in enumerate(points))
    parts = [
        f'<g class="chart-series"><path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"'
        + (f' stroke-dasharray="{dash}"/>' if dash else "/>")
    ]
    if len(points) <= 60:
        for ci, (x, y), value in points:
            parts.append(
                f"<g>{_bar_title(data.categories[ci], series, value)}"
                f"{_marker(MARKERS[si % len(MARKERS)], x, y, colour)}</g>"
            )
    return "".join(parts) + "</g>"
