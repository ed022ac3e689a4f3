"""The quality score of a dataset: nine points in the spirit of udata's (data.gouv.fr), adapted to
the national profile. One point each; the methodology page lists them with how to earn them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DESCRIPTION_MIN = 100


@dataclass(frozen=True)
class QualityPoint:
    code: str
    label: Promise
    how: Promise


QUALITY_POINTS: tuple[QualityPoint, ...] = (
    QualityPoint("license", _("Licencia abierta"), _("Elegí una licencia abierta de la lista (CC BY 4.0, ODbL…).")),
    QualityPoint("temporal", _("Cobertura temporal"), _("Indicá qué período cubren los datos (inicio/fin).")),
    QualityPoint("spatial", _("Cobertura geográfica"), _("Indicá qué territorio cubren (por ejemplo, el partido).")),
    QualityPoint(
        "periodicity", _("Frecuencia declarada"), _("Declará cada cuánto se actualiza (anual, mensual, eventual…).")
    ),
    QualityPoint(
        "fresh", _("Actualizado a tiempo"), _("Actualizá los datos dentro del plazo de su frecuencia (+20 %).")
    ),
    QualityPoint(
        "description",
        _("Descripción completa"),
        _("Escribí una descripción de más de 100 caracteres: qué contiene, de dónde sale, para qué sirve."),
    ),
    QualityPoint(
        "open_format", _("Formato abierto"), _("Publicá al menos un recurso en CSV, JSON u otro formato abierto.")
    ),
    QualityPoint(
        "available",
        _("Recursos disponibles"),
        _("Que cada recurso tenga su archivo o un enlace que funcione."),
    ),
    QualityPoint(
        "documented",
        _("Recursos documentados"),
        _("Describí cada recurso, o cargá su diccionario de datos (las columnas)."),
    ),
)
QUALITY_MAX = len(QUALITY_POINTS)


def quality_points(facts, entry: dict) -> list[str]:
    """The codes of the points a dataset earns."""
    earned = {
        "license": facts.license_open,
        "temporal": bool(entry.get("temporal")),
        "spatial": bool(entry.get("spatial")),
        "periodicity": bool(entry.get("accrualPeriodicity")),
        "fresh": facts.up_to_date,
        "description": len((entry.get("description") or "").strip()) > DESCRIPTION_MIN,
        "open_format": facts.has_open_format,
        "available": facts.all_available,
        "documented": facts.documented,
    }
    return [p.code for p in QUALITY_POINTS if earned[p.code]]
