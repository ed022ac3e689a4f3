"""Typed queries over one datastore table: filters, text search, sort, pages, cursors and aggregates.

Column names from a request are checked against the table's columns and always quoted; values
are always bound as parameters. Each query runs in a fresh sandboxed DuckDB connection with a
time limit (``sandbox``).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from abiertos.core.errors import ValidationError

from .combined import CombinedTable
from .models import DatastoreTable
from .sandbox import ROW_ID, ident, sandbox, time_limit
from .sorted_copy import sorted_copy_for

DEFAULT_LIMIT = 100
AGGREGATES = ("count", "sum", "avg", "min", "max")
NUMERIC = ("integer", "number")
MAX_GROUPS = 10_000
TRUE_WORDS = {"true", "1", "t", "yes", "si", "sí", "verdadero"}
FALSE_WORDS = {"false", "0", "f", "no", "falso"}
VIEW = "t"


@dataclass
class TableQuery:
    filters: dict[str, list] = field(default_factory=dict)
    q: str | dict[str, str] = ""
    fields: list[str] | None = None
    # (column, descending)
    sort: list[tuple[str, bool]] = field(default_factory=list)
    distinct: bool = False
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    cursor: str | None = None
    include_total: bool = True


@dataclass
class QueryResult:
    fields: list[dict]
    records: list[tuple]
    total: int | None
    truncated: bool = False
    next_cursor: str | None = None


@dataclass
class Metric:
    function: str
    column: str = "*"

    @property
    def name(self) -> str:
        return "count" if self.column == "*" else f"{self.function}_{self.column}"


def _connect(table: DatastoreTable | CombinedTable, query: TableQuery | None = None):
    """A sandbox where ``t`` is the table (or the union of a standard schema's tables).

    A query that filters on the column of the table's sorted copy reads the copy: same rows, same
    ``_id``, but only the row groups of the values asked for (``sorted_copy.py``)."""
    if isinstance(table, CombinedTable):
        return table.connection(VIEW)
    copy = sorted_copy_for(table, query.filters) if query is not None else None
    return sandbox({VIEW: copy or table})


def _file_ordered(table: DatastoreTable | CombinedTable, query: TableQuery) -> bool:
    """Whether the rows come in ``_id`` order without an ORDER BY (one table read from its own file)."""
    return not isinstance(table, CombinedTable) and sorted_copy_for(table, query.filters) is None


def max_rows() -> int:
    return settings.DATASTORE_QUERY_MAX_ROWS


def table_fields(table: DatastoreTable) -> list[dict]:
    """The table's columns as {"id", "type", ...}, with the row id first."""
    return [{"id": ROW_ID, "type": "integer"}] + [
        {"id": c["name"], "type": c["type"], "description": c.get("description", ""), "units": c.get("units", "")}
        for c in table.columns
    ]


def _types(table: DatastoreTable) -> dict[str, str]:
    return {ROW_ID: "integer"} | {c["name"]: c["type"] for c in table.columns}


def _unknown(key: str, name: str) -> ValidationError:
    message = _("La tabla no tiene una columna «%(name)s».") % {"name": name}
    return ValidationError(message, fields={key: [message]})


def column_check(table: DatastoreTable, name: object, key: str) -> str:
    if not isinstance(name, str) or name not in _types(table):
        raise _unknown(key, str(name))
    return name


def _convert(kind: str, value: object):  # noqa: C901 — one branch per column type
    if value is None:
        return None
    text = str(value).strip()
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text.replace(",", ".")) if isinstance(value, str) else float(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if text.lower() in TRUE_WORDS | FALSE_WORDS:
            return text.lower() in TRUE_WORDS
        raise ValueError(text)
    if kind == "date":
        return date.fromisoformat(text[:10])
    if kind == "datetime":
        return datetime.fromisoformat(text)
    if kind == "time":
        return time.fromisoformat(text)
    return text


def typed_value(table: DatastoreTable, column: str, value: object):
    """A filter value converted to the column's type, or ValidationError naming the column."""
    kind = _types(table)[column]
    try:
        return _convert(kind, value)
    except (TypeError, ValueError):
        message = _("«%(value)s» no es un valor válido para la columna «%(name)s» (%(type)s).") % {
            "value": value,
            "name": column,
            "type": kind,
        }
        raise ValidationError(message, fields={"filters": [message]}) from None


def _filter_sql(table: DatastoreTable, filters: dict[str, list]) -> tuple[list[str], list]:
    clauses, params = [], []
    for name, values in filters.items():
        column = column_check(table, name, "filters")
        values = values if isinstance(values, list) else [values]
        typed = [typed_value(table, column, v) for v in values]
        present = [v for v in typed if v is not None]
        parts = [f"{ident(column)} IN ({', '.join('?' for _v in present)})"] if present else []
        if len(present) < len(typed):
            parts.append(f"{ident(column)} IS NULL")
        clauses.append("(" + " OR ".join(parts or ["FALSE"]) + ")")
        params.extend(present)
    return clauses, params


def _text_columns(table: DatastoreTable) -> list[str]:
    return [c["name"] for c in table.columns if c["type"] == "string"]


def _normalized(column_sql: str) -> str:
    return f"strip_accents(lower(CAST({column_sql} AS VARCHAR)))"


def _search_sql(table: DatastoreTable, q: str | dict[str, str]) -> tuple[list[str], list]:
    """Every word must appear (accent and case aside) in some text column, or in the named column."""
    if isinstance(q, dict):
        pairs = [(column_check(table, name, "q"), str(text)) for name, text in q.items()]
    else:
        pairs = [(None, q)]
    clauses, params = [], []
    for column, text in pairs:
        columns = [column] if column else _text_columns(table)
        for word in str(text).split():
            if not columns:
                clauses.append("FALSE")
                continue
            clauses.append(
                "(" + " OR ".join(f"contains({_normalized(ident(c))}, {_normalized('?')})" for c in columns) + ")"
            )
            params.extend([word] * len(columns))
    return clauses, params


def where_sql(table: DatastoreTable, query: TableQuery) -> tuple[str, list]:
    filters, params = _filter_sql(table, query.filters)
    search, search_params = _search_sql(table, query.q) if query.q else ([], [])
    clauses = filters + search
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params + search_params


# Keyset cursors --------------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def cursor_encode(values: list) -> str:
    raw = json.dumps([_json_value(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(table: DatastoreTable, cursor: str, sort: list[tuple[str, bool]]) -> list:
    invalid = ValidationError(_("El cursor no es válido."), fields={"cursor": [_("El cursor no es válido.")]})
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        raise invalid from None
    if not isinstance(values, list) or len(values) != len(sort) + 1:
        raise invalid
    columns = [name for name, _desc in sort] + [ROW_ID]
    try:
        return [_convert(_types(table)[c], v) for c, v in zip(columns, values, strict=True)]
    except (TypeError, ValueError):
        raise invalid from None


def _after_sql(sort: list[tuple[str, bool]], values: list) -> tuple[str, list]:
    """Rows strictly after ``values`` in ORDER BY sort NULLS LAST, _id."""
    keys = [*sort, (ROW_ID, False)]
    alternatives, params = [], []
    for index, (column, descending) in enumerate(keys):
        parts, part_params = [], []
        for (previous, _d), value in zip(keys[:index], values[:index], strict=True):
            parts.append(f"{ident(previous)} IS NULL" if value is None else f"{ident(previous)} = ?")
            part_params.extend([] if value is None else [value])
        if values[index] is None:
            continue  # nothing sorts after NULL but other NULLs, which the next key orders
        parts.append(f"({ident(column)} {'<' if descending else '>'} ? OR {ident(column)} IS NULL)")
        alternatives.append("(" + " AND ".join(parts) + ")")
        params.extend([*part_params, values[index]])
    return "(" + (" OR ".join(alternatives) or "FALSE") + ")", params


def _order_sql(sort: list[tuple[str, bool]], *, with_id: bool) -> str:
    keys = [f"{ident(c)} {'DESC' if d else 'ASC'} NULLS LAST" for c, d in sort]
    if with_id:
        keys.append(f"{ident(ROW_ID)} ASC")
    return " ORDER BY " + ", ".join(keys) if keys else ""


# Search ----------------------------------------------------------------------------------------


def _select_list(table: DatastoreTable, query: TableQuery) -> list[str]:
    names = [column_check(table, n, "fields") for n in query.fields] if query.fields else list(_types(table))
    if query.distinct:
        return [n for n in names if n != ROW_ID] or [c["name"] for c in table.columns]
    return names if ROW_ID in names else [ROW_ID, *names]


def _page_sql(table: DatastoreTable, query: TableQuery, limit: int) -> tuple[str, list]:
    names = _select_list(table, query)
    sort = [(column_check(table, c, "sort"), d) for c, d in query.sort]
    where, params = where_sql(table, query)
    columns = ", ".join(ident(n) for n in names)
    if query.distinct:
        sql = f"SELECT DISTINCT {columns} FROM {VIEW}{where}{_order_sql(sort, with_id=False)}"
        return sql + " LIMIT ? OFFSET ?", [*params, limit, query.offset]
    if query.cursor:
        after, after_params = _after_sql(sort, cursor_decode(table, query.cursor, sort))
        where = f"{where} AND {after}" if where else f" WHERE {after}"
        params = [*params, *after_params]
    # Without a sort, file order is _id order (DuckDB preserves insertion order): an ORDER BY _id
    # would make a deep OFFSET keep every skipped row in memory.
    # (A union of tables, or a table's sorted copy, has no _id file order: it is always ordered.)
    order = _order_sql(sort, with_id=True) if sort or not _file_ordered(table, query) else ""
    sql = f"SELECT {columns} FROM {VIEW}{where}{order} LIMIT ?"
    return (sql + " OFFSET ?", [*params, limit, query.offset]) if not query.cursor else (sql, [*params, limit])


def _next_cursor(query: TableQuery, names: list[str], records: list[tuple], limit: int) -> str | None:
    if query.distinct or len(records) < limit or not records:
        return None
    last = dict(zip(names, records[-1], strict=True))
    sort_names = [c for c, _d in query.sort]
    if any(n not in last for n in [*sort_names, ROW_ID]):
        return None
    return cursor_encode([last[n] for n in [*sort_names, ROW_ID]])


def table_search(*, table: DatastoreTable, query: TableQuery) -> QueryResult:
    """One page of the table's rows matching the query; limit capped at DATASTORE_QUERY_MAX_ROWS."""
    if not table.is_serving:
        return QueryResult(fields=table_fields(table), records=[], total=0)
    limit = max(0, min(query.limit, max_rows()))
    names = _select_list(table, query)
    sql, params = _page_sql(table, query, limit)
    with _connect(table, query) as con, time_limit(con):
        records = con.execute(sql, params).fetchall()
        total = None
        if query.include_total:
            where, where_params = where_sql(table, query)
            source = (
                f"(SELECT DISTINCT {', '.join(ident(n) for n in names)} FROM {VIEW}{where})"
                if query.distinct
                else f"{VIEW}{where}"
            )
            total = con.execute(f"SELECT count(*) FROM {source}", where_params).fetchone()[0]
    by_name = {f["id"]: f for f in table_fields(table)}
    return QueryResult(
        fields=[by_name[n] for n in names],
        records=records,
        total=total,
        truncated=query.limit > limit,
        next_cursor=_next_cursor(query, names, records, limit),
    )


def table_stream(*, table: DatastoreTable, query: TableQuery, batch: int = 5000):
    """The fields, then every matching row in batches (for dumps); no row cap, time-limited per batch.

    The first batch is read before the fields are yielded, so a caller that takes the fields
    before it starts answering gets a time-out or memory error while it can still say so."""
    query = TableQuery(**{**query.__dict__, "limit": 2**62, "offset": 0, "cursor": None, "include_total": False})
    names = _select_list(table, query)
    by_name = {f["id"]: f for f in table_fields(table)}
    fields = [by_name[n] for n in names]
    if not table.is_serving:
        yield fields
        return
    sort = [(column_check(table, c, "sort"), d) for c, d in query.sort]
    where, params = where_sql(table, query)
    # Without a sort, file order is _id order: an ORDER BY would make DuckDB sort the whole table.
    ordered = sort or isinstance(table, CombinedTable)
    order = _order_sql(sort, with_id=not query.distinct) if ordered else ""
    distinct = "DISTINCT " if query.distinct else ""
    sql = f"SELECT {distinct}{', '.join(ident(n) for n in names)} FROM {VIEW}{where}{order}"
    with _connect(table) as con:
        with time_limit(con):
            con.execute(sql, params)
            rows = con.fetchmany(batch)
        yield fields
        while rows:
            yield rows
            with time_limit(con, settings.DATASTORE_QUERY_TIMEOUT_MS * 4):
                rows = con.fetchmany(batch)


# Aggregates ------------------------------------------------------------------------------------


def _metric_sql(table: DatastoreTable, metric: Metric) -> str:
    if metric.function not in AGGREGATES:
        message = _("Función desconocida «%(f)s»: usá %(all)s.") % {"f": metric.function, "all": ", ".join(AGGREGATES)}
        raise ValidationError(message, fields={"metrics": [message]})
    if metric.column == "*":
        if metric.function != "count":
            raise ValidationError(_("Solo count se puede calcular sin columna."), fields={"metrics": [metric.name]})
        return f"count(*) AS {ident(metric.name)}"
    column = column_check(table, metric.column, "metrics")
    if metric.function in ("sum", "avg") and _types(table)[column] not in NUMERIC:
        message = _("%(f)s necesita una columna numérica y «%(c)s» no lo es.") % {"f": metric.function, "c": column}
        raise ValidationError(message, fields={"metrics": [message]})
    return f"{metric.function}({ident(column)}) AS {ident(metric.name)}"


def _metric_type(types: dict[str, str], metric: Metric) -> str:
    if metric.function == "count":
        return "integer"
    return types.get(metric.column, "number") if metric.function in ("min", "max") else "number"


def table_aggregate(
    *, table: DatastoreTable, group_by: list[str], metrics: list[Metric], query: TableQuery | None = None
) -> QueryResult:
    """Groups of rows (by ``group_by``) with count/sum/avg/min/max, filtered like a search."""
    query = query or TableQuery()
    groups = [column_check(table, c, "group_by") for c in group_by]
    metrics = metrics or [Metric("count")]
    selects = [ident(c) for c in groups] + [_metric_sql(table, m) for m in metrics]
    where, params = where_sql(table, query)
    group = f" GROUP BY {', '.join(ident(c) for c in groups)}" if groups else ""
    order = f" ORDER BY {', '.join(f'{ident(c)} NULLS LAST' for c in groups)}" if groups else ""
    sql = f"SELECT {', '.join(selects)} FROM {VIEW}{where}{group}{order} LIMIT ?"
    types = _types(table)
    fields = [{"id": c, "type": types[c]} for c in groups] + [
        {"id": m.name, "type": _metric_type(types, m)} for m in metrics
    ]
    if not table.is_serving:
        return QueryResult(fields=fields, records=[], total=0)
    with _connect(table, query) as con, time_limit(con):
        records = con.execute(sql, [*params, MAX_GROUPS + 1]).fetchall()
    return QueryResult(fields=fields, records=records[:MAX_GROUPS], total=None, truncated=len(records) > MAX_GROUPS)
