"""The national freshness rule ("actualizado", DOMAIN.md §3), computed once and reused.

A dataset is up to date when its periodicity is ``eventual``, or when the whole days elapsed
since ``modified`` are fewer than its period in days × 1.2; without ``modified`` it is out of
date. Whole days, as the national monitoring computes them (pydatajson counts
``(now - modified).days``), so a monthly dataset (36 days allowed) is still up to date 35 days
and 23 hours after its last update.

``fresh_until`` turns the rule into one instant: the dataset is up to date while ``now`` is
before it. The search index stores that instant, so "up to date" is an indexed comparison
instead of a per-row computation, and it never goes stale as time passes.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from .vocabularies import PERIODICITY_DAYS, Periodicity

TOLERANCE = 0.2

# "Forever" for eventual datasets; far enough to never be reached, small enough for any database.
FRESH_FOREVER = datetime(9999, 12, 31, tzinfo=UTC)


def allowed_days(accrual_periodicity: str) -> float | None:
    """Days a dataset may go without an update; ``None`` for eventual or unknown periodicities."""
    period = PERIODICITY_DAYS.get(accrual_periodicity)
    if period is None:
        return None
    # Rounded so that 1095 × 1.2 is 1314, not 1313.9999999999998.
    return round(period * (1 + TOLERANCE), 6)


def fresh_until(*, accrual_periodicity: str, modified: datetime | None) -> datetime | None:
    """The instant from which the dataset is out of date; ``None`` if it already always is."""
    if accrual_periodicity == Periodicity.EVENTUAL:
        return FRESH_FOREVER
    allowed = allowed_days(accrual_periodicity)
    if modified is None or allowed is None:
        return None
    # floor(elapsed days) < allowed  ⇔  elapsed < ceil(allowed) days.
    try:
        return modified + timedelta(days=math.ceil(allowed))
    except OverflowError:
        return FRESH_FOREVER


def is_up_to_date(*, accrual_periodicity: str, modified: datetime | None, now: datetime | None = None) -> bool:
    """Whether a dataset with this periodicity and last update is up to date at ``now``."""
    until = fresh_until(accrual_periodicity=accrual_periodicity, modified=modified)
    return until is not None and (now or timezone.now()) < until


def dataset_is_up_to_date(dataset, *, now: datetime | None = None) -> bool:
    """Whether a dataset is up to date at ``now`` (by default, now)."""
    return is_up_to_date(accrual_periodicity=dataset.accrual_periodicity, modified=dataset.modified, now=now)


def up_to_date_q(*, up_to_date: bool = True, now: datetime | None = None, field: str = "fresh_until") -> Q:
    """A filter on a stored ``fresh_until`` column for up-to-date (or out-of-date) rows."""
    fresh = Q(**{f"{field}__gt": now or timezone.now()})
    return fresh if up_to_date else ~fresh | Q(**{f"{field}__isnull": True})
