"""Jurisdiction rules and the business-day calendar."""

from datetime import date

import pytest

from abiertos.foi.models import AccessOrdinance, DayKind, NonWorkingDay, OrdinanceStatus
from abiertos.foi.rules import NATIONAL_FALLBACK, WorkCalendar, access_rule_for


def test_access_rule_for_uses_the_province_default_without_an_ordinance(municipality):
    rule = access_rule_for(municipality)
    assert rule.is_default
    assert rule.response_days == 30
    assert "Ley 12.475" in rule.source
    assert "2549/04" in rule.source


def test_access_rule_for_uses_the_national_fallback_outside_known_provinces(db):
    from abiertos.core.tests.factories import municipality_make, province_make

    other = municipality_make("Bariloche", code="62042", province=province_make("62", "Río Negro"))
    assert access_rule_for(other) == NATIONAL_FALLBACK


def test_access_rule_for_applies_an_ordinance_in_force(municipality):
    AccessOrdinance.objects.create(
        municipality=municipality,
        status=OrdinanceStatus.IN_FORCE,
        number="8042/2004",
        enacted_on=date(2004, 5, 3),
        response_days=10,
        extension_days=10,
        day_kind=DayKind.CALENDAR,
    )
    rule = access_rule_for(municipality)
    assert not rule.is_default
    assert (rule.response_days, rule.extension_days, rule.day_kind) == (10, 10, DayKind.CALENDAR)
    assert rule.source.startswith("Ordenanza 8042/2004 de La Plata")


def test_access_rule_for_ignores_an_ordinance_not_in_force(municipality):
    AccessOrdinance.objects.create(municipality=municipality, status=OrdinanceStatus.IN_PROGRESS, response_days=5)
    assert access_rule_for(municipality).response_days == 30


# Official 2026 holidays (Ley 27.399 and Decreto 1027/2024 on bridge days): checked by hand
# against argentina.gob.ar/interior/feriados-nacionales-2026.
OFFICIAL_2026 = [
    date(2026, 1, 1),
    date(2026, 2, 16),
    date(2026, 2, 17),
    date(2026, 3, 23),
    date(2026, 3, 24),
    date(2026, 4, 2),
    date(2026, 4, 3),
    date(2026, 5, 1),
    date(2026, 5, 25),
    date(2026, 6, 15),
    date(2026, 6, 20),
    date(2026, 7, 9),
    date(2026, 7, 10),
    date(2026, 8, 17),
    date(2026, 10, 12),
    date(2026, 11, 23),
    date(2026, 12, 7),
    date(2026, 12, 8),
    date(2026, 12, 25),
]


@pytest.mark.parametrize("day", OFFICIAL_2026)
def test_work_calendar_knows_official_national_holidays(municipality, day):
    assert not WorkCalendar(municipality).is_business_day(day)


def test_work_calendar_counts_ordinary_weekdays(municipality):
    calendar = WorkCalendar(municipality)
    assert calendar.is_business_day(date(2026, 3, 25))  # Wednesday
    assert not calendar.is_business_day(date(2026, 3, 28))  # Saturday


def test_work_calendar_add_days_skips_weekends_holidays_and_asuetos(municipality):
    # Friday 20 March 2026; Mon 23 and Tue 24 are holidays: 3 business days land on Fri 27.
    assert WorkCalendar(municipality).add_days(date(2026, 3, 20), 3, DayKind.BUSINESS) == date(2026, 3, 27)
    NonWorkingDay.objects.create(municipality=municipality, date=date(2026, 3, 26), reason="Fiesta patronal")
    assert WorkCalendar(municipality).add_days(date(2026, 3, 20), 3, DayKind.BUSINESS) == date(2026, 3, 30)


def test_work_calendar_add_days_counts_calendar_days_and_skips_pauses(municipality):
    calendar = WorkCalendar(municipality)
    assert calendar.add_days(date(2026, 3, 20), 10, DayKind.CALENDAR) == date(2026, 3, 30)
    pause = [(date(2026, 3, 21), date(2026, 3, 25))]
    assert calendar.add_days(date(2026, 3, 20), 10, DayKind.CALENDAR, pause) == date(2026, 4, 4)
