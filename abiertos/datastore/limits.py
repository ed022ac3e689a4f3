"""Refuse files too big to load, and spreadsheets that would explode when opened (zip/XML bombs)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .problems import IngestionProblem

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?:?([A-Z]+)(\d+)\"")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")


def size_check(path: Path) -> int:
    """Refuse a file larger than DATASTORE_MAX_BYTES; return its size."""
    size = path.stat().st_size
    if size > settings.DATASTORE_MAX_BYTES:
        raise IngestionProblem(
            _("El archivo pesa %(size)s MB y el máximo que se puede cargar como tabla es %(max)s MB.")
            % {"size": _megabytes(size), "max": _megabytes(settings.DATASTORE_MAX_BYTES)},
            reason="too_big",
        )
    return size


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def _bomb(detail: str) -> IngestionProblem:
    return IngestionProblem(
        _("La planilla parece armada para trabar a quien la abra (%(detail)s); no se carga.") % {"detail": detail},
        reason="bomb",
    )


def cells_check(*, rows: int, columns: int) -> None:
    """Refuse a sheet with more columns or cells than the configured limits."""
    if columns > settings.DATASTORE_MAX_COLUMNS:
        raise _bomb(
            _("declara %(n)d columnas; el máximo es %(max)d") % {"n": columns, "max": settings.DATASTORE_MAX_COLUMNS}
        )
    if rows * columns > settings.DATASTORE_MAX_CELLS:
        raise _bomb(
            _("declara %(rows)d filas por %(cols)d columnas, más de %(max)d celdas")
            % {"rows": rows, "cols": columns, "max": settings.DATASTORE_MAX_CELLS}
        )


def _xlsx_dimensions_check(archive: zipfile.ZipFile) -> None:
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        with archive.open(name) as member:
            head = member.read(4096)
        match = _DIMENSION.search(head)
        if match:
            first_row = int(match.group(2) or 1)
            first_col = _column_number(match.group(1) or b"A")
            cells_check(
                rows=int(match.group(4)) - first_row + 1, columns=_column_number(match.group(3)) - first_col + 1
            )


def archive_check(path: Path, *, kind: str) -> None:
    """Before opening an XLSX or ODS: its uncompressed size and (XLSX) each sheet's declared size."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise IngestionProblem(_("La planilla está dañada: no se puede abrir."), reason="corrupt") from exc
    with archive:
        total = sum(info.file_size for info in archive.infolist())
        if total > settings.DATASTORE_MAX_UNCOMPRESSED_BYTES:
            raise _bomb(
                _("ocupa %(size)s MB al descomprimirla; el máximo es %(max)s MB")
                % {"size": _megabytes(total), "max": _megabytes(settings.DATASTORE_MAX_UNCOMPRESSED_BYTES)}
            )
        if kind == "xlsx":
            _xlsx_dimensions_check(archive)


class CellCounter:
    """Counts cells while a sheet streams, for sheets whose declared size lies."""

    def __init__(self) -> None:
        self.cells = 0

    def add(self, row: list) -> None:
        self.cells += len(row)
        if len(row) > settings.DATASTORE_MAX_COLUMNS or self.cells > settings.DATASTORE_MAX_CELLS:
            raise _bomb(_("tiene más de %(max)d celdas") % {"max": settings.DATASTORE_MAX_CELLS})
