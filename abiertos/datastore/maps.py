"""Point maps of tables with coordinates: which columns hold them, the points, and the SVG.

No tiles and no outside request: the points are drawn in an equirectangular projection (fine at
the scale of a municipality), over the municipality's boundary when it was imported, otherwise
inside a plain frame.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.translation import gettext as _

from .models import DatastoreTable
from .query import NUMERIC, Metric, TableQuery, table_aggregate, table_search
from .sandbox import ROW_ID
from .svg import FONT, GRID, TEXT, WIDTH, number

MAX_POINTS = 2000
LAT_NAMES = {"lat", "latitud", "latitude", "y", "coordy", "coordenaday", "posy"}
LON_NAMES = {"lon", "lng", "long", "longitud", "longitude", "x", "coordx", "coordenadax", "posx"}
POINT_COLOUR = "#b3401d"


@dataclass
class Coordinates:
    latitude: str = ""
    longitude: str = ""
    geometry: str = ""
    label: str = ""


@dataclass
class MapPoint:
    row_id: int
    latitude: float
    longitude: float
    label: str = ""


@dataclass
class MapData:
    points: list[MapPoint]
    matching: int
    skipped: int = 0
    notes: list[str] = field(default_factory=list)


def _normal(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.lower())
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def _named(table: DatastoreTable, names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    found = []
    for column in table.columns:
        key = _normal(column["name"])
        if column["type"] in NUMERIC and (key in names or key.startswith(prefixes)):
            found.append(column["name"])
    return found


def _in_range(table: DatastoreTable, latitude: str, longitude: str) -> bool:
    """Both columns hold degrees: latitudes within ±90, longitudes within ±180, not all zero."""
    metrics = [Metric("min", latitude), Metric("max", latitude), Metric("min", longitude), Metric("max", longitude)]
    row = table_aggregate(table=table, group_by=[], metrics=metrics).records[0]
    if any(v is None for v in row):
        return False
    low_lat, high_lat, low_lon, high_lon = (float(v) for v in row)
    degrees = -90 <= low_lat <= high_lat <= 90 and -180 <= low_lon <= high_lon <= 180
    return degrees and not (low_lat == high_lat == 0 and low_lon == high_lon == 0)


def _label_column(table: DatastoreTable, skip: set[str]) -> str:
    return next((c["name"] for c in table.columns if c["type"] == "string" and c["name"] not in skip), "")


def coordinates_find(table: DatastoreTable) -> Coordinates | None:
    """The table's coordinate columns (by name, then by value range) or its GeoJSON geometry; None if it has neither."""
    geometry = next((c["name"] for c in table.columns if c["type"] == "geometry"), "")
    if geometry:
        return Coordinates(geometry=geometry, label=_label_column(table, {geometry}))
    latitudes = _named(table, LAT_NAMES, ("lat",))
    longitudes = _named(table, LON_NAMES, ("lon", "lng"))
    for latitude in latitudes:
        for longitude in longitudes:
            if latitude != longitude and _in_range(table, latitude, longitude):
                return Coordinates(latitude, longitude, label=_label_column(table, {latitude, longitude}))
    return None


def _geometry_point(text: str) -> tuple[float, float] | None:
    """(longitude, latitude) of a GeoJSON geometry: the point itself, or the middle of its bounding box."""
    try:
        geometry = json.loads(text)
    except (TypeError, ValueError):
        return None
    flat: list[list[float]] = []

    def walk(node) -> None:
        if isinstance(node, list) and len(node) >= 2 and all(isinstance(v, int | float) for v in node[:2]):
            flat.append(node)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(geometry.get("coordinates") if isinstance(geometry, dict) else None)
    if not flat:
        return None
    lons, lats = [p[0] for p in flat], [p[1] for p in flat]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def map_points(*, table: DatastoreTable, coordinates: Coordinates, query: TableQuery) -> MapData:
    """Up to MAX_POINTS points of the rows that match the query; rows without valid coordinates are counted apart."""
    fields = [coordinates.geometry] if coordinates.geometry else [coordinates.latitude, coordinates.longitude]
    fields += [coordinates.label] if coordinates.label else []
    query = TableQuery(filters=query.filters, q=query.q, fields=fields, limit=MAX_POINTS)
    result = table_search(table=table, query=query)
    points, skipped = [], 0
    for row in result.records:
        values = dict(zip([ROW_ID, *fields], row, strict=True))
        if coordinates.geometry:
            found = _geometry_point(values[coordinates.geometry])
            lon, lat = found if found else (None, None)
        else:
            lat, lon = values[coordinates.latitude], values[coordinates.longitude]
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            skipped += 1
            continue
        label = "" if not coordinates.label or values[coordinates.label] is None else str(values[coordinates.label])
        points.append(MapPoint(values[ROW_ID], float(lat), float(lon), label))
    data = MapData(points=points, matching=result.total or 0, skipped=skipped)
    if data.matching > MAX_POINTS:
        data.notes.append(
            _("Se dibujan las primeras %(n)d filas de %(total)d.") % {"n": MAX_POINTS, "total": data.matching}
        )
    if skipped:
        data.notes.append(_("%(n)d filas no tienen coordenadas válidas y no se dibujan.") % {"n": skipped})
    return data


