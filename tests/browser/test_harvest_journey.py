"""A municipal editor registers a harvest source (a data.json served by a local test server),
previews a dry run, runs the harvest and reads the report."""

import json

import pytest
from playwright.sync_api import expect

from abiertos.harvest.tests.servers import DATA, LocalServer

from .conftest import axe_check
from .test_editor_journey import log_in

pytestmark = pytest.mark.browser

CATALOG = DATA / "catalogs" / "pydatajson" / "several_datasets_for_harvest.json"


@pytest.fixture(autouse=True)
def _jobs_run_immediately():
    """The live server runs each queued job in the request that queued it, as the app tests do."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture(autouse=True)
def _local_hosts_allowed(settings):
    """The portal below listens on 127.0.0.1, which production refuses (abiertos/harvest/hosts.py)."""
    settings.HARVEST_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def portal():
    server = LocalServer()
    server.json("/data.json", json.loads(CATALOG.read_text()))
    yield server
    server.stop()


def test_editor_registers_previews_runs_and_reads_the_report(page, editor, portal, results_dir):
    log_in(page, "editor@example.org")
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Cosecha").click()
    expect(page.locator("h1")).to_contain_text("Cosecha")
    page.goto("/m/la-plata/cosecha/")
    expect(page.locator("h1")).to_have_text("Cosecha de catálogos de La Plata")
    page.get_by_role("link", name="Registrar una fuente").click()
    axe_check(page)

    page.get_by_label("Nombre").fill("Portal de contrataciones")
    page.get_by_label("Tipo de fuente").select_option("datajson")
    page.get_by_label("Dirección").fill(portal.url + "/data.json")
    page.get_by_label("Correos a notificar").fill("datos@laplata.example.org")
    page.get_by_role("button", name="Registrar la fuente").click()

    expect(page.locator("h1")).to_have_text("Portal de contrataciones")
    expect(page.get_by_role("status")).to_contain_text("Registraste la fuente")
    axe_check(page)

    page.get_by_role("button", name="Vista previa (sin cambios)").click()
    expect(page.locator("h1")).to_contain_text("Vista previa #")
    expect(page.locator(".notice")).to_contain_text("no se cambió nada en el catálogo")
    # The catalog's first dataset has a distribution whose address is not a URL: it cannot be imported.
    expect(page.locator('[data-count="created"]')).to_have_text("2")
    expect(page.locator('[data-count="failed"]')).to_have_text("1")
    expect(page.locator(".harvest-plan")).to_contain_text("Sistema de contrataciones electrónicas DOS")
    expect(page.locator(".harvest-plan")).to_contain_text("se crea")
    expect(page.locator(".harvest-plan")).to_contain_text("no se puede importar")
    page.screenshot(path=results_dir / "harvest-preview-1280.png", full_page=True)
    axe_check(page)

    page.get_by_role("link", name="Portal de contrataciones").click()
    page.get_by_role("button", name="Cosechar ahora").click()
    expect(page.locator("h1")).to_contain_text("Corrida #")
    expect(page.locator("[data-run-status]")).to_have_text("Terminada con errores")
    expect(page.locator('[data-count="created"]')).to_have_text("2")
    expect(page.locator('[data-count="failed"]')).to_have_text("1")
    expect(page.locator(".harvest-messages")).to_contain_text("La dirección tiene que ser completa")
    # The national profile validator's verdict on each dataset, and which may be federated.
    checks = page.get_by_role("region", name="Validación con el perfil nacional")
    expect(checks.locator("[data-validation-summary]")).to_contain_text("Se validaron 3 conjuntos: 2 federables")
    expect(checks.locator("tbody tr")).to_have_count(3)
    expect(checks.locator(".federable-no")).to_have_count(1)
    expect(checks.locator(".federable-no")).to_contain_text("No: tiene errores")
    expect(checks.locator("tr", has=page.locator(".federable-no"))).to_contain_text(
        "falta el campo obligatorio «downloadURL»"
    )
    page.screenshot(path=results_dir / "harvest-report-1280.png", full_page=True)
    axe_check(page)

    page.get_by_role("link", name="Portal de contrataciones").click()
    expect(page.locator(".harvest-runs tbody tr")).to_have_count(2)
    page.goto("/m/la-plata/datos/2/")
    expect(page.locator(".notice")).to_contain_text("Este conjunto se cosecha automáticamente de otro portal.")
