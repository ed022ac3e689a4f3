"""Who sees a requester's private data: only the requester, the officers of that municipality
and provincial admins, through the pages; nobody through the REST API (it never returns it)."""

import json

import pytest
from django.urls import reverse

from abiertos.accounts.models import Role
from abiertos.accounts.services import api_token_create
from abiertos.accounts.tests.factories import actor_of, user_make, user_with_role
from abiertos.foi import services

from .factories import REQUESTER_DNI, request_file, xlsx_upload

ROLES = ["anonymous", "other_citizen", "requester", "editor", "officer", "officer_elsewhere", "provincial_admin"]
SEES_PRIVATE = {"requester", "officer", "provincial_admin"}
MANAGES = {"officer", "provincial_admin"}
PRIVATE_MARKERS = [REQUESTER_DNI, "vecina.privada@example.org", "Gómez"]


@pytest.fixture
def world(municipality, other_municipality, citizen):
    users = {
        "other_citizen": user_make(),
        "requester": citizen,
        "editor": user_with_role(Role.MUNICIPAL_EDITOR, municipality),
        "officer": user_with_role(Role.FOI_OFFICER, municipality),
        "officer_elsewhere": user_with_role(Role.FOI_OFFICER, other_municipality),
        "provincial_admin": user_with_role(Role.PROVINCIAL_ADMIN),
    }
    foi = request_file(municipality, citizen, contact_email="vecina.privada@example.org")
    attachment = services.foi_attachment_add(request=foi, upload=xlsx_upload(), by=actor_of(users["officer"]))
    services.foi_request_answer(request=foi, text="Adjuntamos lo pedido.", partial=False, by=actor_of(users["officer"]))
    return users, foi, attachment


def _client_as(client, users, role):
    if role != "anonymous":
        client.force_login(users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_request_page_shows_private_data_only_to_requester_and_responsible_officers(client, world, role):
    users, foi, _attachment = world
    body = _client_as(client, users, role).get(foi.get_absolute_url()).content.decode()
    assert "Gastos en alumbrado público 2025" in body
    for marker in PRIVATE_MARKERS:
        assert (marker in body) == (role in SEES_PRIVATE), (role, marker)


@pytest.mark.parametrize("role", ROLES)
def test_inbox_and_original_attachments_only_for_responsible_officers(client, world, role):
    users, foi, attachment = world
    c = _client_as(client, users, role)
    inbox = c.get(reverse("foi:inbox", args=[foi.municipality.slug]))
    original = c.get(
        reverse("foi:attachment_download", args=[foi.municipality.slug, foi.number, attachment.pk, "original"])
    )
    allowed = role in MANAGES
    assert (inbox.status_code == 200) == allowed, role
    assert (original.status_code == 200) == allowed, role
    if not allowed:
        assert inbox.status_code in (302, 403)


@pytest.mark.parametrize("role", ROLES)
def test_rest_api_never_returns_private_data(client, world, role):
    users, foi, _attachment = world
    headers = {}
    if role != "anonymous":
        _token, secret = api_token_create(
            user=users[role], name="t", scopes=["read", "write"], expires_at=None, by=actor_of(users[role])
        )
        headers["HTTP_AUTHORIZATION"] = f"Token {secret}"
    responses = [
        client.get(f"/api/v1/foi/requests/{foi.municipality.slug}/{foi.number}", **headers),
        client.get("/api/v1/foi/requests", **headers),
        client.get(f"/api/v1/foi/inbox/{foi.municipality.slug}", **headers),
    ]
    assert responses[0].status_code == 200
    for response in responses:
        text = response.content.decode()
        for marker in PRIVATE_MARKERS:
            assert marker not in text, (role, marker, response.request["PATH_INFO"])
    assert (responses[2].status_code == 200) == (role in MANAGES), role


@pytest.mark.parametrize("role", ROLES)
def test_hidden_request_is_seen_only_by_requester_and_responsible_officers(client, world, role):
    users, foi, _attachment = world
    services.foi_request_hide(request=foi, reason="Revisión de moderación.", by=actor_of(users["officer"]))
    response = _client_as(client, users, role).get(foi.get_absolute_url())
    assert (response.status_code == 200) == (role in SEES_PRIVATE), role


BODY_MANAGES = {"provincial_admin"}  # a body's officers: provincial admins only, never a municipal officer


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_body_request_api_transitions_only_for_provincial_admins_and_never_leak(client, world, role):
    users, _foi, _attachment = world
    body = services.provincial_body_create(
        data=services.ProvincialBodyInput(name="Ministerio de Salud"), by=actor_of(users["provincial_admin"])
    )
    foi = services.foi_request_file(
        body=body,
        data=services.RequestInput(
            subject="Turnos en hospitales provinciales",
            body="Pido la cantidad de turnos otorgados por mes en los hospitales de la región.",
            requester_name="María Laura Gómez",
            requester_id_number=REQUESTER_DNI,
            contact_email="vecina.privada@example.org",
        ),
        by=actor_of(users["requester"]),
    )
    _token, secret = api_token_create(
        user=users[role], name="t", scopes=["read", "write"], expires_at=None, by=actor_of(users[role])
    )
    response = client.post(
        f"/api/v1/foi/provincial-bodies/{body.slug}/requests/{foi.number}/acknowledge",
        json.dumps({"file_number": "EX-1"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {secret}",
    )
    assert (response.status_code == 200) == (role in BODY_MANAGES), (role, response.status_code)
    for marker in PRIVATE_MARKERS:
        assert marker not in response.content.decode(), (role, marker)
