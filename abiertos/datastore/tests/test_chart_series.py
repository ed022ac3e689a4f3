"""Charts with series: grouped and stacked bars, one line per series, top N series plus «Otros»."""

import re

import pytest
from django.http import QueryDict

from abiertos.core.errors import ValidationError
from abiertos.datastore.chart_series import series_data
from abiertos.datastore.charts import chart_spec_from
from abiertos.datastore.figures import chart_figure
from abiertos.datastore.tests.tables import table_make
from abiertos.datastore.tests.test_charts import _contrast

pytestmark = pytest.mark.django_db

# Sums by tipo: Bacheo 450, Plazas 150, Luces 30, Veredas 13, Arbolado 9 (the last two go in «Otros»
# with top_serie=3: 7 in 2022, 5 in 2023, 10 in 2024).
OBRAS = (
    "anio,tipo,monto\n"
    "2022,Bacheo,100\n2022,Plazas,50\n2022,Luces,20\n2022,Arbolado,7\n"
    "2023,Bacheo,150\n2023,Plazas,70\n2023,Luces,10\n2023,Veredas,5\n"
    "2024,Bacheo,200\n2024,Plazas,30\n2024,Veredas,8\n2024,Arbolado,2\n"
)
SUM_BY_TIPO = "categoria=anio&funcion=sum&valor=monto&serie=tipo&top_serie=3"


@pytest.fixture
def obras(municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    return table_make(municipality, content=OBRAS, identifier="obras-por-anio")


def _spec(table, query: str):
    return chart_spec_from(table, QueryDict(query))


def _base(table) -> str:
    d = table.distribution
    return f"/m/{d.dataset.municipality.slug}/datos/{d.dataset.identifier}/recursos/{d.identifier}/"


def test_series_spec_travels_in_the_query_string(obras):
    spec = _spec(obras, "tipo=barras&" + SUM_BY_TIPO + "&apilar=1")
    assert (spec.series, spec.series_top, spec.stacked) == ("tipo", 3, True)
    assert spec.query_string().endswith("&serie=tipo&top_serie=3&apilar=1")
    line = _spec(obras, "tipo=lineas&" + SUM_BY_TIPO + "&apilar=1")
    assert "apilar" not in line.query_string()  # lines are never stacked
    assert "serie" not in _spec(obras, "tipo=mapa&serie=tipo").params()


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("tipo=torta&categoria=anio&serie=tipo", "serie", "una sola serie"),
        ("categoria=tipo&serie=tipo", "serie", "otra columna"),
        ("categoria=anio&serie=inexistente", "serie", "columna de la tabla"),
        ("categoria=anio&serie=tipo&funcion=avg&valor=monto&apilar=1", "apilar", "apiladas"),
        ("categoria=anio&serie=tipo&top_serie=4", "top_serie", "3, 5, 8"),
    ],
)
def test_series_spec_explains_a_bad_choice(obras, query, field, words):
    with pytest.raises(ValidationError) as caught:
        _spec(obras, query)
    assert words in caught.value.fields[field][0]


def test_series_data_keeps_the_top_series_and_groups_the_rest_in_otros(obras):
    data = series_data(table=obras, spec=_spec(obras, "tipo=lineas&" + SUM_BY_TIPO))
    assert [c.label for c in data.categories] == ["2022", "2023", "2024"]
    assert [s.label for s in data.series] == ["Bacheo", "Plazas", "Luces", "Otros (2 series)"]
    assert data.series[-1].is_other
    assert data.values == [[100, 50, 20, 7], [150, 70, 10, 5], [200, 30, None, 10]]
    assert data.series_count == 5


def test_series_otros_is_right_for_every_function(obras):
    def otros(function: str) -> list:
        query = f"tipo=lineas&categoria=anio&funcion={function}&valor=monto&serie=tipo&top_serie=3"
        return [row[-1] for row in series_data(table=obras, spec=_spec(obras, query)).values]

    assert otros("avg") == [7, 5, 5]  # 2024: (8 + 2) / 2
    assert otros("min") == [7, 5, 2]
    assert otros("max") == [7, 5, 8]
    counts = series_data(table=obras, spec=_spec(obras, "tipo=lineas&categoria=anio&serie=tipo&top_serie=3"))
    # By rows, Bacheo and Plazas have 3, the rest 2: the tie goes to the first in order (Arbolado),
    # so «Otros» holds Luces and Veredas.
    assert [s.label for s in counts.series] == ["Bacheo", "Plazas", "Arbolado", "Otros (2 series)"]
    assert [row[-1] for row in counts.values] == [1, 2, 1]


