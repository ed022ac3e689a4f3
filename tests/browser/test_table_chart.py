"""A visitor opens a table's preview, filters it, builds a chart of the filtered rows with the keyboard,
embeds it, and downloads the filtered view (the issue's "done when" journey)."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from abiertos.datastore.tests.tables import table_make

from .conftest import axe_check

pytestmark = pytest.mark.browser

# Obras of two partidos; within 06441 the sums by obra are 900, 300 and 50.
OBRAS = (
    "partido,obra,monto,latitud,longitud\n"
    "06441,Bacheo,500,-34.92,-57.95\n"
    "06441,Bacheo,400,-34.93,-57.96\n"
    "06441,Plazas,300,-34.91,-57.94\n"
    "06441,Luminarias,50,-34.90,-57.93\n"
    "06056,Hospital,3000,-38.71,-62.27\n"
)


def test_visitor_filters_charts_and_downloads_the_filtered_view(page, municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    table = table_make(municipality, content=OBRAS, identifier="obras")
    page.goto(table.distribution.dataset.get_absolute_url())
    page.get_by_role("link", name="Ver y filtrar la tabla").click()
    expect(page.get_by_role("status")).to_have_text("Filas 1 a 5 de 5.")

    page.get_by_text("Filtrar por columna (valor exacto)").click()
    page.get_by_label("partido", exact=True).fill("06441")
    page.get_by_label("partido", exact=True).press("Enter")
    expect(page.get_by_role("status")).to_have_text("Filas 1 a 4 de 4.")

    page.get_by_role("link", name="Hacer un gráfico o un mapa con las filas filtradas").click()
    expect(page.locator("h1")).to_contain_text("Gráfico de")
    expect(page.locator(".chart-filters")).to_contain_text("partido = 06441")
    # Pick the category, the function and the column, then submit with the keyboard.
    page.get_by_label("Categorías (eje o porciones)").select_option("obra")
    page.get_by_label("Qué calcular").select_option("sum")
    page.get_by_label("De qué columna numérica").select_option("monto")
    page.get_by_role("radio", name="Torta").check()
    page.get_by_role("button", name="Dibujar el gráfico").press("Enter")

    chart = page.get_by_role("img", name="Suma de monto por obra (filas filtradas)")
    expect(chart).to_be_visible()
    expect(page.locator(".chart-summary")).to_contain_text("La de mayor valor es «Bacheo», con 900, el 72 % del total.")
    data = page.get_by_role("region", name="Datos del gráfico")
    expect(data.locator("tbody tr")).to_have_count(3)
    expect(data.locator("tbody tr").first).to_contain_text("Bacheo")
    embed_code = page.get_by_label("Código para insertarlo en otra página").input_value()
    assert 'embed/?tipo=torta&categoria=obra&valor=monto&funcion=sum&top=10&filter.partido=06441"' in embed_code
    assert 'title="Suma de monto por obra (filas filtradas)"' in embed_code
    axe_check(page)

    page.get_by_role("radio", name="Mapa de puntos").check()
    page.get_by_role("button", name="Dibujar el gráfico").click()
    expect(page.locator("svg.chart-svg circle")).to_have_count(4)
    axe_check(page)

    page.get_by_role("link", name="Ver la versión para insertar").click()
    expect(page.locator("header.site-header")).to_have_count(0)
    expect(page.get_by_role("img")).to_be_visible()
    axe_check(page)
    page.go_back()

    page.get_by_role("link", name="Cambiar los filtros en la tabla").click()
    expect(page.get_by_role("status")).to_have_text("Filas 1 a 4 de 4.")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV filtrado").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["_id", "partido", "obra", "monto", "latitud", "longitud"]
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
        ("06441", "Bacheo", "500"),
        ("06441", "Bacheo", "400"),
        ("06441", "Plazas", "300"),
        ("06441", "Luminarias", "50"),
    ]


# Obras by year and kind: the sums by kind are Bacheo 450, Plazas 150, Luces 30 and Veredas 13.
OBRAS_POR_ANIO = (
    "anio,tipo,monto\n"
    "2022,Bacheo,100\n2022,Plazas,50\n2022,Luces,20\n"
    "2023,Bacheo,150\n2023,Plazas,70\n2023,Luces,10\n2023,Veredas,5\n"
    "2024,Bacheo,200\n2024,Plazas,30\n2024,Veredas,8\n"
)


def test_visitor_picks_a_series_column_and_reads_the_legend_and_the_table(page, municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    table = table_make(municipality, content=OBRAS_POR_ANIO, identifier="obras-por-anio")
    page.goto(table.distribution.dataset.get_absolute_url())
    page.get_by_role("link", name="Ver y filtrar la tabla").click()
    page.get_by_role("link", name="Hacer un gráfico o un mapa").click()

    page.get_by_role("radio", name="Líneas").check()
    page.get_by_label("Categorías (eje o porciones)").select_option("anio")
    page.get_by_label("Qué calcular").select_option("sum")
    page.get_by_label("De qué columna numérica").select_option("monto")
    page.get_by_label("Una barra o línea por cada valor de").select_option("tipo")
    page.get_by_label("Series a mostrar (el resto va en «Otros»)").select_option("3")
    page.get_by_role("button", name="Dibujar el gráfico").press("Enter")

    chart = page.get_by_role("img", name="Suma de monto por anio y tipo")
    expect(chart).to_be_visible()
    legend = page.locator("svg.chart-svg .chart-legend .legend-item")
    expect(legend).to_have_text(["Bacheo", "Plazas", "Luces", "Otros (1 serie)"])
    expect(page.locator(".chart-summary")).to_contain_text("el valor más alto es 200, de «Bacheo» en «2024»")
    data = page.get_by_role("region", name="Datos del gráfico")
    expect(data.locator("thead th")).to_have_text(["anio", "Bacheo", "Plazas", "Luces", "Otros (1 serie)"])
    expect(data.locator("tbody tr")).to_have_count(3)
    expect(data.locator("tbody tr").last).to_contain_text("2024")
    embed_code = page.get_by_label("Código para insertarlo en otra página").input_value()
    assert "serie=tipo&top_serie=3" in embed_code
    axe_check(page)

    page.get_by_role("radio", name="Barras").check()
    page.get_by_label("Apilar las barras (en vez de ponerlas una al lado de otra)").check()
    page.get_by_role("button", name="Dibujar el gráfico").click()
    expect(page.locator("svg.chart-svg .chart-legend .legend-item")).to_have_count(4)
    expect(data.locator("tbody tr").first).to_contain_text("2024")  # bars rank the years by their total
    axe_check(page)

    page.get_by_role("link", name="Ver la versión para insertar").click()
    expect(page.get_by_role("img", name="Suma de monto por anio y tipo")).to_be_visible()
    axe_check(page)
