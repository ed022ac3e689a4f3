"""The value formats of the national metadata profile, as pydatajson's JSON schema states them."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

SUPER_THEMES = {"AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN"}
SUPER_THEMES_ANY_CASE = SUPER_THEMES | {s.lower() for s in SUPER_THEMES}
NATIONAL_PERIODICITIES = {
    "R/P10Y", "R/P4Y", "R/P3Y", "R/P2Y", "R/P1Y", "R/P6M", "R/P4M", "R/P3M", "R/P2M", "R/P1M", "R/P0.5M",
    "R/P0.33M", "R/P1W", "R/P0.5W", "R/P0.33W", "R/P1D", "R/PT1H", "R/PT1S", "eventual",
}  # fmt: skip
PERIODICITY_RE = (
    re.compile(r"^R/P\d+(\.\d+)?[Y|M|W|D]$"),
    re.compile(r"^R/PT\d+(\.\d+)?[H|M|S]$"),
    re.compile(r"^eventual$"),
    re.compile(r"^EVENTUAL$"),
)
EMAIL_RE = re.compile(
    r"^[ ]*[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*[ ]*$"
)
KEYWORD_RE = re.compile(r"^[ 0-9a-zá-źÁ-ŹA-ZñÑ._-]+$")
_TS = r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d(\.\d+)?)?(([+-]\d\d:\d\d)|Z)?"
TEMPORAL_RE = (re.compile(rf"^({_TS})\/({_TS})$"), re.compile(rf"^({_TS})$"))
# RFC 3986 URI: a scheme, a colon, then only characters a URI may carry (no spaces, no accents).
URI_CHARS_RE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
URI_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
# ISO 8601 as isodate (pydatajson's date-time checker) reads it: a date, "T", a time.
ISO_DATE_RE = re.compile(r"^(\d{4})-?(\d\d)-?(\d\d)$|^\d{4}(-\d\d)?$|^\d{4}-?\d{3}$|^\d{4}-?W\d\d(-?\d)?$")
# hh, hh:mm, hh:mm:ss(.f), also without colons; then an optional zone.
ISO_TIME_RE = re.compile(r"^(\d\d)(?::?(\d\d)(?::?(\d\d)([.,]\d+)?)?)?(Z|[+-]\d\d(:?\d\d)?)?$")


def non_empty(v) -> bool:
    return isinstance(v, str) and len(v) >= 1


def str_or_null(v) -> bool:
    return v is None or isinstance(v, str)


def empty(v) -> bool:
    return v is None or v == ""


def is_date(v: str) -> bool:
    try:
        datetime.strptime(v, "%Y-%m-%d")  # noqa: DTZ007 - a format check, no instant is built
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=8192)
def is_datetime(v: str) -> bool:
    """Remembered: a catalog repeats its dates (distributions carry their dataset's), and the
    province data.json judges 100,000 entries on its first export."""
    parts = v.split("T")
    if len(parts) != 2:
        return False
    day, time = ISO_DATE_RE.match(parts[0]), ISO_TIME_RE.match(parts[1])
    if not day or not time:
        return False
    if day.group(1):
        try:
            date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
        except ValueError:
            return False
    hour, minute, second = (int(g or 0) for g in time.group(1, 2, 3))
    return hour < 24 and minute < 60 and second < 60


def date_or_datetime(v) -> bool:
    # A "T" rules out a plain date (and strptime's exception is costly at 100,000 datasets).
    return isinstance(v, str) and (is_datetime(v) if "T" in v else is_date(v))


def date_or_null(v) -> bool:
    return empty(v) or date_or_datetime(v)


def is_uri(v) -> bool:
    return isinstance(v, str) and bool(URI_CHARS_RE.match(v)) and bool(URI_SCHEME_RE.match(v))


def array_or_null(v) -> bool:
    return v is None or (isinstance(v, list) and all(non_empty(i) for i in v))


def parse_instant(v) -> date | None:
    """The date of an ISO date or date-time string; None when it is absent or does not exist."""
    if not isinstance(v, str) or not v:
        return None
    return _instant(v)


@functools.lru_cache(maxsize=8192)
def _instant(v: str) -> date | None:
    """Remembered, as ``is_datetime``: an entry's dates repeat in its distributions."""
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def email_or_empty(v) -> bool:
    return empty(v) or (isinstance(v, str) and bool(EMAIL_RE.match(v)))
