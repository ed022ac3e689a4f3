"""A chart or map ready for a page: its SVG, title, one-sentence summary, data table and notes."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from abiertos.core.errors import ValidationError

from .chart_series import SeriesData, series_data
from .charts import FUNCTIONS, ChartData, ChartSpec, chart_data
from .maps import Coordinates, MapData, map_points, map_svg
from .models import DatastoreTable
from .svg import bar_svg, empty_svg, line_svg, number, percent, pie_svg
from .svg_series import grouped_bar_svg, multi_line_svg, stacked_bar_svg

MAP_TABLE_ROWS = 100


@dataclass
class Figure:
    title: str
    summary: str
    svg: SafeString
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    hidden_rows: int = 0


def chart_title(spec: ChartSpec) -> str:
    by = _("%(c)s y %(s)s") % {"c": spec.category, "s": spec.series} if spec.has_series else spec.category
    if spec.function == "count":
        title = _("Cantidad de filas por %(c)s") % {"c": by}
    else:
        title = _("%(f)s de %(v)s por %(c)s") % {
            "f": str(FUNCTIONS[spec.function]).capitalize(),
            "v": spec.value,
            "c": by,
        }
    return title + (_(" (filas filtradas)") if spec.filters or spec.q else "")


def _share(value: float | None, total: float | None) -> str:
    return percent(value / total) if value is not None and total else ""


def _ranked_summary(title: str, spec: ChartSpec, data: ChartData) -> str:
    first = max((i for i in data.items if not i.is_other and i.value is not None), key=lambda i: i.value)
    text = _("%(title)s: %(n)d categorías. La de mayor valor es «%(label)s», con %(value)s") % {
        "title": title,
        "n": data.groups,
        "label": first.label,
        "value": number(first.value),
    }
    share = _share(first.value, data.total)
    text += (_(", el %(share)s del total.") % {"share": share}) if share else "."
    if any(i.is_other for i in data.items):
        text += " " + _("Se muestran las %(top)d mayores; el resto va junto en «Otros».") % {"top": spec.top}
    return text


def _line_summary(title: str, data: ChartData) -> str:
    present = [i for i in data.items if i.value is not None]
    low, high = min(present, key=lambda i: i.value), max(present, key=lambda i: i.value)
    return _(
        "%(title)s, de «%(first)s» a «%(last)s» (%(n)d puntos): el mínimo es %(low)s en «%(low_label)s» "
        "y el máximo %(high)s en «%(high_label)s»."
    ) % {
        "title": title,
        "first": data.items[0].label,
        "last": data.items[-1].label,
        "n": len(data.items),
        "low": number(low.value),
        "low_label": low.label,
        "high": number(high.value),
        "high_label": high.label,
    }


def _series_summary(title: str, spec: ChartSpec, data: SeriesData) -> str:
    """One sentence: how many series and categories, the highest value and where, and what «Otros» holds."""
    cells = [(v, ci, si) for ci, row in enumerate(data.values) for si, v in enumerate(row) if v is not None]
    value, ci, si = max(cells, key=lambda cell: cell[0])
    text = _(
        "%(title)s: %(s)d series (valores de «%(column)s») en %(n)d categorías; el valor más alto es %(value)s, "
        "de «%(series)s» en «%(category)s»"
    ) % {
        "title": title,
        "s": data.series_count,
        "column": spec.series,
        "n": data.groups,
        "value": number(value),
        "series": data.series[si].label,
        "category": data.categories[ci].label,
    }
    if any(s.is_other for s in data.series):
        text += _("; las series fuera de las %(top)d mayores van juntas en «Otros»") % {"top": spec.series_top}
    return text + "."


def series_figure(*, table: DatastoreTable, spec: ChartSpec, ident: str = "chart") -> Figure:
    """Grouped or stacked bars, or one line per series; the data table has one column per series."""
    data = series_data(table=table, spec=spec)
    title = chart_title(spec)
    headers = [spec.category, *(s.label for s in data.series)]
    rows = [[c.label, *(number(v) for v in data.values[i])] for i, c in enumerate(data.categories)]
    if not data.present():
        summary = _("Ninguna fila coincide con los filtros: no hay nada para graficar.")
        return Figure(title, summary, mark_safe(empty_svg(title=title, ident=ident)), headers, rows, data.notes)
    if spec.stacked and spec.kind == "barras" and any(v < 0 for v in data.present()):
        raise ValidationError(
            _("Las barras apiladas no pueden mostrar valores negativos: agrupalas."),
            fields={"apilar": [_("Las barras apiladas no pueden mostrar valores negativos: agrupalas.")]},
        )
    summary = _series_summary(title, spec, data)
    bars = stacked_bar_svg if spec.stacked else grouped_bar_svg
    draw = multi_line_svg if spec.kind == "lineas" else bars
    svg = draw(data, title=title, desc=summary, ident=ident)
    # The SVG is built from escaped text and numbers only (svg_series.py).
    return Figure(title, summary, mark_safe(svg), headers, rows, data.notes)  # noqa: S308


def chart_figure(*, table: DatastoreTable, spec: ChartSpec, ident: str = "chart") -> Figure:
    """A bar, line or pie chart of the table as the spec asks (ValidationError for a bad combination)."""
    if spec.has_series:
        return series_figure(table=table, spec=spec, ident=ident)
    data = chart_data(table=table, spec=spec)
    title = chart_title(spec)
    headers = [spec.category, str(FUNCTIONS[spec.function]) + (f" ({spec.value})" if spec.value else "")]
    headers += [_("Parte del total")] if data.total else []
    rows = [[i.label, number(i.value), *([_share(i.value, data.total)] if data.total else [])] for i in data.items]
    if not any(i.value is not None for i in data.items):
        summary = _("Ninguna fila coincide con los filtros: no hay nada para graficar.")
        return Figure(title, summary, mark_safe(empty_svg(title=title, ident=ident)), headers, rows, data.notes)
    if spec.kind == "lineas":
        summary = _line_summary(title, data)
        svg = line_svg(data, title=title, desc=summary, ident=ident)
    else:
        summary = _ranked_summary(title, spec, data)
        draw = pie_svg if spec.kind == "torta" else bar_svg
        svg = draw(data, title=title, desc=summary, ident=ident)
    # The SVG is built from escaped text and numbers only (svg.py).
    return Figure(title, summary, mark_safe(svg), headers, rows, data.notes)  # noqa: S308


def _map_summary(data: MapData, coordinates: Coordinates, boundary_name: str) -> str:
    if not data.points:
        return _("Ninguna fila con coordenadas coincide con los filtros.")
    lats = [p.latitude for p in data.points]
    lons = [p.longitude for p in data.points]
    where = (
        _(" sobre el límite de %(m)s") % {"m": boundary_name} if boundary_name else _(" (sin el límite del municipio)")
    )
    source = coordinates.geometry or f"{coordinates.latitude}/{coordinates.longitude}"
    return _(
        "Mapa de %(n)d puntos tomados de %(source)s%(where)s: latitudes entre %(lat0)s y %(lat1)s, "
        "longitudes entre %(lon0)s y %(lon1)s."
    ) % {
        "n": len(data.points),
        "source": source,
        "where": where,
        "lat0": f"{min(lats):.4f}",
        "lat1": f"{max(lats):.4f}",
        "lon0": f"{min(lons):.4f}",
        "lon1": f"{max(lons):.4f}",
    }


def map_figure(
    *,
    table: DatastoreTable,
    spec: ChartSpec,
    coordinates: Coordinates | None,
    boundary: dict | None,
    boundary_name: str,
    ident: str = "chart",
) -> Figure:
    """The point map of the rows that match the spec's filters, with the table of points as its text alternative."""
    if coordinates is None:
        message = _(
            "Esta tabla no tiene columnas de latitud y longitud en grados ni una geometría GeoJSON: "
            "no se puede hacer un mapa."
        )
        raise ValidationError(message, fields={"tipo": [message]})
    data = map_points(table=table, coordinates=coordinates, query=spec.table_query())
    title = _("Mapa de las filas") + (_(" (filas filtradas)") if spec.filters or spec.q else "")
    summary = _map_summary(data, coordinates, boundary_name if boundary else "")
    svg = map_svg(data, boundary=boundary, title=title, desc=summary, ident=ident)
    headers = ["_id", coordinates.label or _("Etiqueta"), _("Latitud"), _("Longitud")]
    rows = [[str(p.row_id), p.label, f"{p.latitude:.5f}", f"{p.longitude:.5f}"] for p in data.points[:MAP_TABLE_ROWS]]
    hidden = max(0, len(data.points) - MAP_TABLE_ROWS)
    # The SVG is built from escaped text and numbers only (maps.py).
    return Figure(title, summary, mark_safe(svg), headers, rows, data.notes, hidden)  # noqa: S308
