"""Charts drawn on the server as accessible SVG: no script, no library, a few kilobytes.

Every chart is ``<svg role="img">`` labelled by its ``<title>`` and ``<desc>`` (the one-sentence
summary); the page next to it carries the data table. Colours reach at least 3:1 against the white
background (WCAG 1.4.11) and text is near-black (well over 4.5:1).
"""

from __future__ import annotations

import math

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from .charts import ChartData, ChartItem

WIDTH = 640
PALETTE = (
    "#1f5f8b",
    "#b3401d",
    "#2e7d32",
    "#6a3d9a",
    "#8a6100",
    "#c2185b",
    "#00695c",
    "#5d4037",
    "#455a64",
    "#3949ab",
)
OTHER_COLOUR = "#616161"
TEXT = "#1a1a1a"
GRID = "#767676"
LABEL_CHARS = 26
FONT = 'font-family="system-ui, sans-serif" font-size="13"'


def number(value: float | None) -> str:
    """A value as people read it in the active language (1.234,5 in Spanish)."""
    if value is None:
        return "—"
    decimals = 0 if float(value).is_integer() else 2
    return number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)


def percent(share: float) -> str:
    """A share of 1 as a percentage with at most one decimal (15,4 %)."""
    value = round(share * 100, 1)
    decimals = 0 if value.is_integer() else 1
    return number_format(value, decimal_pos=decimals, use_l10n=True) + " %"


def short_label(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def colour(index: int, item: ChartItem) -> str:
    return OTHER_COLOUR if item.is_other else PALETTE[index % len(PALETTE)]


def svg_open(height: float, title: str, desc: str, ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" '
        f'height="{height:.0f}" role="img" aria-labelledby="{ident}-title {ident}-desc" class="chart-svg" {FONT}>'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>'
    )


def value_range(values: list[float]) -> tuple[float, float]:
    low, high = min([0.0, *values]), max([0.0, *values])
    return low, (high if high > low else low + 1)


def bar_svg(data: ChartData, *, title: str, desc: str, ident: str = "chart") -> str:
    """Horizontal bars: long category names stay readable on the left, values are written after each bar."""
    row, left, area = 30, 200, 330
    height = 20 + row * max(1, len(data.items))
    low, high = value_range([i.value for i in data.items if i.value is not None])
    zero = left + area * (-low) / (high - low)
    parts = [svg_open(height, title, desc, ident)]
    for index, item in enumerate(data.items):
        y = 10 + index * row
        value = item.value or 0
        x0, x1 = sorted((zero, left + area * (value - low) / (high - low)))
        parts.append(
            f"<g><title>{escape(item.label)}: {escape(number(item.value))}</title>"
            f'<text x="{left - 8}" y="{y + 19}" text-anchor="end" fill="{TEXT}">'
            f"{escape(short_label(item.label))}</text>"
            f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 1):.1f}" height="{row - 8}" '
            f'fill="{colour(index, item)}"/>'
            f'<text x="{x1 + 6:.1f}" y="{y + 19}" fill="{TEXT}">{escape(number(item.value))}</text></g>'
        )
    parts.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="8" y2="{height - 8}" stroke="{GRID}"/></svg>')
    return "".join(parts)


def axis_ticks(low: float, high: float, count: int = 5) -> list[float]:
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    return [start + i * step for i in range(count + 2) if start + i * step <= high + step / 2]


def line_svg(data: ChartData, *, title: str, desc: str, ident: str = "chart") -> str:
    """A line over the categories in their order (dates, years, numbers), with a labelled value axis."""
    height, left, right, top, bottom = 320, 80, 20, 16, 48
    points = [(i, item) for i, item in enumerate(data.items) if item.value is not None]
    values = [item.value for _i, item in points] or [0.0]
    ticks = axis_ticks(*value_range(values))
    low, high = min(ticks), max(ticks)
    span = (high - low) or 1
    steps = max(1, len(data.items) - 1)

    def at(index: int, value: float) -> tuple[float, float]:
        x = left + (WIDTH - left - right) * (index / steps if len(data.items) > 1 else 0.5)
        return x, top + (height - top - bottom) * (1 - (value - low) / span)

    parts = [svg_open(height, title, desc, ident)]
    for tick in ticks:
        _x, y = at(0, tick)
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">{escape(number(tick))}</text>'
        )
    every = max(1, math.ceil(len(data.items) / 5))
    last = len(data.items) - 1
    for index, item in enumerate(data.items):
        if (index % every == 0 and last - index >= every / 2) or index == last:
            x, _y = at(index, low)
            anchor = "start" if index == 0 and last else ("end" if index == last and last else "middle")
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 20}" text-anchor="{anchor}" fill="{TEXT}">'
                f"{escape(item.label if len(item.label) <= 16 else item.label[:15] + '…')}</text>"
            )
    path = " ".join(
        f"{'M' if n == 0 else 'L'}{x:.1f},{y:.1f}" for n, (x, y) in enumerate(at(i, it.value) for i, it in points)
    )
    parts.append(f'<path d="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2.5"/>')
    if len(points) <= 60:
        for index, item in points:
            x, y = at(index, item.value)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{PALETTE[0]}">'
                f"<title>{escape(item.label)}: {escape(number(item.value))}</title></circle>"
            )
    return "".join(parts) + "</svg>"


def _slice(cx: float, cy: float, r: float, start: float, end: float) -> str:
    x0, y0 = cx + r * math.sin(start), cy - r * math.cos(start)
    x1, y1 = cx + r * math.sin(end), cy - r * math.cos(end)
    large = 1 if end - start > math.pi else 0
    return f"M{cx},{cy} L{x0:.2f},{y0:.2f} A{r},{r} 0 {large} 1 {x1:.2f},{y1:.2f} Z"


def pie_svg(data: ChartData, *, title: str, desc: str, ident: str = "chart") -> str:
    """Slices clockwise from the top, largest first, with a legend that writes each label, value and share."""
    items = [i for i in data.items if i.value]
    total = sum(i.value for i in items) or 1
    height = max(300, 24 + 26 * len(items))
    cx, cy, r = 150, height / 2, 130
    parts = [svg_open(height, title, desc, ident)]
    angle = 0.0
    for index, item in enumerate(items):
        share = item.value / total
        label = f"{item.label}: {number(item.value)} ({percent(share)})"
        shape = (
            f'<circle cx="{cx}" cy="{cy}" r="{r}"'
            if share >= 0.9999
            else f'<path d="{_slice(cx, cy, r, angle, angle + share * 2 * math.pi)}"'
        )
        parts.append(
            f'{shape} fill="{colour(index, item)}" stroke="#ffffff" stroke-width="2"><title>{escape(label)}</title>'
            f"{'</circle>' if share >= 0.9999 else '</path>'}"
        )
        y = 20 + index * 26
        parts.append(
            f'<rect x="310" y="{y}" width="16" height="16" fill="{colour(index, item)}"/>'
            f'<text x="334" y="{y + 13}" fill="{TEXT}">{escape(short_label(item.label))} — '
            f"{escape(number(item.value))} ({escape(percent(share))})</text>"
        )
        angle += share * 2 * math.pi
    return "".join(parts) + "</svg>"


def empty_svg(*, title: str, ident: str = "chart") -> str:
    message = _("Ninguna fila coincide con los filtros: no hay nada para graficar.")
    return svg_open(60, title, message, ident) + f'<text x="16" y="36" fill="{TEXT}">{escape(message)}</text></svg>'