def boundary_rings(boundary: dict | None) -> list[list[tuple[float, float]]]:
    """The outer and inner rings of a GeoJSON Polygon/MultiPolygon (bare, Feature or FeatureCollection)."""
    if not isinstance(boundary, dict):
        return []
    kind = boundary.get("type")
    if kind == "FeatureCollection":
        return [ring for f in boundary.get("features") or [] for ring in boundary_rings(f)]
    if kind == "Feature":
        return boundary_rings(boundary.get("geometry"))
    polygons = {"Polygon": [boundary.get("coordinates")], "MultiPolygon": boundary.get("coordinates")}.get(kind) or []
    rings = []
    for polygon in polygons:
        for ring in polygon or []:
            points = [(float(p[0]), float(p[1])) for p in ring if isinstance(p, list | tuple) and len(p) >= 2]
            if len(points) >= 3:
                rings.append(points)
    return rings


class _Projection:
    """Longitude/latitude to SVG pixels, keeping the shape (longitudes shrink with the cosine of the latitude)."""

    def __init__(self, lonlats: list[tuple[float, float]], width: float, height: float, pad: float = 24):
        lons, lats = [p[0] for p in lonlats], [p[1] for p in lonlats]
        self.west, self.north = min(lons), max(lats)
        self.cos = math.cos(math.radians((min(lats) + max(lats)) / 2))
        span_x = max((max(lons) - self.west) * self.cos, 1e-6)
        span_y = max(self.north - min(lats), 1e-6)
        self.scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
        self.x0 = pad + ((width - 2 * pad) - span_x * self.scale) / 2
        self.y0 = pad + ((height - 2 * pad) - span_y * self.scale) / 2

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return self.x0 + (lon - self.west) * self.cos * self.scale, self.y0 + (self.north - lat) * self.scale


def map_svg(data: MapData, *, boundary: dict | None, title: str, desc: str, ident: str = "chart") -> str:
    """The points (each with its label as a tooltip) over the boundary, or inside a frame when there is none."""
    height = 480
    rings = boundary_rings(boundary)
    lonlats = [(p.longitude, p.latitude) for p in data.points] + [pt for ring in rings for pt in ring]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" class="chart-svg" {FONT}>'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
    ]
    if not lonlats:
        message = _("Ninguna fila con coordenadas coincide con los filtros.")
        return "".join(parts) + f'<text x="16" y="36" fill="{TEXT}">{escape(message)}</text></svg>'
    project = _Projection(lonlats, WIDTH, height)
    if rings:
        path = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (project(*pt) for pt in ring)) + " Z" for ring in rings
        )
        parts.append(f'<path d="{path}" fill="#eef2f5" stroke="{GRID}" stroke-width="1.5" fill-rule="evenodd"/>')
    else:
        parts.append(f'<rect x="4" y="4" width="{WIDTH - 8}" height="{height - 8}" fill="none" stroke="{GRID}"/>')
    for point in data.points:
        x, y = project(point.longitude, point.latitude)
        tip = f"{point.label} " if point.label else ""
        tip += f"({number(point.latitude)}, {number(point.longitude)})"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{POINT_COLOUR}" stroke="#ffffff" stroke-width="1">'
            f"<title>{escape(tip)}</title></circle>"
        )
    return "".join(parts) + "</svg>"
