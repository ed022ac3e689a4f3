"""Which rule governs a request (jurisdiction data), and the calendar that counts its days.

A province's default rule is data here, keyed by its INDEC code, with its legal source; a
municipality's ordinance in force overrides any term it sets. With no ordinance recorded the
default applies and pages show a note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.utils.translation import gettext as _

from abiertos.core.models import Municipality

from .models import AccessOrdinance, DayKind, NonWorkingDay, OrdinanceStatus, ProvincialBody


@dataclass(frozen=True)
class AccessRule:
    source: str  # the legal source, as shown to people
    response_days: int
    extension_days: int
    day_kind: str
    forward_days: int
    requires_id_number: bool
    is_default: bool  # True: no municipal ordinance in force was recorded
    ordinance_url: str = ""
    notes: str = ""
    complaint_days: int = 40  # counted like the response term, from the deadline or the refusal
    review_body: str = ""  # who receives complaints, as shown to people

    @property
    def day_kind_label(self) -> str:
        return str(DayKind(self.day_kind).label)


# Province defaults, by province code. Facts from DOMAIN.md §5.
PROVINCE_DEFAULTS: dict[str, AccessRule] = {
    "06": AccessRule(
        source="Ley 12.475 y Decreto 2549/04 (art. 7), Provincia de Buenos Aires",
        response_days=30,
        extension_days=15,
        day_kind=DayKind.BUSINESS,
        forward_days=5,
        requires_id_number=True,
        is_default=True,
        notes=(
            "La norma provincial no fija una prórroga verificada; se aplica una de 15 días hábiles, "
            "como la Ley nacional 27.275. Tampoco están verificados el plazo para reclamar ni el órgano "
            "de revisión: se aplican los 40 días hábiles de la Ley 27.275 y el reclamo va a la misma "
            "autoridad que recibió el pedido."
        ),
        complaint_days=40,
        review_body="La autoridad que recibió el pedido (órgano de revisión provincial no verificado)",
    ),
}
# When neither the province nor the municipality has a recorded rule (DOMAIN.md §5).
NATIONAL_FALLBACK = AccessRule(
    source="Ley nacional 27.275 (regla supletoria)",
    response_days=15,
    extension_days=15,
    day_kind=DayKind.BUSINESS,
    forward_days=5,
    requires_id_number=True,
    is_default=True,
    complaint_days=40,
    review_body="La autoridad que recibió el pedido (órgano de revisión no verificado)",
)
# Province of Buenos Aires in the `holidays` package (subdivision "B").
HOLIDAY_SUBDIVISIONS = {"06": "B"}


def access_rule_for(municipality: Municipality | ProvincialBody) -> AccessRule:
    """The rule that governs new requests to the municipality (or to a provincial body: the
    province's default)."""
    base = PROVINCE_DEFAULTS.get(municipality.province.code, NATIONAL_FALLBACK)
    if isinstance(municipality, ProvincialBody):
        return base
    ordinance = AccessOrdinance.objects.filter(municipality=municipality, status=OrdinanceStatus.IN_FORCE).first()
    if ordinance is None:
        return base
    source = _("Ordenanza %(number)s de %(name)s") % {"number": ordinance.number, "name": municipality.name}
    if ordinance.enacted_on:
        source += f" ({ordinance.enacted_on:%d/%m/%Y})"
    return AccessRule(
        source=source,
        response_days=ordinance.response_days or base.response_days,
        extension_days=ordinance.extension_days if ordinance.extension_days is not None else base.extension_days,
        day_kind=ordinance.day_kind or base.day_kind,
        forward_days=ordinance.forward_days or base.forward_days,
        requires_id_number=ordinance.requires_id_number,
        is_default=False,
        ordinance_url=ordinance.url,
        notes=ordinance.notes,
        complaint_days=ordinance.complaint_days or base.complaint_days,
        review_body=ordinance.review_body or base.review_body,
    )


@lru_cache(maxsize=64)
def _public_holidays(province_code: str, year: int) -> frozenset[date]:
    subdivision = HOLIDAY_SUBDIVISIONS.get(province_code)
    return frozenset(holidays.Argentina(years=year, subdiv=subdivision).keys())


class WorkCalendar:
    """Business days of one municipality (or provincial body): no weekends, national and
    provincial holidays, and the municipality's asuetos."""

    def __init__(self, municipality: Municipality | ProvincialBody, extra_days: set[date] | None = None):
        self.province_code = municipality.province.code
        self.local = set()
        if isinstance(municipality, Municipality):
            self.local = set(NonWorkingDay.objects.filter(municipality=municipality).values_list("date", flat=True))
        self.local |= extra_days or set()

    def is_business_day(self, day: date) -> bool:
        if day.weekday() >= 5 or day in self.local:
            return False
        return day not in _public_holidays(self.province_code, day.year)

    def add_days(self, start: date, days: int, day_kind: str, pauses: list[tuple[date, date]] = ()) -> date:
        """The date on which ``days`` countable days after ``start`` have passed (start excluded);
        days inside a pause (clarification pending) do not count."""
        day = start
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if any(a <= day <= b for a, b in pauses):
                continue
            if day_kind == DayKind.CALENDAR or self.is_business_day(day):
                counted += 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Countable business days after ``start`` up to ``end`` included."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_business_day(day)
        return count
