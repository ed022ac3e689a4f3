"""A choropleth of the municipalities, drawn on the server as SVG: no tiles, no outside request.

With imported boundaries each municipality is its polygon; without them, a dot at its centroid.
The Gran Buenos Aires partidos are tiny at province scale, so they are drawn again, enlarged, in
an inset beside the map (its area outlined on the main map). Shapes only carry a tooltip: the
text alternative, with links, is the ranking table next to the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .groups import GBA_CODES

MAIN_WIDTH = 560
INSET_WIDTH = 240
GAP = 24
DOT_RADIUS = 6
INSET_DOT_RADIUS = 8
# Five equal bands of score, light to dark (ColorBrewer PuBu), and a pattern-free grey for "no data".
SCALE = (
    (0, 20, "#f1eef6"),
    (20, 40, "#bdc9e1"),
    (40, 60, "#74a9cf"),
    (60, 80, "#2b8cbe"),
    (80, 100.01, "#045a8d"),
)
NO_DATA = "#9a9a9a"
# A municipality the filters leave out: white, so it reads as "not part of this view", not as 0.
OUTSIDE = "#ffffff"
_cache: dict = {}


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    name: str
    rings: tuple  # tuple of rings, each a tuple of (lon, lat); empty when there is no boundary
    centroid: tuple[float, float] | None


def colour(score: float | None) -> str:
    if score is None:
        return NO_DATA
    return next(c for low, high, c in SCALE if low <= score < high)


def legend(*, outside: bool = False) -> list[dict]:
    rows = [
        {"colour": c, "label": _("%(low)d a %(high)d puntos") % {"low": low, "high": min(high, 100)}}
        for low, high, c in SCALE
    ]
    rows.append({"colour": NO_DATA, "label": _("sin datos")})
    if outside:
        rows.append({"colour": OUTSIDE, "label": _("fuera del filtro elegido")})
    return rows


def _rings(geometry: dict | None) -> tuple:
    if not geometry:
        return ()
    if geometry.get("type") == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return ()
    return tuple(tuple((p[0], p[1]) for p in ring) for polygon in polygons for ring in polygon[:1])


def places_from(municipalities) -> list[Place]:
    places = []
    for m in municipalities:
        centroid = (m.centroid_lon, m.centroid_lat) if m.centroid_lat is not None else None
        places.append(Place(m.pk, m.code, m.name, _rings(m.boundary), centroid))
    return places


class _Projection:
    """Equirectangular, scaled by the cosine of the mean latitude, fitted to a width."""

    def __init__(self, points: list[tuple[float, float]], width: float, x0: float = 0, y0: float = 0):
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        self.min_lon, self.max_lat = min(lons), max(lats)
        self.k = math.cos(math.radians((min(lats) + max(lats)) / 2))
        span = max((max(lons) - self.min_lon) * self.k, 1e-6)
        self.scale = width / span
        self.height = (self.max_lat - min(lats)) * self.scale
        self.x0, self.y0 = x0, y0

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            round(self.x0 + (lon - self.min_lon) * self.k * self.scale, 1),
            round(self.y0 + (self.max_lat - lat) * self.scale, 1),
        )


def _points(place: Place) -> list[tuple[float, float]]:
    if place.rings:
        return [p for ring in place.rings for p in ring]
    return [place.centroid] if place.centroid else []


def _path(place: Place, project: _Projection) -> str:
    parts = []
    for ring in place.rings:
        coords, last = [], None
        for lon, lat in ring:
            xy = project(lon, lat)
            if xy != last:
                coords.append(f"{xy[0]:g} {xy[1]:g}")
                last = xy
        if len(coords) >= 3:
            parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


def _shape(place: Place, project: _Projection, radius: float) -> tuple[str, ...]:
    """('path', d) or ('circle', cx, cy, r), projected."""
    if place.rings:
        return ("path", _path(place, project))
    x, y = project(*place.centroid)
    return ("circle", f"{x:g}", f"{y:g}", f"{radius:g}")


def map_layout(municipalities) -> dict:
    """The projected shapes of a queryset of municipalities, cached until one of them changes."""
    key = tuple(municipalities.values_list("id", "updated_at"))
    if key not in _cache:
        places = places_from(municipalities.only("id", "code", "name", "centroid_lat", "centroid_lon", "boundary"))
        if len(_cache) > 32:
            _cache.clear()
        _cache[key] = {**_layout(places), "names": {p.id: p.name for p in places}}
    return _cache[key]


def _layout(places: list[Place]) -> dict:
    drawable = [p for p in places if _points(p)]
    if not drawable:
        return {"width": MAIN_WIDTH, "height": 10, "main": {}, "inset": {}, "frame": None}
    main = _Projection([pt for p in drawable for pt in _points(p)], MAIN_WIDTH)
    layout = {"width": MAIN_WIDTH, "height": main.height, "main": {}, "inset": {}, "frame": None}
    layout["main"] = {p.id: _shape(p, main, DOT_RADIUS) for p in drawable}
    gba = [p for p in drawable if p.code in GBA_CODES]
    if len(gba) >= 3:
        inset = _Projection([pt for p in gba for pt in _points(p)], INSET_WIDTH - 2 * GAP, MAIN_WIDTH + 2 * GAP, GAP)
        layout["inset"] = {p.id: _shape(p, inset, INSET_DOT_RADIUS) for p in gba}
        lons, lats = [pt[0] for p in gba for pt in _points(p)], [pt[1] for p in gba for pt in _points(p)]
        (x1, y1), (x2, y2) = main(min(lons), max(lats)), main(max(lons), min(lats))
        layout["frame"] = (x1 - 2, y1 - 2, x2 - x1 + 4, y2 - y1 + 4, inset.height)
        layout["width"] = MAIN_WIDTH + INSET_WIDTH + GAP
        layout["height"] = max(main.height, inset.height + 2 * GAP)
    return layout


def _element(shape: tuple, fill: str, tooltip: str) -> str:
    title = f"<title>{escape(tooltip)}</title>"
    if shape[0] == "path":
        return f'<path d="{shape[1]}" fill="{fill}">{title}</path>'
    return f'<circle cx="{shape[1]}" cy="{shape[2]}" r="{shape[3]}" fill="{fill}">{title}</circle>'


def map_svg(
    layout: dict, scores: dict[int, float | None], *, title: str, description: str, shown: set[int] | None = None
) -> str:
    """The whole <svg> element (already escaped), coloured by each place's score; places not in
    ``shown`` (left out by a filter) are drawn white."""
    names = layout["names"]

    def fill(place_id):
        return OUTSIDE if shown is not None and place_id not in shown else colour(scores.get(place_id))

    def tooltip(place_id):
        if shown is not None and place_id not in shown:
            return f"{names[place_id]}: {_('fuera del filtro elegido')}"
        score = scores.get(place_id)
        return f"{names[place_id]}: {number_format(score, 1) if score is not None else _('sin datos')}"

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-8 -8 {layout["width"] + 16:g} {layout["height"] + 16:.0f}"'
        ' role="img" aria-labelledby="map-title map-desc" class="index-map">',
        f'<title id="map-title">{escape(title)}</title><desc id="map-desc">{escape(description)}</desc>',
        '<g class="areas" stroke="#333" stroke-width="0.6">',
    ]
    out += [_element(shape, fill(pid), tooltip(pid)) for pid, shape in layout["main"].items()]
    out.append("</g>")
    if layout["inset"]:
        x, y, w, h, inset_height = layout["frame"]
        out.append(
            f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" fill="none" stroke="#000" stroke-width="1.5"/>'
        )
        out.append(
            f'<rect x="{MAIN_WIDTH + GAP:g}" y="0" width="{INSET_WIDTH:g}" height="{inset_height + 2 * GAP:.0f}"'
            ' fill="#fff" stroke="#000" stroke-width="1.5"/>'
        )
        label = escape(_("Gran Buenos Aires"))
        out.append(f'<text x="{MAIN_WIDTH + GAP + 8:g}" y="16" font-size="13" fill="#000">{label}</text>')
        out.append('<g class="areas" stroke="#333" stroke-width="0.8">')
        out += [_element(shape, fill(pid), tooltip(pid)) for pid, shape in layout["inset"].items()]
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
