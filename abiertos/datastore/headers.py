"""Which row holds the column names (after title rows and blank lines), and clean names for them."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from . import typing as column_typing


def row_width(row: list[str]) -> int:
    """Cells up to the last non-empty one."""
    for index in range(len(row) - 1, -1, -1):
        if row[index].strip():
            return index + 1
    return 0


def _looks_like_header(row: list[str], width: int) -> bool:
    cells = [c.strip() for c in row[:width] if c.strip()]
    if len(cells) < max(min(2, width), (width + 1) // 2):
        return False
    texts = [c for c in cells if not column_typing.looks_typed(c)]
    return len(texts) >= max(1, len(cells) * 0.6)


def header_detect(rows: list[list[str]]) -> int | None:
    """0-based index of the header row in ``rows``, or None when the table has no header row."""
    widths = [row_width(r) for r in rows]
    wide = [w for r, w in zip(rows, widths, strict=True) if sum(1 for c in r if c.strip()) >= 2]
    if not wide:
        return 0 if any(widths) else None
    typical = Counter(wide).most_common(1)[0][0]
    first_filled = next(i for i, w in enumerate(widths) if w)
    if widths[first_filled] >= typical and not _looks_like_header(rows[first_filled], typical):
        return None  # the very first row is already data
    for index, row in enumerate(rows[:50]):
        if widths[index] and _looks_like_header(row, typical):
            return index
    return None


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFC", name).replace("\ufeff", "")
    return re.sub(r"\s+", " ", name).strip()[:60].strip()


def column_names(header: list[str], width: int) -> list[str]:
    """Unique, trimmed names for ``width`` columns; unnamed ones become "columna_N"."""
    names: list[str] = []
    seen: set[str] = set()
    for index in range(width):
        base = _clean(header[index]) if index < len(header) else ""
        base = base or f"columna_{index + 1}"
        name, n = base, 2
        while name.lower() in seen:
            suffix = f"_{n}"
            name, n = base[: 60 - len(suffix)] + suffix, n + 1
        seen.add(name.lower())
        names.append(name)
    return names
