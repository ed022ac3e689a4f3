"""The monitoring REST API as a client uses it: JSON in, JSON out, errors in the common envelope."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from abiertos.accounts import services as account_services
from abiertos.catalog.tests.factories import dataset_make
from abiertos.core.actors import Actor
from abiertos.monitoring.services import index_compute_full


def token_make(user) -> str:
    _token, secret = account_services.api_token_create(
        user=user, name="prueba", scopes=["read", "write"], by=Actor.for_user(user)
    )
    return secret


SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "data" / "catalogs" / "pydatajson"


@pytest.fixture
def computed(municipality, other_municipality):
    dataset_make(municipality, publish=True, identifier="presupuesto-2025", themes=["presupuesto"])
    return index_compute_full(by=Actor.system("test"))


def test_api_index_before_any_computation_is_404(client, db):
    response = client.get("/api/v1/index")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_index_lists_the_ranking(client, computed):
    body = client.get("/api/v1/index").json()

    assert body["weights"]["license"] == 20
    assert [r["slug"] for r in body["ranking"]] == ["la-plata", "bahia-blanca"]
    assert body["ranking"][0]["rank"] == 1
    assert body["province_indicators"]["datasets_cant"] == 1
    by_category = client.get("/api/v1/index", {"category": "ddjj"}).json()
    assert {r["score"] for r in by_category["ranking"]} == {0}


def test_api_scorecard_has_next_steps_and_history(client, computed):
    body = client.get("/api/v1/index/municipalities/la-plata").json()

    assert body["score"] > 0
    assert body["next_steps"][0]["text"].startswith("Publicá")
    assert len(body["history"]) == 1
    assert body["categories"]["presupuesto"]["answers"]["exists"] is True
    assert {i["value"] for i in body["institutional"]} == {None}
    assert client.get("/api/v1/index/history").json()[0]["score"] == pytest.approx(body["score"] / 2, abs=0.01)


def test_api_findings_need_the_municipality_team(client, computed, editor, other_municipality):
    assert client.get("/api/v1/index/municipalities/la-plata/findings").status_code == 401
    secret = token_make(editor)
    ok = client.get("/api/v1/index/municipalities/la-plata/findings", HTTP_AUTHORIZATION=f"Token {secret}")
    denied = client.get("/api/v1/index/municipalities/bahia-blanca/findings", HTTP_AUTHORIZATION=f"Token {secret}")

    assert ok.status_code == 200
    assert ok.json()["checked"] == 1
    assert denied.status_code == 403


def test_api_override_by_a_reviewer(client, computed, provincial_admin, editor):
    payload = {"category": "ddjj", "criterion": "exists", "value": True, "reason": "Publicadas en el boletín."}
    editor_token = token_make(editor)
    denied = client.post(
        "/api/v1/index/municipalities/la-plata/overrides",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {editor_token}",
    )
    reviewer = token_make(provincial_admin)
    created = client.post(
        "/api/v1/index/municipalities/la-plata/overrides",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {reviewer}",
    )
    bad = client.post(
        "/api/v1/index/municipalities/la-plata/overrides",
        json.dumps({**payload, "criterion": "nope", "reason": ""}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {reviewer}",
    )

    assert denied.status_code == 403
    assert created.status_code == 201
    assert created.json()["reason"] == "Publicadas en el boletín."
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"criterion", "reason"}
    scorecard = client.get("/api/v1/index/municipalities/la-plata").json()
    assert scorecard["categories"]["ddjj"]["overrides"]["exists"]["reason"] == "Publicadas en el boletín."


def test_api_validate_a_catalog(client, db):
    catalog = json.loads((SAMPLES / "several_assorted_errors.json").read_text())

    body = client.post("/api/v1/validate", json.dumps(catalog), content_type="application/json").json()

    assert body["valid_national_profile"] is False
    assert any(f["path"] == "dataset[0].title" and f["fix"] for f in body["findings"])
