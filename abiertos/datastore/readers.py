"""Rows of text out of spreadsheets (XLSX, XLS, ODS) and JSON/GeoJSON, streamed where the format allows.

Every reader yields lists of strings in one neutral notation (ISO dates, "." decimals), so the
same type inference and the same DuckDB load serve every format.
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from defusedxml import ElementTree
from django.utils.translation import gettext as _

from .limits import CellCounter
from .problems import IngestionProblem

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
MAX_BLANK_RUN = 10_000
# A JSON document is parsed whole; beyond this size it is refused (CSV streams, JSON does not).
JSON_MAX_BYTES = 256 * 1024 * 1024


def cell_text(value: object) -> str:
    """A cell value in the neutral notation."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _with_blank_runs(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """Drop trailing blank rows; keep a blank run inside the data only when it is short."""
    blanks = 0
    for row in rows:
        if not row:
            blanks += 1
            continue
        yield from ([] for _blank in range(min(blanks, MAX_BLANK_RUN)))
        blanks = 0
        yield row


# XLSX ----------------------------------------------------------------------------------------


def xlsx_sheets(path: Path) -> list[str]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def xlsx_rows(path: Path, sheet: str) -> Iterator[list[str]]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()  # stream the cells that exist, not the size the file claims
        counter = CellCounter()
        for values in worksheet.iter_rows(values_only=True):
            row = _trim([cell_text(v) for v in values])
            counter.add(row)
            yield row
    finally:
        workbook.close()


# XLS -----------------------------------------------------------------------------------------


def _xls_book(path: Path):
    import xlrd

    try:
        return xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as exc:
        raise IngestionProblem(
            _("El archivo parece un documento de Office pero no es una planilla XLS legible."), reason="ole"
        ) from exc


def xls_sheets(path: Path) -> list[str]:
    book = _xls_book(path)
    try:
        return book.sheet_names()
    finally:
        book.release_resources()


def _xls_value(cell, datemode: int) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError):
            return cell_text(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(cell.value))
    if cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return cell_text(cell.value)


def xls_rows(path: Path, sheet: str) -> Iterator[list[str]]:
    from .limits import cells_check

    book = _xls_book(path)
    try:
        worksheet = book.sheet_by_name(sheet)
        cells_check(rows=worksheet.nrows, columns=worksheet.ncols)
        for index in range(worksheet.nrows):
            yield _trim([_xls_value(c, book.datemode) for c in worksheet.row(index)])
    finally:
        book.release_resources()


# ODS -----------------------------------------------------------------------------------------


def _tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _ods_content(path: Path):
    archive = zipfile.ZipFile(path)
    return archive, archive.open("content.xml")


def ods_sheets(path: Path) -> list[str]:
    archive, content = _ods_content(path)
    names = []
    with archive, content:
        for _event, element in ElementTree.iterparse(content, events=("start",)):
            if element.tag == _tag(TABLE_NS, "table"):
                names.append(element.get(_tag(TABLE_NS, "name"), ""))
    return names


def _ods_cell(element) -> str:
    kind = element.get(_tag(OFFICE_NS, "value-type"))
    if kind in ("float", "percentage", "currency") and element.get(_tag(OFFICE_NS, "value")) is not None:
        return cell_text(float(element.get(_tag(OFFICE_NS, "value"))))
    if kind == "date":
        return element.get(_tag(OFFICE_NS, "date-value"), "").replace("T", " ")
    if kind == "boolean":
        return element.get(_tag(OFFICE_NS, "boolean-value"), "")
    return "\n".join("".join(p.itertext()) for p in element.iter(_tag(TEXT_NS, "p")))


class _OdsRows:
    """Turns the parse events of one sheet into rows, expanding repeated cells and rows."""

    def __init__(self) -> None:
        self.row: list[str] = []
        self.counter = CellCounter()

    def cell(self, element) -> None:
        repeat = int(element.get(_tag(TABLE_NS, "number-columns-repeated"), "1"))
        value = _ods_cell(element)
        self.row.extend([value] * (repeat if value or repeat < 1024 else 1))

    def end_row(self, element) -> Iterator[list[str]]:
        row, self.row = _trim(self.row), []
        repeat = int(element.get(_tag(TABLE_NS, "number-rows-repeated"), "1"))
        for _copy in range(repeat if row or repeat < MAX_BLANK_RUN else 1):
            self.counter.add(row)
            yield row


def ods_rows(path: Path, sheet: str) -> Iterator[list[str]]:
    archive, content = _ods_content(path)
    cells = (_tag(TABLE_NS, "table-cell"), _tag(TABLE_NS, "covered-table-cell"))
    inside, rows = False, _OdsRows()
    with archive, content:
        for event, element in ElementTree.iterparse(content, events=("start", "end")):
            if element.tag == _tag(TABLE_NS, "table"):
                if event == "end" and inside:
                    return
                inside = event == "start" and element.get(_tag(TABLE_NS, "name")) == sheet
            elif inside and event == "end" and element.tag in cells:
                rows.cell(element)
                element.clear()
            elif inside and event == "end" and element.tag == _tag(TABLE_NS, "table-row"):
                yield from rows.end_row(element)
                element.clear()


def spreadsheet_sheets(path: Path, kind: str) -> list[str]:
    return {"xlsx": xlsx_sheets, "xls": xls_sheets, "ods": ods_sheets}[kind](path)


def spreadsheet_rows(path: Path, kind: str, sheet: str) -> Iterator[list[str]]:
    reader = {"xlsx": xlsx_rows, "xls": xls_rows, "ods": ods_rows}[kind]
    return _with_blank_runs(reader(path, sheet))


# JSON / GeoJSON ------------------------------------------------------------------------------


def _json_cell(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return cell_text(value)


def _records(document: object) -> tuple[list[dict], bool]:
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features") or []
        records = [
            {**(f.get("properties") or {}), "geometry": f.get("geometry")} for f in features if isinstance(f, dict)
        ]
        return records, True
    if isinstance(document, dict):
        lists = [v for v in document.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        document = lists[0] if len(lists) == 1 else document
    if isinstance(document, list) and all(isinstance(item, dict) for item in document):
        return document, False
    raise IngestionProblem(
        _("El JSON no es una lista de objetos (una fila por objeto) ni un GeoJSON con «features»."),
        reason="json_shape",
    )


def json_table(path: Path) -> tuple[list[str], Iterator[list[str]], bool]:
    """Column names, rows and whether it is GeoJSON (its geometry becomes a "geometry" column)."""
    if path.stat().st_size > JSON_MAX_BYTES:
        raise IngestionProblem(
            _("El JSON pesa más de %(max)d MB y se lee entero en memoria: publicá estos datos como CSV.")
            % {"max": JSON_MAX_BYTES // (1024 * 1024)},
            reason="too_big",
        )
    try:
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise IngestionProblem(
            _("El JSON está mal formado%(where)s: %(detail)s.")
            % {"where": _(" en la línea %(n)d") % {"n": line} if line else "", "detail": getattr(exc, "msg", exc)},
            reason="json_invalid",
            row=line,
        ) from exc
    records, is_geo = _records(document)
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(str(k) for k in record))
    header = list(names)
    return header, ([_json_cell(r.get(k)) for k in header] for r in records), is_geo
