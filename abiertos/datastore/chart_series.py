"""The numbers of a chart with series: one value per category and series value (bars side by side or
stacked, or one line per series), with the smaller series and categories grouped in «Otros».

Series are ranked by their value over the whole table (the same sum, weighted average, minimum or
maximum as «Otros» uses); bar categories are ranked the same way, line categories keep their order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .charts import MAX_LINE_POINTS, ChartSpec, category_label, other_value
from .models import DatastoreTable
from .query import Metric, table_aggregate

OTHER = object()  # the key of the «Otros» series or category


@dataclass
class Series:
    label: str
    is_other: bool = False


@dataclass
class SeriesData:
    categories: list[Series]
    series: list[Series]
    # values[category][series]; None where no row has both.
    values: list[list[float | None]]
    groups: int
    series_count: int
    truncated: bool = False
    notes: list[str] = field(default_factory=list)

    def category_totals(self) -> list[float]:
        return [sum(v for v in row if v is not None) for row in self.values]

    def present(self) -> list[float]:
        return [v for row in self.values for v in row if v is not None]


def _ranked(function: str, pairs: dict) -> list:
    """Keys ordered by their combined value, largest first (keys without a value last)."""
    combined = {key: other_value(function, values) for key, values in pairs.items()}
    return sorted(combined, key=lambda k: (combined[k] is None, -(combined[k] or 0)))


def _kept(ranked: list, top: int) -> tuple[dict, bool]:
    """key → its position (the keys past ``top`` all map to OTHER's position, after the kept ones)."""
    position = {key: index for index, key in enumerate(ranked[:top])}
    rest = ranked[top:]
    position |= dict.fromkeys(rest, len(position))
    return position, bool(rest)


def _rows(spec: ChartSpec, table: DatastoreTable) -> tuple[list[tuple], bool]:
    metrics = [Metric("count")] if spec.function == "count" else [Metric(spec.function, spec.value), Metric("count")]
    result = table_aggregate(
        table=table, group_by=[spec.category, spec.series], metrics=metrics, query=spec.table_query()
    )
    rows = [(c, s, None if r[0] is None else float(r[0]), r[-1]) for c, s, *r in result.records]
    return rows, result.truncated


def _categories(spec: ChartSpec, rows: list[tuple]) -> tuple[dict, list[Series], list[str]]:
    by_category: dict = {}
    for c, _s, v, n in rows:
        by_category.setdefault(c, []).append((v, n))
    if spec.kind == "lineas":
        ordered = list(by_category)  # the aggregate sorts by category
        kept = ordered[:MAX_LINE_POINTS]
        notes = (
            [_("Se muestran los primeros %(n)d puntos.") % {"n": MAX_LINE_POINTS}] if len(ordered) > len(kept) else []
        )
        return {c: i for i, c in enumerate(kept)}, [Series(category_label(c)) for c in kept], notes
    ranked = _ranked(spec.function, by_category)
    position, cut = _kept(ranked, spec.top)
    labels = [Series(category_label(c)) for c in ranked[: spec.top]]
    if cut:
        rest = len(ranked) - spec.top
        labels.append(Series(ngettext("Otros (%(n)d categoría)", "Otros (%(n)d categorías)", rest) % {"n": rest}, True))
    return position, labels, []


def _series(spec: ChartSpec, rows: list[tuple]) -> tuple[dict, list[Series], int]:
    by_series: dict = {}
    for _c, s, v, n in rows:
        by_series.setdefault(s, []).append((v, n))
    ranked = _ranked(spec.function, by_series)
    position, cut = _kept(ranked, spec.series_top)
    labels = [Series(category_label(s)) for s in ranked[: spec.series_top]]
    if cut:
        rest = len(ranked) - spec.series_top
        labels.append(Series(ngettext("Otros (%(n)d serie)", "Otros (%(n)d series)", rest) % {"n": rest}, True))
    return position, labels, len(ranked)


def series_data(*, table: DatastoreTable, spec: ChartSpec) -> SeriesData:
    """One value per (category, series) of the rows matching the spec, top N and «Otros» on both axes."""
    rows, truncated = _rows(spec, table)
    category_at, categories, notes = _categories(spec, rows)
    series_at, series, series_count = _series(spec, rows)
    cells: dict[tuple[int, int], list] = {}
    for c, s, v, n in rows:
        if c in category_at:
            cells.setdefault((category_at[c], series_at[s]), []).append((v, n))
    values = [
        [other_value(spec.function, cells[(ci, si)]) if (ci, si) in cells else None for si in range(len(series))]
        for ci in range(len(categories))
    ]
    if truncated:
        notes.insert(0, _("La tabla tiene demasiadas combinaciones de categoría y serie: se usaron las primeras."))
    groups = len({c for c, _s, _v, _n in rows})
    return SeriesData(categories, series, values, groups, series_count, truncated, notes)
