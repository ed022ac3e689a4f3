"""Openness monitoring as a visitor uses it: the province map, the ranking, a scorecard."""

import re
from importlib import import_module
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from abiertos.catalog.models import Theme
from abiertos.catalog.tests.factories import dataset_make
from abiertos.core.actors import Actor
from abiertos.core.models import Municipality
from abiertos.monitoring.services import index_compute_full

from .conftest import axe_check

pytestmark = pytest.mark.browser

BOUNDARIES = Path(settings.BASE_DIR).parent / "shared" / "data" / "territory" / "partidos_pba.geojson"
PAGE_BUDGET_BYTES = 300 * 1000


@pytest.fixture
def province(transactional_db):
    call_command("load_territory", stdout=StringIO())
    # The theme taxonomy comes from a data migration that an earlier transactional test flushed.
    for identifier, label in import_module("abiertos.catalog.migrations.0002_default_themes").THEMES:
        Theme.objects.get_or_create(identifier=identifier, defaults={"label": label})
    la_plata = Municipality.objects.get(code="06441")
    dataset_make(la_plata, publish=True, identifier="presupuesto-2025", themes=["presupuesto"])
    dataset_make(la_plata, publish=True, identifier="licitaciones", title="Licitaciones 2025", keywords=["compras"])
    tandil = Municipality.objects.get(code="06791")
    dataset_make(tandil, publish=True, identifier="obras", title="Obras públicas 2025", keywords=["obras"])
    index_compute_full(by=Actor.system("test"))
    return la_plata


def test_province_map_ranking_and_scorecard_with_next_steps(page, province):
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/apertura/")

    expect(page.locator("h1")).to_have_text("Índice de apertura de los municipios")
    svg = page.locator("svg.index-map")
    expect(svg).to_have_attribute("role", "img")
    # a dot per partido (no boundaries imported), and the 24 Gran Buenos Aires partidos again in the inset
    expect(svg.locator("circle")).to_have_count(135 + 24)
    expect(svg.locator("circle title").first).to_contain_text(":")
    expect(page.locator("#ranking-table tbody tr")).to_have_count(135)
    first = page.locator("#ranking-table tbody tr").first
    expect(first.locator("th")).to_have_text("La Plata")
    expect(first.locator("td").first).to_have_text("1")
    weight = sum(len(r.body()) for r in responses if r.request.resource_type in {"document", "stylesheet"})
    assert weight < PAGE_BUDGET_BYTES, f"the dashboard weighs {weight} bytes"
    axe_check(page)

    page.get_by_role("link", name="Municipio", exact=True).click()
    expect(page.locator("#ranking-table tbody tr").first.locator("th")).to_have_text("25 de Mayo")
    page.get_by_label("Categoría").select_option(label="Obras públicas")
    page.get_by_role("button", name="Aplicar").click()
    expect(page.locator("#map-heading")).to_contain_text("Obras públicas")
    expect(page.locator("#ranking-table tbody tr").first.locator("th")).to_have_text("Tandil")

    page.goto("/apertura/")
    page.locator("#ranking-table").get_by_role("link", name="La Plata", exact=True).click()
    expect(page).to_have_url(re.compile(r"/m/la-plata/apertura/$"))
    expect(page.locator("h1")).to_have_text("Apertura de datos de La Plata")
    steps = page.locator("#next-steps li")
    expect(steps.first).to_contain_text("Publicá")
    expect(steps.first).to_contain_text("puntos")
    assert steps.count() >= 5
    expect(page.get_by_role("link", name="Presupuesto municipal", exact=False).first).to_be_visible()
    axe_check(page)


def test_province_map_draws_imported_boundaries(page, province):
    call_command("import_boundaries", str(BOUNDARIES), stdout=StringIO())

    page.goto("/apertura/")

    svg = page.locator("svg.index-map")
    expect(svg.locator("path")).to_have_count(135 + 24)
    expect(svg.locator("circle")).to_have_count(0)
    expect(svg.get_by_text("Gran Buenos Aires")).to_be_visible()
    axe_check(page)
