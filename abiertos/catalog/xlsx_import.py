"""Read a catalog.xlsx (the national template: sheets Catalog, Theme, Dataset, Distribution, Field)
into the same dict a data.json gives, remembering the sheet and row of every node so an import
can say exactly which cell is wrong.

Lenient where real spreadsheets are sloppy (stray spaces and line breaks, sheet names in any
case, dates typed as dates, distributions without identifier in older templates), strict where a
guess would be silent: a row that cannot be placed is an error, not a dropped row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl import load_workbook

LIST_KEYS = {"superTheme", "theme", "keyword", "language", "catalog_language"}
NESTED_PREFIXES = {"publisher_": "publisher", "contactPoint_": "contactPoint"}


@dataclass
class SheetProblem:
    sheet: str
    row: int | None
    column: str | None
    message: str


@dataclass
class XlsxCatalog:
    catalog: dict
    # JSON path of a node ("dataset[2]", "dataset[2].distribution[0]", ...) → (sheet, row, prefix)
    rows: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    problems: list[SheetProblem] = field(default_factory=list)
    warnings: list[SheetProblem] = field(default_factory=list)


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sheet_rows(wb, name: str) -> list[tuple[int, dict]]:
    """(row number, {header: value}) of a sheet found case-insensitively; [] if it is absent."""
    sheet = next((wb[s] for s in wb.sheetnames if s.strip().lower() == name), None)
    if sheet is None:
        return []
    rows = sheet.iter_rows(values_only=True)
    headers = [(_clean(h) or "") for h in next(rows, ())]
    out = []
    for number, values in enumerate(rows, start=2):
        record = {h: _clean(v) for h, v in zip(headers, values, strict=False) if h}
        if any(v is not None for v in record.values()):
            out.append((number, record))
    return out


def _unprefix(record: dict, prefix: str) -> dict:
    """{"dataset_publisher_name": x} → {"publisher": {"name": x}}; lists split on commas."""
    node: dict = {}
    for key, value in record.items():
        if not key.startswith(prefix) or value is None:
            continue
        key = key[len(prefix) :]
        if key in LIST_KEYS and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        nested = next((p for p in NESTED_PREFIXES if key.startswith(p)), None)
        if nested:
            node.setdefault(NESTED_PREFIXES[nested], {})[key[len(nested) :]] = value
        else:
            node[key] = str(value) if key == "identifier" else value
    return node


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def xlsx_catalog_read(stream: BinaryIO) -> XlsxCatalog:
    """Parse the workbook; raises ValueError when it is not a readable xlsx at all."""
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:
        raise ValueError(_("No se pudo abrir el archivo como planilla .xlsx (%(e)s).") % {"e": exc}) from exc
    result = XlsxCatalog(catalog={})
    catalogs = _sheet_rows(wb, "catalog")
    if not catalogs:
        result.problems.append(SheetProblem("Catalog", None, None, _("Falta la hoja «Catalog» o está vacía.")))
    catalog = _unprefix(catalogs[0][1], "catalog_") if catalogs else {}
    catalog["themeTaxonomy"] = [_unprefix(r, "theme_") for _, r in _sheet_rows(wb, "theme")]
    catalog["dataset"] = []
    result.catalog = catalog
    by_id = _read_datasets(wb, result)
    distributions = _read_distributions(wb, result, by_id)
    _read_fields(wb, result, by_id, distributions)
    wb.close()
    return result


def _read_datasets(wb, result: XlsxCatalog) -> dict[str, int]:
    by_id: dict[str, int] = {}
    for number, record in _sheet_rows(wb, "dataset"):
        index = len(result.catalog["dataset"])
        dataset = _unprefix(record, "dataset_")
        dataset["distribution"] = []
        result.catalog["dataset"].append(dataset)
        result.rows[f"dataset[{index}]"] = ("Dataset", number, "dataset_")
        identifier = _text(dataset.get("identifier"))
        if identifier:
            by_id.setdefault(identifier, index)
    return by_id


def _read_distributions(wb, result: XlsxCatalog, by_id: dict[str, int]) -> dict[tuple[str, str], tuple[int, int]]:
    """Place each row under its dataset; return (dataset id, distribution id or title) → indexes."""
    placed: dict[tuple[str, str], tuple[int, int]] = {}
    for number, record in _sheet_rows(wb, "distribution"):
        dataset_id = _text(record.get("dataset_identifier"))
        if dataset_id not in by_id:
            result.problems.append(
                SheetProblem(
                    "Distribution",
                    number,
                    "dataset_identifier",
                    _("No hay ningún conjunto con el identificador «%(id)s» en la hoja «Dataset».")
                    % {"id": dataset_id},
                )
            )
            continue
        index = by_id[dataset_id]
        dataset = result.catalog["dataset"][index]
        dist = _unprefix(record, "distribution_")
        position = len(dataset["distribution"])
        if not _text(dist.get("identifier")):
            dist["identifier"] = f"{dataset_id}-{position + 1}"
            result.warnings.append(
                SheetProblem(
                    "Distribution",
                    number,
                    "distribution_identifier",
                    _("Sin identificador: se usará «%(id)s».") % {"id": dist["identifier"]},
                )
            )
        dataset["distribution"].append(dist)
        result.rows[f"dataset[{index}].distribution[{position}]"] = ("Distribution", number, "distribution_")
        placed[(dataset_id, _text(record.get("distribution_identifier")) or "")] = (index, position)
        placed.setdefault((dataset_id, "title:" + _text(dist.get("title"))), (index, position))
    return placed


def _read_fields(wb, result: XlsxCatalog, by_id: dict, placed: dict) -> None:
    for number, record in _sheet_rows(wb, "field"):
        dataset_id = _text(record.get("dataset_identifier"))
        dist_id = _text(record.get("distribution_identifier"))
        where = placed.get((dataset_id, dist_id)) if dist_id else None
        where = where or placed.get((dataset_id, "title:" + _text(record.get("distribution_title"))))
        if where is None:
            result.problems.append(
                SheetProblem(
                    "Field",
                    number,
                    "distribution_identifier" if dist_id else "distribution_title",
                    _("La columna no corresponde a ningún recurso de la hoja «Distribution».")
                    if dataset_id in by_id
                    else _("No hay ningún conjunto con el identificador «%(id)s».") % {"id": dataset_id},
                )
            )
            continue
        index, position = where
        dist = result.catalog["dataset"][index]["distribution"][position]
        fields = dist.setdefault("field", [])
        result.rows[f"dataset[{index}].distribution[{position}].field[{len(fields)}]"] = ("Field", number, "field_")
        fields.append(_unprefix(record, "field_"))
