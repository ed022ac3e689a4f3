"""Groups of similar municipalities: by population when it is known, and by region.

Population bands are used when the territory data carries population; the 24 partidos of the
Gran Buenos Aires (INDEC) form a region of their own, so a comparison still means something when
population is missing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# INDEC's 24 partidos of the Gran Buenos Aires (georef-ar departamento codes).
GBA_CODES = frozenset(
    {
        "06028", "06035", "06091", "06260", "06270", "06274", "06371", "06408", "06410", "06412", "06427", "06434",
        "06490", "06515", "06539", "06560", "06568", "06658", "06749", "06756", "06760", "06805", "06840", "06861",
    }
)  # fmt: skip

POPULATION_GROUPS = (
    ("hasta-20k", _("Hasta 20.000 habitantes"), 0, 20_000),
    ("20k-50k", _("De 20.000 a 50.000 habitantes"), 20_000, 50_000),
    ("50k-200k", _("De 50.000 a 200.000 habitantes"), 50_000, 200_000),
    ("200k-500k", _("De 200.000 a 500.000 habitantes"), 200_000, 500_000),
    ("mas-500k", _("Más de 500.000 habitantes"), 500_000, None),
)
UNKNOWN_POPULATION = ("sin-dato", _("Sin dato de población"))
REGIONS = (("gba", _("Gran Buenos Aires (24 partidos)")), ("interior", _("Interior")))


def population_group(population: int | None) -> str:
    if population is None:
        return UNKNOWN_POPULATION[0]
    for code, _label, low, high in POPULATION_GROUPS:
        if population >= low and (high is None or population < high):
            return code
    return UNKNOWN_POPULATION[0]


def population_group_choices() -> list[tuple[str, str]]:
    return [(code, label) for code, label, _low, _high in POPULATION_GROUPS] + [UNKNOWN_POPULATION]


def region(code: str) -> str:
    return "gba" if code in GBA_CODES else "interior"


def similar_key(*, population: int | None, code: str) -> tuple[str, str]:
    """What "similar" means for one municipality: its population band, else its region."""
    group = population_group(population)
    if group != UNKNOWN_POPULATION[0]:
        return "population", group
    return "region", region(code)
