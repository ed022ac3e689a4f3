"""The OpenAPI document is generated from the endpoints' typed schemas: check it is whole."""

import pytest

EXPECTED_PATHS = {
    "/api/v1/municipalities": {"get"},
    "/api/v1/municipalities/{slug}": {"get", "patch"},
    "/api/v1/me": {"get"},
    "/api/v1/me/tokens": {"get", "post"},
    "/api/v1/memberships": {"get", "post"},
    "/api/v1/jobs/{job_id}": {"get"},
    "/api/v1/audit": {"get"},
    "/api/v1/datasets": {"get", "post"},
    "/api/v1/datasets/{name}": {"get", "put", "patch", "delete"},
    "/api/v1/uploads": {"post"},
    "/api/v1/themes": {"get"},
    "/api/v1/licenses": {"get"},
}


@pytest.fixture
def document(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_document_lists_every_capability(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Municipios Abiertos API"
    for path, methods in EXPECTED_PATHS.items():
        assert path in document["paths"], path
        assert methods <= set(document["paths"][path]), (path, set(document["paths"][path]))
    assert any(p.startswith("/api/v1/tables/") for p in document["paths"])


def test_openapi_operations_are_documented_and_typed(document):
    problems = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not operation.get("summary"):
                problems.append(f"{method.upper()} {path}: no summary")
            if not operation.get("tags"):
                problems.append(f"{method.upper()} {path}: no tag")
            ok = [code for code in operation.get("responses", {}) if code.startswith("2")]
            if not ok:
                problems.append(f"{method.upper()} {path}: no success response")
    assert problems == []


def test_openapi_declares_token_authentication(document):
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("type") == "apiKey" and s.get("name") == "Authorization" for s in schemes.values())
