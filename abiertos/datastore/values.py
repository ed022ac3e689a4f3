"""Table values as JSON and as CSV text."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time
from decimal import Decimal


def json_value(value):
    """A DuckDB value as JSON: ISO dates, floats without NaN or infinity."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict | list | tuple):
        return json.loads(json.dumps(value, default=str))
    return value


def text_value(value) -> str:
    """A value as a CSV cell: empty for NULL, true/false, ISO dates, numbers as Python prints them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    value = json_value(value)
    return "" if value is None else str(value)
