"""A populated catalog for the interoperability tests: several municipalities, uploaded CSV and
linked distributions, data dictionaries, themes, accented keywords, and rows that must not be
exported (a draft, a deleted dataset, a deleted distribution)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from abiertos.catalog import services
from abiertos.catalog.inputs import DistributionMetadata, FieldSpec
from abiertos.catalog.models import Dataset, Theme
from abiertos.core.actors import Actor

from .factories import dataset_make, distribution_csv_make

SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
PYDATAJSON_SAMPLES = SHARED_DATA / "catalogs" / "pydatajson"
TZ = ZoneInfo("America/Argentina/Buenos_Aires")
THEMES = [("presupuesto", "Presupuesto"), ("gasto-publico", "Gasto público"), ("obras-publicas", "Obras públicas")]


@dataclass
class Sample:
    published: list[Dataset]
    draft: Dataset
    deleted: Dataset


def _link(dataset: Dataset, identifier: str, url: str, fmt: str = "", fields=None) -> None:
    services.distribution_create_from_url(
        dataset=dataset,
        metadata=DistributionMetadata(
            identifier=identifier,
            title=f"Enlace {identifier}",
            description="Descarga desde el sitio del municipio.",
            format=fmt,
            fields=fields,
        ),
        url=url,
        by=Actor.system("test"),
    )


def catalog_populate(municipality, other_municipality) -> Sample:
    """Build the sample catalog through the real services."""
    # Seeded by a migration, but a transactional test elsewhere may have flushed them.
    for identifier, label in THEMES:
        Theme.objects.get_or_create(identifier=identifier, defaults={"label": label})
    by = Actor.system("test")
    budget = dataset_make(
        municipality,
        identifier="presupuesto-2025",
        title="Presupuesto 2025 de La Plata",
        themes=["presupuesto", "gasto-publico"],
        keywords=["presupuesto", "gasto público", "educación", "año 2025"],
        temporal="2025-01-01/2025-12-31",
        contact_name="Dirección de Datos Abiertos",
        contact_email="datos@laplata.example.org",
        issued=datetime(2025, 1, 10, 9, 30, tzinfo=TZ),
    )
    distribution_csv_make(budget, identifier="presupuesto-2025-csv")
    _link(budget, "presupuesto-2025-xlsx", "https://datos.laplata.example.org/presupuesto/2025.xlsx")
    budget = services.dataset_publish(dataset=budget, by=by)

    works = dataset_make(
        municipality,
        identifier="obras-publicas",
        title="Obras públicas en ejecución",
        super_themes=["GOVE", "REGI"],
        themes=["obras-publicas"],
        keywords=["obras", "licitación"],
        accrual_periodicity="R/P1M",
    )
    _link(
        works,
        "obras-geojson",
        "https://datos.laplata.example.org/obras.geojson?version=3",
        fmt="GEOJSON",
        fields=[FieldSpec("nombre", "string", "Nombre de la obra"), FieldSpec("monto", "number", units="ARS")],
    )
    gone = distribution_csv_make(works, identifier="obras-viejo")
    services.distribution_delete(distribution=gone, by=by)
    works = services.dataset_publish(dataset=works, by=by)

    # Same dataset and distribution identifiers in another municipality: namespaced at province level.
    other = dataset_make(
        other_municipality,
        identifier="presupuesto-2025",
        title="Presupuesto 2025 de Bahía Blanca",
        super_themes=["ECON"],
        keywords=["presupuesto"],
        accrual_periodicity="eventual",
    )
    distribution_csv_make(other, identifier="presupuesto-2025-csv")
    other = services.dataset_publish(dataset=other, by=by)

    draft = dataset_make(municipality, identifier="borrador", title="Borrador sin publicar")
    deleted = dataset_make(municipality, publish=True, identifier="eliminado", title="Conjunto eliminado")
    services.dataset_delete(dataset=deleted, by=by)
    return Sample(published=[budget, works, other], draft=draft, deleted=deleted)
