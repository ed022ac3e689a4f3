"""Datasets and distributions for tests, created through the real services."""

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.catalog import services
from abiertos.catalog.inputs import DatasetMetadata, DistributionMetadata, FieldSpec
from abiertos.catalog.models import Dataset, Distribution
from abiertos.core.actors import Actor

_seq = itertools.count(1)

CSV_BYTES = "año,monto,partida\n2024,1234.5,Salud\n2025,2000,Educación\n".encode()


def metadata_make(**overrides) -> DatasetMetadata:
    n = next(_seq)
    values = {
        "identifier": f"conjunto-{n}",
        "title": f"Presupuesto municipal {n}",
        "description": "Presupuesto aprobado por el Concejo Deliberante, por finalidad y función.",
        "super_themes": ["ECON"],
        "keywords": ["presupuesto", "gasto público"],
        "accrual_periodicity": "R/P1Y",
    }
    values.update(overrides)
    return DatasetMetadata(**values)


def dataset_make(municipality, *, publish: bool = False, by: Actor | None = None, **overrides) -> Dataset:
    by = by or Actor.system("test")
    dataset = services.dataset_create(municipality=municipality, metadata=metadata_make(**overrides), by=by)
    if publish:
        distribution_csv_make(dataset, by=by)
        dataset = services.dataset_publish(dataset=dataset, by=by)
    return dataset


def distribution_csv_make(dataset, *, by: Actor | None = None, content: bytes = CSV_BYTES, **overrides) -> Distribution:
    n = next(_seq)
    metadata = DistributionMetadata(
        identifier=overrides.pop("identifier", f"{dataset.identifier}-csv-{n}"),
        title=overrides.pop("title", "Datos en CSV"),
        fields=overrides.pop(
            "fields", [FieldSpec("año", "integer"), FieldSpec("monto", "number"), FieldSpec("partida", "string")]
        ),
        **overrides,
    )
    upload = SimpleUploadedFile(f"datos-{n}.csv", content, content_type="text/csv")
    return services.distribution_create_from_upload(
        dataset=dataset, metadata=metadata, upload=upload, by=by or Actor.system("test")
    )
