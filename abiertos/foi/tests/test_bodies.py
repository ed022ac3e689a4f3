"""Requests to provincial bodies: the province's rule, handled by provincial admins only."""

import pytest
from django.urls import reverse

from abiertos.accounts.tests.factories import actor_of
from abiertos.core.errors import Conflict, PermissionDenied
from abiertos.foi import services
from abiertos.foi.models import FoiRequest, Outcome

from .factories import REQUESTER_DNI, request_input


@pytest.fixture
def body(municipality, provincial_admin):
    return services.provincial_body_create(
        data=services.ProvincialBodyInput(name="Ministerio de Salud", contact_email="salud@example.gob.ar"),
        by=actor_of(provincial_admin),
    )


def test_provincial_body_create_only_by_provincial_admins(municipality, foi_officer, body):
    assert body.slug == "ministerio-de-salud"
    assert body.province.code == "06"
    with pytest.raises(PermissionDenied):
        services.provincial_body_create(
            data=services.ProvincialBodyInput(name="Ministerio de Obras"), by=actor_of(foi_officer)
        )


def test_request_to_a_body_follows_the_province_rule_and_only_admins_handle_it(
    body, citizen, foi_officer, provincial_admin
):
    foi = services.foi_request_file(body=body, data=request_input(), by=actor_of(citizen))
    assert foi.municipality is None
    assert foi.rule_source.startswith("Ley 12.475")
    assert foi.get_absolute_url() == f"/provincia/organismos/ministerio-de-salud/pedidos/{foi.number}/"
    with pytest.raises(PermissionDenied):
        services.foi_request_acknowledge(request=foi, file_number="EX-1", by=actor_of(foi_officer))
    foi = services.foi_request_answer(request=foi, text="Respuesta.", partial=False, by=actor_of(provincial_admin))
    assert foi.outcome == Outcome.ANSWERED_FULL
    with pytest.raises(Conflict):
        services.foi_answer_to_dataset(request=foi, by=actor_of(provincial_admin))


def test_body_pages_file_show_and_list_the_request(client, body, citizen, provincial_admin):
    from .test_views import _form_data

    client.force_login(citizen)
    response = client.post(reverse("foi:body_request_new", args=[body.slug]), _form_data())
    foi = FoiRequest.objects.get()
    assert response["Location"] == foi.get_absolute_url()
    assert "Pedidos a Ministerio de Salud" in client.get(foi.get_absolute_url()).content.decode()
    client.logout()
    detail = client.get(foi.get_absolute_url()).content.decode()
    assert REQUESTER_DNI not in detail
    assert "Ministerio de Salud" in client.get(reverse("foi:archive"), {"municipio": "provincia"}).content.decode()
    assert "Hacer un pedido a Ministerio de Salud" in client.get(reverse("foi:bodies")).content.decode()
    client.force_login(provincial_admin)
    inbox = client.get(reverse("foi:bodies_inbox")).content.decode()
    assert f"{foi.number} · Sueldos del gabinete 2025" in inbox
    page = client.post(f"{foi.get_absolute_url()}recibir/", {"file_number": "EX-PBA-1"}, follow=True)
    assert "Pedido recibido y numerado." in page.content.decode()


def test_bodies_inbox_is_denied_to_municipal_officers(client, body, foi_officer):
    client.force_login(foi_officer)
    assert client.get(reverse("foi:bodies_inbox")).status_code == 403


def test_api_files_a_request_to_a_body(client, body, citizen):
    import json

    from abiertos.accounts.services import api_token_create

    _t, secret = api_token_create(user=citizen, name="t", scopes=["write"], expires_at=None, by=actor_of(citizen))
    payload = {
        "provincial_body": body.slug,
        "subject": "Turnos en hospitales provinciales",
        "body": "Pido la cantidad de turnos otorgados por mes en los hospitales provinciales de la región.",
        "requester_name": "María Laura Gómez",
        "requester_id_number": REQUESTER_DNI,
        "contact_email": "vecina@example.org",
    }
    response = client.post(
        "/api/v1/foi/requests",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {secret}",
    )
    assert response.status_code == 201, response.content
    assert response.json()["provincial_body"] == "ministerio-de-salud"
    assert response.json()["municipality"] is None
    number = response.json()["number"]
    detail = client.get(f"/api/v1/foi/provincial-bodies/ministerio-de-salud/requests/{number}").json()
    assert detail["events"][0]["kind"] == "filed"
    assert client.get("/api/v1/foi/provincial-bodies").json()[0]["slug"] == "ministerio-de-salud"


@pytest.mark.parametrize(
    ("role", "sees"),
    [("anonymous", False), ("officer", False), ("other", False), ("requester", True), ("admin", True)],
)
def test_body_request_private_data_only_for_requester_and_provincial_admins(
    client, body, citizen, foi_officer, provincial_admin, role, sees
):
    from abiertos.accounts.tests.factories import user_make

    foi = services.foi_request_file(body=body, data=request_input(), by=actor_of(citizen))
    users = {"officer": foi_officer, "other": user_make(), "requester": citizen, "admin": provincial_admin}
    if role in users:
        client.force_login(users[role])
    body_html = client.get(foi.get_absolute_url()).content.decode()
    assert (REQUESTER_DNI in body_html) == sees
    assert ("vecina@example.org" in body_html) == sees
    api = client.get("/api/v1/foi/requests?municipality=provincia").content.decode()
    assert REQUESTER_DNI not in api
