"""The public table explorer and the link to it on the dataset page."""

import csv
import io

import pytest

from abiertos.datastore.tests.tables import table_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(municipality):
    return table_make(municipality, identifier="gastos")


def _url(table) -> str:
    d = table.distribution
    return f"/m/{d.dataset.municipality.slug}/datos/{d.dataset.identifier}/recursos/{d.identifier}/explorar/"


def test_dataset_page_links_to_the_explorer(client, table):
    page = client.get(table.distribution.dataset.get_absolute_url()).content.decode()
    assert f'href="{_url(table)}"' in page
    assert "5 filas" in page


def test_explorer_shows_a_page_with_summaries_and_downloads(client, table):
    page = client.get(_url(table)).content.decode()
    assert "<td>Plaza Moreno</td>" in page
    assert "Filas 1 a 5 de 5." in page
    assert f"/datastore/dump/{table.distribution.uuid}?format=csv" in page
    # Column summary: monto has one empty value and ranges 50.25 to 3000.0; partido's top values.
    assert '<th scope="row">monto</th><td>Número con decimales</td><td>1</td>' in page
    assert "<td>50.25</td><td>3000.0</td>" in page
    assert "<td>2024-01-15</td>" in page  # as a filter is written
    assert "true (3), false (2)" in page
    assert "06441 (3), 06056 (2)" in page


def test_explorer_filters_searches_and_sorts(client, table):
    page = client.get(_url(table), {"filter.partido": "06441", "q": "parque", "sort": "-monto"}).content.decode()
    assert "Iluminación Parque San Martín" in page
    assert "Plaza Moreno" not in page.split("<tbody>")[1].split("</tbody>")[0]
    assert "Filas 1 a 1 de 1." in page
    assert 'aria-sort="descending"' in page
    assert "?q=parque&amp;filter.partido=06441&amp;sort=-monto&amp;format=csv" in page


def test_explorer_pages(client, municipality):
    content = "n,nombre\n" + "".join(f"{i},fila {i}\n" for i in range(60))
    table = table_make(municipality, content=content, identifier="largo")
    page = client.get(_url(table), {"page": "3", "sort": "n"}).content.decode()
    assert "Filas 51 a 60 de 60." in page
    assert "<td>fila 59</td>" in page
    assert 'rel="prev"' in page
    assert 'rel="next"' not in page


def test_explorer_bad_filter_value_shows_an_error_not_a_500(client, table):
    response = client.get(_url(table), {"filter.fecha": "ayer"})
    assert response.status_code == 200
    assert "no es un valor válido" in response.content.decode()


def test_explorer_filtered_download(client, table):
    response = client.get(_url(table) + "descargar.csv", {"filter.partido": "06056"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3


def test_explorer_of_a_draft_is_hidden_from_visitors(client, municipality):
    draft = table_make(municipality, publish=False, identifier="borrador")
    assert client.get(_url(draft)).status_code == 404


def test_dataset_page_finds_the_tables_of_all_distributions_in_one_query(client, municipality):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from abiertos.catalog.tests.factories import distribution_csv_make
    from abiertos.core.actors import Actor
    from abiertos.datastore.services import datastore_ingest

    table = table_make(municipality, identifier="varios")
    url = table.distribution.dataset.get_absolute_url()
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        extra = distribution_csv_make(table.distribution.dataset, content=f"a,b\n{n},x\n".encode(), fields=[])
        datastore_ingest(distribution=extra, by=Actor.system("test"))
    with CaptureQueriesContext(connection) as four:
        page = client.get(url).content.decode()
    assert page.count("Ver y filtrar la tabla") == 4
    datastore = [q["sql"] for q in four.captured_queries if "datastore_datastoretable" in q["sql"]]
    assert len(datastore) == 1
    assert len([q for q in one.captured_queries if "datastore_datastoretable" in q["sql"]]) == 1
