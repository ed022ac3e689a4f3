"""The demo content: every demo municipality's «Obras públicas» joins the standard schema, charts and maps work."""

import pytest
from django.http import QueryDict

from abiertos.catalog.demo import demo_catalog_seed
from abiertos.core.actors import Actor
from abiertos.datastore.charts import chart_spec_from
from abiertos.datastore.combined import combined_table
from abiertos.datastore.demo import demo_standards_seed
from abiertos.datastore.figures import chart_figure
from abiertos.datastore.maps import coordinates_find
from abiertos.datastore.query import TableQuery, table_search
from abiertos.datastore.standards import standard_schema_get

pytestmark = pytest.mark.django_db


def test_demo_obras_are_one_table_across_municipalities(
    municipality, other_municipality, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    by = Actor.system("demo")
    with django_capture_on_commit_callbacks(execute=True):
        demo_catalog_seed(by=by)  # the uploads' ingestion runs on commit
    assert demo_standards_seed(by=by) == ["  Esquema «Obras públicas municipales»: 2 tablas lo declaran ahora"]
    assert demo_standards_seed(by=by) == ["  Esquema «Obras públicas municipales»: 0 tablas lo declaran ahora"]
    combined = combined_table(schema=standard_schema_get(slug="obras-publicas"), actor=Actor.system("test"))
    assert combined.excluded == []
    result = table_search(table=combined, query=TableQuery(filters={"municipio": ["Bahía Blanca"]}, limit=1))
    assert result.total == 40
    la_plata = next(t for t in combined.parts if t.distribution.dataset.municipality == municipality)
    assert coordinates_find(la_plata).latitude == "latitud"
    figure = chart_figure(table=la_plata, spec=chart_spec_from(la_plata, QueryDict("categoria=estado")))
    assert sum(int(row[1]) for row in figure.rows) == 40
