"""What a file really is, from its first bytes, whatever its name says."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .problems import IngestionProblem

PDF, XLSX, ODS, XLS, ZIP, HTML, XML, JSON, TEXT, BINARY, EMPTY, OLE = (
    "pdf",
    "xlsx",
    "ods",
    "xls",
    "zip",
    "html",
    "xml",
    "json",
    "text",
    "binary",
    "empty",
    "ole",
)
TABULAR_KINDS = frozenset({XLSX, ODS, XLS, JSON, TEXT})
TABULAR_EXTENSIONS = frozenset({"csv", "tsv", "txt", "xlsx", "xls", "ods", "json", "geojson"})

KIND_LABELS = {
    PDF: gettext_lazy("un PDF"),
    XLSX: gettext_lazy("una planilla de Excel (XLSX)"),
    ODS: gettext_lazy("una planilla de LibreOffice (ODS)"),
    XLS: gettext_lazy("una planilla de Excel antigua (XLS)"),
    ZIP: gettext_lazy("un archivo comprimido ZIP"),
    HTML: gettext_lazy("una página web (HTML)"),
    XML: gettext_lazy("un documento XML"),
    JSON: gettext_lazy("un archivo JSON"),
    TEXT: gettext_lazy("un archivo de texto"),
    BINARY: gettext_lazy("un archivo binario que no es una tabla"),
    OLE: gettext_lazy("un documento de Office que no es una planilla"),
}
_EXTENSION_KIND = {"csv": TEXT, "tsv": TEXT, "txt": TEXT, "xlsx": XLSX, "xls": XLS, "ods": ODS}
_EXTENSION_KIND.update({"json": JSON, "geojson": JSON})
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body)", re.IGNORECASE)


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype")[:100]:
                return ODS
            if "content.xml" in names and "META-INF/manifest.xml" in names:
                return ODS
    except (zipfile.BadZipFile, OSError):
        return BINARY
    return ZIP


def _text_kind(head: bytes) -> str:
    body = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if _HTML_START.match(body):
        return HTML
    if body.startswith(b"<?xml") or body.startswith(b"<"):
        return HTML if b"<html" in body[:2000].lower() else XML
    if body[:1] in (b"{", b"["):
        return JSON
    return TEXT


def file_kind(path: Path) -> str:
    """Classify a file by its content: one of the kind constants above."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        return EMPTY
    if head.startswith(b"%PDF"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(OLE_MAGIC):
        return XLS
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return TEXT
    if b"\x00" in head:
        return BINARY
    return _text_kind(head)


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def kind_check(*, path: Path, name: str) -> tuple[str, list[str]]:
    """Return the real kind of a tabular file and warnings, or refuse it saying what it really is."""
    kind = file_kind(path)
    declared = extension_of(name)
    if kind == EMPTY:
        raise IngestionProblem(_("El archivo está vacío: no tiene ningún dato."), reason="empty")
    if kind not in TABULAR_KINDS:
        label = declared.upper() or _("una tabla")
        raise IngestionProblem(
            _(
                "El archivo se llama «%(name)s» como si fuera %(declared)s, pero es %(real)s: "
                "no se puede leer como tabla."
            )
            % {"name": name, "declared": label, "real": KIND_LABELS[kind]},
            reason=kind,
        )
    warnings = []
    expected = _EXTENSION_KIND.get(declared)
    if expected == TEXT and kind == JSON:
        kind = TEXT  # a CSV whose first cell starts with a brace is still a CSV
    if expected and expected != kind:
        warnings.append(
            _("El archivo tiene extensión .%(ext)s pero en realidad es %(real)s; se leyó como tal.")
            % {"ext": declared, "real": KIND_LABELS[kind]}
        )
    return kind, warnings
