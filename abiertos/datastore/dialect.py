"""Which character separates the columns of a text file."""

from __future__ import annotations

import csv
import io
from collections import Counter

CANDIDATES = (",", ";", "\t", "|")


def rows_parse_with_lines(text: str, delimiter: str, *, limit: int = 500) -> tuple[list[list[str]], list[int]]:
    """Up to ``limit`` rows of a decoded sample, honouring quotes, and the line each row ends on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    rows, ends = [], []
    try:
        for row in reader:
            rows.append(row)
            ends.append(reader.line_num)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows, ends


def rows_parse(text: str, delimiter: str, *, limit: int = 500) -> list[list[str]]:
    return rows_parse_with_lines(text, delimiter, limit=limit)[0]


def _score(rows: list[list[str]]) -> tuple[float, int]:
    widths = [len(r) for r in rows if any(cell.strip() for cell in r)]
    if not widths:
        return 0.0, 0
    mode, count = Counter(widths).most_common(1)[0]
    if mode < 2:
        return 0.0, mode
    return count / len(widths), mode


def delimiter_detect(text: str, *, extension: str = "") -> str:
    """The candidate that splits most rows into the same number (≥ 2) of columns."""
    if extension == "tsv":
        return "\t"
    best, best_score = ",", (0.0, 0)
    for candidate in CANDIDATES:
        score = _score(rows_parse(text, candidate, limit=200))
        if score > best_score:
            best, best_score = candidate, score
    return best
