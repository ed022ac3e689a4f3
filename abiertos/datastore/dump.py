"""Whole-table (or filtered) downloads as CSV, JSON, XLSX or Parquet: /datastore/dump/<resource_id>."""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from abiertos.accounts.request_actor import actor_from_request
from abiertos.core.errors import ValidationError

from .combined import CombinedTable, table_or_combined_get_readable
from .models import DatastoreTable
from .query import TableQuery, table_stream
from .request_query import query_from
from .sandbox import parquet_file
from .values import json_value, text_value

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet size, minus the header


class _Line:
    def write(self, text: str) -> str:
        return text


def csv_chunks(fields: list[dict], parts: Iterator[list]) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([f["id"] for f in fields])
    for rows in parts:
        yield "".join(writer.writerow([text_value(v) for v in row]) for row in rows)


def json_chunks(fields: list[dict], parts: Iterator[list]) -> Iterator[str]:
    """CKAN's dump shape: {"fields": [...], "records": [[...], ...]}."""
    fields = [{"id": f["id"], "type": f["type"]} for f in fields]
    yield '{"fields": ' + json.dumps(fields, ensure_ascii=False) + ', "records": ['
    first = True
    for rows in parts:
        for row in rows:
            yield ("" if first else ",\n") + json.dumps([json_value(v) for v in row], ensure_ascii=False)
            first = False
    yield "]}\n"


def xlsx_file(fields: list[dict], parts: Iterator[list]):
    """A spooled XLSX file of the rows (Excel's sheet limit applies), written row by row."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("datos")
    sheet.append([f["id"] for f in fields])
    written = 0
    for rows in parts:
        for row in rows[: XLSX_MAX_ROWS - written]:
            sheet.append([json_value(v) if isinstance(v, dict | list | tuple) else v for v in row])
        written += len(rows)
        if written >= XLSX_MAX_ROWS:
            break
    spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 — FileResponse closes it
    workbook.save(spool)
    spool.seek(0)
    return spool


def parquet_response(table: DatastoreTable, filename: str) -> FileResponse:
    """The table's Parquet file as it is stored (without the _id column)."""
    return FileResponse(parquet_file(table).open("rb"), as_attachment=True, filename=f"{filename}.parquet")


def dump_response(table: DatastoreTable, query: TableQuery, fmt: str, filename: str) -> StreamingHttpResponse:
    if fmt not in FORMATS:
        raise ValidationError(_("Formato desconocido: usá csv, json, xlsx o parquet."), fields={"format": [fmt]})
    parts = table_stream(table=table, query=query)
    fields = next(parts)  # runs the query: its errors still get a proper answer
    if fmt == "xlsx":
        return FileResponse(
            xlsx_file(fields, parts), as_attachment=True, filename=f"{filename}.xlsx", content_type=FORMATS[fmt]
        )
    chunks = csv_chunks(fields, parts) if fmt == "csv" else json_chunks(fields, parts)
    response = StreamingHttpResponse(chunks, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_GET
def table_dump(request, resource_id: str):
    """The whole table (or a standard schema's combined table), or the rows matching the query string."""
    table = table_or_combined_get_readable(actor=actor_from_request(request), reference=resource_id)
    fmt = request.GET.get("format", "csv")
    if isinstance(table, CombinedTable):
        if fmt == "parquet":
            raise ValidationError(_("La tabla combinada se descarga en csv, json o xlsx."), fields={"format": [fmt]})
        return dump_response(table, query_from(table, request.GET), fmt, table.resource_id)
    if fmt == "parquet":
        return parquet_response(table, str(table.distribution.uuid))
    return dump_response(table, query_from(table, request.GET), fmt, str(table.distribution.uuid))
