"""Small loaded tables for the query tests, made through the real upload and ingestion services."""

from abiertos.catalog import services
from abiertos.catalog.tests.factories import dataset_make, distribution_csv_make
from abiertos.core.actors import Actor
from abiertos.datastore.models import DatastoreTable
from abiertos.datastore.services import datastore_ingest

GASTOS = (
    "partido,fecha,monto,obra,terminada\n"
    "06441,2024-01-15,1500.5,Plaza Moreno,true\n"
    "06441,2024-02-01,200,Bacheo calle 7,false\n"
    "06056,2024-03-10,3000,Hospital Municipal,true\n"
    "06056,2024-03-11,,Señalización Avenida Alem,false\n"
    "06441,2024-04-20,50.25,Iluminación Parque San Martín,true\n"
)


def table_make(municipality, *, content: str = GASTOS, publish: bool = True, **dataset) -> DatastoreTable:
    """A dataset (published or draft) with one CSV distribution loaded as a table."""
    by = Actor.system("test")
    target = dataset_make(municipality, publish=False, **dataset)
    distribution = distribution_csv_make(target, content=content.encode(), fields=[])
    if publish:
        services.dataset_publish(dataset=target, by=by)
    datastore_ingest(distribution=distribution, by=by)
    return DatastoreTable.objects.select_related("distribution__dataset__municipality").get(distribution=distribution)
