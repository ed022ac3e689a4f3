"""What an ingestion reads a file with: detected, or corrected by the publisher."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from django.utils.translation import gettext_lazy

COLUMN_TYPES = ("string", "integer", "number", "boolean", "date", "time", "datetime", "geometry")
DELIMITERS = {
    ",": gettext_lazy("coma (,)"),
    ";": gettext_lazy("punto y coma (;)"),
    "\t": gettext_lazy("tabulación"),
    "|": gettext_lazy("barra vertical (|)"),
}
ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d")


@dataclass
class IngestionSettings:
    """Corrections a publisher makes; ``None`` means "detect it"."""

    encoding: str | None = None
    delimiter: str | None = None
    # 1-based line (CSV) or row (spreadsheet) holding the column names; 0 = the file has no header.
    header_row: int | None = None
    sheet: str | None = None
    decimal_separator: str | None = None
    date_format: str | None = None
    # Column name → one of COLUMN_TYPES.
    column_types: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, "")}

    @classmethod
    def from_dict(cls, data: dict | None) -> IngestionSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})
