"""The institutional dimension: indicators other apps provide, registered here by name.

An app that can answer an indicator registers a function in its ``AppConfig.ready()``::

    from abiertos.monitoring.institutional import institutional_register
    institutional_register("foi_on_time_pct", foi_on_time_pct_for)

where ``foi_on_time_pct_for(municipality) -> Value | None``. An indicator nobody provides yet, or
one whose provider returns None, is shown as "sin datos todavía" — never as zero. These
indicators are shown beside the index; they do not change its score.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise
    help: Promise


@dataclass(frozen=True)
class Value:
    """What a provider answers: a display text, and optionally a number, a date and a link."""

    text: str
    number: float | None = None
    date: str | None = None
    url: str | None = None


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "foi_ordinance",
        _("Ordenanza de acceso a la información"),
        _("Si el municipio tiene una ordenanza de acceso a la información: estado, fecha y enlace."),
    ),
    Indicator(
        "foi_on_time_pct",
        _("Pedidos respondidos en plazo"),
        _("Porcentaje de pedidos de acceso a la información respondidos dentro del plazo legal."),
    ),
    Indicator(
        "foi_median_days",
        _("Días hasta la respuesta (mediana)"),
        _("Mediana de días corridos entre la presentación de un pedido y su respuesta."),
    ),
    Indicator(
        "participation_activity",
        _("Actividad de participación"),
        _("Consultas y propuestas abiertas a la ciudadanía en los últimos 12 meses."),
    ),
    Indicator(
        "action_plan_progress",
        _("Avance del plan de acción"),
        _("Porcentaje de compromisos del plan de gobierno abierto cumplidos."),
    ),
)
INDICATOR_CODES = {i.code for i in INDICATORS}

PROVIDERS: dict[str, Callable] = {}


def institutional_register(code: str, provider: Callable) -> None:
    """Register the function that answers one institutional indicator."""
    if code not in INDICATOR_CODES:
        raise ValueError(f"unknown institutional indicator {code!r}; add it to INDICATORS first")
    if code in PROVIDERS and PROVIDERS[code] is not provider:
        raise RuntimeError(f"institutional indicator {code!r} registered twice")
    PROVIDERS[code] = provider


def institutional_values(municipality) -> list[dict]:
    """Every indicator with its value for one municipality; ``value`` None means no data yet."""
    rows = []
    for indicator in INDICATORS:
        provider = PROVIDERS.get(indicator.code)
        value = None
        if provider is not None:
            try:
                value = provider(municipality)
            except Exception:  # one broken provider must not take the scorecard down
                logger.exception("institutional provider %s failed", indicator.code)
        rows.append({"indicator": indicator, "value": value, "provided": provider is not None})
    return rows
