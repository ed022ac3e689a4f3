"""Column types from sample values: Argentine numbers ("1.234.567,89"), day-first dates, booleans.

A column gets the narrowest type every non-empty sample value fits; codes with leading zeros
("06441") stay text, so partido codes keep their zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

NULL_TOKENS = frozenset(
    {"", "-", "--", "s/d", "sd", "n/a", "na", "null", "none", "nan", "#n/a", "sin datos", "sin dato"}
)
TRUE_TOKENS = frozenset({"true", "verdadero"})
FALSE_TOKENS = frozenset({"false", "falso"})

_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)?,\d+$")
_DOT_GROUPS = re.compile(r"^[+-]?\d{1,3}(\.\d{3}){2,}$")
_DOT_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?\.\d+$")
_COMMA_GROUPS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_AMBIGUOUS = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")

DATE_PATTERNS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%d/%m/%Y"),
    (re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$"), "%d-%m-%Y"),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$"), "%d.%m.%Y"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{2}$"), "%d/%m/%y"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$"), "%Y/%m/%d"),
)
_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_TIME_12H = re.compile(r"^\d{1,2}:\d{2}:\d{2} [AP]M$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_LOOKS_TYPED = re.compile(r"^[+-]?[\d.,]+$|^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


@dataclass(frozen=True)
class NumberFormat:
    decimal: str = "."
    thousands: str = ""
    ambiguous: bool = False


@dataclass(frozen=True)
class ColumnType:
    type: str
    format: str = ""


def is_null(value: str) -> bool:
    return value.strip().lower() in NULL_TOKENS


def looks_typed(value: str) -> bool:
    """Whether a cell looks like a number or a date rather than a column name."""
    return bool(_LOOKS_TYPED.match(value.strip()))


def number_format_detect(values: list[str], *, delimiter: str = ",") -> NumberFormat:
    """Decide the decimal separator from the numbers of the whole sample."""
    comma = dot = ambiguous = 0
    for raw in values:
        value = raw.strip()
        if not value or not value[-1].isdigit():
            continue
        if _COMMA_DECIMAL.match(value) or _DOT_GROUPS.match(value):
            comma += 1
        elif _AMBIGUOUS.match(value):
            ambiguous += 1
        elif _DOT_DECIMAL.match(value) or _COMMA_GROUPS.match(value):
            dot += 1
    if comma > dot:
        return NumberFormat(",", ".", ambiguous=dot > 0)
    if dot or delimiter != ";":
        thousands = "," if any(_COMMA_GROUPS.match(v.strip()) for v in values) else ""
        return NumberFormat(".", thousands, ambiguous=ambiguous > 0 and not dot)
    return NumberFormat(",", ".", ambiguous=ambiguous > 0)


def _integer_re(fmt: NumberFormat) -> re.Pattern:
    group = re.escape(fmt.thousands) if fmt.thousands else None
    body = rf"(0|[1-9]\d*|[1-9]\d{{0,2}}({group}\d{{3}})+)" if group else r"(0|[1-9]\d*)"
    return re.compile(rf"^[+-]?{body}$")


def _number_re(fmt: NumberFormat) -> re.Pattern:
    group = re.escape(fmt.thousands) if fmt.thousands else None
    whole = rf"(0|[1-9]\d*|[1-9]\d{{0,2}}({group}\d{{3}})+)" if group else r"(0|[1-9]\d*)"
    decimal = re.escape(fmt.decimal)
    exponent = r"([eE][+-]?\d+)?" if fmt.decimal == "." else ""
    return re.compile(rf"^[+-]?({whole}({decimal}\d+)?|{decimal}\d+){exponent}$")


def _date_format(values: list[str]) -> str:
    for pattern, fmt in DATE_PATTERNS:
        if all(pattern.match(v) for v in values):
            if fmt == "%d/%m/%Y" and _month_first(values):
                fmt = "%m/%d/%Y"
            return fmt if all(_parses(v, fmt) for v in values[:200]) else ""
    return ""


def _month_first(values: list[str]) -> bool:
    firsts = [int(v.split("/")[0]) for v in values]
    seconds = [int(v.split("/")[1]) for v in values]
    return max(seconds) > 12 and max(firsts) <= 12


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)  # noqa: DTZ007 - a calendar check, no time zone involved
    except ValueError:
        return False
    return True


def _datetime_format(values: list[str]) -> str | None:
    if all(_ISO_DATETIME.match(v) for v in values):
        return ""
    dates = [v.split(" ", 1) for v in values]
    if all(len(parts) == 2 and _TIME_12H.match(parts[1]) for parts in dates):
        date_fmt = _date_format([parts[0] for parts in dates])
        return f"{date_fmt} %I:%M:%S %p" if date_fmt else None
    if not all(len(parts) == 2 and _TIME.match(parts[1]) for parts in dates):
        return None
    date_fmt = _date_format([parts[0] for parts in dates])
    if not date_fmt:
        return None
    seconds = all(parts[1].count(":") == 2 for parts in dates)
    return f"{date_fmt} %H:%M:%S" if seconds else f"{date_fmt} %H:%M"


def column_type_infer(values: list[str], fmt: NumberFormat) -> ColumnType:
    """The narrowest type all non-empty values fit (text when they fit none, or when all are empty)."""
    present = [v.strip() for v in values if not is_null(v)]
    if not present:
        return ColumnType("string")
    lowered = {v.lower() for v in present}
    if lowered <= TRUE_TOKENS | FALSE_TOKENS:
        return ColumnType("boolean")
    if all(_integer_re(fmt).match(v) for v in present):
        return ColumnType("integer")
    if all(_number_re(fmt).match(v) for v in present):
        return ColumnType("number")
    date_fmt = _date_format(present)
    if date_fmt:
        return ColumnType("date", date_fmt)
    datetime_fmt = _datetime_format(present)
    if datetime_fmt is not None:
        return ColumnType("datetime", datetime_fmt)
    if all(_TIME.match(v) for v in present):
        return ColumnType("time")
    return ColumnType("string")
