"""The categories of the openness index and how a dataset is matched to them.

The categories are those of the Índice de Datos Abiertos de Ciudades (DOMAIN.md §4), plus four the
national guide and Ley 27.275 ask of every government: declaraciones juradas, nómina de
funcionarios, pedidos de acceso a la información and pauta publicitaria.

A published dataset belongs to a category when **any** of these holds (documented on the
methodology page):

1. it carries one of the category's themes (ids of the province's theme taxonomy), or
2. one of the category's terms appears as whole words in its title or in one of its keywords
   (compared without accents and case: «Compras y contrataciones» matches «contrataciones»).

A dataset may belong to several categories. The description is not searched: too many budgets
mention "obras" in passing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Category:
    code: str
    label: Promise
    themes: frozenset[str]
    terms: tuple[str, ...]
    contents: Promise  # the required contents, as the index states them
    suggestion: Promise  # what to publish, for the "next steps"

    @cached_property
    def pattern(self) -> re.Pattern:
        """Any of the terms as whole words (the text joins title and keywords with " | ")."""
        return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(t) for t in self.terms) + r")(?![a-z0-9])")


def _c(code, label, themes, terms, contents, suggestion) -> Category:
    return Category(code, label, frozenset(themes), tuple(normalize(t) for t in terms), contents, suggestion)


@lru_cache(maxsize=50_000)
def normalize(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


CATEGORIES: tuple[Category, ...] = (
    _c(
        "presupuesto",
        _("Presupuesto"),
        {"presupuesto"},
        ("presupuesto", "presupuestos", "presupuestaria", "presupuestario"),
        _("Por organismo y suborganismo, con la descripción de cada sección."),
        _("el presupuesto"),
    ),
    _c(
        "gasto",
        _("Gasto público"),
        {"gasto-publico"},
        ("gasto", "gastos", "ejecucion presupuestaria", "erogaciones"),
        _("Organismo, objeto del gasto y monto, a nivel de transacción."),
        _("el gasto público ejecutado"),
    ),
    _c(
        "compras",
        _("Compras y contrataciones"),
        {"compras-y-contrataciones"},
        ("compras", "contrataciones", "licitaciones", "licitacion", "proveedores", "adjudicaciones"),
        _("Licitación por organismo, nombre, descripción, adjudicación (título, descripción, monto) y proveedor."),
        _("las compras y contrataciones"),
    ),
    _c(
        "obras",
        _("Obras públicas"),
        {"obras-publicas"},
        ("obras publicas", "obra publica", "obras"),
        _("Licitaciones, costo y plazo previstos y reales, ubicación y responsable."),
        _("las obras públicas"),
    ),
    _c(
        "sueldos",
        _("Sueldos de funcionarios"),
        {"sueldos-y-personal"},
        ("sueldos", "salarios", "remuneraciones", "escala salarial"),
        _("Organismo, categoría, sueldo bruto y cargo, hasta director."),
        _("los sueldos de funcionarios"),
    ),
    _c(
        "limites",
        _("Límites administrativos"),
        {"limites-administrativos"},
        ("limites", "barrios", "radios censales", "circunscripciones", "localidades"),
        _("Polígonos y nombres."),
        _("los límites administrativos (barrios, localidades)"),
    ),
    _c(
        "lugares",
        _("Lugares públicos"),
        {"lugares-publicos"},
        ("centros de salud", "escuelas", "hospitales", "comisarias", "plazas", "parques", "delegaciones"),
        _("Centros de salud, escuelas, oficinas, comisarías, parques: dirección, teléfono, latitud y longitud."),
        _("los lugares públicos con su ubicación"),
    ),
    _c(
        "ambiente",
        _("Medio ambiente"),
        {"medio-ambiente"},
        ("calidad del agua", "calidad del aire", "medio ambiente", "ambiental", "contaminacion"),
        _("Calidad del agua y del aire."),
        _("las mediciones de calidad del agua y del aire"),
    ),
    _c(
        "ordenanzas",
        _("Ordenanzas"),
        {"normativa"},
        ("ordenanzas", "ordenanza", "normativa", "digesto", "decretos"),
        _("Texto, fecha de última modificación y modificaciones."),
        _("las ordenanzas"),
    ),
    _c(
        "elecciones",
        _("Resultados electorales"),
        {"resultados-electorales"},
        ("elecciones", "electorales", "escrutinio", "mesas electorales"),
        _("Por mesa: electores, votos nulos, votos por lista."),
        _("los resultados electorales por mesa"),
    ),
    _c(
        "transporte",
        _("Transporte público"),
        {"transporte-publico"},
        ("transporte publico", "colectivos", "paradas", "recorridos", "gtfs", "lineas de colectivo"),
        _("Horarios, recorridos, paradas y líneas."),
        _("los recorridos y paradas del transporte público"),
    ),
    _c(
        "ddjj",
        _("Declaraciones juradas"),
        {"declaraciones-juradas"},
        ("declaraciones juradas", "declaracion jurada", "ddjj"),
        _("Declaraciones juradas patrimoniales de funcionarios."),
        _("las declaraciones juradas"),
    ),
    _c(
        "nomina",
        _("Nómina de funcionarios"),
        set(),
        ("nomina", "funcionarios", "autoridades", "organigrama"),
        _("Nombre, cargo y organismo de cada funcionario."),
        _("la nómina de funcionarios"),
    ),
    _c(
        "pedidos",
        _("Pedidos de acceso a la información"),
        {"acceso-a-la-informacion"},
        ("acceso a la informacion", "pedidos de informacion", "solicitudes de informacion"),
        _("Pedidos recibidos, plazos y respuestas."),
        _("los pedidos de acceso a la información"),
    ),
    _c(
        "pauta",
        _("Pauta publicitaria"),
        {"pauta-publicitaria"},
        ("pauta publicitaria", "pauta oficial", "publicidad oficial"),
        _("Medio, monto y período de la publicidad oficial."),
        _("la pauta publicitaria"),
    ),
)
CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}


def categories_of(*, title: str, keywords: list[str], themes: set[str] | list[str]) -> list[str]:
    """The codes of the categories a dataset belongs to."""
    # "|" never survives normalize(), so a phrase cannot straddle the title and a keyword.
    text = " | ".join([normalize(title), *(normalize(k) for k in keywords or [])])
    themes = set(themes or ())
    return [c.code for c in CATEGORIES if c.themes & themes or c.pattern.search(text)]