def test_series_bars_rank_categories_and_group_the_rest(municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    rows = "".join(f"Barrio {n:02d},{kind},{n * 10}\n" for n in range(1, 8) for kind in ("A", "B"))
    table = table_make(municipality, content="barrio,clase,monto\n" + rows, identifier="barrios-clase")
    data = series_data(table=table, spec=_spec(table, "categoria=barrio&funcion=sum&valor=monto&serie=clase&top=5"))
    assert [c.label for c in data.categories] == [
        "Barrio 07",
        "Barrio 06",
        "Barrio 05",
        "Barrio 04",
        "Barrio 03",
        "Otros (2 categorías)",
    ]
    assert data.values[-1] == [30, 30]  # barrios 01 and 02, for A and for B


def test_grouped_bars_have_a_legend_with_patterns_and_an_accessible_svg(obras):
    figure = chart_figure(table=obras, spec=_spec(obras, SUM_BY_TIPO))
    assert figure.title == "Suma de monto por anio y tipo"
    assert figure.summary == (
        "Suma de monto por anio y tipo: 5 series (valores de «tipo») en 3 categorías; el valor más alto es 200, "
        "de «Bacheo» en «2024»; las series fuera de las 3 mayores van juntas en «Otros»."
    )
    svg = str(figure.svg)
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in svg
    assert f'<desc id="chart-desc">{figure.summary.replace("«", "«")}</desc>' in svg
    legend = svg[svg.index('<g class="chart-legend">') :]
    assert [re.sub("<.*?>", "", t) for t in re.findall(r"<text[^>]*>[^<]*</text>", legend)[:4]] == [
        "Bacheo",
        "Plazas",
        "Luces",
        "Otros (2 series)",
    ]
    # Each series has its own pattern, so the legend does not rely on colour alone.
    tiles = re.findall(r'<pattern id="chart-s(\d)".*?</pattern>', svg)
    assert tiles == ["0", "1", "2", "3"]
    patterns = re.findall(r"<pattern .*?</pattern>", svg)
    assert len({re.sub(r'id="[^"]*"|fill="#[0-9a-f]{6}"', "", p) for p in patterns}) == 4
    assert svg.count('fill="url(#chart-s0)"') == 3 + 1  # three bars and the legend swatch
    assert "<title>2024 — Bacheo: 200</title>" in svg


def test_series_colours_pass_wcag_contrast_against_white(obras):
    svg = str(chart_figure(table=obras, spec=_spec(obras, SUM_BY_TIPO + "&top_serie=8")).svg)
    colours = set(re.findall(r'<pattern [^>]*><rect width="8" height="8" fill="(#[0-9a-f]{6})"', svg))
    assert len(colours) == 5
    assert all(_contrast(c) >= 3 for c in colours)


def test_series_data_table_has_one_column_per_series(obras):
    figure = chart_figure(table=obras, spec=_spec(obras, SUM_BY_TIPO))
    assert figure.headers == ["anio", "Bacheo", "Plazas", "Luces", "Otros (2 series)"]
    # Bars rank the categories by their total (240, 235, 177).
    assert figure.rows == [
        ["2024", "200", "30", "—", "10"],
        ["2023", "150", "70", "10", "5"],
        ["2022", "100", "50", "20", "7"],
    ]


def test_stacked_bars_write_each_total_and_refuse_negative_values(obras, municipality):
    svg = str(chart_figure(table=obras, spec=_spec(obras, SUM_BY_TIPO + "&apilar=1")).svg)
    totals = re.findall(r'<text x="[\d.]+" y="[\d.]+" fill="#1a1a1a">(\d+)</text>', svg)
    assert totals == ["240", "235", "177"]  # 2024, 2023, 2022: ranked by their sum
    negative = table_make(municipality, content="anio,tipo,monto\n2024,A,5\n2024,B,-3\n", identifier="negativos")
    with pytest.raises(ValidationError) as caught:
        chart_figure(table=negative, spec=_spec(negative, "categoria=anio&funcion=sum&valor=monto&serie=tipo&apilar=1"))
    assert "negativos" in caught.value.fields["apilar"][0]


def test_lines_have_a_dash_a_marker_and_a_direct_label_per_series(obras):
    figure = chart_figure(table=obras, spec=_spec(obras, "tipo=lineas&" + SUM_BY_TIPO))
    svg = str(figure.svg)
    assert svg.count('<g class="chart-series">') == 4
    dashes = re.findall(r'<g class="chart-series"><path [^>]*?(?:stroke-dasharray="([^"]+)")?/>', svg)
    assert len(set(dashes)) == 4
    end_labels = re.findall(r'<text x="518" y="[\d.]+" fill="#1a1a1a">([^<]+)</text>', svg)
    assert sorted(end_labels) == sorted(["Bacheo", "Plazas", "Luces", "Otros (2 series)"])
    assert "«2024»" in figure.summary


def test_chart_page_with_series_shares_embeds_and_draws_the_table(client, obras):
    query = {"categoria": "anio", "funcion": "sum", "valor": "monto", "serie": "tipo", "top_serie": "3"}
    body = client.get(_base(obras) + "grafico/", query).content.decode()
    assert '<option value="tipo" selected>tipo</option>' in body
    assert '<th scope="col">Otros (2 series)</th>' in body
    assert "serie=tipo&amp;top_serie=3" in body  # the share link and the embed code
    embed = client.get(_base(obras) + "grafico/embed/", query)
    assert embed.status_code == 200
    assert 'class="chart-legend"' in embed.content.decode()
    svg = client.get(_base(obras) + "grafico.svg", {**query, "tipo": "lineas"})
    assert svg.content.decode().count('<g class="chart-series">') == 4
    pie = client.get(_base(obras) + "grafico/", {**query, "tipo": "torta"}).content.decode()
    assert "Una torta muestra una sola serie" in pie
