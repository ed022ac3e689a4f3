"""CKAN's DataStore read actions, ``datastore_search`` and ``datastore_search_sql``, over our tables."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound, ValidationError
from abiertos.datastore.combined import table_or_combined_get_readable
from abiertos.datastore.query import TableQuery, table_search
from abiertos.datastore.sql import sql_run
from abiertos.datastore.values import json_value

from .lookups import not_found
from .params import invalid, param_bool, param_int, param_required, param_str

RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")
# Our column types as CKAN's DataStore (PostgreSQL) names them.
CKAN_TYPES = {
    "integer": "int",
    "number": "numeric",
    "string": "text",
    "boolean": "bool",
    "date": "date",
    "time": "time",
    "datetime": "timestamp",
    "geometry": "text",
}


def _ckan_fields(fields: list[dict]) -> list[dict]:
    out = []
    for field in fields:
        item = {"id": field["id"], "type": CKAN_TYPES.get(field["type"], "text")}
        if field.get("description") or field.get("units"):
            item["info"] = {"notes": field.get("description", ""), "unit": field.get("units", "")}
        out.append(item)
    return out


def _json_param(params: dict, key: str):
    value = params.get(key)
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            raise invalid(key, _("No es JSON válido.")) from None
    return value


def _filters(params: dict) -> dict:
    value = _json_param(params, "filters") or {}
    if not isinstance(value, dict):
        raise invalid("filters", _("Tiene que ser un objeto {columna: valor o [valores]}."))
    return value


def _q(params: dict) -> str | dict:
    value = _json_param(params, "q") or ""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return param_str(params, "q")


def _names(params: dict, key: str) -> list[str]:
    value = _json_param(params, key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(key, _("Tiene que ser una lista de columnas."))
    return [v.strip().strip('"') for v in value if v.strip()]


def _sort(params: dict) -> list[tuple[str, bool]]:
    sort = []
    for part in _names(params, "sort"):
        words = part.rsplit(None, 1)
        if len(words) == 2 and words[1].lower() in ("asc", "desc"):
            sort.append((words[0].strip().strip('"'), words[1].lower() == "desc"))
        else:
            sort.append((part, False))
    return sort


def _delimited(rows: list[list], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue()


def _records(names: list[str], rows: list[tuple], records_format: str):
    lists = [[json_value(v) for v in row] for row in rows]
    if records_format == "objects":
        return [dict(zip(names, row, strict=True)) for row in lists]
    if records_format == "lists":
        return lists
    return _delimited(lists, "," if records_format == "csv" else "\t")


def _link(params: dict, **changes) -> str:
    kept = {k: v for k, v in params.items() if isinstance(v, str | int | bool)}
    for key in ("filters", "q", "fields", "sort"):
        if isinstance(params.get(key), dict | list):
            kept[key] = json.dumps(params[key], ensure_ascii=False)
    return "/api/3/action/datastore_search?" + urlencode({**kept, **changes})


def _table_query(params: dict) -> TableQuery:
    return TableQuery(
        filters=_filters(params),
        q=_q(params),
        fields=_names(params, "fields") or None,
        sort=_sort(params),
        distinct=param_bool(params, "distinct", False),
        limit=param_int(params, "limit", 100),
        offset=param_int(params, "offset", 0),
        include_total=param_bool(params, "include_total", True),
    )


def datastore_search(*, actor: Actor, params: dict) -> dict:
    reference = param_required(params, "resource_id")
    records_format = param_str(params, "records_format", "objects")
    if records_format not in RECORDS_FORMATS:
        raise invalid("records_format", _("Tiene que ser uno de: %(all)s.") % {"all": ", ".join(RECORDS_FORMATS)})
    try:
        table = table_or_combined_get_readable(actor=actor, reference=reference)
    except NotFound as exc:
        raise not_found(_("no existe el recurso «%(id)s» o no tiene tabla.") % {"id": reference}) from exc
    query = _table_query(params)
    result = table_search(table=table, query=query)
    limit = min(query.limit, settings.DATASTORE_QUERY_MAX_ROWS)
    body = {
        "resource_id": reference,
        "fields": _ckan_fields(result.fields),
        "records": _records([f["id"] for f in result.fields], result.records, records_format),
        "records_format": records_format,
        "limit": limit,
        "offset": query.offset,
        "include_total": query.include_total,
        "filters": query.filters,
        "_links": {"start": _link(params), "next": _link(params, offset=query.offset + limit)},
    }
    if query.q:
        body["q"] = query.q
    if query.sort:
        body["sort"] = ", ".join(f"{c} {'desc' if d else 'asc'}" for c, d in query.sort)
    if result.total is not None:
        body["total"] = result.total
        body["total_was_estimated"] = False
    if result.truncated:
        body["records_truncated"] = True
    return body


def datastore_search_sql(*, actor: Actor, params: dict) -> dict:
    if not settings.DATASTORE_SQL_ENABLED:
        raise ValidationError(_("Las consultas SQL están desactivadas en este portal."))
    sql = param_required(params, "sql")
    result = sql_run(actor=actor, sql=sql)
    names = [f["id"] for f in result.fields]
    body = {
        "sql": sql,
        "fields": _ckan_fields(result.fields),
        "records": _records(names, result.records, "objects"),
    }
    if result.truncated:
        body["records_truncated"] = True
    return body
