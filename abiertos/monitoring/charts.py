"""Small server-rendered SVG charts (trend lines); each page also shows the numbers as a table."""

from __future__ import annotations

from html import escape

from django.utils.formats import date_format, number_format

WIDTH, HEIGHT, PAD = 560, 160, 28


def trend_svg(points: list[dict], *, title: str) -> str:
    """A line of scores (0–100) over days; a single point is drawn as a dot."""
    if not points:
        return ""
    n = len(points)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)

    def xy(i, score):
        return round(PAD + i * step, 1), round(HEIGHT - PAD - score / 100 * (HEIGHT - 2 * PAD), 1)

    coords = [xy(i, p["score"]) for i, p in enumerate(points)]
    grid = "".join(
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{xy(0, v)[1]}" y2="{xy(0, v)[1]}" stroke="#c8c8c8"/>'
        f'<text x="2" y="{xy(0, v)[1] + 4}" font-size="11" fill="#333">{v}</text>'
        for v in (0, 50, 100)
    )
    line = " ".join(f"{x},{y}" for x, y in coords)
    last_x, last_y = coords[-1]
    labels = (
        f'<text x="{PAD}" y="{HEIGHT - 6}" font-size="11" fill="#333">{escape(date_format(points[0]["day"]))}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" font-size="11" fill="#333" text-anchor="end">'
        f"{escape(date_format(points[-1]['day']))}</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="trend" role="img"'
        f' aria-label="{escape(title)}">{grid}'
        f'<polyline points="{line}" fill="none" stroke="#045a8d" stroke-width="2.5"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="4" fill="#045a8d"/>'
        f'<text x="{min(last_x + 6, WIDTH - 30)}" y="{last_y - 6}" font-size="12" fill="#000">'
        f"{escape(number_format(points[-1]['score'], 1))}</text>{labels}</svg>"
    )
