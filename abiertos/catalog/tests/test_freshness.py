from datetime import UTC, datetime, timedelta

import pytest

from abiertos.catalog.freshness import (
    FRESH_FOREVER,
    allowed_days,
    dataset_is_up_to_date,
    fresh_until,
    is_up_to_date,
    up_to_date_q,
)
from abiertos.catalog.models import DatasetSearchEntry
from abiertos.catalog.tests.factories import dataset_make
from abiertos.catalog.vocabularies import PERIODICITY_DAYS

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("periodicity", "age", "expected"),
    [
        ("R/P1M", timedelta(days=35, hours=23), True),  # 35 whole days < 36
        ("R/P1M", timedelta(days=36), False),
        ("R/P1Y", timedelta(days=437), True),  # 365 × 1.2 = 438
        ("R/P1Y", timedelta(days=438), False),
        ("R/P3Y", timedelta(days=1313), True),  # 1095 × 1.2 = 1314, not 1313.999…
        ("R/P3Y", timedelta(days=1314), False),
        ("R/P1W", timedelta(days=8, hours=23), True),  # 8.4 days: whole days 0…8
        ("R/P1W", timedelta(days=9), False),
        ("R/P1D", timedelta(hours=23), True),
        ("R/P1D", timedelta(days=2), False),
        ("R/PT1H", timedelta(hours=5), True),  # whole days elapsed: 0 < 0.05
        ("R/P1M", timedelta(days=-3), True),  # modified in the future
        ("eventual", timedelta(days=10_000), True),
    ],
)
def test_is_up_to_date_follows_the_national_rule(periodicity, age, expected):
    assert is_up_to_date(accrual_periodicity=periodicity, modified=NOW - age, now=NOW) is expected


def test_is_up_to_date_without_modified_is_out_of_date_unless_eventual():
    assert is_up_to_date(accrual_periodicity="R/P1Y", modified=None, now=NOW) is False
    assert is_up_to_date(accrual_periodicity="eventual", modified=None, now=NOW) is True
    assert is_up_to_date(accrual_periodicity="cada tanto", modified=NOW, now=NOW) is False


def test_fresh_until_agrees_with_whole_day_counting_for_every_periodicity():
    modified = datetime(2025, 1, 1, 8, 30, tzinfo=UTC)
    for periodicity, period in PERIODICITY_DAYS.items():
        until = fresh_until(accrual_periodicity=periodicity, modified=modified)
        if period is None:
            assert until == FRESH_FOREVER
            continue
        for hours in range(0, 24 * 450, 7):
            now = modified + timedelta(hours=hours)
            assert (now < until) is ((now - modified).days < allowed_days(periodicity)), (periodicity, hours)


def test_dataset_is_up_to_date_reads_the_dataset(municipality):
    dataset = dataset_make(municipality, publish=True, accrual_periodicity="R/P1M")
    assert dataset_is_up_to_date(dataset) is True
    assert dataset_is_up_to_date(dataset, now=dataset.modified + timedelta(days=36)) is False


def test_up_to_date_q_filters_the_search_index(municipality):
    dataset = dataset_make(municipality, publish=True, accrual_periodicity="R/P1M")
    entries = DatasetSearchEntry.objects.filter(pk=dataset.pk)
    later = dataset.modified + timedelta(days=40)
    assert entries.filter(up_to_date_q()).exists()
    assert not entries.filter(up_to_date_q(up_to_date=False)).exists()
    assert entries.filter(up_to_date_q(up_to_date=False, now=later)).exists()
    DatasetSearchEntry.objects.filter(pk=dataset.pk).update(fresh_until=None)
    assert entries.filter(up_to_date_q(up_to_date=False)).exists()
