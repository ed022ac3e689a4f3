"""A municipal editor brands the municipality's home page: colour, presentation text and logo."""

import struct
import zlib

import pytest
from playwright.sync_api import expect

from abiertos.accounts.tests.factories import PASSWORD

from .conftest import axe_check

pytestmark = pytest.mark.browser


def png_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A small, valid, single-colour PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def log_in(page, email: str) -> None:
    page.goto("/cuentas/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()


def test_editor_changes_colour_intro_and_logo_and_sees_them_on_the_home_page(page, editor, results_dir):
    log_in(page, "editor@example.org")
    page.goto("/m/la-plata/")
    page.get_by_role("link", name="Editar la página del municipio").click()
    expect(page.locator("h1")).to_have_text("Página de La Plata")
    page.screenshot(path=results_dir / "municipality-edit-1280.png", full_page=True)
    axe_check(page)

    page.get_by_label("Color principal").fill("#7a1f5c")
    page.get_by_label("Texto de presentación").fill("Publicamos el presupuesto cada trimestre.\nEscribinos.")
    page.get_by_label("Logo", exact=True).set_input_files(
        {"name": "escudo.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_role("button", name="Guardar cambios").click()

    expect(page).to_have_url(f"{page.url.split('/m/')[0]}/m/la-plata/")
    expect(page.get_by_role("status")).to_contain_text("Guardamos los cambios de la página del municipio.")
    expect(page.locator(".intro")).to_contain_text("Publicamos el presupuesto cada trimestre.")
    banner = page.locator(".muni-banner")
    expect(banner).to_have_css("background-color", "rgb(122, 31, 92)")
    expect(banner).to_have_css("color", "rgb(255, 255, 255)")
    logo = page.get_by_role("img", name="Logo de La Plata")
    expect(logo).to_be_visible()
    expect(logo).to_have_attribute("src", r"/media/logos/la-plata.png")
    # Visible is not loaded: wait for the image itself before reading its size.
    page.wait_for_function(
        "() => { const img = document.querySelector('.muni-logo'); return img.complete && img.naturalWidth > 0; }"
    )
    assert page.evaluate("document.querySelector('.muni-logo').naturalWidth") == 8
    page.screenshot(path=results_dir / "municipality-home-branded-1280.png")
    axe_check(page)


def test_editor_sees_a_clear_error_for_a_logo_that_is_not_an_image(page, editor):
    log_in(page, "editor@example.org")
    page.goto("/m/la-plata/editar/")

    page.get_by_label("Logo", exact=True).set_input_files(
        {"name": "escudo.png", "mimeType": "image/png", "buffer": b"<svg onload='alert(1)'></svg>"}
    )
    page.get_by_role("button", name="Guardar cambios").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Formato no admitido.")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Logo", exact=True)).to_have_attribute("aria-invalid", "true")
    axe_check(page)


def test_a_visitor_is_sent_to_log_in_before_editing(page, municipality):
    page.goto("/m/la-plata/editar/")

    expect(page.locator("h1")).to_have_text("Ingresar")
    assert "next=/m/la-plata/editar/" in page.url
