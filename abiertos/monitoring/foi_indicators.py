"""What the access-to-information module tells the openness index (institutional dimension).

The monitoring app sits above ``foi`` and reads it: these providers are registered in
``MonitoringConfig.ready()``. Each answers for one municipality with a ``Value`` or None (no data
yet: nothing recorded, no request received).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from abiertos.core.models import Municipality
from abiertos.foi.models import AccessOrdinance, OrdinanceStatus
from abiertos.foi.selectors import foi_performance

from .institutional import Value, institutional_register


def ordinance_value(municipality: Municipality) -> Value | None:
    """The ordinance as recorded by the municipality's officers; None when nothing is recorded."""
    ordinance = AccessOrdinance.objects.filter(municipality=municipality).first()
    if ordinance is None:
        return None
    text = ordinance.get_status_display()
    if ordinance.status != OrdinanceStatus.NONE and ordinance.number:
        text = _("%(status)s: ordenanza %(number)s") % {"status": text, "number": ordinance.number}
    if ordinance.enacted_on:
        text = _("%(text)s, sancionada el %(date)s") % {
            "text": text,
            "date": date_format(ordinance.enacted_on, "SHORT_DATE_FORMAT"),
        }
    return Value(
        text=text,
        number=1.0 if ordinance.status == OrdinanceStatus.IN_FORCE else 0.0,
        date=ordinance.enacted_on.isoformat() if ordinance.enacted_on else None,
        url=ordinance.url or None,
    )


def _statistics_url(municipality: Municipality) -> str:
    return reverse("foi:municipality_statistics", args=[municipality.slug])


def _too_few(performance: dict) -> str:
    return ngettext(
        "%(answered)d pedido respondido: hacen falta %(min)d para mostrar este dato.",
        "%(answered)d pedidos respondidos: hacen falta %(min)d para mostrar este dato.",
        performance["answered"],
    ) % {"answered": performance["answered"], "min": performance["min_count"]}


def on_time_value(municipality: Municipality) -> Value | None:
    performance = foi_performance(municipality)
    if not performance["received"]:
        return None
    if performance["on_time_rate"] is None:
        return Value(text=_too_few(performance), url=_statistics_url(municipality))
    percent = round(performance["on_time_rate"] * 100)
    return Value(
        text=_("%(percent)d %% de %(answered)d pedidos respondidos en plazo")
        % {"percent": percent, "answered": performance["answered"]},
        number=float(percent),
        url=_statistics_url(municipality),
    )


def median_days_value(municipality: Municipality) -> Value | None:
    performance = foi_performance(municipality)
    if not performance["received"]:
        return None
    if performance["median_days"] is None:
        return Value(text=_too_few(performance), url=_statistics_url(municipality))
    median = performance["median_days"]
    return Value(
        text=_("%(days)s días corridos (mediana)") % {"days": f"{median:g}"},
        number=float(median),
        url=_statistics_url(municipality),
    )


def register() -> None:
    institutional_register("foi_ordinance", ordinance_value)
    institutional_register("foi_on_time_pct", on_time_value)
    institutional_register("foi_median_days", median_days_value)
