"""A new municipal editor publishes a dataset with a CSV and an XLSX file; a visitor finds it."""

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from abiertos.catalog.models import Dataset

from .conftest import axe_check
from .test_editor_journey import log_in

pytestmark = pytest.mark.browser

CSV = "obra,monto,latitud,longitud\nPlaza Moreno,1250000.5,-34.921,-57.954\nBulevar 51,980000,-34.93,-57.96\n"


def xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["obra", "monto"])
    sheet.append(["Plaza Moreno", 1250000.5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def add_file(page, title: str, name: str, mime: str, content: bytes) -> None:
    page.get_by_role("link", name="Agregar archivo o enlace").click()
    page.get_by_label("Título del recurso").fill(title)
    page.get_by_label("Subir un archivo").check()
    file_input = page.get_by_label("Archivo", exact=True)
    # A click on a link does not wait for the deferred upload script: pick the file only once the
    # script has taken over the field (as a person would, a moment later), or it posts whole.
    expect(file_input).to_have_attribute("data-chunked-ready", "1")
    file_input.set_input_files({"name": name, "mimeType": mime, "buffer": content})
    expect(page.get_by_role("status").last).to_contain_text("Archivo subido completo")
    page.get_by_role("button", name="Agregar").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Agregaste «{title}»")


def test_editor_publishes_csv_and_xlsx_then_visitor_finds_it_by_search(page, browser, live_server, editor, results_dir):
    log_in(page, "editor@example.org")
    page.goto("/m/la-plata/datos/")
    page.get_by_role("link", name="Publicar un conjunto de datos nuevo").click()
    axe_check(page)

    page.get_by_label("Título").fill("Obras públicas en ejecución")
    expect(page.get_by_label("Identificador")).to_have_value("obras-publicas-en-ejecucion")
    page.get_by_label("Descripción").fill("Obras que ejecuta el municipio, con monto y ubicación.")
    page.get_by_label("Gobierno y sector público").check()
    page.get_by_label("Palabras clave").fill("obras, infraestructura")
    page.get_by_label("¿Cada cuánto se actualizan estos datos?").select_option("R/P1M")
    page.get_by_role("button", name="Guardar borrador y seguir").click()

    expect(page.locator("h1")).to_contain_text("Agregar un archivo a «Obras públicas en ejecución»")
    page.get_by_role("link", name="Volver al conjunto").click()
    expect(page.get_by_role("note")).to_contain_text("Borrador: vista previa.")
    add_file(page, "Obras en CSV", "obras.csv", "text/csv", CSV.encode())
    add_file(
        page,
        "Obras en XLSX",
        "obras.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        xlsx_bytes(),
    )
    axe_check(page)
    page.get_by_role("button", name="Publicar").click()
    expect(page.get_by_role("status").first).to_contain_text("¡Publicado!")
    page.screenshot(path=results_dir / "dataset-published-1280.png", full_page=True)

    dataset = Dataset.objects.get(identifier="obras-publicas-en-ejecucion")
    assert sorted(d.format for d in dataset.distributions.all()) == ["CSV", "XLSX"]

    visitor = browser.new_context(base_url=live_server.url, locale="es-AR").new_page()
    visitor.goto("/datos/")
    visitor.get_by_label("Buscar", exact=True).fill("obra publica")
    visitor.get_by_role("button", name="Buscar").click()
    expect(visitor.get_by_role("heading", name="1 conjunto de datos")).to_be_visible()
    visitor.get_by_role("link", name="Obras públicas en ejecución").click()
    expect(visitor.locator("h1")).to_contain_text("Obras públicas en ejecución")
    download_link = visitor.get_by_role("link", name="Descargar Obras en CSV")
    with visitor.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == "obras.csv"
    assert Path(download.value.path()).read_text(encoding="utf-8") == CSV
    axe_check(visitor)
