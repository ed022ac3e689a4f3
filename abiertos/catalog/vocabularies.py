"""Controlled vocabularies of the national metadata profile (Perfil de Metadatos, datos.gob.ar)."""

from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

SUPER_THEME_TAXONOMY_URL = "http://datos.gob.ar/superThemeTaxonomy.json"


class SuperTheme(models.TextChoices):
    AGRI = "AGRI", _("Agroganadería, pesca y forestación")
    ECON = "ECON", _("Economía y finanzas")
    EDUC = "EDUC", _("Educación, cultura y deportes")
    ENER = "ENER", _("Energía")
    ENVI = "ENVI", _("Medio ambiente")
    GOVE = "GOVE", _("Gobierno y sector público")
    HEAL = "HEAL", _("Salud")
    INTR = "INTR", _("Asuntos internacionales")
    JUST = "JUST", _("Justicia, seguridad y sistema legal")
    REGI = "REGI", _("Regiones y ciudades")
    SOCI = "SOCI", _("Población y sociedad")
    TECH = "TECH", _("Ciencia y tecnología")
    TRAN = "TRAN", _("Transporte")


class Periodicity(models.TextChoices):
    DECENNIAL = "R/P10Y", _("Cada diez años")
    QUADRENNIAL = "R/P4Y", _("Cada cuatro años")
    TRIENNIAL = "R/P3Y", _("Cada tres años")
    BIENNIAL = "R/P2Y", _("Cada dos años")
    ANNUAL = "R/P1Y", _("Anual")
    SEMIANNUAL = "R/P6M", _("Semestral")
    QUADRIMESTRAL = "R/P4M", _("Cuatrimestral")
    QUARTERLY = "R/P3M", _("Trimestral")
    BIMONTHLY = "R/P2M", _("Bimestral")
    MONTHLY = "R/P1M", _("Mensual")
    SEMIMONTHLY = "R/P0.5M", _("Quincenal")
    THRICE_MONTHLY = "R/P0.33M", _("Tres veces por mes")
    WEEKLY = "R/P1W", _("Semanal")
    SEMIWEEKLY = "R/P0.5W", _("Dos veces por semana")
    THRICE_WEEKLY = "R/P0.33W", _("Tres veces por semana")
    DAILY = "R/P1D", _("Diaria")
    HOURLY = "R/PT1H", _("Cada hora")
    CONTINUOUS = "R/PT1S", _("Continua")
    EVENTUAL = "eventual", _("Eventual")


# Period in days used by the national freshness rule (DOMAIN.md §3): year 365, month 30, week 7, day 1.
PERIODICITY_DAYS: dict[str, float | None] = {
    "R/P10Y": 3650,
    "R/P4Y": 1460,
    "R/P3Y": 1095,
    "R/P2Y": 730,
    "R/P1Y": 365,
    "R/P6M": 180,
    "R/P4M": 120,
    "R/P3M": 90,
    "R/P2M": 60,
    "R/P1M": 30,
    "R/P0.5M": 15,
    "R/P0.33M": 9.9,
    "R/P1W": 7,
    "R/P0.5W": 3.5,
    "R/P0.33W": 2.31,
    "R/P1D": 1,
    "R/PT1H": 1 / 24,
    "R/PT1S": 1 / 86400,
    "eventual": None,
}


class License:
    """An open license a dataset may carry."""

    def __init__(self, code: str, title: str, url: str):
        # ``title`` is the license's own name, written as is in data.json and DCAT; ``label`` is
        # that name in the page's language.
        self.code, self.title, self.url = code, title, url

    @property
    def label(self) -> str:
        return gettext(self.title)


LICENSES: dict[str, License] = {
    lic.code: lic
    for lic in (
        License("cc-by-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
        License(
            "cc-by-sa-4.0",
            "Creative Commons Attribution Share-Alike 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        ),
        License("cc-zero", "Creative Commons CCZero", "https://creativecommons.org/publicdomain/zero/1.0/"),
        License("odc-by", "Open Data Commons Attribution License", "https://opendatacommons.org/licenses/by/1-0/"),
        License(
            "odc-odbl",
            "Open Data Commons Open Database License (ODbL)",
            "https://opendatacommons.org/licenses/odbl/1-0/",
        ),
        License(
            "odc-pddl",
            "Open Data Commons Public Domain Dedication and License (PDDL)",
            "https://opendatacommons.org/licenses/pddl/1-0/",
        ),
        License(
            "cc-by-2.5-ar",
            gettext_noop("Creative Commons Atribución 2.5 Argentina"),
            "https://creativecommons.org/licenses/by/2.5/ar/",
        ),
    )
}
DEFAULT_LICENSE = "cc-by-4.0"


def license_choices() -> list[tuple[str, str]]:
    return [(lic.code, lic.label) for lic in LICENSES.values()]


# Formats that count as data (not only documents) for the national indicator datasets_con_datos_pct.
DATA_FORMATS = {
    "CSV",
    "XLS",
    "XLSX",
    "ODS",
    "JSON",
    "GEOJSON",
    "XML",
    "SHP",
    "KML",
    "KMZ",
    "ZIP",
    "TSV",
    "TXT",
    "PARQUET",
    "GPKG",
}
OPEN_FORMATS = {"CSV", "ODS", "JSON", "GEOJSON", "XML", "KML", "TSV", "TXT", "PARQUET", "GPKG", "SHP"}

MEDIA_TYPES = {
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
    "TXT": "text/plain",
    "XLS": "application/vnd.ms-excel",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "XML": "application/xml",
    "PDF": "application/pdf",
    "ZIP": "application/zip",
    "KML": "application/vnd.google-earth.kml+xml",
    "KMZ": "application/vnd.google-earth.kmz",
    "SHP": "application/x-shapefile",
    "PARQUET": "application/vnd.apache.parquet",
    "DOC": "application/msword",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class FieldType(models.TextChoices):
    STRING = "string", _("Texto")
    INTEGER = "integer", _("Número entero")
    NUMBER = "number", _("Número decimal")
    BOOLEAN = "boolean", _("Verdadero/falso")
    DATE = "date", _("Fecha")
    TIME = "time", _("Hora")
    DATETIME = "datetime", _("Fecha y hora")
    GEOMETRY = "geometry", _("Geometría")
