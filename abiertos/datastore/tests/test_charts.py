"""Quick charts and maps: the spec in the query string, top N and «Otros», the SVG, the pages and the embed."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from abiertos.catalog import services as catalog_services
from abiertos.catalog.inputs import DistributionMetadata
from abiertos.catalog.tests.factories import dataset_make
from abiertos.core.actors import Actor
from abiertos.core.errors import ValidationError
from abiertos.datastore.charts import ChartSpec, chart_data, chart_spec_from
from abiertos.datastore.maps import coordinates_find
from abiertos.datastore.models import DatastoreTable
from abiertos.datastore.services import datastore_ingest
from abiertos.datastore.svg import OTHER_COLOUR, PALETTE, TEXT
from abiertos.datastore.tests.tables import table_make

pytestmark = pytest.mark.django_db

# 12 obras in 12 barrios; monto grows with the barrio number, so the top 5 are barrios 12..8.
BARRIOS = "barrio,monto,latitud,longitud,obra\n" + "".join(
    f"Barrio {n:02d},{n * 100},{-34.90 - n / 100:.4f},{-57.95 - n / 100:.4f},Obra {n}\n" for n in range(1, 13)
)


@pytest.fixture
def table(municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    return table_make(municipality, identifier="gastos")


@pytest.fixture
def barrios(municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    return table_make(municipality, content=BARRIOS, identifier="barrios")


def _base(table) -> str:
    d = table.distribution
    return f"/m/{d.dataset.municipality.slug}/datos/{d.dataset.identifier}/recursos/{d.identifier}/"


def _spec(table, query: str) -> ChartSpec:
    return chart_spec_from(table, QueryDict(query))


def test_chart_spec_defaults_to_counting_rows_by_the_first_category(table):
    spec = _spec(table, "")
    assert (spec.kind, spec.category, spec.function, spec.value) == ("barras", "partido", "count", "")


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("tipo=radar", "tipo", "tipo de gráfico"),
        ("categoria=inexistente", "categoria", "columna"),
        ("funcion=sum&valor=obra", "valor", "columna numérica"),
        ("funcion=median&valor=monto", "funcion", "resumir"),
        ("tipo=torta&funcion=avg&valor=monto", "funcion", "partes de un total"),
        ("top=7", "top", "5, 10, 15, 20, 30"),
    ],
)
def test_chart_spec_rejects_bad_choices_naming_the_field(table, query, field, words):
    with pytest.raises(ValidationError) as caught:
        _spec(table, query)
    assert words in " ".join(caught.value.fields[field])


def test_chart_spec_round_trips_through_the_query_string(table):
    spec = _spec(table, "tipo=torta&categoria=partido&funcion=sum&valor=monto&top=5&filter.terminada=true&q=plaza")
    again = _spec(table, spec.query_string())
    assert again == spec
    assert again.filters == {"terminada": ["true"]}


def test_chart_data_keeps_the_top_n_and_adds_the_rest_as_others(barrios):
    data = chart_data(table=barrios, spec=_spec(barrios, "categoria=barrio&funcion=sum&valor=monto&top=5"))
    assert [i.label for i in data.items] == [
        "Barrio 12",
        "Barrio 11",
        "Barrio 10",
        "Barrio 09",
        "Barrio 08",
        "Otros (7 categorías)",
    ]
    assert data.items[-1].value == sum(n * 100 for n in range(1, 8))
    assert data.total == sum(n * 100 for n in range(1, 13))


def test_chart_data_others_of_an_average_is_weighted_by_rows(municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    content = "grupo,valor\n" + "".join(f"g{n},{n}\n" for n in range(1, 7)) + "g1,1\ng1,1\n"
    table = table_make(municipality, content=content, identifier="promedios")
    data = chart_data(table=table, spec=_spec(table, "categoria=grupo&funcion=avg&valor=valor&top=5"))
    # Left out: g1 (three rows of 1), so «Otros» is 1, not the mean of group means.
    assert data.items[-1].is_other
    assert data.items[-1].value == 1


def test_chart_data_of_a_line_follows_the_category_order(table):
    data = chart_data(table=table, spec=_spec(table, "tipo=lineas&categoria=fecha&funcion=sum&valor=monto"))
    assert [i.label for i in data.items] == ["2024-01-15", "2024-02-01", "2024-03-10", "2024-03-11", "2024-04-20"]
    assert data.items[3].value is None  # the empty monto


def _contrast(colour: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def test_chart_colours_pass_wcag_contrast_against_white():
    assert all(_contrast(c) >= 3 for c in (*PALETTE, OTHER_COLOUR))
    assert _contrast(TEXT) >= 4.5


def test_chart_page_draws_an_accessible_svg_with_its_data_table(client, barrios):
    page = client.get(
        _base(barrios) + "grafico/", {"categoria": "barrio", "funcion": "sum", "valor": "monto", "top": "5"}
    )
    body = page.content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Suma de monto por barrio</title>' in svg
    assert svg.count("<rect x=") == 6  # five bars and «Otros»
    assert "La de mayor valor es «Barrio 12», con 1.200, el 15,4 % del total." in body
    assert '<th scope="row">Otros (7 categorías)</th><td>2.800</td><td>35,9 %</td>' in body
    assert "<script" not in svg


def test_chart_page_pie_and_line(client, table):
    pie = client.get(_base(table) + "grafico/", {"tipo": "torta", "categoria": "partido"}).content.decode()
    assert pie.count('stroke="#ffffff" stroke-width="2"><title>') == 2
    assert "06441: 3 (60 %)" in pie
    line = client.get(
        _base(table) + "grafico/", {"tipo": "lineas", "categoria": "fecha", "funcion": "sum", "valor": "monto"}
    )
    text = line.content.decode()
    assert '<path d="M' in text
    assert "el mínimo es 50,25 en «2024-04-20» y el máximo 3.000 en «2024-03-10»" in text


def test_chart_page_carries_the_filters_and_shares_them(client, table):
    body = client.get(_base(table) + "grafico/", {"categoria": "obra", "filter.partido": "06056"}).content.decode()
    assert "Cantidad de filas por obra (filas filtradas)" in body
    assert '<input type="hidden" name="filter.partido" value="06056">' in body
    assert "Plaza Moreno" not in body.split("<tbody>")[1]
    share = re.search(r'id="share-url" class="share-input" readonly value="([^"]+)"', body).group(1)
    assert share.startswith("http://testserver/m/")
    assert "filter.partido=06056" in share
    assert '&lt;iframe src="http://testserver/m/' in body


def test_chart_page_explains_a_bad_choice_instead_of_failing(client, table):
    response = client.get(_base(table) + "grafico/", {"tipo": "torta", "funcion": "max", "valor": "monto"})
    assert response.status_code == 200
    assert "Una torta muestra partes de un total" in response.content.decode()


def test_chart_embed_has_no_site_chrome_and_may_be_framed(client, table):
    response = client.get(_base(table) + "grafico/embed/", {"categoria": "partido"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert 'class="site-header"' not in body
    assert "<h1>Cantidad de filas por partido</h1>" in body
    assert 'target="_top"' in body


def test_chart_svg_download_is_the_bare_image(client, table):
    response = client.get(_base(table) + "grafico.svg", {"tipo": "torta", "categoria": "partido"})
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_chart_of_a_draft_is_hidden_from_visitors(client, municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    draft = table_make(municipality, publish=False, identifier="borrador")
    assert client.get(_base(draft) + "grafico/").status_code == 404


def test_explorer_links_to_the_chart_with_its_filters(client, table):
    body = client.get(_base(table) + "explorar/", {"filter.partido": "06441", "sort": "monto"}).content.decode()
    assert f'href="{_base(table)}grafico/?filter.partido=06441"' in body


# Maps --------------------------------------------------------------------------------------------


def test_coordinates_are_found_by_name_and_range(barrios):
    found = coordinates_find(barrios)
    assert (found.latitude, found.longitude, found.label) == ("latitud", "longitud", "barrio")


def test_coordinates_in_metres_are_not_taken_for_degrees(municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    table = table_make(municipality, content="x,y,nombre\n5650000,6150000,a\n5651000,6151000,b\n", identifier="gk")
    assert coordinates_find(table) is None


def test_table_without_coordinates_offers_no_map(client, table):
    body = client.get(_base(table) + "grafico/").content.decode()
    assert 'value="mapa"' not in body
    assert "No hay mapa" in body


def test_map_draws_every_point_with_its_table(client, barrios):
    body = client.get(_base(barrios) + "grafico/", {"tipo": "mapa"}).content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert svg.count("<circle") == 12
    assert "<title>Barrio 01 (" in svg
    assert "Mapa de 12 puntos tomados de latitud/longitud (sin el límite del municipio)" in body
    assert "<td>-34.91000</td><td>-57.96000</td>" in body


def test_map_is_drawn_over_the_municipality_boundary(client, barrios, municipality):
    municipality.boundary = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[-58.2, -35.2], [-57.8, -35.2], [-57.8, -34.8], [-58.2, -34.8], [-58.2, -35.2]]],
        },
    }
    municipality.save(update_fields=["boundary"])
    body = client.get(_base(barrios) + "grafico/", {"tipo": "mapa", "filter.barrio": "Barrio 03"}).content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert 'fill-rule="evenodd"' in svg
    assert svg.count("<circle") == 1
    assert f"sobre el límite de {municipality.name}" in body


def test_map_of_a_geojson_table(client, municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    features = [
        {
            "type": "Feature",
            "properties": {"nombre": "Plaza"},
            "geometry": {"type": "Point", "coordinates": [-57.95, -34.92]},
        },
        {
            "type": "Feature",
            "properties": {"nombre": "Parque"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[-58.0, -35.0], [-57.9, -35.0], [-57.9, -34.9], [-58.0, -35.0]]],
            },
        },
    ]
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    by = Actor.system("test")
    dataset = dataset_make(municipality, publish=False, identifier="espacios")
    distribution = catalog_services.distribution_create_from_upload(
        dataset=dataset,
        metadata=DistributionMetadata(identifier="espacios-geojson", title="Espacios verdes", fields=[]),
        upload=SimpleUploadedFile("espacios.geojson", content, content_type="application/geo+json"),
        by=by,
    )
    catalog_services.dataset_publish(dataset=dataset, by=by)
    datastore_ingest(distribution=distribution, by=by)
    table = DatastoreTable.objects.get(distribution=distribution)
    assert coordinates_find(table).geometry == "geometry"
    body = client.get(_base(table) + "grafico/", {"tipo": "mapa"}).content.decode()
    assert body.count("<circle") == 2
    assert '<th scope="row">1</th><td>Plaza</td><td>-34.92000</td><td>-57.95000</td>' in body
    assert "<td>Parque</td><td>-34.95000</td><td>-57.95000</td>" in body
