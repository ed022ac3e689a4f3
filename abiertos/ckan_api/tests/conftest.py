"""Fixtures for the CKAN API tests: a client that speaks the Action API, and API tokens."""

import json
from dataclasses import dataclass

import pytest

from abiertos.accounts.services import api_token_create
from abiertos.accounts.tests.factories import actor_of
from abiertos.catalog.tests.factories import dataset_make


@dataclass
class Answer:
    status: int
    body: dict

    @property
    def result(self):
        assert self.body["success"] is True, self.body
        return self.body["result"]

    @property
    def error(self) -> dict:
        assert self.body["success"] is False, self.body
        return self.body["error"]


class CkanClient:
    """Calls /api/3/action/<name> with Django's test client, the way CKAN clients do."""

    def __init__(self, client):
        self.client = client

    def __call__(self, name: str, params: dict | None = None, *, token: str = "", method: str = "POST", **extra):
        headers = {"HTTP_AUTHORIZATION": token} if token else {}
        url = f"/api/3/action/{name}"
        if method == "GET":
            response = self.client.get(url, params or {}, **headers)
        elif extra.get("multipart"):
            response = self.client.post(url, params or {}, **headers)
        else:
            response = self.client.post(url, json.dumps(params or {}), content_type="application/json", **headers)
        return Answer(response.status_code, response.json())


@pytest.fixture
def ckan(client):
    return CkanClient(client)


def token_for(user, scopes=("read", "write")) -> str:
    _, secret = api_token_create(user=user, name="ckan", scopes=list(scopes), by=actor_of(user))
    return secret


@pytest.fixture
def editor_token(editor):
    return token_for(editor)


@pytest.fixture
def published(municipality):
    return dataset_make(municipality, publish=True, identifier="presupuesto", keywords=["presupuesto", "gasto"])


@pytest.fixture
def draft(municipality):
    return dataset_make(municipality, identifier="borrador", keywords=["obras"])
