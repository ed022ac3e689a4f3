"""Issue 7, as officers and citizens use it: a PDF whose text leaks personal data is published only
with a recorded reason; a refused request tells the citizen where the complaint goes and until when."""

import pytest
from playwright.sync_api import expect

from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import actor_of, user_make, user_with_role
from abiertos.foi import services
from abiertos.foi.tests.factories import pdf_with_text, request_file

from .conftest import axe_check
from .test_foi_journey import log_in, new_page

pytestmark = pytest.mark.browser


def test_officer_publishes_a_leaky_pdf_only_with_a_reason(page, live_server, municipality, results_dir):
    citizen = user_make(email="vecino@example.org")
    user_with_role(Role.FOI_OFFICER, municipality, email="oficial@example.org")
    foi = request_file(municipality, citizen, topic="")
    log_in(page, "oficial@example.org")
    page.goto(foi.get_absolute_url())
    page.get_by_label("Archivo (XLSX, ODS, CSV, DOCX, PDF o TXT)").set_input_files(
        {
            "name": "becas.pdf",
            "mimeType": "application/pdf",
            "buffer": pdf_with_text(["Becas deportivas 2026", "Beneficiaria: DNI 31.222.333, tel. (0221) 455-7788"]),
        }
    )
    page.get_by_role("button", name="Adjuntar y revisar").click()
    expect(page.locator(".foi-findings")).to_contain_text("página 2: Posibles datos personales: DNI, teléfono")
    expect(page.locator(".foi-warning")).to_contain_text("El texto de un PDF no se anonimiza")
    page.screenshot(path=results_dir / "foi-pdf-findings-1280.png", full_page=True)
    axe_check(page)

    page.get_by_label("Respuesta", exact=True).fill("Adjuntamos el listado.")
    page.get_by_role("button", name="Publicar la respuesta").click()
    expect(page.get_by_role("status")).to_contain_text("Subí un PDF ya anonimizado")
    expect(page.locator("section[aria-labelledby=answer-title]")).to_have_count(0)

    page.get_by_label("Respuesta", exact=True).fill("Adjuntamos el listado.")
    page.get_by_label("Motivo para publicar igual los PDF con hallazgos en su texto (becas.pdf)").fill(
        "Las beneficiarias consintieron la publicación (nota 12/2026)."
    )
    page.get_by_role("button", name="Publicar la respuesta").click()
    expect(page.get_by_role("status")).to_contain_text("Respuesta publicada.")
    expect(page.locator(".foi-timeline")).to_contain_text(
        "PDF publicados con hallazgos en su texto (becas.pdf), con este motivo:"
    )
    axe_check(page)


def test_citizen_sees_where_a_complaint_goes_and_files_it(page, live_server, municipality):
    citizen = user_make(email="vecina@example.org")
    officer = user_with_role(Role.FOI_OFFICER, municipality, email="oficial@example.org")
    foi = request_file(municipality, citizen, topic="")
    foi = services.foi_request_refuse(
        request=foi, ground="personal_data", text="Contiene datos de los agentes.", by=actor_of(officer)
    )
    deadline = services.complaint_deadline(foi)
    log_in(page, "vecina@example.org")
    page.goto(foi.get_absolute_url())
    route = page.locator(".foi-complaint-route")
    expect(route).to_contain_text("Tu reclamo va a: La autoridad que recibió el pedido")
    expect(route).to_contain_text(f"hasta el {deadline.day}/{deadline.month}/{deadline.year} (40 días hábiles)")
    axe_check(page)
    page.get_by_label("Motivo del reclamo").fill("La denegación no explica qué datos son personales.")
    page.get_by_role("button", name="Presentar reclamo").click()
    expect(page.get_by_role("status")).to_contain_text("Reclamo presentado.")
    expect(page.locator(".foi-timeline")).to_contain_text("dirigido a: La autoridad que recibió el pedido")
    expect(page.locator(".foi-complaint-route")).to_have_count(0)
    other = new_page(page.context.browser, live_server)
    other.goto(foi.get_absolute_url())
    expect(other.locator(".foi-timeline")).to_contain_text("Reclamo presentado")
