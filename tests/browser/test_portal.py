"""The public portal as a visitor uses it: province home, municipality home, keyboard, languages."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from abiertos.core.tests.factories import municipality_make

from .conftest import axe_check

pytestmark = pytest.mark.browser

PAGE_BUDGET_BYTES = 200 * 1000
BUDGETED_TYPES = {"document", "stylesheet", "script"}


@pytest.fixture
def some_municipalities(municipality):
    others = [municipality_make(name) for name in ("Bahía Blanca", "Mar Chiquita", "Tandil", "Chascomús")]
    return [municipality, *others]


@pytest.fixture
def many_municipalities(municipality):
    """A province-sized list (135 partidos), for weight and layout checks."""
    return [municipality, *(municipality_make(f"Partido de prueba número {n}") for n in range(2, 136))]


def test_province_home_lists_municipalities_and_passes_axe(page, some_municipalities):
    page.goto("/")

    expect(page.locator("h1")).to_have_text("Gobierno abierto en cada municipio")
    links = page.locator("#municipality-list li a")
    expect(links).to_have_text(["Bahía Blanca", "Chascomús", "La Plata", "Mar Chiquita", "Tandil"])
    expect(page.get_by_role("link", name="La Plata")).to_have_attribute("href", "/m/la-plata/")
    expect(page.locator(".lead")).to_contain_text("5 municipios")
    axe_check(page)


def test_province_home_lists_the_135_partidos_loaded_by_load_territory(page, transactional_db):
    call_command("load_territory", stdout=StringIO())
    responses = []
    page.on("response", lambda response: responses.append(response))

    page.goto("/")

    expect(page.locator("#municipality-list li a")).to_have_count(135)
    expect(page.locator(".lead")).to_contain_text("135 municipios")
    expect(page.get_by_role("link", name="La Plata", exact=True)).to_have_attribute("href", "/m/la-plata/")
    weight = sum(len(r.body()) for r in responses if r.request.resource_type in BUDGETED_TYPES and r.status < 300)
    assert weight < PAGE_BUDGET_BYTES, f"the province home with 135 partidos weighs {weight} bytes"
    page.get_by_label("Buscar un municipio").fill("general")
    assert 5 < page.locator("#municipality-list li:visible").count() < 135
    axe_check(page)


def test_province_home_filter_narrows_the_list_as_you_type(page, some_municipalities):
    page.goto("/")
    search = page.get_by_label("Buscar un municipio")
    visible = page.locator("#municipality-list li:visible")

    search.press_sequentially("mar")
    expect(visible).to_have_text(["Mar Chiquita"])
    expect(page.locator("#municipality-filter-status")).to_have_text("Se muestra 1 municipio.")

    search.fill("chascomus")  # accents are ignored
    expect(visible).to_have_text(["Chascomús"])

    search.fill("zzz")
    expect(visible).to_have_count(0)
    expect(page.locator("#municipality-filter-status")).to_have_text("Ningún municipio coincide con la búsqueda.")

    search.press("Enter")  # the filter never reloads the page
    expect(search).to_have_value("zzz")

    search.fill("")
    expect(visible).to_have_count(5)
    axe_check(page)


def test_municipality_home_shows_its_facts_and_passes_axe(page, municipality):
    page.goto("/")
    page.get_by_role("link", name="La Plata").click()

    expect(page).to_have_url(f"{page.context.pages[0].url.split('/m/')[0]}/m/la-plata/")
    expect(page.locator("h1")).to_have_text("La Plata")
    expect(page.locator(".muni-name")).to_have_text("Partido de La Plata")
    expect(page.locator(".facts")).to_contain_text("06441")
    expect(page.get_by_role("region", name="Qué ofrece este portal")).to_contain_text("Datos abiertos")
    expect(page.get_by_role("link", name="Editar la página del municipio")).to_have_count(0)
    axe_check(page)


def test_unknown_municipality_shows_an_accessible_not_found_page(page, municipality):
    response = page.goto("/m/no-existe/")

    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Página no encontrada")
    axe_check(page)


def test_first_tab_focuses_skip_link_and_enter_moves_focus_to_main(page, municipality):
    page.goto("/m/la-plata/")

    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Saltar al contenido")
    expect(focused).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.evaluate("location.hash") == "#contenido"
    page.keyboard.press("Tab")  # the next stop is inside the content, not back in the header
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_language_switch_turns_the_page_to_english_and_back(page, municipality):
    page.goto("/m/la-plata/")
    expect(page.locator("html")).to_have_attribute("lang", "es-AR")

    page.locator("#lang-select").select_option("en")
    page.locator(".lang-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{page.url.split('/m/')[0]}/m/la-plata/")
    expect(page.locator("#lang-select")).to_have_value("en")
    axe_check(page)

    page.locator("#lang-select").select_option("es-ar")
    page.locator(".lang-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", "es-AR")
    expect(page.locator(".lang-form button")).to_have_text("Cambiar")


@pytest.mark.parametrize("path", ["/", "/m/la-plata/"])
def test_first_load_weighs_under_200_kb_of_html_css_and_js(page, many_municipalities, path):
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(path, wait_until="load")

    weights = {r.url: len(r.body()) for r in responses if r.request.resource_type in BUDGETED_TYPES and r.status < 300}
    assert any(r.request.resource_type == "stylesheet" for r in responses), "the stylesheet was not loaded"
    total = sum(weights.values())
    assert 0 < total < PAGE_BUDGET_BYTES, f"{path} weighs {total} bytes: {weights}"


@pytest.mark.parametrize("width", [1280, 375])
def test_pages_fit_the_screen_and_leave_screenshots(page, many_municipalities, results_dir, width):
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in [("province-home", "/"), ("municipality-home", "/m/la-plata/")]:
        page.goto(path)
        page.screenshot(path=results_dir / f"{name}-{width}.png", full_page=name != "province-home")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px wide"
        axe_check(page)


def test_api_docs_page_loads_nothing_from_outside_hosts(page, outside_requests):
    page.goto("/api/v1/docs", wait_until="networkidle")

    assert outside_requests == []
    expect(page.locator("body")).to_contain_text("Municipios Abiertos")
