"""The catalog's REST API at /api/v1/: each endpoint, each error body, a denial per role."""

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.accounts import services as account_services
from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import actor_of, user_with_role
from abiertos.catalog.models import Dataset, Distribution, UploadSession
from abiertos.catalog.tests.factories import CSV_BYTES, dataset_make, distribution_csv_make

BASE = "/api/v1"


def _auth(user) -> dict:
    if user is None:
        return {}
    _, secret = account_services.api_token_create(user=user, name="pruebas", scopes=["write"], by=actor_of(user))
    return {"HTTP_AUTHORIZATION": f"Token {secret}"}


def call(client, method, path, user=None, body=None, **extra):
    kwargs = dict(_auth(user), **extra)
    if body is not None:
        kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
        kwargs.setdefault("content_type", "application/json")
    return getattr(client, method)(BASE + path, **kwargs)


def _create_body(municipality="la-plata", **overrides):
    body = {
        "municipality": municipality,
        "identifier": "obras-2025",
        "title": "Obras públicas 2025",
        "description": "Obras licitadas y adjudicadas por el municipio, con montos y plazos.",
        "super_themes": ["GOVE"],
        "themes": ["obras-publicas"],
        "keywords": ["obras"],
        "accrual_periodicity": "R/P1M",
    }
    body.update(overrides)
    return body


def _error(response) -> dict:
    return response.json()["error"]


# Discovery ---------------------------------------------------------------------------------------


def test_openapi_documents_every_catalog_endpoint(client, db):
    document = call(client, "get", "/openapi.json").json()
    paths = document["paths"]
    for path, method in [
        ("/api/v1/datasets", "get"),
        ("/api/v1/datasets", "post"),
        ("/api/v1/datasets/{name}", "patch"),
        ("/api/v1/datasets/{name}/revisions/{number}/restore", "post"),
        ("/api/v1/datasets/{name}/distributions/upload", "post"),
        ("/api/v1/distributions/{name}/files", "get"),
        ("/api/v1/distributions/{name}/file/from-upload", "post"),
        ("/api/v1/uploads/{upload_id}", "put"),
        ("/api/v1/themes", "get"),
        ("/api/v1/licenses", "get"),
    ]:
        assert method in paths[path], (path, method)
    schemas = document["components"]["schemas"]
    assert {"DatasetOut", "DistributionOut", "UploadOut", "ErrorOut"} <= set(schemas)
    conflict = paths["/api/v1/uploads/{upload_id}"]["put"]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"]["$ref"].endswith("/UploadConflictOut")
    assert "expected_offset" in schemas["UploadConflictBody"]["properties"]


