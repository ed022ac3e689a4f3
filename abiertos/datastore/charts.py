"""Quick charts of a table: what a person picked (kind, columns, aggregate, filters) and the numbers to draw.

A chart's settings travel in the query string (``tipo``, ``categoria``, ``valor``, ``funcion``,
``top``, the optional series ``serie``, ``top_serie`` and ``apilar``, and the explorer's ``q`` and
``filter.<columna>``), so a chart is a URL that can be shared or embedded. The numbers come from
the same aggregate query as the API, in the same sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abiertos.core.errors import ValidationError

from .models import DatastoreTable
from .query import NUMERIC, Metric, TableQuery, table_aggregate
from .request_query import FILTER_PREFIX
from .values import text_value

KINDS = {
    "barras": gettext_lazy("Barras"),
    "lineas": gettext_lazy("Líneas"),
    "torta": gettext_lazy("Torta"),
    "mapa": gettext_lazy("Mapa de puntos"),
}
FUNCTIONS = {
    "count": gettext_lazy("cantidad de filas"),
    "sum": gettext_lazy("suma"),
    "avg": gettext_lazy("promedio"),
    "min": gettext_lazy("mínimo"),
    "max": gettext_lazy("máximo"),
}
CATEGORY_TYPES = ("string", "integer", "boolean", "date", "datetime", "time")
TOP_CHOICES = (5, 10, 15, 20, 30)
DEFAULT_TOP = 10
# Series: a bar per value side by side (or stacked), or a line per value; the rest go in «Otros».
SERIES_TOP_CHOICES = (3, 5, 8)
DEFAULT_SERIES_TOP = 5
SERIES_KINDS = ("barras", "lineas")
MAX_LINE_POINTS = 400
CHART_KEYS = ("tipo", "categoria", "valor", "funcion", "top", "serie", "top_serie", "apilar")


@dataclass
class ChartSpec:
    kind: str = "barras"
    category: str = ""
    value: str = ""  # empty: count rows
    function: str = "count"
    top: int = DEFAULT_TOP
    filters: dict[str, list[str]] = field(default_factory=dict)
    q: str = ""
    series: str = ""  # empty: one series
    series_top: int = DEFAULT_SERIES_TOP
    stacked: bool = False

    @property
    def has_series(self) -> bool:
        return bool(self.series) and self.kind in SERIES_KINDS

    def params(self) -> dict[str, str]:
        """The query-string parameters that reproduce this chart."""
        params = {"tipo": self.kind}
        if self.kind != "mapa":
            params |= {"categoria": self.category, "valor": self.value, "funcion": self.function}
            params |= {"top": str(self.top)} if self.kind != "lineas" else {}
        if self.has_series:
            params |= {"serie": self.series, "top_serie": str(self.series_top)}
            params |= {"apilar": "1"} if self.stacked and self.kind == "barras" else {}
        params |= {"q": self.q} if self.q else {}
        params |= {f"{FILTER_PREFIX}{k}": v[0] for k, v in self.filters.items()}
        return {k: v for k, v in params.items() if v != ""}

    def query_string(self) -> str:
        return urlencode(self.params())

    def table_query(self, *, limit: int = 100) -> TableQuery:
        return TableQuery(filters=self.filters, q=self.q, limit=limit)


@dataclass
class ChartItem:
    label: str
    value: float | None
    is_other: bool = False


@dataclass
class ChartData:
    items: list[ChartItem]
    total: float | None
    groups: int
    truncated: bool = False
    notes: list[str] = field(default_factory=list)


def category_columns(table: DatastoreTable) -> list[str]:
    return [c["name"] for c in table.columns if c["type"] in CATEGORY_TYPES]


def value_columns(table: DatastoreTable) -> list[str]:
    return [c["name"] for c in table.columns if c["type"] in NUMERIC]


def _error(key: str, message: str) -> ValidationError:
    return ValidationError(message, fields={key: [message]})


def _filters(table: DatastoreTable, data: QueryDict) -> dict[str, list[str]]:
    names = {c["name"] for c in table.columns}
    filters = {}
    for key in data:
        column = key[len(FILTER_PREFIX) :]
        value = data.get(key, "")
        if key.startswith(FILTER_PREFIX) and column in names and value != "":
            filters[column] = [value]
    return filters


def _top(text: str) -> int:
    if not text:
        return DEFAULT_TOP
    if not text.isdigit() or int(text) not in TOP_CHOICES:
        raise _error("top", _("La cantidad de categorías tiene que ser una de: %(all)s.") % {"all": TOP_CHOICES})
    return int(text)


def _series_top(text: str) -> int:
    if not text:
        return DEFAULT_SERIES_TOP
    if not text.isdigit() or int(text) not in SERIES_TOP_CHOICES:
        raise _error(
            "top_serie", _("La cantidad de series tiene que ser una de: %(all)s.") % {"all": SERIES_TOP_CHOICES}
        )
    return int(text)


def _series_check(spec: ChartSpec, categories: list[str]) -> None:
    if not spec.series:
        return
    if spec.kind == "torta":
        raise _error("serie", _("Una torta muestra una sola serie: quitá la serie o usá barras o líneas."))
    if spec.series not in categories:
        raise _error("serie", _("Elegí una columna de la tabla para las series."))
    if spec.series == spec.category:
        raise _error("serie", _("La serie tiene que ser otra columna que la de las categorías."))
    if spec.stacked and spec.kind == "barras" and spec.function not in ("count", "sum"):
        raise _error(
            "apilar",
            _("Las barras apiladas suman partes de un total: usá la cantidad de filas o la suma, o agrupalas."),
        )


def chart_spec_from(table: DatastoreTable, data: QueryDict) -> ChartSpec:
    """The chart the query string asks for, checked against the table; ValidationError says which field is wrong."""
    spec = ChartSpec(
        kind=data.get("tipo", "barras") or "barras",
        category=data.get("categoria", ""),
        value=data.get("valor", ""),
        function=data.get("funcion", "") or ("sum" if data.get("valor") else "count"),
        top=_top(data.get("top", "")),
        filters=_filters(table, data),
        q=data.get("q", "").strip()[:200],
        series=data.get("serie", ""),
        series_top=_series_top(data.get("top_serie", "")),
        stacked=data.get("apilar", "") in ("1", "true", "on"),
    )
    if spec.kind not in KINDS:
        raise _error("tipo", _("Elegí un tipo de gráfico: barras, líneas, torta o mapa."))
    if spec.kind == "mapa":
        return spec
    categories = category_columns(table)
    if not spec.category:
        spec.category = categories[0] if categories else ""
    if spec.category not in categories:
        raise _error("categoria", _("Elegí una columna de la tabla para las categorías."))
    if spec.function not in FUNCTIONS:
        raise _error("funcion", _("Elegí cómo resumir los valores: cantidad, suma, promedio, mínimo o máximo."))
    if spec.function == "count":
        spec.value = ""
    elif spec.value not in value_columns(table):
        raise _error("valor", _("Para sumar, promediar o buscar extremos elegí una columna numérica."))
    if spec.kind == "torta" and spec.function not in ("count", "sum"):
        raise _error("funcion", _("Una torta muestra partes de un total: usá la cantidad de filas o la suma."))
    _series_check(spec, categories)
    return spec


def category_label(value) -> str:
    return _("(sin dato)") if value is None else text_value(value)


def other_value(function: str, rest: list[tuple[float | None, int]]) -> float | None:
    """The «Otros» value from the groups left out: their sum, weighted average, minimum or maximum."""
    present = [(v, n) for v, n in rest if v is not None]
    if not present:
        return None
    if function in ("count", "sum"):
        return sum(v for v, _n in present)
    if function == "avg":
        return sum(v * n for v, n in present) / sum(n for _v, n in present)
    return min(v for v, _n in present) if function == "min" else max(v for v, _n in present)


def _ranked(spec: ChartSpec, groups: list[tuple]) -> tuple[list[ChartItem], bool]:
    ordered = sorted(groups, key=lambda g: (g[1] is None, -(g[1] or 0)))
    items = [ChartItem(category_label(key), value) for key, value, _n in ordered[: spec.top]]
    rest = ordered[spec.top :]
    if rest:
        items.append(
            ChartItem(
                _("Otros (%(n)d categorías)") % {"n": len(rest)},
                other_value(spec.function, [(v, n) for _k, v, n in rest]),
                True,
            )
        )
    return items, bool(rest)


def chart_data(*, table: DatastoreTable, spec: ChartSpec) -> ChartData:
    """The categories and values of a bar, line or pie chart (top N and «Otros» for bars and pies)."""
    metrics = [Metric(spec.function, spec.value or "*"), Metric("count")]
    if spec.function == "count":
        metrics = [Metric("count")]
    result = table_aggregate(table=table, group_by=[spec.category], metrics=metrics, query=spec.table_query())
    groups = [(row[0], None if row[1] is None else float(row[1]), row[-1]) for row in result.records]
    notes = []
    if result.truncated:
        notes.append(_("La tabla tiene más de %(n)d categorías: se usaron las primeras.") % {"n": len(groups)})
    if spec.kind == "lineas":
        items = [ChartItem(category_label(key), value) for key, value, _n in groups[:MAX_LINE_POINTS]]
        if len(groups) > MAX_LINE_POINTS:
            notes.append(_("Se muestran los primeros %(n)d puntos.") % {"n": MAX_LINE_POINTS})
    else:
        items, _cut = _ranked(spec, groups)
    if spec.kind == "torta" and any(i.value is not None and i.value < 0 for i in items):
        raise _error("valor", _("Una torta no puede mostrar valores negativos: usá barras."))
    total = sum(v for _k, v, _n in groups if v is not None) if spec.function in ("count", "sum") else None
    return ChartData(items=items, total=total, groups=len(groups), truncated=result.truncated, notes=notes)
