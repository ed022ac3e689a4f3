"""Officer transitions of requests to provincial bodies, used as a REST client would."""

import json

import pytest

from abiertos.accounts.services import api_token_create
from abiertos.accounts.tests.factories import actor_of
from abiertos.foi import services
from abiertos.foi.models import FoiRequest

from .factories import REQUESTER_DNI, request_input, xlsx_upload


@pytest.fixture
def body(municipality, provincial_admin):
    return services.provincial_body_create(
        data=services.ProvincialBodyInput(name="Ministerio de Salud", contact_email="salud@example.gob.ar"),
        by=actor_of(provincial_admin),
    )


@pytest.fixture
def body_request(body, citizen) -> FoiRequest:
    return services.foi_request_file(body=body, data=request_input(), by=actor_of(citizen))


def _token(user) -> str:
    _t, secret = api_token_create(user=user, name="t", scopes=["read", "write"], expires_at=None, by=actor_of(user))
    return f"Token {secret}"


def _post(client, url, data, auth):
    return client.post(url, json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=auth)


def _base(foi: FoiRequest) -> str:
    return f"/api/v1/foi/provincial-bodies/{foi.provincial_body.slug}/requests/{foi.number}"


def test_body_api_admin_walks_acknowledge_clarify_extend_attach_answer(client, body_request, citizen, provincial_admin):
    admin, requester, base = _token(provincial_admin), _token(citizen), _base(body_request)
    assert _post(client, f"{base}/acknowledge", {"file_number": "EX-2026-77"}, admin).json()["file_number"] == (
        "EX-2026-77"
    )
    paused = _post(client, f"{base}/clarification-request", {"text": "¿Qué hospitales?"}, admin).json()
    assert paused["status"] == "awaiting_clarification"
    assert paused["due_date"] is None
    resumed = _post(client, f"{base}/clarification", {"text": "Los de la región sanitaria XI."}, requester).json()
    assert resumed["due_date"]
    extended = _post(client, f"{base}/extend", {"reason": "Consulta a los hospitales."}, admin).json()
    assert extended["extended"] is True
    upload = client.post(f"{base}/attachments", {"file": xlsx_upload()}, HTTP_AUTHORIZATION=admin)
    assert upload.status_code == 201, upload.content
    assert any(f["kind"] == "hidden_sheet" for f in upload.json()["findings"])
    answered = _post(client, f"{base}/answer", {"text": "Se adjunta la planilla."}, admin).json()
    assert answered["outcome"] == "answered_full"
    assert [e["kind"] for e in answered["events"]] == [
        "filed",
        "acknowledged",
        "clarification_requested",
        "clarified",
        "extended",
        "attachment_added",
        "answered",
    ]
    assert len(answered["attachments"]) == 1
    assert REQUESTER_DNI not in json.dumps(answered)


@pytest.mark.parametrize(
    ("action", "payload", "outcome"),
    [
        ("refuse", {"ground": "personal_data", "text": "Contiene datos de salud de pacientes."}, "refused"),
        ("not-held", {"text": "El ministerio no produce esa información."}, "not_held"),
    ],
)
def test_body_api_refuse_and_not_held(client, body_request, provincial_admin, action, payload, outcome):
    response = _post(client, f"{_base(body_request)}/{action}", payload, _token(provincial_admin))
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == outcome


def test_body_api_forward_records_the_destination(client, body_request, provincial_admin):
    response = _post(
        client,
        f"{_base(body_request)}/forward",
        {"to": "Ministerio de Infraestructura", "reason": "Es de su competencia."},
        _token(provincial_admin),
    )
    assert response.json()["forwarded_to"] == "Ministerio de Infraestructura"


@pytest.mark.parametrize("role", ["foi_officer", "editor", "citizen"])
def test_body_api_officer_actions_denied_to_everyone_but_provincial_admins(client, body_request, role, request):
    auth = _token(request.getfixturevalue(role))
    base = _base(body_request)
    assert _post(client, f"{base}/acknowledge", {"file_number": "1"}, auth).status_code == 403
    assert _post(client, f"{base}/answer", {"text": "Respuesta."}, auth).status_code == 403
    body_request.refresh_from_db()
    assert body_request.status == "filed"


def test_body_api_requester_withdraws_and_another_citizen_cannot(client, body_request, citizen):
    from abiertos.accounts.tests.factories import user_make

    other = user_make()
    assert _post(client, f"{_base(body_request)}/withdraw", {}, _token(other)).status_code == 403
    response = _post(client, f"{_base(body_request)}/withdraw", {}, _token(citizen))
    assert response.json()["outcome"] == "withdrawn"


def test_body_api_unknown_request_is_404_with_spanish_message(client, body, provincial_admin):
    response = _post(
        client,
        "/api/v1/foi/provincial-bodies/ministerio-de-salud/requests/2026-99999/acknowledge",
        {"file_number": "1"},
        _token(provincial_admin),
    )
    assert response.status_code == 404
    assert "No existe el pedido" in response.content.decode()


def test_body_api_bad_input_is_a_field_error(client, body_request, provincial_admin):
    response = _post(
        client, f"{_base(body_request)}/refuse", {"ground": "capricho", "text": "x"}, _token(provincial_admin)
    )
    assert response.status_code in (400, 422)
