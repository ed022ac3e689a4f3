"""The publisher's table page: detection, corrections, loading, and who may see it."""

import pytest

from abiertos.catalog.models import Field
from abiertos.catalog.tests.factories import dataset_make, distribution_csv_make
from abiertos.core.actors import Actor
from abiertos.datastore.models import DatastoreTable, IngestionRun
from abiertos.datastore.services import datastore_ingest

CONTENT = "Planilla de gastos\n\npartido;monto\n06441;1.234,5\n".encode("cp1252")


@pytest.fixture
def distribution(municipality):
    return distribution_csv_make(dataset_make(municipality), content=CONTENT)


def _url(distribution):
    dataset = distribution.dataset
    return f"/m/{dataset.municipality.slug}/datos/{dataset.identifier}/recursos/{distribution.identifier}/tabla/"


def test_table_page_shows_what_was_detected(client, editor, distribution):
    client.force_login(editor)
    page = client.get(_url(distribution)).content.decode()
    assert "Fila del encabezado</dt><dd>3</dd>" in page
    assert "<td>1.234,5</td>" in page
    assert "partido<br><small>Texto</small>" in page


def test_table_page_preview_applies_corrections(client, editor, distribution):
    client.force_login(editor)
    page = client.get(_url(distribution), {"preview": "1", "header_row": "0", "delimiter": ";"}).content.decode()
    assert "columna_1<br>" in page
    assert "<td>Planilla de gastos</td>" in page


def test_table_page_post_loads_with_the_corrections(client, editor, distribution, django_capture_on_commit_callbacks):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(distribution), {"decimal_separator": ",", "type_0": "integer"})
    assert response.status_code == 302
    table = DatastoreTable.objects.get(distribution=distribution)
    assert table.overrides == {"decimal_separator": ",", "column_types": {"partido": "integer"}}
    assert [(c["name"], c["type"]) for c in table.columns] == [("partido", "integer"), ("monto", "number")]
    page = client.get(response.url).content.decode()
    assert "1 filas, versión 1" in page
    assert "<td>6441</td>" in page
    assert IngestionRun.objects.get().outcome == "succeeded"


def test_table_page_is_refused_to_a_citizen(client, citizen, distribution):
    client.force_login(citizen)
    assert client.get(_url(distribution)).status_code in (403, 404)


def test_table_page_saves_the_data_dictionary_into_the_catalog_fields(client, editor, distribution):
    datastore_ingest(distribution=distribution, by=Actor.system("test"))
    client.force_login(editor)
    response = client.post(
        _url(distribution) + "diccionario/", {"description_1": "Monto devengado", "units_1": "pesos"}
    )
    assert response.status_code == 302
    monto = Field.objects.get(distribution=distribution, title="monto")
    assert (monto.description, monto.units) == ("Monto devengado", "pesos")
    page = client.get(_url(distribution)).content.decode()
    assert 'value="Monto devengado"' in page


def test_dataset_page_links_editors_to_the_table_page(client, editor, distribution):
    client.force_login(editor)
    page = client.get(distribution.dataset.get_absolute_url()).content.decode()
    assert f'href="{_url(distribution)}"' in page


def test_dataset_page_hides_the_table_link_from_visitors(client, municipality):
    distribution = distribution_csv_make(dataset_make(municipality, publish=True), content=CONTENT)
    page = client.get(distribution.dataset.get_absolute_url()).content.decode()
    assert "/tabla/" not in page
