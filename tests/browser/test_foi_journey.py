"""Done-when of issue 7: the whole life of an access-to-information request, as people live it.

A citizen files a request; the officer acknowledges it, extends it, attaches a spreadsheet with a
hidden sheet (flagged, and redacted in the public copy) and answers; the citizen sees the answer;
the public archive shows it without personal data; the statistics and the open dataset count it.
"""

import csv
import io
from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY
from openpyxl import load_workbook
from playwright.sync_api import expect

from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import PASSWORD, user_make, user_with_role
from abiertos.foi import forms
from abiertos.foi.models import FoiRequest
from abiertos.foi.tests.factories import xlsx_with_hidden_sheet

from .conftest import axe_check

pytestmark = pytest.mark.browser

DNI = "27111222"


def log_in(page, email: str) -> None:
    page.goto("/cuentas/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="es-AR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    return context.new_page()


def citizen_files(page) -> str:
    page.goto("/m/la-plata/pedidos/nuevo/")
    expect(page.locator("h1")).to_have_text("Pedido de acceso a la información a La Plata")
    expect(page.locator(".foi-rule")).to_contain_text("no tiene registrada una ordenanza")
    page.get_by_label("¿Sobre qué querés preguntar?").fill("alumbrado público")
    page.get_by_role("button", name="Buscar pedidos y datos parecidos").click()
    expect(page.get_by_text("No encontramos pedidos parecidos.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Asunto").fill("Gasto en alumbrado público 2025")
    page.get_by_label("¿Qué información pedís?").fill(
        "Pido el gasto mensual en alumbrado público durante 2025, por barrio. Firma: Lucía Fernández."
    )
    page.get_by_label("Formato en que preferís recibirla").select_option("spreadsheet")
    page.get_by_label("Tema").select_option("gasto-publico")
    page.get_by_label("Nombre y apellido").fill("Lucía Fernández")
    page.get_by_label("DNI").fill(DNI)
    page.get_by_role("button", name="Presentar el pedido").click()
    expect(page.get_by_role("status")).to_contain_text("Tu número de seguimiento es")
    number = page.locator("strong").first.inner_text()
    expect(page.locator(".foi-private")).to_contain_text(DNI)
    return number


def officer_handles(page, number: str, results_dir: Path) -> None:
    page.goto("/m/la-plata/pedidos/bandeja/")
    axe_check(page)
    page.get_by_role("link", name=f"{number} · Gasto en alumbrado público 2025").click()
    page.get_by_label("Número de expediente").fill("EX-2026-4471")
    page.get_by_role("button", name="Registrar recepción").click()
    expect(page.get_by_role("status")).to_contain_text("Pedido recibido y numerado.")
    page.get_by_label("Motivo de la prórroga").fill("Los datos por barrio los tiene Servicios Públicos.")
    page.get_by_role("button", name="Prorrogar 15 días").click()
    expect(page.get_by_role("status")).to_contain_text("Plazo prorrogado.")
    request_url = page.url

    # A municipal holiday declared today moves the open deadline, with a trace in the timeline.
    due = FoiRequest.objects.get(number=number).due_date
    page.goto("/m/la-plata/pedidos/reglas/")
    axe_check(page)
    page.locator("#id_day").fill(due.isoformat())
    page.locator("#id_reason").fill("Día del empleado municipal")
    page.get_by_role("button", name="Agregar asueto").click()
    expect(page.get_by_role("status")).to_contain_text("Se recalcularon 1 vencimientos de pedidos abiertos.")
    assert FoiRequest.objects.get(number=number).due_date > due
    page.goto(request_url)
    expect(page.locator(".foi-timeline")).to_contain_text("Asueto del")
    page.get_by_label("Archivo (XLSX, ODS, CSV, DOCX, PDF o TXT)").set_input_files(
        {
            "name": "alumbrado-2025.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": xlsx_with_hidden_sheet(),
        }
    )
    page.get_by_role("button", name="Adjuntar y revisar").click()
    findings = page.locator(".foi-findings")
    expect(findings).to_contain_text("Beneficiarios: Hoja oculta.")
    expect(findings).to_contain_text("Columnas ocultas: C")
    expect(findings).to_contain_text("autor: jperez.hacienda")
    page.screenshot(path=results_dir / "foi-officer-findings-1280.png", full_page=True)
    axe_check(page)
    page.get_by_label("Respuesta", exact=True).fill("Adjuntamos la planilla del gasto mensual en alumbrado.")
    page.get_by_role("button", name="Publicar la respuesta").click()
    expect(page.get_by_role("status")).to_contain_text("Respuesta publicada.")


def test_a_request_from_filing_to_answer_archive_statistics_and_open_data(
    page, browser, live_server, municipality, results_dir, monkeypatch
):
    monkeypatch.setattr(forms, "FORM_MIN_SECONDS", 0)  # a robot clicks faster than a person reads
    monkeypatch.setattr(HUEY, "immediate", True)  # the job that regenerates the open dataset runs inline
    user_make(email="lucia@example.org")
    user_with_role(Role.FOI_OFFICER, municipality, email="oficial@example.org")

    log_in(page, "lucia@example.org")
    number = citizen_files(page)

    officer = new_page(browser, live_server)
    log_in(officer, "oficial@example.org")
    officer_handles(officer, number, results_dir)

    # The citizen sees the answer and gets the redacted copy: no hidden sheet, no hidden column.
    page.goto(f"/m/la-plata/pedidos/{number}/")
    answer = page.locator("section[aria-labelledby=answer-title]")
    expect(answer).to_contain_text("Respondido")
    expect(answer).to_contain_text("Adjuntamos la planilla del gasto mensual en alumbrado.")
    expect(page.get_by_role("listitem").filter(has_text="Plazo prorrogado")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="alumbrado-2025.xlsx").click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert workbook.sheetnames == ["Resumen"]
    assert "Carlos Pérez" not in [c.value for row in workbook["Resumen"].iter_rows() for c in row]
    axe_check(page)

    # The archive shows it to anyone, without the requester's identity.
    visitor = new_page(browser, live_server)
    visitor.goto("/pedidos/")
    axe_check(visitor)
    visitor.get_by_label("Buscar").fill("alumbrado")
    visitor.get_by_role("button", name="Filtrar").click()
    visitor.get_by_role("link", name="Gasto en alumbrado público 2025").click()
    expect(visitor.get_by_text("Pedido por L. F.")).to_be_visible()
    content = visitor.content()
    assert DNI not in content
    assert "Fernández" not in content
    assert "lucia@example.org" not in content
    visitor.screenshot(path=results_dir / "foi-public-request-1280.png", full_page=True)
    axe_check(visitor)

    # Statistics and the open dataset count it.
    visitor.goto("/m/la-plata/pedidos/estadisticas/")
    numbers = visitor.locator(".foi-numbers")
    expect(numbers.locator("div").filter(has_text="Recibidos").locator("dd")).to_have_text("1")
    expect(numbers.locator("div").filter(has_text="Respondidos").first.locator("dd")).to_have_text("1")
    expect(numbers.locator("div").filter(has_text="Prórrogas").locator("dd")).to_have_text("1")
    visitor.screenshot(path=results_dir / "foi-statistics-1280.png", full_page=True)
    axe_check(visitor)
    visitor.get_by_role("link", name="Todos los pedidos como datos abiertos (CSV)").click()
    expect(visitor.locator("h1")).to_contain_text("Pedidos de acceso a la información pública")
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="Descargar Pedidos (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [(r["numero"], r["resultado"], r["prorrogado"]) for r in rows] == [(number, "answered_full", "true")]
    assert "Fernández" not in str(rows)
    assert FoiRequest.objects.get().outcome == "answered_full"
