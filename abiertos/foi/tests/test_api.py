"""The REST API, used as a client would: JSON over HTTP with a token or a session."""

import json

from abiertos.accounts.services import api_token_create
from abiertos.accounts.tests.factories import actor_of, user_make
from abiertos.foi import services
from abiertos.foi.models import FoiRequest

from .factories import REQUESTER_DNI, REQUESTER_NAME, request_file


def _token(user, scopes=("read", "write")) -> str:
    _token, secret = api_token_create(user=user, name="prueba", scopes=list(scopes), expires_at=None, by=actor_of(user))
    return f"Token {secret}"


def _post(client, url, data, auth):
    return client.post(url, json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=auth)


def test_api_files_a_request_and_never_returns_personal_data(client, municipality, citizen):
    response = _post(
        client,
        "/api/v1/foi/requests",
        {
            "municipality": "la-plata",
            "subject": "Contratos de recolección de residuos",
            "body": "Pido los contratos vigentes de recolección de residuos y sus montos.",
            "requester_name": REQUESTER_NAME,
            "requester_id_number": REQUESTER_DNI,
            "contact_email": "vecina@example.org",
        },
        _token(citizen),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["requester"] == "M. L. G."
    assert body["due_date"]
    text = response.content.decode()
    assert REQUESTER_DNI not in text
    assert "Gómez" not in text
    assert "vecina@example.org" not in text


def test_api_file_rejects_bad_input_with_spanish_field_errors(client, municipality, citizen):
    response = _post(
        client,
        "/api/v1/foi/requests",
        {"municipality": "la-plata", "subject": "x", "body": "corto", "requester_name": "Ana", "contact_email": "a"},
        _token(citizen),
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "subject" in fields
    assert "requester_id_number" in fields


def test_api_officer_lifecycle_and_statistics(client, municipality, citizen, foi_officer):
    foi = request_file(municipality, citizen)
    auth = _token(foi_officer)
    base = f"/api/v1/foi/requests/la-plata/{foi.number}"
    assert _post(client, f"{base}/acknowledge", {"file_number": "EX-9"}, auth).json()["status"] == "acknowledged"
    extended = _post(client, f"{base}/extend", {"reason": "Consulta a otras áreas."}, auth).json()
    assert extended["extended"] is True
    answered = _post(client, f"{base}/answer", {"text": "Respuesta completa."}, auth).json()
    assert answered["outcome"] == "answered_full"
    assert [e["kind"] for e in answered["events"]] == ["filed", "acknowledged", "extended", "answered"]
    stats = client.get("/api/v1/foi/statistics", {"municipality": "la-plata"}).json()
    assert stats["received"] == 1
    assert stats["answered"] == 1
    assert stats["on_time_rate"] is None  # below the minimum count


def test_api_officer_actions_are_denied_to_the_citizen(client, municipality, citizen):
    foi = request_file(municipality, citizen)
    response = _post(
        client, f"/api/v1/foi/requests/la-plata/{foi.number}/acknowledge", {"file_number": "1"}, _token(citizen)
    )
    assert response.status_code == 403
    assert FoiRequest.objects.get().status == "filed"


def test_api_inbox_and_rules(client, municipality, citizen, foi_officer):
    request_file(municipality, citizen)
    inbox = client.get("/api/v1/foi/inbox/la-plata", HTTP_AUTHORIZATION=_token(foi_officer)).json()
    assert len(inbox) == 1
    assert inbox[0]["days_left"] > 0
    rules = client.get("/api/v1/foi/rules/la-plata").json()
    assert rules["is_default"] is True
    assert rules["response_days"] == 30


def test_api_non_working_day_recomputes_deadlines(client, municipality, citizen, foi_officer):
    foi = request_file(municipality, citizen)
    response = _post(
        client,
        "/api/v1/foi/rules/la-plata/non-working-days",
        {"date": str(foi.due_date), "reason": "Asueto administrativo"},
        _token(foi_officer),
    )
    assert response.status_code == 201
    assert response.json()["deadlines_moved"] == 1


def test_api_list_filters_and_hides_hidden_requests(client, municipality, citizen, foi_officer):
    foi = request_file(municipality, citizen)
    request_file(municipality, citizen, subject="Otro pedido visible de obras")
    services.foi_request_hide(request=foi, reason="Contenido ofensivo.", by=actor_of(foi_officer))
    items = client.get("/api/v1/foi/requests", {"municipality": "la-plata"}).json()["items"]
    assert [i["subject"] for i in items] == ["Otro pedido visible de obras"]
    assert client.get(f"/api/v1/foi/requests/la-plata/{foi.number}").status_code == 404


def test_api_attachment_is_checked_then_answer_becomes_a_draft_dataset(client, municipality, citizen, foi_officer):
    from .factories import xlsx_upload

    foi = request_file(municipality, citizen)
    auth = _token(foi_officer)
    base = f"/api/v1/foi/requests/la-plata/{foi.number}"
    response = client.post(f"{base}/attachments", {"file": xlsx_upload()}, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["published"] is False
    assert {"kind": "hidden_sheet", "where": "Beneficiarios", "detail": "Hoja oculta."} in body["findings"]
    _post(client, f"{base}/answer", {"text": "Va la planilla."}, auth)
    detail = client.get(base).json()
    assert [a["name"] for a in detail["attachments"]] == ["gastos-alumbrado.xlsx"]
    dataset = client.post(f"{base}/open-data", HTTP_AUTHORIZATION=auth)
    assert dataset.status_code == 201
    assert dataset.json()["status"] == "draft"


def test_api_report_and_hide(client, municipality, citizen, foi_officer):
    foi = request_file(municipality, citizen)
    base = f"/api/v1/foi/requests/la-plata/{foi.number}"
    assert _post(client, f"{base}/report", {"reason": "Datos de un tercero."}, _token(user_make())).status_code == 201
    assert _post(client, f"{base}/hide", {"reason": "Corto"}, _token(citizen)).status_code == 403
    hidden = _post(client, f"{base}/hide", {"reason": "Datos de un tercero."}, _token(foi_officer))
    assert hidden.status_code == 200
    assert client.get(base).status_code == 404
