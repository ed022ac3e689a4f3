"""The bulk of a load, inside DuckDB: read the text with explicit settings, cast each column, write Parquet.

Python only prepares the input: a UTF-8 copy when the file needs transcoding, or a CSV written
from a spreadsheet or JSON. Every value is then converted by DuckDB, so a 1 GB file never passes
row by row through Python.
"""

from __future__ import annotations

import csv
import itertools
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import encodings, readers
from .detection import Detection
from .problems import IngestionProblem
from .query_progress import QueryWatcher
from .typing import FALSE_TOKENS, NULL_TOKENS, TRUE_TOKENS

TYPE_LABELS = {
    "integer": gettext_lazy("un número entero"),
    "number": gettext_lazy("un número"),
    "boolean": gettext_lazy("verdadero o falso"),
    "date": gettext_lazy("una fecha"),
    "datetime": gettext_lazy("una fecha y hora"),
    "time": gettext_lazy("una hora"),
}
# DuckDB's share of a worker's memory during a load (it spills to disk beyond it); with Python and
# Django around it a load stays well under 1.5 GB of resident memory.
DUCKDB_MEMORY_LIMIT = "700MB"
_LINE = re.compile(r"Line: (\d+)")
_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


@dataclass
class LoadResult:
    row_count: int
    encoding_used: str
    degraded: list[str]
    columns: list[dict] | None = None
    # "native": DuckDB converted while parsing; "checked": text first, then SQL casts with diagnosis.
    method: str = "checked"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _null_test(raw: str) -> str:
    tokens = ", ".join(_quote(t) for t in sorted(NULL_TOKENS))
    return f"({raw} IS NULL OR lower(trim({raw})) IN ({tokens}))"


