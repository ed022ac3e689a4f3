"""Sign-up to token, and role management, as people do them in the browser (make test-browser)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from abiertos.accounts import forms
from abiertos.accounts.models import Membership
from abiertos.accounts.tests.factories import PASSWORD
from tests.browser.conftest import axe_check, browser, municipality, outside_requests, page  # noqa: F401

pytestmark = pytest.mark.browser

NEW_PASSWORD = "una-clave-bastante-larga-2026"


def _log_in(page, email, password=PASSWORD):  # noqa: F811
    page.goto("/cuentas/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()


def test_person_signs_up_confirms_and_creates_a_token(page, live_server, monkeypatch):  # noqa: F811
    monkeypatch.setattr(forms, "SIGNUP_MIN_SECONDS", 0)
    page.goto("/")
    page.get_by_role("link", name="Crear cuenta").click()
    expect(page.locator("h1")).to_have_text("Crear cuenta")
    axe_check(page)
    page.get_by_label("Correo electrónico").fill("ana@example.org")
    page.get_by_label("Nombre y apellido").fill("Ana Pérez")
    page.get_by_label("Organización (opcional)").fill("Vecinos de Tolosa")
    page.get_by_label("Contraseña").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Crear cuenta").click()
    expect(page.locator("h1")).to_have_text("Revisá tu correo")
    axe_check(page)

    link = re.search(r"https?://\S+(/cuentas/confirmar/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Correo confirmado")
    axe_check(page)

    _log_in(page, "ana@example.org", NEW_PASSWORD)
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Mi cuenta").click()
    expect(page.get_by_text("(confirmado)")).to_be_visible()
    axe_check(page)
    page.get_by_label("Nombre del token").fill("mi script")
    page.get_by_role("button", name="Crear token").click()
    secret = page.get_by_label("Token nuevo").input_value()
    assert secret.startswith("ma_")
    axe_check(page)
    page.get_by_role("button", name="Revocar «mi script»").click()
    expect(page.get_by_role("status")).to_contain_text("Revocaste el token «mi script»")
    expect(page.get_by_text(secret)).to_have_count(0)


def test_provincial_admin_grants_and_revokes_a_role(page, provincial_admin, citizen, municipality):  # noqa: F811
    _log_in(page, provincial_admin.email)
    page.goto("/cuentas/mi-cuenta/")
    page.get_by_role("link", name="Administrar los roles de todas las personas").click()
    expect(page.locator("h1")).to_have_text("Roles de las personas")
    axe_check(page)

    page.get_by_label("Correo de la persona").fill("nadie@example.org")
    page.get_by_role("combobox", name=re.compile(r"^Rol\b")).select_option("foi_officer")
    page.get_by_label("Municipio").select_option("la-plata")
    page.get_by_role("button", name="Asignar rol").click()
    expect(page.get_by_role("alert")).to_contain_text("No hay ninguna cuenta con el correo nadie@example.org")
    axe_check(page)

    page.get_by_label("Correo de la persona").fill(citizen.email)
    page.get_by_role("button", name="Asignar rol").click()
    row = page.get_by_role("row").filter(has_text=citizen.email)
    expect(row).to_contain_text("Responsable de acceso a la información")
    expect(row).to_contain_text("La Plata")
    assert Membership.objects.filter(user=citizen, role="foi_officer").exists()

    row.get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text("Quitaste el rol")
    assert not Membership.objects.filter(user=citizen).exists()
