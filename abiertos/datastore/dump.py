"""Whole-table (or filtered) downloads streamed as CSV or JSON: /datastore/dump/<resource_id>."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from abiertos.accounts.request_actor import actor_from_request
from abiertos.core.errors import ValidationError

from .models import DatastoreTable
from .query import TableQuery, table_stream
from .readable import table_get_readable
from .request_query import query_from
from .values import json_value, text_value

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


class _Line:
    def write(self, text: str) -> str:
        return text


def csv_chunks(table: DatastoreTable, query: TableQuery) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    parts = table_stream(table=table, query=query)
    fields = next(parts)
    yield "\ufeff" + writer.writerow([f["id"] for f in fields])
    for rows in parts:
        yield "".join(writer.writerow([text_value(v) for v in row]) for row in rows)


def json_chunks(table: DatastoreTable, query: TableQuery) -> Iterator[str]:
    """CKAN's dump shape: {"fields": [...], "records": [[...], ...]}."""
    parts = table_stream(table=table, query=query)
    fields = [{"id": f["id"], "type": f["type"]} for f in next(parts)]
    yield '{"fields": ' + json.dumps(fields, ensure_ascii=False) + ', "records": ['
    first = True
    for rows in parts:
        for row in rows:
            yield ("" if first else ",\n") + json.dumps([json_value(v) for v in row], ensure_ascii=False)
            first = False
    yield "]}\n"


def dump_response(table: DatastoreTable, query: TableQuery, fmt: str, filename: str) -> StreamingHttpResponse:
    if fmt not in FORMATS:
        raise ValidationError(_("Formato desconocido: usá csv o json."), fields={"format": [fmt]})
    chunks = csv_chunks(table, query) if fmt == "csv" else json_chunks(table, query)
    response = StreamingHttpResponse(chunks, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_GET
def table_dump(request, resource_id: str):
    """The whole table, or the rows matching the query string's filters, q and sort."""
    table = table_get_readable(actor=actor_from_request(request), reference=resource_id)
    query = query_from(table, request.GET)
    return dump_response(table, query, request.GET.get("format", "csv"), str(table.distribution.uuid))
