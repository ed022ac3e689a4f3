"""The catalog as the national spreadsheet template (catalog.xlsx): sheets Catalog, Theme, Dataset,
Distribution and Field, with the columns pydatajson reads and writes.

The workbook is written in openpyxl's write-only mode from the same dataset entries as data.json,
so a large catalog never sits in memory as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .datajson import CatalogScope, catalog_entries, catalog_header

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CATALOG_COLUMNS = [
    "catalog_identifier",
    "catalog_title",
    "catalog_description",
    "catalog_publisher_name",
    "catalog_publisher_mbox",
    "catalog_issued",
    "catalog_modified",
    "catalog_language",
    "catalog_superThemeTaxonomy",
    "catalog_license",
    "catalog_homepage",
    "catalog_rights",
    "catalog_spatial",
]
THEME_COLUMNS = ["theme_id", "theme_label", "theme_description"]
DATASET_COLUMNS = [
    "dataset_identifier",
    "dataset_title",
    "dataset_description",
    "dataset_publisher_name",
    "dataset_publisher_mbox",
    "dataset_contactPoint_fn",
    "dataset_contactPoint_hasEmail",
    "dataset_superTheme",
    "dataset_theme",
    "dataset_keyword",
    "dataset_accrualPeriodicity",
    "dataset_issued",
    "dataset_modified",
    "dataset_language",
    "dataset_spatial",
    "dataset_temporal",
    "dataset_landingPage",
    "dataset_license",
]
DISTRIBUTION_COLUMNS = [
    "dataset_identifier",
    "dataset_title",
    "distribution_identifier",
    "distribution_title",
    "distribution_description",
    "distribution_downloadURL",
    "distribution_fileName",
    "distribution_format",
    "distribution_accessURL",
    "distribution_mediaType",
    "distribution_license",
    "distribution_byteSize",
    "distribution_issued",
    "distribution_modified",
    "distribution_rights",
]
FIELD_COLUMNS = [
    "dataset_identifier",
    "dataset_title",
    "distribution_identifier",
    "distribution_title",
    "field_title",
    "field_type",
    "field_description",
    "field_units",
]
SHEETS = {
    "Catalog": CATALOG_COLUMNS,
    "Theme": THEME_COLUMNS,
    "Dataset": DATASET_COLUMNS,
    "Distribution": DISTRIBUTION_COLUMNS,
    "Field": FIELD_COLUMNS,
}
NESTED = {"publisher": ("name", "mbox"), "contactPoint": ("fn", "hasEmail")}


def flatten(node: dict, prefix: str) -> dict:
    """A profile dict as one spreadsheet row: nested objects split, lists joined by commas."""
    row = {}
    for key, value in node.items():
        if key in NESTED and isinstance(value, dict):
            for sub in NESTED[key]:
                row[f"{prefix}_{key}_{sub}"] = value.get(sub)
        elif isinstance(value, list):
            if value and not isinstance(value[0], dict):
                row[f"{prefix}_{key}"] = ",".join(str(v) for v in value)
        else:
            row[f"{prefix}_{key}"] = value
    return row


def _append(ws, columns: list[str], row: dict) -> None:
    ws.append([row.get(column) for column in columns])


def workbook_write(header: dict, datasets: Iterable[dict], out: BinaryIO) -> None:
    """Write a catalog (its header and its dataset entries) as the template workbook."""
    wb = Workbook(write_only=True)
    sheets = {}
    bold = Font(bold=True)
    for title, columns in SHEETS.items():
        ws = wb.create_sheet(title)
        ws.append([_header_cell(ws, c, bold) for c in columns])
        sheets[title] = ws
    _append(sheets["Catalog"], CATALOG_COLUMNS, flatten(header, "catalog"))
    for theme in header.get("themeTaxonomy") or []:
        _append(sheets["Theme"], THEME_COLUMNS, flatten(theme, "theme"))
    for dataset in datasets:
        _dataset_rows(sheets, dataset)
    wb.save(out)


def _header_cell(ws, value: str, font: Font):
    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    return cell


def _dataset_rows(sheets: dict, dataset: dict) -> None:
    _append(sheets["Dataset"], DATASET_COLUMNS, flatten(dataset, "dataset"))
    parent = {"dataset_identifier": dataset.get("identifier"), "dataset_title": dataset.get("title")}
    for dist in dataset.get("distribution") or []:
        _append(sheets["Distribution"], DISTRIBUTION_COLUMNS, {**parent, **flatten(dist, "distribution")})
        owner = {
            **parent,
            "distribution_identifier": dist.get("identifier"),
            "distribution_title": dist.get("title"),
        }
        for field in dist.get("field") or []:
            _append(sheets["Field"], FIELD_COLUMNS, {**owner, **flatten(field, "field")})


def catalog_xlsx_write(scope: CatalogScope, out: BinaryIO) -> None:
    """Write the scope's published catalog as catalog.xlsx (the province's: its federable datasets)."""
    workbook_write(catalog_header(scope), catalog_entries(scope), out)
