"""One read-only SELECT over the tables a caller may read (CKAN's ``datastore_search_sql``).

Safe by construction, in two independent layers. First DuckDB's own parser must find exactly
one SELECT statement whose tree references no table function and no table other than its own
CTEs and the distributions named in it. Then it runs in a sandbox whose only objects are views
over those distributions' files, with external access disabled and the configuration locked
(no files, network, extensions, ATTACH, SET), under a time limit and a row cap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
from django.conf import settings
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound, ValidationError

from .combined import combined_tables_readable
from .readable import tables_readable
from .sandbox import sandbox, time_limit

MAX_SQL_CHARS = 20_000
# Table references DuckDB's serializer may produce that read something other than a table or subquery.
FORBIDDEN_REFS = {"TABLE_FUNCTION", "SHOW_REF", "COLUMN_DATA", "DELIM_GET", "BOUND_REF"}
# Functions that reveal the server's configuration, variables or catalog (pg_get_viewdef would show
# a view's definition, with its file's path), or that read something other than the tables named.
FORBIDDEN_FUNCTIONS = {
    "getvariable",
    "getenv",
    "set_variable",
    "query",
    "query_table",
    "in_search_path",
    "which_secret",
    "col_description",
    "obj_description",
    "shobj_description",
    # Changes the connection's random seed, which a pooled connection would carry to the next query.
    "setseed",
}
FORBIDDEN_PREFIXES = ("read_", "duckdb_", "pragma_", "sqlite_", "parquet_", "glob", "pg_", "current_", "has_")


@dataclass
class SqlResult:
    fields: list[dict]
    records: list[tuple]
    truncated: bool


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, fields={"sql": [message]})


def _one_select(sql: str) -> dict:
    """The parse tree of the one SELECT statement in ``sql``; ValidationError otherwise."""
    if len(sql) > MAX_SQL_CHARS:
        raise _refuse(_("La consulta es demasiado larga (máximo %(n)d caracteres).") % {"n": MAX_SQL_CHARS})
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise _refuse(_("La consulta no se puede leer: %(e)s") % {"e": str(exc).split("\n", 1)[0]}) from None
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise _refuse(_("Se admite exactamente una sentencia SELECT."))
    with duckdb.connect(":memory:", config={"enable_external_access": False}) as parser:
        tree = json.loads(parser.execute("SELECT json_serialize_sql(?::VARCHAR)", [sql]).fetchone()[0])
    if tree.get("error") or len(tree.get("statements", [])) != 1:
        raise _refuse(_("Se admite exactamente una sentencia SELECT."))
    return tree["statements"][0]


class _Checker:
    """Walks the parse tree: collects the tables named, refuses what a SELECT over our tables never needs."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def walk(self, node, scope: frozenset[str]) -> None:
        if isinstance(node, list):
            for item in node:
                self.walk(item, scope)
            return
        if not isinstance(node, dict):
            return
        scope = self._with_ctes(node, scope)
        self._check(node, scope)
        for key, value in node.items():
            if key != "cte_map":
                self.walk(value, scope)

    def _with_ctes(self, node: dict, scope: frozenset[str]) -> frozenset[str]:
        entries = (node.get("cte_map") or {}).get("map") or []
        names = [str(entry.get("key", "")).lower() for entry in entries]
        for index, entry in enumerate(entries):
            # A CTE sees the ones before it and itself (recursion); the body sees all of them.
            self.walk(entry.get("value"), scope | frozenset(names[: index + 1]))
        return scope | frozenset(names)

    def _check(self, node: dict, scope: frozenset[str]) -> None:
        kind = node.get("type")
        if kind in FORBIDDEN_REFS:
            raise _refuse(_("La consulta solo puede leer tablas del datastore: no se admiten funciones de tabla."))
        if kind == "BASE_TABLE":
            name = str(node.get("table_name", ""))
            if node.get("schema_name") or node.get("catalog_name"):
                raise _refuse(_("La tabla «%(t)s» no existe.") % {"t": name})
            if name.lower() not in scope:
                self.tables.add(name)
        if node.get("class") == "FUNCTION":
            name = str(node.get("function_name", "")).lower()
            if (
                node.get("schema")
                or node.get("catalog")
                or name in FORBIDDEN_FUNCTIONS
                or name.startswith(FORBIDDEN_PREFIXES)
            ):
                raise _refuse(_("La función «%(f)s» no está permitida.") % {"f": name})


def sql_tables(sql: str) -> set[str]:
    """The distributions (tables) one safe SELECT names; ValidationError for anything else."""
    checker = _Checker()
    checker.walk(_one_select(sql), frozenset())
    return checker.tables


def _field_type(duck_type: str) -> str:
    upper = duck_type.upper()
    for prefix, kind in (
        ("BIGINT", "integer"),
        ("INTEGER", "integer"),
        ("HUGEINT", "integer"),
        ("SMALLINT", "integer"),
        ("DOUBLE", "number"),
        ("DECIMAL", "number"),
        ("FLOAT", "number"),
        ("BOOLEAN", "boolean"),
        ("DATE", "date"),
        ("TIMESTAMP", "datetime"),
        ("TIME", "time"),
    ):
        if upper.startswith(prefix):
            return kind
    return "string"


def sql_run(*, actor: Actor, sql: str) -> SqlResult:
    """Run one SELECT over the tables the actor may read; at most DATASTORE_QUERY_MAX_ROWS rows."""
    names = sql_tables(sql)
    readable = tables_readable(actor=actor, references=sorted(names))
    combined = combined_tables_readable(actor=actor, references=[n for n in names if n not in readable])
    missing = [name for name in sorted(names) if name not in readable and name not in combined]
    if missing:
        raise NotFound(_("No existe la tabla «%(t)s» o no está publicada.") % {"t": missing[0]})
    views, derived = dict(readable), {}
    for index, (name, table) in enumerate(combined.items()):
        # A prefix no distribution name can have, so the parts cannot be named in the query itself.
        prefix = f"~{index}~"
        views |= table.part_views(prefix)
        derived[name] = table.select_sql(prefix)
    cap = settings.DATASTORE_QUERY_MAX_ROWS
    with sandbox(views, derived) as con, time_limit(con):
        try:
            relation = con.sql(sql)
            if relation is None:
                raise _refuse(_("Se admite exactamente una sentencia SELECT."))
            fields = [
                {"id": n, "type": _field_type(str(t))} for n, t in zip(relation.columns, relation.types, strict=True)
            ]
            records = relation.limit(cap + 1).fetchall()
        except (duckdb.InterruptException, duckdb.OutOfMemoryException):
            raise
        except duckdb.Error as exc:
            raise _refuse(_("La consulta falló: %(e)s") % {"e": str(exc).split("\n", 1)[0]}) from None
    return SqlResult(fields=fields, records=records[:cap], truncated=len(records) > cap)
