"""Read a sample of a file and decide how to load it: encoding, delimiter, header, sheet, column types.

Nothing here loads the whole file; the preview page and the load both start from a ``Detection``.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from . import dialect, encodings, headers, readers, sniffing
from . import typing as column_typing
from .limits import archive_check
from .options import IngestionSettings
from .problems import IngestionProblem

SAMPLE_BYTES = 4 * 1024 * 1024
SAMPLE_ROWS = 5000
PREVIEW_ROWS = 20


@dataclass
class Detection:
    kind: str
    settings: dict
    columns: list[dict]
    rows: list[list[str]]
    warnings: list[str] = field(default_factory=list)

    @property
    def preview_rows(self) -> list[list[str]]:
        keep = [c["source"] for c in self.columns]
        return [[row[i] if i < len(row) else "" for i in keep] for row in self.rows[:PREVIEW_ROWS]]


def _header_index(rows: list[list[str]], chosen: int | None) -> int | None:
    if chosen is None:
        return headers.header_detect(rows)
    if chosen == 0:
        return None
    if chosen > len(rows):
        raise IngestionProblem(
            _("Elegiste la fila %(n)d como encabezado, pero la muestra tiene %(total)d filas.")
            % {"n": chosen, "total": len(rows)},
            reason="header_row",
        )
    return chosen - 1


def _decimal_comma_hint(row: list[str]) -> bool:
    pairs = sum(1 for a, b in itertools.pairwise(row) if re.fullmatch(r"-?[\d.]+", a) and re.fullmatch(r"\d{2}", b))
    return pairs >= 2


def _ragged_check(header: list[str], data: list[list[str]], first_row: int) -> None:
    allowed = len(header)
    for offset, row in enumerate(data):
        width = headers.row_width(row)
        if width > allowed:
            hint = ""
            if _decimal_comma_hint(row):
                hint = _(
                    " Parece que los números usan coma decimal y el separador de columnas también es la coma: "
                    "exportá el archivo con punto y coma (;) como separador o con los números entre comillas."
                )
            raise IngestionProblem(
                _("La fila %(row)d tiene %(found)d columnas, pero el encabezado tiene %(expected)d.%(hint)s")
                % {"row": first_row + offset, "found": width, "expected": allowed, "hint": hint},
                reason="ragged",
                row=first_row + offset,
            )


def _columns(names: list[str], originals: list[str], data: list[list[str]], number_format, settings, overrides):
    columns, ignored = [], []
    for index, name in enumerate(names):
        values = [row[index] if index < len(row) else "" for row in data]
        original = originals[index] if index < len(originals) else ""
        if not original.strip() and not any(v.strip() for v in values):
            ignored.append(index + 1)
            continue
        inferred = column_typing.column_type_infer(values, number_format)
        column = {"name": name, "original": original, "source": index, "type": inferred.type}
        column["format"] = inferred.format
        column["nullable"] = any(column_typing.is_null(v) for v in values) or not values
        forced = overrides.column_types.get(name)
        if forced and forced != inferred.type:
            column.update(type=forced, format="", forced=True)
        if column["type"] in ("date", "datetime") and overrides.date_format:
            suffix = column["format"][len(column["format"].split(" ")[0]) :] if column["format"] else ""
            column["format"] = overrides.date_format + suffix
        columns.append(column)
    settings["ignored_columns"] = ignored
    dates = Counter(c["format"].split(" ")[0] for c in columns if c["type"] in ("date", "datetime") and c["format"])
    settings["date_format"] = overrides.date_format or (dates.most_common(1)[0][0] if dates else "")
    return columns


def _table(kind: str, rows: list[list[str]], ends: list[int], settings: dict, overrides: IngestionSettings):
    """Header, ragged rows and types of a parsed sample; fills ``settings`` in place."""
    index = _header_index(rows, overrides.header_row)
    if index is None:
        header, data = [], [r for r in rows if any(c.strip() for c in r)]
        settings["header_row"], settings["skip_lines"], first_row = 0, 0, 1
    else:
        header, data = rows[index], [r for r in rows[index + 1 :] if any(c.strip() for c in r)]
        settings["header_row"], settings["skip_lines"], first_row = index + 1, ends[index], index + 2
        if kind == "text":
            _ragged_check(header, rows[index + 1 :], first_row)
    width = max([len(header)] + [len(r) for r in data[:SAMPLE_ROWS]] or [0])
    if width == 0:
        raise IngestionProblem(_("El archivo no tiene columnas."), reason="empty")
    settings["physical_columns"] = width
    settings["first_data_row"] = first_row
    values = [cell for row in data for cell in row]
    if settings.get("decimal_separator") is None:
        fmt = column_typing.number_format_detect(values, delimiter=settings.get("delimiter", ","))
    else:
        decimal = settings["decimal_separator"]
        fmt = column_typing.NumberFormat(decimal, "." if decimal == "," else settings.get("thousands_separator", ""))
    if overrides.decimal_separator:
        fmt = column_typing.NumberFormat(overrides.decimal_separator, "." if overrides.decimal_separator == "," else "")
    settings.update(decimal_separator=fmt.decimal, thousands_separator=fmt.thousands, ambiguous_decimals=fmt.ambiguous)
    names = headers.column_names(header, width)
    columns = _columns(names, header, data, fmt, settings, overrides)
    return columns, data


def _text_detect(path: Path, name: str, overrides: IngestionSettings) -> Detection:
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
        whole = not handle.read(1)
    encoding = overrides.encoding or encodings.encoding_detect(head)
    text = encodings.sample_decode(head, encoding, complete=whole)
    delimiter = overrides.delimiter or dialect.delimiter_detect(text, extension=sniffing.extension_of(name))
    rows, ends = dialect.rows_parse_with_lines(text, delimiter, limit=SAMPLE_ROWS)
    if not whole and len(rows) > 1:
        rows, ends = rows[:-1], ends[:-1]
    settings = {"encoding": encoding, "delimiter": delimiter, "sheet": "", "sheets": []}
    settings["encoding_override"] = overrides.encoding or ""
    columns, data = _table("text", rows, ends, settings, overrides)
    return Detection("text", settings, columns, data)


def _spreadsheet_detect(path: Path, kind: str, overrides: IngestionSettings) -> Detection:
    archive_check(path, kind=kind) if kind in ("xlsx", "ods") else None
    sheets = readers.spreadsheet_sheets(path, kind)
    sheet = overrides.sheet or _first_sheet_with_data(path, kind, sheets)
    if sheet not in sheets:
        raise IngestionProblem(
            _("La planilla no tiene una hoja llamada «%(sheet)s». Hojas: %(sheets)s.")
            % {"sheet": sheet, "sheets": ", ".join(sheets)},
            reason="sheet",
        )
    rows = list(itertools.islice(readers.spreadsheet_rows(path, kind, sheet), SAMPLE_ROWS))
    if not any(rows):
        raise IngestionProblem(_("La hoja «%(sheet)s» está vacía.") % {"sheet": sheet}, reason="empty")
    settings = {"encoding": "", "delimiter": "", "sheet": sheet, "sheets": sheets, "decimal_separator": "."}
    settings["thousands_separator"] = ""
    columns, data = _table(kind, rows, list(range(1, len(rows) + 1)), settings, overrides)
    return Detection(kind, settings, columns, data)


def _first_sheet_with_data(path: Path, kind: str, sheets: list[str]) -> str:
    for sheet in sheets:
        if any(row for row in itertools.islice(readers.spreadsheet_rows(path, kind, sheet), 50)):
            return sheet
    return sheets[0] if sheets else ""


def _json_detect(path: Path, overrides: IngestionSettings) -> Detection:
    header, rows_iter, is_geo = readers.json_table(path)
    rows = [header] + list(itertools.islice(rows_iter, SAMPLE_ROWS))
    if len(rows) == 1:
        raise IngestionProblem(_("El JSON no tiene ninguna fila de datos."), reason="empty")
    settings = {"encoding": "utf-8", "delimiter": "", "sheet": "", "sheets": [], "decimal_separator": "."}
    settings.update(thousands_separator="", geojson=is_geo)
    overrides = IngestionSettings(**{**overrides.__dict__, "header_row": 1})
    columns, data = _table("json", rows, list(range(1, len(rows) + 1)), settings, overrides)
    for column in columns:
        if is_geo and column["name"] == "geometry":
            column.update(type="geometry", format="")
    return Detection("geojson" if is_geo else "json", settings, columns, data)


def detect(*, path: Path, name: str, overrides: IngestionSettings | None = None) -> Detection:
    """How to read the file at ``path`` (named ``name`` by its publisher), from a sample."""
    overrides = overrides or IngestionSettings()
    kind, warnings = sniffing.kind_check(path=path, name=name)
    if kind == sniffing.TEXT:
        detection = _text_detect(path, name, overrides)
    elif kind == sniffing.JSON:
        detection = _json_detect(path, overrides)
    else:
        detection = _spreadsheet_detect(path, kind, overrides)
    detection.warnings = warnings + detection.warnings
    if detection.settings.get("ambiguous_decimals"):
        detection.warnings.append(
            _(
                "Algunos números como «1.234» pueden leerse como mil doscientos treinta y cuatro o como uno coma "
                "dos. Se usó «%(sep)s» como separador decimal: revisalo en la vista previa."
            )
            % {"sep": detection.settings["decimal_separator"]}
        )
    return detection
