"""Importing a whole catalog from the editor's page and through /api/v1/catalog-imports, as a client does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.accounts import services as account_services
from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import actor_of, user_with_role
from abiertos.catalog.models import Dataset, DatasetStatus
from abiertos.catalog.tests.catalog_samples import PYDATAJSON_SAMPLES
from abiertos.core.models import AuditEvent
from abiertos.jobs.models import Job

JUSTICIA_JSON = PYDATAJSON_SAMPLES / "catalogo_justicia.json"
JUSTICIA_XLSX = PYDATAJSON_SAMPLES / "catalogo-justicia.valid.xlsx"
ROW_ERROR = "Hoja «Dataset», fila 9, columna «dataset_title»"


@pytest.fixture(autouse=True)
def _jobs_run_at_commit(monkeypatch):
    """Requests here are inside the test's transaction: run the jobs they enqueue right away, with
    the job's heartbeat thread (another connection, outside the test's transaction) kept quiet."""
    from django.db import transaction

    from abiertos.jobs import runner

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 3600)


def _token(user) -> dict:
    _, secret = account_services.api_token_create(user=user, name="pruebas", scopes=["write"], by=actor_of(user))
    return {"HTTP_AUTHORIZATION": f"Token {secret}"}


def _upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def _post_import(client, user, path, **form):
    data = {"municipality": "la-plata", "file": _upload(path), **form}
    return client.post("/api/v1/catalog-imports", data, **(_token(user) if user else {}))


# REST API -----------------------------------------------------------------------------------------


def test_api_import_dry_run_reports_row_errors_and_writes_nothing(client, municipality, editor):
    response = _post_import(client, editor, JUSTICIA_XLSX)

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["dry_run"] is True
    assert body["status"] == "succeeded"
    assert body["report"]["counts"] == {"create": 17, "update": 0, "unchanged": 0, "invalid": 1}
    error = next(i for i in body["report"]["issues"] if i["level"] == "error")
    assert (error["sheet"], error["row"], error["column"]) == ("Dataset", 9, "dataset_title")
    assert error["text"].startswith(ROW_ERROR)
    assert not Dataset.objects.filter(municipality=municipality).exists()
    assert AuditEvent.objects.filter(action="catalog.import_dry_run", actor=editor).count() == 1

    detail = client.get(f"/api/v1/catalog-imports/{body['job_id']}", **_token(editor))
    assert detail.status_code == 200
    assert detail.json()["report"]["counts"]["invalid"] == 1


def test_api_import_confirm_refuses_a_catalog_with_errors(client, municipality, editor):
    job_id = _post_import(client, editor, JUSTICIA_XLSX).json()["job_id"]

    response = client.post(f"/api/v1/catalog-imports/{job_id}/confirm", **_token(editor))

    assert response.status_code == 409
    assert "errores" in response.json()["error"]["message"]
    assert Job.objects.count() == 1


def test_api_import_confirm_applies_the_dry_run(client, municipality, editor):
    job_id = _post_import(client, editor, JUSTICIA_JSON, skip_invalid="true", publish="false").json()["job_id"]

    response = client.post(f"/api/v1/catalog-imports/{job_id}/confirm", **_token(editor))

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["job_id"] != job_id
    assert (body["dry_run"], body["status"]) == (False, "succeeded")
    assert body["report"]["applied"] is True
    assert body["report"]["counts"]["create"] == 15
    datasets = Dataset.objects.filter(municipality=municipality)
    assert datasets.count() == 15
    assert set(datasets.values_list("status", flat=True)) == {DatasetStatus.DRAFT}
    assert AuditEvent.objects.filter(action="catalog.import", actor=editor).count() == 1
    again = client.post(f"/api/v1/catalog-imports/{job_id}/confirm", **_token(editor))
    assert again.status_code == 202  # a dry run can be applied again: nothing changed, all unchanged
    assert again.json()["report"]["counts"]["unchanged"] == 15


def test_api_import_is_denied_to_anonymous_citizens_and_other_municipalities(
    client, municipality, other_municipality, citizen
):
    assert _post_import(client, None, JUSTICIA_JSON).status_code == 401
    assert _post_import(client, citizen, JUSTICIA_JSON).status_code == 403
    other_editor = user_with_role(Role.MUNICIPAL_EDITOR, other_municipality, email="bb@example.org")
    assert _post_import(client, other_editor, JUSTICIA_JSON).status_code == 403
    assert not Job.objects.exists()


def test_api_import_job_is_private_to_who_may_follow_it(client, municipality, editor, citizen):
    job_id = _post_import(client, editor, JUSTICIA_JSON).json()["job_id"]

    assert client.get(f"/api/v1/catalog-imports/{job_id}", **_token(citizen)).status_code == 404
    assert client.post(f"/api/v1/catalog-imports/{job_id}/confirm", **_token(citizen)).status_code == 404


def test_api_import_bad_input_is_a_clear_error(client, municipality, editor):
    wrong = client.post(
        "/api/v1/catalog-imports",
        {"municipality": "la-plata", "file": SimpleUploadedFile("datos.csv", b"a,b\n1,2\n")},
        **_token(editor),
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["fields"]["file"] == [
        "Subí un data.json, un catalog.xlsx o un archivo DCAT (.ttl, .rdf, .jsonld)."
    ]
    unknown = client.post(
        "/api/v1/catalog-imports", {"municipality": "atlantida", "file": _upload(JUSTICIA_JSON)}, **_token(editor)
    )
    assert unknown.status_code == 400
    assert "atlantida" in unknown.json()["error"]["fields"]["municipality"][0]
    assert client.get("/api/v1/catalog-imports/999999", **_token(editor)).status_code == 404


def test_api_import_unreadable_file_is_reported_not_a_500(client, municipality, editor):
    response = client.post(
        "/api/v1/catalog-imports",
        {"municipality": "la-plata", "file": SimpleUploadedFile("data.json", b"{no es json")},
        **_token(editor),
    )
    assert response.status_code == 202
    issues = response.json()["report"]["issues"]
    assert issues[0]["level"] == "error"
    assert "JSON" in issues[0]["message"]


# Pages ----------------------------------------------------------------------------------------------


def test_import_page_dry_run_then_confirm(client, municipality, editor):
    client.force_login(editor)
    page = client.get("/m/la-plata/datos/importar/")
    assert page.status_code == 200
    assert "Revisar el catálogo" in page.content.decode()

    response = client.post(
        "/m/la-plata/datos/importar/", {"file": _upload(JUSTICIA_XLSX), "publish": "on", "skip_invalid": "on"}
    )
    assert response.status_code == 302
    report = client.get(response["Location"]).content.decode()
    assert "17 conjuntos nuevos" in report
    assert "1 conjunto con errores" in report
    assert ROW_ERROR in report
    assert "Confirmar e importar" in report
    assert not Dataset.objects.filter(municipality=municipality).exists()

    dry_run = Job.objects.get()
    applied = client.post(f"/m/la-plata/datos/importar/{dry_run.pk}/confirmar/")
    assert applied.status_code == 302
    result = client.get(applied["Location"]).content.decode()
    assert "Importación terminada" in result
    assert Dataset.objects.filter(municipality=municipality, status=DatasetStatus.PUBLISHED).count() == 17


def test_import_page_without_skipping_errors_offers_no_confirmation(client, municipality, editor):
    client.force_login(editor)
    response = client.post("/m/la-plata/datos/importar/", {"file": _upload(JUSTICIA_XLSX)})
    report = client.get(response["Location"]).content.decode()
    assert "Confirmar e importar" not in report
    assert "Corregí los errores" in report
    job = Job.objects.get()
    refused = client.post(f"/m/la-plata/datos/importar/{job.pk}/confirmar/", follow=True)
    assert "El catálogo tiene errores" in refused.content.decode()
    assert Job.objects.count() == 1


def test_import_page_rejects_a_wrong_file_in_spanish(client, municipality, editor):
    client.force_login(editor)
    response = client.post("/m/la-plata/datos/importar/", {"file": SimpleUploadedFile("x.csv", b"a\n")})
    assert response.status_code == 200
    assert "Subí un data.json, un catalog.xlsx" in response.content.decode()


def test_import_page_is_for_the_municipality_editors_only(client, municipality, other_municipality, citizen, editor):
    assert client.get("/m/la-plata/datos/importar/").status_code == 302  # to the login page
    client.force_login(citizen)
    assert client.get("/m/la-plata/datos/importar/").status_code == 403
    client.force_login(editor)
    assert client.get("/m/bahia-blanca/datos/importar/").status_code == 403
    job_id = _post_import(client, editor, JUSTICIA_JSON).json()["job_id"]
    assert client.get(f"/m/bahia-blanca/datos/importar/{job_id}/").status_code == 403