def test_theme_and_license_lists(client, db):
    themes = call(client, "get", "/themes").json()
    assert {"identifier": "presupuesto", "label": "Presupuesto", "description": ""} in themes
    licenses = call(client, "get", "/licenses").json()
    assert licenses[0] == {
        "code": "cc-by-4.0",
        "title": "Creative Commons Attribution 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }


# Dataset list and detail -------------------------------------------------------------------------


def test_dataset_list_shows_drafts_only_to_their_editors(client, municipality, other_municipality, editor, citizen):
    published = dataset_make(municipality, publish=True, title="Publicado")
    draft = dataset_make(municipality, title="Borrador")
    other_draft = dataset_make(other_municipality, title="Borrador ajeno")
    anonymous = {d["name"] for d in call(client, "get", "/datasets").json()["items"]}
    assert anonymous == {published.name}
    as_citizen = {d["name"] for d in call(client, "get", "/datasets", citizen).json()["items"]}
    assert as_citizen == {published.name}
    as_editor = {d["name"] for d in call(client, "get", "/datasets", editor).json()["items"]}
    assert as_editor == {published.name, draft.name}
    assert other_draft.name not in as_editor


def test_dataset_list_filters_and_paginates(client, municipality, other_municipality, editor):
    for _ in range(3):
        dataset_make(municipality, publish=True)
    dataset_make(municipality)
    dataset_make(other_municipality, publish=True)
    page = call(client, "get", "/datasets?municipality=la-plata&status=published&limit=2&offset=0", editor).json()
    assert page["count"] == 3
    assert len(page["items"]) == 2
    assert {d["municipality"] for d in page["items"]} == {"la-plata"}
    drafts = call(client, "get", "/datasets?status=draft", editor).json()
    assert [d["status"] for d in drafts["items"]] == ["draft"]


def test_dataset_list_query_count_is_capped(client, municipality, django_assert_max_num_queries):
    for _ in range(8):
        dataset = dataset_make(municipality, publish=True)
        distribution_csv_make(dataset)
    with django_assert_max_num_queries(8):
        response = call(client, "get", "/datasets?limit=50")
    items = response.json()["items"]
    assert len(items) == 8
    assert all(len(d["distributions"]) == 2 for d in items)
    assert items[0]["distributions"][0]["fields"][0]["title"] == "año"


def test_dataset_list_rejects_unknown_municipality_and_status(client, db):
    response = call(client, "get", "/datasets?municipality=atlantida")
    assert response.status_code == 400
    assert _error(response)["fields"]["municipality"] == ["No existe el municipio «atlantida»."]
    response = call(client, "get", "/datasets?status=archivado")
    assert response.status_code == 400
    assert "Tiene que ser uno de estos valores" in _error(response)["fields"]["status"][0]


def test_dataset_detail_has_distributions_fields_and_themes(client, municipality, editor):
    response = call(client, "post", "/datasets", editor, _create_body())
    name = response.json()["name"]
    dataset = Dataset.objects.get(name=name)
    distribution = distribution_csv_make(dataset)
    detail = call(client, "get", f"/datasets/{name}", editor).json()
    assert detail["themes"] == [{"identifier": "obras-publicas", "label": "Obras públicas", "description": ""}]
    assert detail["distributions"][0]["name"] == distribution.name
    assert [f["title"] for f in detail["distributions"][0]["fields"]] == ["año", "monto", "partida"]
    assert detail["distributions"][0]["download_url"].startswith("http://testserver/")


def test_dataset_detail_of_draft_is_not_found_for_others(client, municipality, other_municipality, citizen):
    draft = dataset_make(municipality)
    other_editor = user_with_role(Role.MUNICIPAL_EDITOR, other_municipality)
    for user in (None, citizen, other_editor):
        response = call(client, "get", f"/datasets/{draft.name}", user)
        assert response.status_code == 404
        assert _error(response)["code"] == "not_found"


# Dataset writes ----------------------------------------------------------------------------------


def test_dataset_create_returns_the_draft(client, municipality, editor):
    response = call(client, "post", "/datasets", editor, _create_body(issued="2025-01-15"))
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "la-plata_obras-2025"
    assert body["status"] == "draft"
    assert body["publisher_name"] == "Partido de La Plata"
    assert body["issued"] == "2025-01-15T03:00:00Z"  # midnight in Buenos Aires
    assert body["distributions"] == []


@pytest.mark.parametrize(
    ("user_fixture", "status", "code"),
    [(None, 401, "unauthenticated"), ("citizen", 403, "permission_denied"), ("foi_officer", 403, "permission_denied")],
)
def test_dataset_create_denied_per_role(client, municipality, user_fixture, status, code, request):
    user = request.getfixturevalue(user_fixture) if user_fixture else None
    response = call(client, "post", "/datasets", user, _create_body())
    assert response.status_code == status
    assert _error(response)["code"] == code
    assert not Dataset.objects.exists()


def test_dataset_create_in_other_municipality_is_denied(client, municipality, other_municipality, editor):
    response = call(client, "post", "/datasets", editor, _create_body("bahia-blanca"))
    assert response.status_code == 403
    assert "Bahía Blanca" in _error(response)["message"]


def test_dataset_create_by_provincial_admin_anywhere(client, other_municipality, provincial_admin):
    response = call(client, "post", "/datasets", provincial_admin, _create_body("bahia-blanca"))
    assert response.status_code == 201
    assert response.json()["municipality"] == "bahia-blanca"


def test_dataset_create_rejects_malformed_json_without_a_500(client, municipality, editor):
    response = call(client, "post", "/datasets", editor, '{"title": "sin cerrar"')
    assert response.status_code == 400
    assert "JSON válido" in _error(response)["message"]


def test_dataset_create_rejects_wrong_types_in_spanish(client, municipality, editor):
    body = _create_body(title=12, super_themes="GOVE", issued="2025-13-40", accrual_periodicity="a veces")
    del body["description"]
    response = call(client, "post", "/datasets", editor, body)
    assert response.status_code == 400
    fields = _error(response)["fields"]
    assert fields["title"] == ["Tiene que ser un texto."]
    assert fields["description"] == ["Este dato es obligatorio."]
    assert fields["super_themes"] == ["Tiene que ser una lista."]
    assert "AAAA-MM-DD" in fields["issued"][0]
    assert "R/P1Y" in fields["accrual_periodicity"][0]


def test_dataset_create_rejects_too_long_values_and_profile_rules(client, municipality, editor):
    response = call(client, "post", "/datasets", editor, _create_body(contact_name="x" * 201))
    assert _error(response)["fields"]["contact_name"] == ["Puede tener hasta 200 caracteres."]
    response = call(client, "post", "/datasets", editor, _create_body(license="propietaria", keywords=["a/b"]))
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "validation_error"
    assert error["fields"]["license"] == ["Elegí una licencia abierta de la lista."]
    assert "'a/b'" in error["fields"]["keywords"][0]


def test_dataset_create_rejects_unknown_municipality(client, editor):
    response = call(client, "post", "/datasets", editor, _create_body("mar-del-plata"))
    assert response.status_code == 400
    assert _error(response)["fields"]["municipality"] == ["No existe el municipio «mar-del-plata»."]


def test_dataset_put_replaces_and_patch_changes_only_what_is_sent(client, municipality, editor):
    dataset = dataset_make(municipality, keywords=["uno"])
    body = _create_body(title="Reemplazado")
    for key in ("municipality", "identifier", "keywords"):
        body.pop(key)
    response = call(client, "put", f"/datasets/{dataset.name}", editor, body)
    assert response.status_code == 200
    assert response.json()["title"] == "Reemplazado"
    assert response.json()["keywords"] == []
    response = call(client, "patch", f"/datasets/{dataset.name}", editor, {"keywords": ["dos", "tres"]})
    assert response.json()["title"] == "Reemplazado"
    assert response.json()["keywords"] == ["dos", "tres"]
    assert response.json()["version"] == 3


def test_dataset_patch_denied_to_citizen_and_other_editor(client, municipality, other_municipality, citizen):
    dataset = dataset_make(municipality, publish=True)
    other_editor = user_with_role(Role.MUNICIPAL_EDITOR, other_municipality)
    for user in (citizen, other_editor):
        response = call(client, "patch", f"/datasets/{dataset.name}", user, {"title": "Mío"})
        assert response.status_code == 403
    dataset.refresh_from_db()
    assert dataset.title != "Mío"


def test_dataset_edit_of_harvested_dataset_is_a_conflict(client, municipality, editor):
    dataset = dataset_make(municipality)
    Dataset.objects.filter(pk=dataset.pk).update(is_harvested=True, origin_url="https://origen.example.org/d")
    response = call(client, "patch", f"/datasets/{dataset.name}", editor, {"title": "Cambio"})
    assert response.status_code == 409
    assert _error(response) == {
        "code": "conflict",
        "message": "Este conjunto se cosecha de https://origen.example.org/d: editalo en el portal de origen.",
    }


def test_dataset_publish_and_unpublish(client, municipality, editor):
    dataset = dataset_make(municipality)
    response = call(client, "post", f"/datasets/{dataset.name}/publish", editor)
    assert response.status_code == 400
    assert _error(response)["fields"] == {"distributions": ["El conjunto no tiene recursos."]}
    distribution_csv_make(dataset)
    response = call(client, "post", f"/datasets/{dataset.name}/publish", editor)
    assert response.json()["status"] == "published"
    assert call(client, "get", f"/datasets/{dataset.name}").status_code == 200
    response = call(client, "post", f"/datasets/{dataset.name}/unpublish", editor)
    assert response.json()["status"] == "draft"
    assert call(client, "get", f"/datasets/{dataset.name}").status_code == 404


def test_dataset_delete_and_restore(client, municipality, editor, citizen):
    dataset = dataset_make(municipality, publish=True)
    assert call(client, "delete", f"/datasets/{dataset.name}", citizen).status_code == 403
    response = call(client, "delete", f"/datasets/{dataset.name}", editor)
    assert response.status_code == 200
    assert response.json()["deleted_at"] is not None
    assert call(client, "get", f"/datasets/{dataset.name}").status_code == 404
    assert call(client, "get", "/datasets").json()["count"] == 0
    trash = call(client, "get", "/datasets?deleted=true", editor).json()
    assert [d["name"] for d in trash["items"]] == [dataset.name]
    assert call(client, "get", "/datasets?deleted=true", citizen).json()["count"] == 0
    assert call(client, "post", f"/datasets/{dataset.name}/restore", citizen).status_code == 404
    response = call(client, "post", f"/datasets/{dataset.name}/restore", editor)
    assert response.json()["deleted_at"] is None
    assert call(client, "get", f"/datasets/{dataset.name}").json()["status"] == "published"


def test_dataset_revisions_list_and_restore(client, municipality, editor, citizen):
    dataset = dataset_make(municipality, title="Primero")
    call(client, "patch", f"/datasets/{dataset.name}", editor, {"title": "Segundo"})
    revisions = call(client, "get", f"/datasets/{dataset.name}/revisions", editor).json()
    assert [(r["number"], r["action"]) for r in revisions] == [(2, "update"), (1, "create")]
    assert revisions[0]["created_by"] == "editor@example.org"
    assert revisions[1]["snapshot"]["title"] == "Primero"
    assert call(client, "get", f"/datasets/{dataset.name}/revisions", citizen).status_code == 404
    response = call(client, "post", f"/datasets/{dataset.name}/revisions/1/restore", editor)
    assert response.json()["title"] == "Primero"
    assert Dataset.objects.get(pk=dataset.pk).revisions.count() == 3
    response = call(client, "post", f"/datasets/{dataset.name}/revisions/99/restore", editor)
    assert response.status_code == 404
    assert "99" in _error(response)["message"]
    response = call(client, "post", f"/datasets/{dataset.name}/revisions/99999999999999999999/restore", editor)
    assert response.status_code == 404


# Distributions -----------------------------------------------------------------------------------


def test_distribution_create_by_url(client, municipality, editor):
    dataset = dataset_make(municipality)
    body = {"title": "Enlace", "url": "https://datos.example.org/obras.csv", "fields": [{"title": "id"}]}
    response = call(client, "post", f"/datasets/{dataset.name}/distributions", editor, body)
    assert response.status_code == 201
    created = response.json()
    assert created["kind"] == "url"
    assert created["format"] == "CSV"
    assert created["download_url"] == "https://datos.example.org/obras.csv"
    assert created["identifier"] == f"{dataset.identifier}-enlace"
    assert created["fields"] == [{"title": "id", "type": "string", "description": "", "units": ""}]


def test_distribution_create_needs_exactly_one_source(client, municipality, editor):
    dataset = dataset_make(municipality)
    response = call(client, "post", f"/datasets/{dataset.name}/distributions", editor, {"title": "Nada"})
    assert response.status_code == 400
    assert set(_error(response)["fields"]) == {"url", "upload_id"}
    body = {"title": "Mal", "url": "https://x.org/a.csv", "fields": [{"title": "a", "type": "texto"}]}
    response = call(client, "post", f"/datasets/{dataset.name}/distributions", editor, body)
    assert "fields.0.type" in _error(response)["fields"]


def test_distribution_create_multipart(client, municipality, editor):
    dataset = dataset_make(municipality)
    data = {
        "title": "Planilla",
        "file": SimpleUploadedFile("planilla.csv", CSV_BYTES, content_type="text/csv"),
        "fields": json.dumps([{"title": "año", "type": "integer"}]),
    }
    response = client.post(f"{BASE}/datasets/{dataset.name}/distributions/upload", data, **_auth(editor))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["checksum_sha256"] == hashlib.sha256(CSV_BYTES).hexdigest()
    assert body["file_name"] == "planilla.csv"
    assert body["fields"][0]["type"] == "integer"
    data["file"] = SimpleUploadedFile("otra.csv", CSV_BYTES)
    data["fields"] = "no es json"
    response = client.post(f"{BASE}/datasets/{dataset.name}/distributions/upload", data, **_auth(editor))
    assert response.status_code == 400
    assert "lista JSON" in _error(response)["fields"]["fields"][0]


def test_distribution_put_patch_delete_restore(client, municipality, editor, citizen):
    dataset = dataset_make(municipality, publish=True)
    first = dataset.distributions.get()
    second = distribution_csv_make(dataset)
    response = call(client, "patch", f"/distributions/{second.name}", editor, {"description": "Detalle"})
    assert response.json()["description"] == "Detalle"
    assert [f["title"] for f in response.json()["fields"]] == ["año", "monto", "partida"]
    response = call(client, "put", f"/distributions/{second.name}", editor, {"title": "Nuevo", "fields": []})
    assert response.json()["title"] == "Nuevo"
    assert response.json()["description"] == ""
    assert response.json()["fields"] == []
    response = call(client, "put", f"/distributions/{second.name}", editor, {"title": "X", "url": "https://a.org/b"})
    assert response.status_code == 409
    assert call(client, "delete", f"/distributions/{second.name}", citizen).status_code == 403
    assert call(client, "delete", f"/distributions/{second.name}", editor).json()["deleted_at"] is not None
    assert call(client, "get", f"/distributions/{second.name}").status_code == 404
    response = call(client, "delete", f"/distributions/{first.name}", editor)
    assert response.status_code == 409
    assert "único recurso" in _error(response)["message"]
    response = call(client, "post", f"/distributions/{second.name}/restore", editor)
    assert response.json()["deleted_at"] is None


def test_distribution_files_list_with_download_urls(client, municipality, editor):
    dataset = dataset_make(municipality, publish=True)
    distribution = dataset.distributions.get()
    new = SimpleUploadedFile("v2.csv", b"a,b\n1,2\n")
    response = client.post(f"{BASE}/distributions/{distribution.name}/file", {"file": new}, **_auth(editor))
    assert response.json()["file_version"] == 2
    versions = call(client, "get", f"/distributions/{distribution.name}/files").json()
    assert [(v["number"], v["is_current"], v["file_name"]) for v in versions] == [
        (2, True, "v2.csv"),
        (1, False, versions[1]["file_name"]),
    ]
    assert versions[1]["byte_size"] == len(CSV_BYTES)
    assert versions[1]["download_url"].startswith("http://testserver/")


def test_distribution_file_replace_denied_to_citizen(client, municipality, citizen):
    dataset = dataset_make(municipality, publish=True)
    distribution = dataset.distributions.get()
    new = SimpleUploadedFile("v2.csv", b"a,b\n1,2\n")
    response = client.post(f"{BASE}/distributions/{distribution.name}/file", {"file": new}, **_auth(citizen))
    assert response.status_code == 403
    assert Distribution.objects.get(pk=distribution.pk).file_version == 1


# Resumable uploads through the API ---------------------------------------------------------------


def _put_chunk(client, user, upload_id, content, start, end):
    return client.put(
        f"{BASE}/uploads/{upload_id}",
        data=content[start : end + 1],
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes {start}-{end}/{len(content)}",
        **_auth(user),
    )


def test_upload_flow_resume_and_attach_as_new_distribution(client, municipality, editor):
    content = CSV_BYTES * 100
    created = call(
        client, "post", "/uploads", editor, {"municipality": "la-plata", "file_name": "c.csv", "size": len(content)}
    )
    assert created.status_code == 201
    upload = created.json()
    assert upload["received_bytes"] == 0
    assert upload["chunk_size"] == 1024 * 1024
    assert _put_chunk(client, editor, upload["id"], content, 0, 999).json()["received_bytes"] == 1000
    skipped = _put_chunk(client, editor, upload["id"], content, 2000, 2999)
    assert skipped.status_code == 409
    assert skipped["Upload-Offset"] == "1000"
    assert _error(skipped)["expected_offset"] == 1000
    assert _error(skipped)["code"] == "upload_offset_mismatch"
    offset = call(client, "get", f"/uploads/{upload['id']}", editor).json()["received_bytes"]
    done = _put_chunk(client, editor, upload["id"], content, offset, len(content) - 1).json()
    assert done["complete"] is True
    assert done["checksum_sha256"] == hashlib.sha256(content).hexdigest()
    dataset = dataset_make(municipality)
    body = {"title": "Grande", "upload_id": upload["id"]}
    response = call(client, "post", f"/datasets/{dataset.name}/distributions", editor, body)
    assert response.status_code == 201
    assert response.json()["byte_size"] == len(content)
    again = call(client, "post", f"/datasets/{dataset.name}/distributions", editor, {**body, "identifier": "otro"})
    assert again.status_code == 409, again.content


def test_upload_attach_as_new_file_version(client, municipality, editor):
    dataset = dataset_make(municipality)
    distribution = distribution_csv_make(dataset)
    content = b"x,y\n" * 10
    upload = call(
        client, "post", "/uploads", editor, {"municipality": "la-plata", "file_name": "v2.csv", "size": len(content)}
    ).json()
    _put_chunk(client, editor, upload["id"], content, 0, len(content) - 1)
    response = call(
        client, "post", f"/distributions/{distribution.name}/file/from-upload", editor, {"upload_id": upload["id"]}
    )
    assert response.json()["file_version"] == 2
    assert response.json()["file_name"] == "v2.csv"


def test_upload_errors(client, settings, municipality, editor, citizen):
    settings.MAX_UPLOAD_BYTES = 5000
    response = call(client, "post", "/uploads", editor, {"municipality": "la-plata", "file_name": "g", "size": 6000})
    assert response.status_code == 413
    assert "máximo permitido es 0.0 MB" in _error(response)["message"]
    response = call(client, "post", "/uploads", citizen, {"municipality": "la-plata", "file_name": "g", "size": 10})
    assert response.status_code == 403
    response = call(client, "post", "/uploads", editor, {"municipality": "nada", "file_name": "g", "size": 10})
    assert _error(response)["fields"]["municipality"] == ["No existe el municipio «nada»."]
    upload = call(client, "post", "/uploads", editor, {"municipality": "la-plata", "file_name": "g", "size": 10}).json()
    response = client.put(f"{BASE}/uploads/{upload['id']}", data=b"0123456789", content_type="x/y", **_auth(editor))
    assert response.status_code == 400
    assert "Content-Range" in _error(response)["message"]
    response = _put_chunk(client, citizen, upload["id"], b"0123456789", 0, 9)
    assert response.status_code == 404
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5
    response = _put_chunk(client, editor, upload["id"], b"0123456789", 0, 9)
    assert response.status_code == 413
    assert _error(response)["code"] == "chunk_too_large"
    assert UploadSession.objects.get().received_bytes == 0
    response = call(client, "get", "/uploads/no-es-un-uuid", editor)
    assert response.status_code == 400


def test_nul_characters_are_bad_input_not_a_server_error(client, municipality, editor):
    response = call(client, "post", "/datasets", editor, _create_body(title="a\u0000b"))
    assert response.status_code == 400
    assert _error(response)["fields"]["title"] == ["El texto tiene un carácter nulo (\\0), que no se admite."]
    assert call(client, "get", "/datasets?municipality=a%00b").status_code == 400
    assert call(client, "get", "/datasets/la-plata_a%00b").status_code == 404
    assert call(client, "get", "/distributions/la-plata_a%00b").status_code == 404


def test_distribution_create_in_harvested_dataset_is_a_conflict(client, municipality, editor):
    dataset = dataset_make(municipality)
    Dataset.objects.filter(pk=dataset.pk).update(is_harvested=True, origin_url="https://origen.example.org/d")
    body = {"title": "Enlace", "url": "https://datos.example.org/a.csv"}
    response = call(client, "post", f"/datasets/{dataset.name}/distributions", editor, body)
    assert response.status_code == 409
    assert "portal de origen" in _error(response)["message"]
    assert not Distribution.objects.exists()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("limit=0", "limit", "Tiene que ser mayor o igual a 1."),
        ("limit=5000", "limit", "Tiene que ser menor o igual a 1000."),
        ("offset=99999999999999999999", "offset", "Tiene que ser menor o igual a 2147483647."),
        ("offset=abc", "offset", "Tiene que ser un número entero."),
        ("deleted=quizas", "deleted", "Tiene que ser verdadero o falso."),
    ],
)
def test_dataset_list_rejects_bad_paging_in_spanish(client, db, query, field, message):
    response = call(client, "get", f"/datasets?{query}")
    assert response.status_code == 400
    assert _error(response)["fields"][field] == [message]


def test_read_only_token_of_an_editor_sees_its_drafts_but_cannot_change_them(client, municipality, editor, actor):
    from abiertos.accounts.services import api_token_create
    from abiertos.catalog.tests.factories import dataset_make as make

    make(municipality, identifier="borrador-token", title="Borrador visto por token")
    _token, secret = api_token_create(user=editor, name="lectura", scopes=["read"], by=actor(editor))
    headers = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    shown = client.get("/api/v1/datasets/la-plata_borrador-token", **headers)
    assert shown.status_code == 200
    assert shown.json()["title"] == "Borrador visto por token"
    listed = client.get("/api/v1/datasets", {"municipality": "la-plata", "status": "draft"}, **headers).json()
    assert [d["name"] for d in listed["items"]] == ["la-plata_borrador-token"]
    denied = client.post("/api/v1/datasets/la-plata_borrador-token/publish", **headers)
    assert denied.status_code == 403
