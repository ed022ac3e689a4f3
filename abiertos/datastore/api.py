"""REST endpoints for reading a distribution's table (schema, rows with cursors, aggregates) and standard schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

from abiertos.core.errors import ValidationError

from .combined import CombinedTable, combined_resource_id, combined_table
from .query import Metric, table_aggregate, table_fields, table_search
from .readable import table_get_readable
from .request_query import query_from
from .standards import standard_schema_get, standard_schema_list
from .values import json_value

router = Router(tags=["tablas"])


class FieldOut(Schema):
    id: str
    type: str
    description: str = ""
    units: str = ""


class SchemaOut(Schema):
    distribution: str
    name: str
    version: int
    row_count: int | None
    loaded_at: datetime | None
    fields: list[FieldOut]


class RowsOut(Schema):
    fields: list[FieldOut]
    records: list[dict[str, Any]]
    total: int | None
    next_cursor: str | None
    truncated: bool


class RowsIn(Schema):
    q: str = SchemaField("", description="Texto a buscar en las columnas de texto (sin importar tildes).")
    sort: str = SchemaField("", description="Columnas separadas por coma; con «-» adelante, descendente.")
    fields: str = SchemaField("", description="Columnas a devolver, separadas por coma.")
    limit: int = SchemaField(100, ge=0, le=32000)
    offset: int = SchemaField(0, ge=0, le=10**9)
    cursor: str = SchemaField("", description="next_cursor de la página anterior.")


class AggregateIn(Schema):
    group_by: str = SchemaField("", description="Columnas por las que agrupar, separadas por coma.")
    metrics: str = SchemaField("count", description="count, sum:col, avg:col, min:col, max:col separadas por coma.")
    q: str = ""


class AggregateOut(Schema):
    fields: list[FieldOut]
    records: list[dict[str, Any]]
    truncated: bool


def _records(fields: list[dict], rows: list[tuple]) -> list[dict]:
    names = [f["id"] for f in fields]
    return [dict(zip(names, (json_value(v) for v in row), strict=True)) for row in rows]


def _metrics(text: str) -> list[Metric]:
    metrics = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        function, _sep, column = part.partition(":")
        metrics.append(Metric(function.strip(), column.strip() or "*"))
    if len(metrics) > 20:
        raise ValidationError(_("Se admiten hasta 20 métricas."), fields={"metrics": [_("Demasiadas métricas.")]})
    return metrics


@router.get("/tables/{distribution}/schema", response=SchemaOut, summary="Columnas y tipos de la tabla")
def table_schema(request, distribution: str):
    """The table of a distribution (uuid or name): its columns, types and data dictionary."""
    table = table_get_readable(actor=request.auth, reference=distribution)
    return {
        "distribution": str(table.distribution.uuid),
        "name": table.distribution.name,
        "version": table.version,
        "row_count": table.row_count,
        "loaded_at": table.loaded_at,
        "fields": table_fields(table),
    }


@router.get("/tables/{distribution}/rows", response=RowsOut, summary="Filas de la tabla")
def table_rows(request, distribution: str, params: Query[RowsIn]):
    """Rows filtered by ``columna=valor`` query parameters (repeat for several values), with q and sort.

    Use ``next_cursor`` as ``cursor`` to read deep pages; ``offset`` is for the first few."""
    table = table_get_readable(actor=request.auth, reference=distribution)
    result = table_search(table=table, query=query_from(table, request.GET))
    return {
        "fields": result.fields,
        "records": _records(result.fields, result.records),
        "total": result.total,
        "next_cursor": result.next_cursor,
        "truncated": result.truncated,
    }


@router.get("/tables/{distribution}/aggregate", response=AggregateOut, summary="Totales por grupo")
def table_aggregate_view(request, distribution: str, params: Query[AggregateIn]):
    """Groups of rows with count, sum, avg, min and max; filtered like /rows."""
    table = table_get_readable(actor=request.auth, reference=distribution)
    group_by = [c.strip() for c in params.group_by.split(",") if c.strip()]
    data = request.GET.copy()
    for key in ("group_by", "metrics"):
        data.pop(key, None)
    result = table_aggregate(
        table=table, group_by=group_by, metrics=_metrics(params.metrics), query=query_from(table, data)
    )
    return {"fields": result.fields, "records": _records(result.fields, result.records), "truncated": result.truncated}


# Standard schemas: the same table published by several municipalities, read as one ------------


class StandardSchemaOut(Schema):
    identifier: str
    slug: str
    title: str
    description: str
    fields: list[FieldOut]
    municipalities: list[str]
    tables: int
    ckan_resource_id: str = SchemaField(description="El id de la tabla combinada para datastore_search de CKAN")


class ExcludedOut(Schema):
    distribution: str
    municipality: str
    reasons: list[str]


class CombinedRowsOut(RowsOut):
    municipalities: list[str]
    excluded: list[ExcludedOut]


def _combined(request, slug: str) -> CombinedTable:
    return combined_table(schema=standard_schema_get(slug=slug), actor=request.auth)


@router.get("/schemas", response=list[StandardSchemaOut], summary="Esquemas estándar", tags=["esquemas"])
def schema_list(request):
    """Standard schemas and the municipalities whose tables declare each one."""
    return [
        {
            "identifier": item.schema.identifier,
            "slug": item.schema.slug,
            "title": item.schema.title,
            "description": item.schema.description,
            "fields": [
                {"id": f["name"], "type": f["type"], "description": f.get("description", "")}
                for f in item.schema.fields
            ],
            "municipalities": item.municipalities,
            "tables": item.tables,
            "ckan_resource_id": combined_resource_id(item.schema),
        }
        for item in standard_schema_list(actor=request.auth)
    ]


@router.get(
    "/schemas/{slug}/rows", response=CombinedRowsOut, summary="Filas de todos los municipios", tags=["esquemas"]
)
def schema_rows(request, slug: str, params: Query[RowsIn]):
    """Rows of every conforming table of the schema, with ``municipio`` and ``municipio_codigo`` first.

    Filters, q, sort, offset and cursor work as in /tables/{distribution}/rows; ``excluded`` lists
    the tables that declare the schema but do not match it, with the reasons."""
    table = _combined(request, slug)
    result = table_search(table=table, query=query_from(table, request.GET))
    return {
        "fields": result.fields,
        "records": _records(result.fields, result.records),
        "total": result.total,
        "next_cursor": result.next_cursor,
        "truncated": result.truncated,
        "municipalities": [t.distribution.dataset.municipality.name for t in table.parts],
        "excluded": [
            {
                "distribution": str(e.table.distribution.uuid),
                "municipality": e.table.distribution.dataset.municipality.name,
                "reasons": e.reasons,
            }
            for e in table.excluded
        ],
    }


@router.get(
    "/schemas/{slug}/aggregate",
    response=AggregateOut,
    summary="Totales por grupo de todos los municipios",
    tags=["esquemas"],
)
def schema_aggregate(request, slug: str, params: Query[AggregateIn]):
    """Groups of the combined rows (``group_by=municipio`` compares municipalities) with count/sum/avg/min/max."""
    table = _combined(request, slug)
    group_by = [c.strip() for c in params.group_by.split(",") if c.strip()]
    data = request.GET.copy()
    for key in ("group_by", "metrics"):
        data.pop(key, None)
    result = table_aggregate(
        table=table, group_by=group_by, metrics=_metrics(params.metrics), query=query_from(table, data)
    )
    return {"fields": result.fields, "records": _records(result.fields, result.records), "truncated": result.truncated}
