"""Signing in, as a person does it in the browser."""

import pytest
from playwright.sync_api import expect

from abiertos.accounts.tests.factories import PASSWORD

from .conftest import axe_check

pytestmark = pytest.mark.browser


def test_login_page_is_accessible_and_reports_wrong_password(page, editor):
    page.goto("/")
    page.get_by_role("link", name="Ingresar").click()
    expect(page.locator("h1")).to_have_text("Ingresar")
    axe_check(page)

    page.get_by_label("Correo electrónico").fill("editor@example.org")
    page.get_by_label("Contraseña").fill("no-es-la-clave")
    page.get_by_role("button", name="Ingresar").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("El correo o la contraseña no son correctos.")
    expect(summary).to_be_focused()
    axe_check(page)


def test_login_with_the_right_password_opens_a_session(page, editor):
    page.goto("/cuentas/ingresar/")
    page.get_by_label("Correo electrónico").fill("editor@example.org")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_label("Contraseña").press("Enter")

    expect(page.locator("h1")).to_have_text("Gobierno abierto en cada municipio")
    nav = page.get_by_role("navigation", name="Principal")
    expect(nav.get_by_role("link", name="Mi cuenta")).to_be_visible()
    expect(nav.get_by_role("button", name="Salir")).to_be_visible()
    expect(nav.get_by_role("link", name="Ingresar")).to_have_count(0)