def _converted(raw: str, column: dict, settings: dict, *, try_: bool) -> str:
    cast = "TRY_CAST" if try_ else "CAST"
    value = f"trim({raw})"
    kind, fmt = column["type"], column.get("format") or ""
    if kind == "integer" and settings.get("thousands_separator"):
        value = f"replace({value}, {_quote(settings['thousands_separator'])}, '')"
    if kind == "number":
        if settings.get("thousands_separator"):
            value = f"replace({value}, {_quote(settings['thousands_separator'])}, '')"
        if settings.get("decimal_separator", ".") != ".":
            value = f"replace({value}, {_quote(settings['decimal_separator'])}, '.')"
    if kind == "boolean":
        trues = ", ".join(_quote(t) for t in sorted(TRUE_TOKENS))
        falses = ", ".join(_quote(t) for t in sorted(FALSE_TOKENS))
        lowered = f"lower({value})"
        otherwise = f"{cast}({value} AS BOOLEAN)"
        return (
            f"CASE WHEN {lowered} IN ({trues}) THEN true WHEN {lowered} IN ({falses}) THEN false ELSE {otherwise} END"
        )
    if kind in ("date", "datetime") and fmt:
        parse = "try_strptime" if try_ else "strptime"
        target = "DATE" if kind == "date" else "TIMESTAMP"
        return f"CAST({parse}({value}, {_quote(fmt)}) AS {target})"
    sql_type = {"integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "datetime": "TIMESTAMP", "time": "TIME"}
    return f"{cast}({value} AS {sql_type[kind]})"


def column_expression(raw: str, column: dict, settings: dict, *, try_: bool = False) -> str:
    if column["type"] in ("string", "geometry"):
        return raw
    return f"CASE WHEN {_null_test(raw)} THEN NULL ELSE {_converted(raw, column, settings, try_=try_)} END"


def _source(path: Path, *, settings: dict, encoding: str, skip: int, parallel: bool = True, extra: str = "") -> str:
    width = settings["physical_columns"]
    columns = "columns={" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    delimiter = settings.get("delimiter") or ","
    return (
        f"read_csv({_quote(str(path))}, delim={_quote(delimiter)}, quote='\"', escape='\"', header=false, "
        f"skip={int(skip)}, auto_detect=false, {extra or columns}, null_padding=true, "
        f"encoding={_quote(encoding)}, max_line_size=10000000, parallel={'true' if parallel else 'false'})"
    )


_NATIVE_TYPES = {"integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "datetime": "TIMESTAMP", "time": "TIME"}
# The null notations DuckDB matches itself while parsing (each one costs on every value); the rarer
# ones in NULL_TOKENS make the native read fail and the checked path, which knows them all, take over.
_NULL_STRINGS = ["", "-", "s/d", "S/D", "N/A", "n/a", "NULL", "null", "#N/A"]


def _shared_format(columns: list[dict], kind: str) -> str | None:
    """The one format every column of this type uses; None when they differ (DuckDB takes one per read)."""
    formats = {c.get("format") or "" for c in columns if c["type"] == kind}
    return formats.pop() if len(formats) == 1 else ("" if not formats else None)


def native_source(
    path: Path, *, columns: list[dict], settings: dict, encoding: str, skip: int, parallel: bool = True
) -> str | None:
    """A read_csv that converts the types itself (DuckDB's fastest path), or None when it cannot express them."""
    date_format, timestamp_format = _shared_format(columns, "date"), _shared_format(columns, "datetime")
    if date_format is None or timestamp_format is None or any(c["type"] == "boolean" for c in columns):
        return None
    by_source = {c["source"]: c for c in columns}
    types = [
        _NATIVE_TYPES.get(by_source[i]["type"], "VARCHAR") if i in by_source else "VARCHAR"
        for i in range(settings["physical_columns"])
    ]
    text = [f"'c{i}'" for i, t in enumerate(types) if t == "VARCHAR"]
    options = [
        "columns={" + ", ".join(f"'c{i}': '{t}'" for i, t in enumerate(types)) + "}",
        f"nullstr=[{', '.join(_quote(v) for v in _NULL_STRINGS)}]",
        f"decimal_separator={_quote(settings.get('decimal_separator') or '.')}",
    ]
    if text:
        options.append(f"force_not_null=[{', '.join(text)}]")
    if settings.get("thousands_separator"):
        options.append(f"thousands={_quote(settings['thousands_separator'])}")
    if date_format:
        options.append(f"dateformat={_quote(date_format)}")
    if timestamp_format:
        options.append(f"timestampformat={_quote(timestamp_format)}")
    return _source(path, settings=settings, encoding=encoding, skip=skip, parallel=parallel, extra=", ".join(options))


def _not_blank(settings: dict) -> str:
    return "NOT (" + " AND ".join(f"c{i} IS NULL" for i in range(settings["physical_columns"])) + ")"


def _ragged_problem(message: str, settings: dict) -> IngestionProblem | None:
    line, counts = _LINE.search(message), _COLUMNS.search(message)
    if not (line and counts):
        return None
    row = int(line.group(1)) + (settings.get("line_offset") or 0)
    return IngestionProblem(
        _("La fila %(row)d tiene %(found)s columnas, pero el encabezado tiene %(expected)s.")
        % {"row": row, "found": counts.group(2), "expected": counts.group(1)},
        reason="ragged",
        row=row,
    )


def _first_bad_values(con, source: str, columns: list[dict], settings: dict) -> list[tuple[dict, int, str]]:
    """For each typed column, the first row whose value does not convert, and that value."""
    typed = [c for c in columns if c["type"] not in ("string", "geometry")]
    if not typed:
        return []
    parts = []
    for n, column in enumerate(typed):
        raw = f"c{column['source']}"
        bad = f"(NOT {_null_test(raw)} AND {column_expression(raw, column, settings, try_=True)} IS NULL)"
        parts.append(f"min(CASE WHEN {bad} THEN rn END) AS r{n}, arg_min({raw}, CASE WHEN {bad} THEN rn END) AS v{n}")
    query = (
        f"SELECT {', '.join(parts)} FROM (SELECT row_number() OVER () AS rn, * FROM {source} "
        f"WHERE {_not_blank(settings)})"
    )
    found = con.execute(query).fetchone()
    first_row = settings.get("first_data_row") or 1
    return [
        (column, first_row + found[2 * n] - 1, found[2 * n + 1])
        for n, column in enumerate(typed)
        if found[2 * n] is not None
    ]


def _type_problem(column: dict, row: int, value: str) -> IngestionProblem:
    return IngestionProblem(
        _(
            "Fila %(row)d, columna «%(column)s»: el valor «%(value)s» no es %(type)s. "
            "Corregí el dato o cambiá el tipo de la columna a texto."
        )
        % {"row": row, "column": column["name"], "value": value, "type": TYPE_LABELS[column["type"]]},
        reason="type",
        row=row,
        column=column["name"],
    )


def _copy(con, source: str, columns: list[dict], settings: dict, target: Path) -> int:
    select = ", ".join(
        f"{column_expression('c' + str(c['source']), c, settings)} AS {_ident(c['name'])}" for c in columns
    )
    query = (
        f"COPY (SELECT {select} FROM {source} WHERE {_not_blank(settings)}) "
        f"TO {_quote(str(target))} (FORMAT parquet, COMPRESSION zstd)"
    )
    con.execute(query)
    return con.execute(f"SELECT count(*) FROM read_parquet({_quote(str(target))})").fetchone()[0]


def parquet_write(con, source: str, detection: Detection, target: Path) -> LoadResult:
    """Run the typed load; columns whose inferred type a later row contradicts fall back to text once."""
    columns, settings, degraded = detection.columns, detection.settings, []
    for _attempt in range(2):
        try:
            return LoadResult(_copy(con, source, columns, settings, target), "", degraded)
        except duckdb.ConversionException:
            bad = _first_bad_values(con, source, columns, settings)
            if not bad:
                raise
            forced = [item for item in bad if item[0].get("forced")]
            if forced or _attempt:
                raise _type_problem(*(forced or bad)[0]) from None
            for column, row, value in bad:
                degraded.append(
                    _(
                        "La columna «%(column)s» se cargó como texto: en la fila %(row)d tiene «%(value)s», "
                        "que no es %(type)s."
                    )
                    % {"column": column["name"], "row": row, "value": value, "type": TYPE_LABELS[column["type"]]}
                )
                column.update(type="string", format="")
        except duckdb.InvalidInputException as exc:
            problem = _ragged_problem(str(exc), settings)
            if problem is None:
                raise IngestionProblem(
                    _("No se pudo leer el archivo con la configuración elegida: %(detail)s")
                    % {"detail": str(exc).split("\n", 1)[0]},
                    reason="parse",
                ) from exc
            raise problem from exc
    raise AssertionError("unreachable")


def _text_input(path: Path, detection: Detection, workdir: Path, progress: Callable) -> tuple[Path, str, str]:
    """The file DuckDB reads, the encoding to tell it, and the encoding found."""
    chosen = detection.settings.get("encoding_override") or ""
    if chosen == "latin-1":
        return path, "latin-1", chosen
    if chosen in ("cp1252", "utf-16") or detection.settings["encoding"] == "utf-16":
        found = chosen or "utf-16"
    else:
        found = encodings.encoding_scan(path).encoding
        if found == encodings.UTF8:
            return path, "utf-8", found
        if found == encodings.LATIN1:
            return path, "latin-1", found
    target = workdir / "utf8.csv"
    total = path.stat().st_size
    encodings.transcode_to_utf8(path, target, encoding=found, progress=lambda done: progress("transcode", done, total))
    return target, "utf-8", found


def _rows_to_csv(rows, target: Path, width: int) -> None:
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for row in rows:
            if any(cell.strip() for cell in row):
                writer.writerow((row + [""] * width)[:width])


def _tabular_input(path: Path, detection: Detection, workdir: Path) -> Path:
    settings = detection.settings
    if detection.kind in ("json", "geojson"):
        _header, rows, _geo = readers.json_table(path)
    else:
        rows = itertools.islice(
            readers.spreadsheet_rows(path, detection.kind, settings["sheet"]), settings["header_row"], None
        )
    target = workdir / "rows.csv"
    _rows_to_csv(rows, target, settings["physical_columns"])
    return target


def _serially_if_needed(run: Callable):
    try:
        return run(True)
    except duckdb.Error as exc:
        if "parallel=false" not in str(exc):
            raise
        # Quoted line breaks inside cells: DuckDB reads those files with a single thread.
        return run(False)


def _native_copy(con, source: str, detection: Detection, target: Path) -> int:
    settings, text = detection.settings, {c["source"] for c in detection.columns if c["type"] in ("string", "geometry")}
    select = ", ".join(
        (f"NULLIF(c{c['source']}, '')" if c["source"] in text else f"c{c['source']}") + f" AS {_ident(c['name'])}"
        for c in detection.columns
    )
    typed = {c["source"] for c in detection.columns} - text
    blank = " AND ".join(
        f"c{i} IS NULL" if i in typed else f"(c{i} IS NULL OR c{i} = '')" for i in range(settings["physical_columns"])
    )
    con.execute(
        f"COPY (SELECT {select} FROM {source} WHERE NOT ({blank})) "
        f"TO {_quote(str(target))} (FORMAT parquet, COMPRESSION zstd)"
    )
    return con.execute(f"SELECT count(*) FROM read_parquet({_quote(str(target))})").fetchone()[0]


def _native_write(con, path: Path, detection: Detection, target: Path, read: dict) -> LoadResult | None:
    """DuckDB converting the types while it parses; None (go the careful way) when it cannot or a value fails."""
    if native_source(path, columns=detection.columns, **read) is None:
        return None
    try:
        rows = _serially_if_needed(
            lambda parallel: _native_copy(
                con, native_source(path, columns=detection.columns, parallel=parallel, **read), detection, target
            )
        )
    except duckdb.InterruptException:
        raise
    except duckdb.Error as exc:
        problem = _ragged_problem(str(exc), read["settings"])
        if problem is not None:
            raise problem from exc
        return None
    return LoadResult(rows, "", [], method="native")


def load_to_parquet(*, path: Path, detection: Detection, target: Path, progress: Callable) -> LoadResult:
    """Write the whole file as typed Parquet at ``target``; raise IngestionProblem saying where it failed."""
    settings = dict(detection.settings)
    with tempfile.TemporaryDirectory(prefix="datastore-") as tmp:
        workdir = Path(tmp)
        if detection.kind == "text":
            source_path, encoding, found = _text_input(path, detection, workdir, progress)
            skip = settings["skip_lines"]
        else:
            source_path, encoding, found, skip = _tabular_input(path, detection, workdir), "utf-8", "", 0
            settings["delimiter"] = ","
        detection = Detection(detection.kind, settings, [dict(c) for c in detection.columns], detection.rows)
        con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT, "preserve_insertion_order": True})
        con.execute(f"SET temp_directory={_quote(str(workdir / 'spill'))}")
        read = {"settings": settings, "encoding": encoding, "skip": skip}
        try:
            with QueryWatcher(con, lambda percent: progress("load", percent, 100)):
                result = _native_write(con, source_path, detection, target, read)
                if result is None:
                    result = _serially_if_needed(
                        lambda parallel: parquet_write(
                            con, _source(source_path, parallel=parallel, **read), detection, target
                        )
                    )
        finally:
            con.close()
    result.encoding_used = found
    result.columns = detection.columns
    return result
