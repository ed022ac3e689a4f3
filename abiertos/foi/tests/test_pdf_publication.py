"""PDF answers: their text is scanned but not rewritten, so publishing one with findings needs a
reason from the officer — through the service, the page and the REST API."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.accounts.services import api_token_create
from abiertos.accounts.tests.factories import actor_of
from abiertos.core.errors import ValidationError
from abiertos.core.models import AuditEvent
from abiertos.foi import services
from abiertos.foi.models import Outcome

from .factories import pdf_with_text, request_file

LEAKY = ["Listado de becas 2026", "Beneficiario: DNI 31.222.333, tel. (0221) 455-7788"]


def _pdf(pages=LEAKY, name="becas.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_with_text(pages), content_type="application/pdf")


def test_pdf_findings_block_the_answer_until_confirmed_with_a_reason(municipality, citizen, foi_officer):
    foi = request_file(municipality, citizen)
    officer = actor_of(foi_officer)
    attachment = services.foi_attachment_add(request=foi, upload=_pdf(), by=officer)
    assert attachment.pdf_unresolved
    assert [f["where"] for f in attachment.findings if f["kind"] == "personal_data"] == ["página 2"]
    with pytest.raises(ValidationError) as error:
        services.foi_request_answer(request=foi, text="Se adjunta el listado.", partial=False, by=officer)
    assert "pdf_confirmation" in error.value.fields
    assert "becas.pdf" in error.value.message
    attachment.refresh_from_db()
    assert not attachment.is_published
    foi = services.foi_request_answer(
        request=foi,
        text="Se adjunta el listado.",
        partial=False,
        pdf_confirmation="Los beneficiarios consintieron la publicación (nota 12/2026).",
        by=officer,
    )
    assert foi.outcome == Outcome.ANSWERED_FULL
    answered = foi.events.get(kind="answered")
    assert answered.data["pdf_confirmation"]["names"] == ["becas.pdf"]
    assert "consintieron" in answered.data["pdf_confirmation"]["reason"]
    audit = AuditEvent.objects.get(action="foi.attachment_publish_confirm")
    assert audit.changes["names"] == ["becas.pdf"]


def test_clean_pdf_and_removed_leaky_pdf_need_no_confirmation(municipality, citizen, foi_officer):
    foi = request_file(municipality, citizen)
    officer = actor_of(foi_officer)
    leaky = services.foi_attachment_add(request=foi, upload=_pdf(), by=officer)
    services.foi_attachment_remove(attachment=leaky, by=officer)
    clean = services.foi_attachment_add(request=foi, upload=_pdf(["Listado de becas 2026: 41 becas."]), by=officer)
    assert not clean.pdf_unresolved
    foi = services.foi_request_answer(request=foi, text="Ahí va.", partial=False, by=officer)
    assert "pdf_confirmation" not in foi.events.get(kind="answered").data


def test_page_warns_asks_for_the_reason_and_refuses_without_it(client, municipality, citizen, foi_officer):
    foi = request_file(municipality, citizen)
    services.foi_attachment_add(request=foi, upload=_pdf(), by=actor_of(foi_officer))
    client.force_login(foi_officer)
    html = client.get(foi.get_absolute_url()).content.decode()
    assert "El texto de un PDF no se anonimiza" in html
    assert 'name="pdf_confirmation"' in html
    assert "página 2" in html
    response = client.post(f"{foi.get_absolute_url()}responder/", {"text": "Respuesta."}, follow=True)
    assert "subí un PDF ya anonimizado" in response.content.decode().replace("Subí", "subí")
    foi.refresh_from_db()
    assert foi.is_open
    response = client.post(
        f"{foi.get_absolute_url()}responder/",
        {"text": "Respuesta.", "pdf_confirmation": "Datos de funcionarios públicos, publicables."},
        follow=True,
    )
    foi.refresh_from_db()
    assert foi.outcome == Outcome.ANSWERED_FULL
    assert "Datos de funcionarios públicos, publicables." in response.content.decode()


def test_api_answer_needs_pdf_confirmation(client, municipality, citizen, foi_officer):
    foi = request_file(municipality, citizen)
    _t, secret = api_token_create(
        user=foi_officer, name="t", scopes=["read", "write"], expires_at=None, by=actor_of(foi_officer)
    )
    auth = f"Token {secret}"
    base = f"/api/v1/foi/requests/la-plata/{foi.number}"
    upload = client.post(f"{base}/attachments", {"file": _pdf()}, HTTP_AUTHORIZATION=auth)
    assert upload.status_code == 201, upload.content
    assert ("personal_data", "página 2") in [(f["kind"], f["where"]) for f in upload.json()["findings"]]

    def answer(data):
        return client.post(f"{base}/answer", json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=auth)

    refused = answer({"text": "Respuesta."})
    assert refused.status_code == 400
    assert "pdf_confirmation" in refused.json()["error"]["fields"]
    accepted = answer({"text": "Respuesta.", "pdf_confirmation": "Consentimiento escrito de los beneficiarios."})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["events"][-1]["data"]["pdf_confirmation"]["names"] == ["becas.pdf"]
