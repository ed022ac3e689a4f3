"""Column summaries of a table for its explorer page: type, nulls, distinct values, range, top values."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache

from .models import DatastoreTable
from .sandbox import ident, sandbox, time_limit
from .values import text_value

MAX_COLUMNS = 40
TOP = 3
VIEW = "t"


@dataclass
class ColumnSummary:
    name: str
    type: str
    nulls: int
    distinct: int
    minimum: str = ""
    maximum: str = ""
    top: list[tuple[str, int]] = field(default_factory=list)


def _ranged(kind: str) -> bool:
    return kind in ("integer", "number", "date", "datetime", "time")


def _compute(table: DatastoreTable) -> list[ColumnSummary]:
    columns = table.columns[:MAX_COLUMNS]
    parts = []
    for c in columns:
        name = ident(c["name"])
        parts += [f"count(*) - count({name})", f"approx_count_distinct({name})"]
        parts += [f"min({name})", f"max({name})"] if _ranged(c["type"]) else ["NULL", "NULL"]
    summaries = []
    with sandbox({VIEW: table}) as con, time_limit(con):
        row = con.execute(f"SELECT {', '.join(parts)} FROM {VIEW}").fetchone() if parts else ()
        for index, c in enumerate(columns):
            nulls, distinct, low, high = row[index * 4 : index * 4 + 4]
            top = []
            if c["type"] in ("string", "boolean", "integer"):
                name = ident(c["name"])
                top = con.execute(
                    f"SELECT {name}, count(*) AS n FROM {VIEW} WHERE {name} IS NOT NULL "
                    f"GROUP BY 1 HAVING count(*) > 1 ORDER BY n DESC, 1 LIMIT {TOP}"
                ).fetchall()
            top = [(text_value(value), n) for value, n in top]
            summaries.append(
                ColumnSummary(c["name"], c["type"], nulls, distinct, text_value(low), text_value(high), top)
            )
    return summaries


def table_summary(*, table: DatastoreTable) -> list[ColumnSummary]:
    """Summaries of the first columns, computed once per version of the table."""
    if not table.is_serving:
        return []
    key = f"datastore:summary:{table.pk}:{table.version}:{table.parquet_path}"
    summaries = cache.get(key)
    if summaries is None:
        summaries = _compute(table)
        cache.set(key, summaries, 24 * 3600)
    return summaries
