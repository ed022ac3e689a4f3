"""A second Parquet file of a large table, sorted by the column people filter it by most likely.

The table's own file keeps the rows in their original order (that order is ``_id``, the default
page order and what a deep offset walks). In that file the rows of one value of a category
(a «partido», a «barrio») are spread over every row group, so a filtered and sorted first page
has to read the whole table. The sorted copy stores ``_id`` with the rows and keeps each value's
rows together in small row groups whose min/max statistics let DuckDB skip all the others: a
query that filters on that column reads one or two row groups of the copy instead of all of them.

Which column: the publisher's choice (``IngestionSettings.sorted_by``), otherwise the category
column that splits the table the most while still being a category — a text, integer or date column
with at least 2 and at most √rows distinct values (so that on average each value has at least √rows
rows: a name or an id is not a category), the one with the most distinct values. Built for tables
of at least ``DATASTORE_SORTED_COPY_MIN_ROWS`` rows, after the new table is already published.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import duckdb
from django.conf import settings

from .sandbox import ROW_ID, ViewFile, ident, literal

CATEGORY_TYPES = ("string", "integer", "date")
# Small row groups: a filter on the sorted column reads about one of them per value.
ROW_GROUP_ROWS = 20_480
MEMORY_LIMIT = "700MB"
SUFFIX = ".sorted.parquet"


def sorted_copy_path(parquet_path: str) -> str:
    """Where the sorted copy of the table file ``parquet_path`` (relative to DATASTORE_ROOT) goes."""
    return parquet_path.removesuffix(".parquet") + SUFFIX


def _connect(spill: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False})
    con.execute(f"SET temp_directory={literal(str(spill))}")
    return con


def cluster_column(*, parquet: Path, columns: list[dict], rows: int, chosen: str | None = None) -> str | None:
    """The column to sort the copy by, or None when the table is small or has no category column."""
    names = {c["name"] for c in columns}
    if chosen:
        return chosen if chosen in names else None
    if rows < settings.DATASTORE_SORTED_COPY_MIN_ROWS:
        return None
    candidates = [c["name"] for c in columns if c["type"] in CATEGORY_TYPES]
    if not candidates:
        return None
    counts = ", ".join(f"approx_count_distinct({ident(n)})" for n in candidates)
    with tempfile.TemporaryDirectory(prefix="datastore-sorted-") as tmp:
        con = _connect(Path(tmp))
        try:
            distinct = con.execute(f"SELECT {counts} FROM read_parquet({literal(str(parquet))})").fetchone()
        finally:
            con.close()
    ceiling = math.isqrt(max(rows, 1))
    eligible = [(d, -i, n) for i, (n, d) in enumerate(zip(candidates, distinct, strict=True)) if 2 <= d <= ceiling]
    return max(eligible)[2] if eligible else None


def sorted_copy_write(*, parquet: Path, column: str, target: Path) -> None:
    """Write the table file ``parquet`` sorted by ``column`` (then ``_id``) to ``target``, atomically."""
    partial = target.with_suffix(".partial")
    source = ViewFile(parquet).select()
    with tempfile.TemporaryDirectory(prefix="datastore-sorted-") as tmp:
        con = _connect(Path(tmp))
        try:
            con.execute(
                f"COPY ({source} ORDER BY {ident(column)} NULLS LAST, {ident(ROW_ID)}) TO {literal(str(partial))} "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
            )
            con.close()
            partial.replace(target)
        finally:
            con.close()
            partial.unlink(missing_ok=True)


def sorted_copy_for(table, filters: dict) -> ViewFile | None:
    """The table's sorted copy when a query filters on its column and the file is there; else None."""
    info = (getattr(table, "settings", None) or {}).get("sorted_copy") or {}
    column, relative = info.get("column"), info.get("path")
    if not column or not relative or column not in filters:
        return None
    path = Path(settings.DATASTORE_ROOT) / relative
    return ViewFile(path, with_id=True) if path.exists() else None
