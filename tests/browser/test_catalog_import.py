"""A municipal editor imports the municipality's catalog.xlsx: dry run with row errors, confirm, result."""

import pytest
from huey.contrib.djhuey import HUEY
from playwright.sync_api import expect

from abiertos.catalog.models import Dataset
from abiertos.catalog.tests.catalog_samples import PYDATAJSON_SAMPLES

from .conftest import axe_check
from .test_editor_journey import log_in

pytestmark = pytest.mark.browser

XLSX = PYDATAJSON_SAMPLES / "catalogo-justicia.valid.xlsx"


# Importing 17 datasets through the services runs inside the request here, which can take a while
# on a loaded machine.
SLOW = 90_000


@pytest.fixture(autouse=True)
def _jobs_run_in_the_server(monkeypatch):
    """No worker runs beside the live server: the import jobs run as they are enqueued. Their
    heartbeat thread (a second connection to the in-memory test database) is kept quiet: SQLite's
    shared cache would lock the job's own writes out."""
    from abiertos.jobs import runner

    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 3600)
    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


def test_editor_reviews_then_imports_a_catalog_xlsx(page, live_server, editor, municipality):
    log_in(page, "editor@example.org")
    page.goto("/m/la-plata/datos/")
    page.get_by_role("link", name="Importar un catálogo").click()
    expect(page.locator("h1")).to_have_text("Importar un catálogo")
    axe_check(page)

    page.get_by_label("Archivo del catálogo").set_input_files(str(XLSX))
    page.get_by_label("Importar igual los conjuntos sin errores").check()
    page.get_by_role("button", name="Revisar el catálogo").click(timeout=SLOW)

    expect(page.locator("h1")).to_contain_text("Revisión del catálogo: catalogo-justicia.valid.xlsx", timeout=SLOW)
    expect(page.locator(".import-counts")).to_contain_text("17 conjuntos nuevos")
    expect(page.locator(".import-counts")).to_contain_text("1 conjunto con errores")
    errors = page.get_by_role("region", name="Errores")
    expect(errors).to_contain_text("Hoja «Dataset», fila 9, columna «dataset_title»")
    assert not Dataset.objects.filter(municipality=municipality).exists()
    axe_check(page)

    page.get_by_role("button", name="Confirmar e importar").click(timeout=SLOW)
    expect(page.get_by_role("heading", name="Importación terminada")).to_be_visible(timeout=SLOW)
    expect(page.locator(".import-counts")).to_contain_text("17 conjuntos nuevos")
    axe_check(page)

    page.get_by_role("link", name="Ver los datos del municipio").click()
    expect(page.locator("main")).to_contain_text("Base de datos legislativos Infoleg")
    assert Dataset.objects.filter(municipality=municipality).count() == 17


def test_import_page_follows_a_queued_job_until_its_report(page, live_server, editor, municipality):
    from abiertos.jobs.models import Job
    from abiertos.jobs.runner import job_execute

    HUEY.immediate = False  # a worker would run it later; here, the test does
    log_in(page, "editor@example.org")
    page.goto("/m/la-plata/datos/importar/")
    page.get_by_label("Archivo del catálogo").set_input_files(str(XLSX))
    page.get_by_role("button", name="Revisar el catálogo").click()
    expect(page.get_by_label("Avance")).to_be_visible()
    axe_check(page)

    job_execute(Job.objects.get().pk)

    expect(page.get_by_role("heading", name="Qué cambiaría")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("region", name="Errores")).to_contain_text("fila 9")
    expect(page.get_by_role("button", name="Confirmar e importar")).to_have_count(0)
