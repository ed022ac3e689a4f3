"""Pages and REST endpoints as people and clients use them, with a denial for each role."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from abiertos.catalog.models import Dataset
from abiertos.harvest.models import HarvestSource, RunStatus

from .factories import run_now, source_make
from .servers import DATA

JUSTICIA = DATA / "catalogs" / "pydatajson" / "catalogo_justicia.json"


@pytest.fixture
def source(server, municipality):
    server.json("/data.json", json.loads(JUSTICIA.read_text()))
    return source_make(municipality, server.url + "/data.json", title="Portal de Justicia")


def test_editor_registers_a_source_through_the_form(client, editor, municipality):
    client.force_login(editor)
    response = client.post(
        reverse("harvest:source_create", args=[municipality.slug]),
        {
            "title": "Andino municipal",
            "kind": "ckan",
            "url": "https://datos.laplata.gob.ar",
            "schedule": "daily",
            "withdraw_threshold_pct": 20,
            "withdraw_grace_days": 7,
            "notify_emails": "datos@laplata.gob.ar",
        },
    )
    source = HarvestSource.objects.get(title="Andino municipal")
    assert response.status_code == 302
    assert response["Location"] == source.get_absolute_url()
    page = client.get(source.get_absolute_url()).content.decode()
    assert "https://datos.laplata.gob.ar" in page
    assert "Vista previa (sin cambios)" in page


def test_form_shows_spanish_field_errors(client, editor, municipality):
    client.force_login(editor)
    response = client.post(
        reverse("harvest:source_create", args=[municipality.slug]),
        {
            "title": "X",
            "kind": "datajson",
            "url": "no es una dirección",
            "schedule": "manual",
            "withdraw_threshold_pct": 200,
            "withdraw_grace_days": 7,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Introduzca una URL válida" in body or "URL válida" in body
    assert not HarvestSource.objects.exists()


@pytest.mark.parametrize("who", ["citizen", "foi_officer"])
def test_other_roles_cannot_see_or_register_sources(client, request, municipality, who, source):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("harvest:sources", args=[municipality.slug])).status_code == 403
    assert client.get(reverse("harvest:source_create", args=[municipality.slug])).status_code == 403
    assert client.get(source.get_absolute_url()).status_code == 403


def test_anonymous_is_sent_to_log_in(client, municipality):
    response = client.get(reverse("harvest:sources", args=[municipality.slug]))
    assert response.status_code == 302
    assert "login" in response["Location"] or "ingresar" in response["Location"]


def test_editor_of_another_municipality_is_denied(client, other_municipality, source):
    from abiertos.accounts.models import Role
    from abiertos.accounts.tests.factories import user_with_role

    client.force_login(user_with_role(Role.MUNICIPAL_EDITOR, other_municipality))
    assert client.get(source.get_absolute_url()).status_code == 403
    response = client.post(reverse("harvest:source_run", args=[source.municipality.slug, source.pk]))
    assert response.status_code == 403


def test_province_page_lists_sources_of_every_municipality(client, provincial_admin, source, other_municipality):
    source_make(other_municipality, "https://datos.bahia.gob.ar/data.json", title="Portal de Bahía")
    client.force_login(provincial_admin)
    body = client.get(reverse("harvest:province_sources")).content.decode()
    assert "Portal de Justicia" in body
    assert "Portal de Bahía" in body


def test_province_page_shows_an_editor_only_own_sources(client, editor, source, other_municipality):
    source_make(other_municipality, "https://datos.bahia.gob.ar/data.json", title="Portal de Bahía")
    client.force_login(editor)
    body = client.get(reverse("harvest:province_sources")).content.decode()
    assert "Portal de Justicia" in body
    assert "Portal de Bahía" not in body


def test_dry_run_button_shows_the_preview(client, editor, source, django_capture_on_commit_callbacks):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("harvest:source_run", args=[source.municipality.slug, source.pk]), {"dry_run": "1"}
        )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Es una vista previa" in body
    assert "se crea" in body
    assert not Dataset.objects.exists()


def test_run_report_lists_counts_and_messages(client, editor, source):
    run = run_now(source)
    client.force_login(editor)
    body = client.get(run.get_absolute_url()).content.decode()
    assert f'data-count="created">{run.created}<' in body
    assert "El título puede tener hasta 100 caracteres" in body


def test_source_page_lists_withdrawn_datasets(client, editor, server, source):
    run_now(source)
    catalog = json.loads(JUSTICIA.read_text())
    gone = catalog["dataset"].pop(0)
    server.json("/data.json", catalog)
    run_now(source)
    client.force_login(editor)
    body = client.get(source.get_absolute_url()).content.decode()
    assert "Conjuntos retirados en el origen" in body
    assert gone["identifier"] in body
    assert "todavía visible" in body


def test_stopped_run_can_be_confirmed_from_its_page(client, editor, server, source, django_capture_on_commit_callbacks):
    run_now(source)
    server.json("/data.json", {"dataset": []})
    stopped = run_now(source)
    assert stopped.status == RunStatus.NEEDS_CONFIRMATION
    client.force_login(editor)
    assert "Confirmar el retiro" in client.get(stopped.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("harvest:run_confirm", args=[source.municipality.slug, stopped.pk]))
    confirmed = source.runs.order_by("-pk").first()
    assert response["Location"] == confirmed.get_absolute_url()
    assert confirmed.confirm_withdrawals
    assert confirmed.status == RunStatus.SUCCEEDED
    assert confirmed.withdrawn == stopped.withdrawn


def test_harvested_dataset_edit_page_shows_the_notice_and_no_form(client, editor, source, municipality):
    run_now(source)
    dataset = Dataset.objects.filter(municipality=municipality, is_harvested=True).first()
    client.force_login(editor)
    body = client.get(reverse("catalog:dataset_edit", args=[municipality.slug, dataset.identifier])).content.decode()
    assert "Este conjunto se cosecha automáticamente de otro portal." in body
    assert 'id="dataset-form"' not in body
    response = client.post(
        reverse("catalog:dataset_edit", args=[municipality.slug, dataset.identifier]),
        {"title": "Cambio a mano", "description": "x"},
    )
    dataset.refresh_from_db()
    assert dataset.title != "Cambio a mano"
    assert response.status_code in (200, 409)


# REST API --------------------------------------------------------------------------------------


@pytest.fixture
def api(client, editor):
    from abiertos.accounts.services import api_token_create
    from abiertos.core.actors import Actor

    _token_row, secret = api_token_create(
        user=editor, name="cosecha", scopes=["read", "write"], by=Actor.for_user(editor)
    )
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {secret}"
    return client


def test_api_registers_runs_and_reports(api, server, municipality, django_capture_on_commit_callbacks):
    server.json("/data.json", json.loads(JUSTICIA.read_text()))
    created = api.post(
        "/api/v1/harvest/sources",
        {"municipality": municipality.slug, "title": "Justicia", "kind": "datajson", "url": server.url + "/data.json"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    source_id = created.json()["id"]
    assert created.json()["municipality"] == municipality.slug
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            f"/api/v1/harvest/sources/{source_id}/runs", {"dry_run": True}, content_type="application/json"
        )
    assert started.status_code == 202
    report = api.get(f"/api/v1/harvest/runs/{started.json()['id']}").json()
    assert report["dry_run"] is True
    assert report["status"] == "partial"
    assert report["created"] == 15
    assert report["failed"] == 1
    assert any(item["action"] == "create" for item in report["plan"])
    assert any("100 caracteres" in m["message"] for m in report["messages"])
    runs = api.get(f"/api/v1/harvest/sources/{source_id}/runs").json()
    assert [r["id"] for r in runs] == [started.json()["id"]]
    assert [s["id"] for s in api.get("/api/v1/harvest/sources").json()] == [source_id]


def test_api_bad_input_is_a_spanish_400(api, municipality):
    response = api.post(
        "/api/v1/harvest/sources",
        {"municipality": municipality.slug, "title": "X", "kind": "datajson", "url": "ftp://x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]


def test_api_denies_other_municipality(api, other_municipality):
    response = api.post(
        "/api/v1/harvest/sources",
        {"municipality": other_municipality.slug, "title": "X", "kind": "datajson", "url": "https://a.gob.ar/d.json"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_api_anonymous_cannot_read_sources(client, source):
    assert client.get(f"/api/v1/harvest/sources/{source.pk}").status_code in (401, 403)
    assert client.get("/api/v1/harvest/sources").json() == []


def test_withdrawn_dataset_public_page_says_so_during_the_grace_period(client, server, source, municipality):
    source.withdraw_grace_days = 30
    source.save()
    run_now(source)
    catalog = json.loads(JUSTICIA.read_text())
    gone = catalog["dataset"].pop(0)
    kept = catalog["dataset"][0]
    server.json("/data.json", catalog)
    run_now(source)
    record = source.records.get(remote_id=gone["identifier"])
    dataset = Dataset.objects.get(pk=record.dataset_id)
    body = client.get(dataset.get_absolute_url()).content.decode()
    # The page shows local dates (Buenos Aires): between 00:00 and 03:00 UTC, the day before UTC's.
    withdrawn_at = timezone.localtime(record.withdrawn_at)
    since = withdrawn_at.strftime("%d/%m/%Y")
    hides_on = (withdrawn_at + timedelta(days=30)).strftime("%d/%m/%Y")
    assert (
        f"Este conjunto ya no está en el portal de origen desde el {since}. "
        f"Si no vuelve, deja de mostrarse en el catálogo el {hides_on}."
    ) in body
    with translation.override("en"):
        english = client.get(dataset.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no longer at the source portal" in english
    still_there = Dataset.objects.get(municipality=municipality, identifier=kept["identifier"])
    assert "data-harvest-withdrawn" not in client.get(still_there.get_absolute_url()).content.decode()
