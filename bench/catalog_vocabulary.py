"""Realistic text for generated municipal datasets: topics, titles, descriptions, keywords.

A municipal catalog is a few dozen kinds of dataset (budget, works, procurement, transport…)
repeated across partidos and years, with a long tail of local words (neighbourhoods, streets,
programmes). Topics are drawn with Zipf-like weights (budgets are common, electoral results
rare), descriptions mix the topic's words with common catalog words and a long tail of rare
local names, so a query for a topic word matches a few per cent of the catalog, as in a real
portal, not most of it (the earlier generator drew every text from 55 words).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    theme: str  # Theme.identifier (catalog migration 0002)
    super_theme: str
    publisher: str
    titles: tuple[str, ...]  # "{year}" is filled in
    words: tuple[str, ...]  # topic vocabulary for descriptions and keywords


TOPICS = (
    Topic(
        "presupuesto",
        "ECON",
        "Secretaría de Hacienda",
        ("Presupuesto {year}", "Ejecución presupuestaria {year}", "Presupuesto participativo {year}"),
        ("presupuesto", "ejecución", "partidas", "jurisdicción", "crédito", "devengado", "recursos", "programas"),
    ),
    Topic(
        "gasto-publico",
        "ECON",
        "Contaduría General",
        ("Gastos por proveedor {year}", "Órdenes de pago {year}", "Gasto por finalidad y función {year}"),
        ("gasto", "órdenes", "pago", "proveedores", "finalidad", "función", "erogaciones", "tesorería"),
    ),
    Topic(
        "compras-y-contrataciones",
        "ECON",
        "Dirección de Compras",
        ("Licitaciones públicas {year}", "Compras directas {year}", "Contrataciones adjudicadas {year}"),
        ("licitación", "compras", "contrataciones", "adjudicación", "oferentes", "pliegos", "concurso", "precios"),
    ),
    Topic(
        "obras-publicas",
        "GOVE",
        "Secretaría de Obras Públicas",
        ("Obras públicas en ejecución {year}", "Plan de obras {year}", "Obras de pavimentación {year}"),
        ("obras", "públicas", "pavimento", "desagües", "cloacas", "bacheo", "cordón", "cuneta", "avance"),
    ),
    Topic(
        "sueldos-y-personal",
        "GOVE",
        "Dirección de Recursos Humanos",
        ("Escala salarial {year}", "Planta de personal {year}", "Autoridades y funcionarios {year}"),
        ("sueldos", "escala", "salarial", "personal", "planta", "funcionarios", "categorías", "agentes"),
    ),
    Topic(
        "declaraciones-juradas",
        "GOVE",
        "Oficina Anticorrupción Municipal",
        ("Declaraciones juradas patrimoniales {year}",),
        ("declaraciones", "juradas", "patrimonio", "bienes", "funcionarios"),
    ),
    Topic(
        "normativa",
        "GOVE",
        "Honorable Concejo Deliberante",
        ("Ordenanzas sancionadas {year}", "Decretos del Departamento Ejecutivo {year}", "Boletín oficial {year}"),
        ("ordenanzas", "decretos", "concejo", "deliberante", "sanción", "boletín", "normas", "expedientes"),
    ),
    Topic(
        "limites-administrativos",
        "REGI",
        "Dirección de Catastro",
        ("Límites de barrios", "Parcelas catastrales {year}", "Zonificación urbana"),
        ("límites", "barrios", "parcelas", "catastro", "zonificación", "radios", "circunscripciones"),
    ),
    Topic(
        "lugares-publicos",
        "REGI",
        "Secretaría de Espacio Público",
        ("Plazas y espacios verdes", "Puntos de wifi público", "Arbolado urbano {year}", "Luminarias"),
        ("plazas", "espacios", "verdes", "arbolado", "especies", "wifi", "luminarias", "alumbrado", "ubicación"),
    ),
    Topic(
        "medio-ambiente",
        "ENVI",
        "Secretaría de Ambiente",
        ("Calidad del agua {year}", "Calidad del aire {year}", "Residuos recolectados {year}", "Puntos verdes"),
        ("ambiente", "agua", "calidad", "aire", "residuos", "reciclaje", "recolección", "contaminación", "muestras"),
    ),
    Topic(
        "resultados-electorales",
        "GOVE",
        "Junta Electoral Municipal",
        ("Resultados electorales {year}", "Mesas y escuelas de votación {year}"),
        ("elecciones", "resultados", "mesas", "votos", "padrón", "circuitos", "escrutinio"),
    ),
    Topic(
        "transporte-publico",
        "TRAN",
        "Secretaría de Movilidad",
        ("Líneas de colectivos", "Paradas de colectivos", "Ciclovías", "Siniestros viales {year}"),
        ("transporte", "colectivos", "paradas", "recorridos", "ciclovías", "tránsito", "siniestros", "semáforos"),
    ),
    Topic(
        "salud",
        "HEAL",
        "Secretaría de Salud",
        ("Centros de atención primaria", "Vacunación {year}", "Consultas en hospitales {year}", "Farmacias de turno"),
        ("salud", "hospitales", "centros", "atención", "vacunación", "consultas", "camas", "guardias", "farmacias"),
    ),
    Topic(
        "educacion",
        "EDUC",
        "Secretaría de Educación",
        ("Establecimientos educativos", "Matrícula escolar {year}", "Becas estudiantiles {year}"),
        ("educación", "escuelas", "jardines", "matrícula", "alumnos", "becas", "establecimientos", "docentes"),
    ),
    Topic(
        "cultura-y-turismo",
        "EDUC",
        "Secretaría de Cultura y Turismo",
        ("Agenda cultural {year}", "Alojamientos turísticos", "Museos y bibliotecas", "Visitantes {year}"),
        ("cultura", "turismo", "museos", "bibliotecas", "alojamientos", "eventos", "visitantes", "festival"),
    ),
    Topic(
        "seguridad",
        "JUST",
        "Secretaría de Seguridad",
        ("Cámaras de monitoreo", "Delitos denunciados {year}", "Llamados al centro de emergencias {year}"),
        ("seguridad", "cámaras", "monitoreo", "delitos", "denuncias", "emergencias", "patrullaje"),
    ),
    Topic(
        "desarrollo-social",
        "SOCI",
        "Secretaría de Desarrollo Social",
        ("Subsidios otorgados {year}", "Comedores comunitarios", "Asistencia alimentaria {year}"),
        ("subsidios", "comedores", "asistencia", "alimentaria", "beneficiarios", "programas", "familias"),
    ),
    Topic(
        "produccion-y-empleo",
        "ECON",
        "Secretaría de Producción",
        (
            "Habilitaciones comerciales {year}",
            "Ferias y mercados",
            "Oferta de empleo {year}",
            "Tasas y recaudación {year}",
        ),
        ("habilitaciones", "comercios", "industrias", "ferias", "empleo", "tasas", "recaudación", "contribuyentes"),
    ),
    Topic(
        "acceso-a-la-informacion",
        "GOVE",
        "Dirección de Gobierno Abierto",
        ("Solicitudes de acceso a la información {year}", "Reclamos vecinales {year}"),
        ("solicitudes", "acceso", "información", "reclamos", "vecinales", "respuestas", "plazos"),
    ),
    Topic(
        "pauta-publicitaria",
        "GOVE",
        "Dirección de Prensa",
        ("Pauta publicitaria {year}",),
        ("pauta", "publicitaria", "medios", "campañas", "comunicación"),
    ),
)

# Words any catalog description uses, most common first (drawn with weight 1/rank).
_COMMON = (
    "datos información municipio listado registro anual mensual partido municipal detalle "
    "total fecha año cantidad nombre dirección ubicación tipo estado período servicios vecinos "
    "ciudad provincia gobierno área dependencia actualización fuente metodología archivo "
    "coordenadas localidad monto importe categoría descripción código observaciones variables "
    "indicadores serie histórica trimestral semestral publicación relevamiento planilla"
)
COMMON = _COMMON.split()

# A long tail of local names (neighbourhoods, streets, programmes), each rare in the catalog.
_SYLLABLES = ("san", "villa", "los", "pinos", "ramos", "mitre", "sarmiento", "belgrano", "rivadavia",
              "tala", "ceibo", "nogal", "aromos", "jacarandá", "bosque", "alto", "bajo", "norte", "sur",
              "ombú", "caldén", "esperanza", "progreso", "unión", "libertad", "porvenir")  # fmt: skip
RARE = tuple(f"{a}{b}" for a in _SYLLABLES for b in _SYLLABLES if a != b)

TOPIC_WEIGHTS = [1 / (rank + 1) ** 0.6 for rank in range(len(TOPICS))]
COMMON_WEIGHTS = [1 / (rank + 1) for rank in range(len(COMMON))]


def dataset_text(rng: random.Random, year: int) -> tuple[Topic, str, str, list[str]]:
    """(topic, title, description, keywords) for one dataset."""
    topic = rng.choices(TOPICS, TOPIC_WEIGHTS)[0]
    title = rng.choice(topic.titles).format(year=year)
    words = rng.sample(topic.words, min(len(topic.words), rng.randint(3, 6)))
    words += rng.choices(COMMON, COMMON_WEIGHTS, k=rng.randint(8, 25))
    words += rng.sample(RARE, rng.randint(0, 3))
    rng.shuffle(words)
    description = f"{title}. {' '.join(words).capitalize()}."
    keywords = rng.sample(topic.words, 3)
    return topic, title, description, keywords
