"""Every CKAN action: its success and each of its error types, through the real view."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import user_with_role
from abiertos.catalog.inputs import FieldSpec
from abiertos.catalog.models import Dataset, DatasetStatus, Distribution
from abiertos.catalog.services import distribution_delete
from abiertos.catalog.tests.factories import CSV_BYTES, dataset_make, distribution_csv_make
from abiertos.catalog.vocabularies import LICENSES
from abiertos.ckan_api import actions
from abiertos.ckan_api.models import PendingPublication
from abiertos.core.actors import Actor
from abiertos.core.audit import AuditEvent

from . import test_datastore_actions
from .conftest import token_for

pytestmark = pytest.mark.django_db


def package_body(**overrides) -> dict:
    body = {
        "name": "obras-2025",
        "title": "Obras públicas 2025",
        "notes": "Obras públicas licitadas en 2025, con monto y plazo.",
        "owner_org": "la-plata",
        "private": False,
        "license_id": "cc-by-4.0",
        "tags": [{"name": "obras"}, {"name": "licitaciones"}],
        "groups": [{"name": "obras-publicas"}],
        "extras": [
            {"key": "superTheme", "value": '["GOVE"]'},
            {"key": "accrualPeriodicity", "value": "R/P1M"},
            {"key": "issued", "value": "2025-01-10T10:00:00-03:00"},
            {"key": "temporal", "value": "2025-01-01/2025-12-31"},
        ],
        "resources": [{"name": "Obras en CSV", "url": "https://datos.example.org/obras.csv", "format": "CSV"}],
    }
    body.update(overrides)
    return body


# --- The envelope ---------------------------------------------------------------------------------


def test_view_unknown_action_is_a_bad_request(ckan):
    answer = ckan("package_frobnicate")
    assert answer.status == 400
    assert answer.body["success"] is False
    assert answer.error["message"] == "Bad request - Action name not known: package_frobnicate"
    assert answer.body["help"].endswith("/api/3/action/help_show?name=package_frobnicate")


def test_view_serves_the_unversioned_route(client, published):
    body = client.get("/api/action/package_show", {"id": published.name}).json()
    assert body["success"] is True
    assert body["result"]["name"] == "la-plata_presupuesto"


def test_view_refuses_writes_over_get(ckan, editor_token):
    answer = ckan("package_create", package_body(), token=editor_token, method="GET")
    assert answer.status == 400
    assert "POST" in answer.error["message"]
    assert not Dataset.objects.exists()


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_view_malformed_json_body_is_a_bad_request(client, body):
    response = client.post("/api/3/action/package_show", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Bad Request"
    assert response.json()["error"]["message"].startswith("Bad request - JSON Error")


def test_view_refuses_other_methods(client):
    response = client.put("/api/3/action/package_show")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_view_invalid_token_is_an_authorization_error(ckan):
    answer = ckan("package_search", token="ma_not-a-real-token")
    assert answer.status == 403
    assert answer.error["__type"] == "Authorization Error"


def test_view_accepts_the_x_ckan_api_key_header(client, draft, editor_token):
    response = client.get("/api/3/action/package_show", {"id": draft.name}, HTTP_X_CKAN_API_KEY=editor_token)
    assert response.json()["result"]["private"] is True


def test_view_session_does_not_authorize_posts(client, editor, municipality):
    client.force_login(editor)
    response = client.post("/api/3/action/package_create", json.dumps(package_body()), content_type="application/json")
    assert response.status_code == 403
    assert not Dataset.objects.exists()


def test_view_reads_form_encoded_parameters(client, published):
    response = client.post("/api/3/action/package_show", {"id": published.name})
    assert response.json()["result"]["id"] == str(published.uuid)


# --- package_search -------------------------------------------------------------------------------


def test_package_search_defaults_to_ten_rows_of_public_datasets(ckan, municipality, draft):
    for n in range(12):
        dataset_make(municipality, publish=True, identifier=f"conjunto-{n:02d}")
    result = ckan("package_search").result
    assert result["count"] == 12
    assert len(result["results"]) == 10
    assert result["sort"] == "score desc, metadata_modified desc"
    assert draft.name not in {p["name"] for p in result["results"]}


def test_package_search_caps_rows_silently(ckan, municipality, monkeypatch):
    monkeypatch.setattr(actions, "ROWS_MAX", 2)
    for n in range(3):
        dataset_make(municipality, publish=True, identifier=f"c{n}")
    answer = ckan("package_search", {"rows": 5000})
    assert answer.status == 200
    assert len(answer.result["results"]) == 2
    assert answer.result["count"] == 3


def test_package_search_pages_by_id_like_the_ckan_harvester(ckan, municipality):
    names = {dataset_make(municipality, publish=True, identifier=f"h{n}").name for n in range(7)}
    seen = []
    for start in range(0, 9, 3):
        page = ckan("package_search", {"rows": 3, "start": start, "sort": "id asc"}, method="GET").result
        seen += [p["id"] for p in page["results"]]
    assert seen == sorted(seen)
    assert len(seen) == 7
    assert {p.name for p in Dataset.objects.filter(uuid__in=seen)} == names


def test_package_search_sorts_by_metadata_modified(ckan, municipality):
    first = dataset_make(municipality, publish=True, identifier="primero")
    second = dataset_make(municipality, publish=True, identifier="segundo")
    results = ckan("package_search", {"sort": "metadata_modified desc"}).result["results"]
    assert [p["name"] for p in results] == [second.name, first.name]
    results = ckan("package_search", {"sort": "name asc"}).result["results"]
    assert [p["name"] for p in results] == [first.name, second.name]


def test_package_search_q_full_text_and_field_syntax(ckan, municipality, other_municipality, published):
    dataset_make(other_municipality, publish=True, identifier="salud", title="Centros de salud", keywords=["salud"])
    assert [p["name"] for p in ckan("package_search", {"q": "salud"}).result["results"]] == ["bahia-blanca_salud"]
    assert ckan("package_search", {"q": "Concejo presupuesto"}).result["count"] == 2
    result = ckan("package_search", {"q": 'organization:"la-plata"'}).result
    assert [p["name"] for p in result["results"]] == [published.name]
    assert ckan("package_search", {"q": "¿salud?"}).result["count"] == 1


def test_package_search_q_is_spanish_aware_and_ranks_title_matches_first(ckan, municipality):
    in_title = dataset_make(
        municipality, publish=True, identifier="obras", title="Obras públicas", description="Listado."
    )
    in_body = dataset_make(
        municipality, publish=True, identifier="gastos", title="Gastos", description="Compras de obras públicas."
    )
    dataset_make(municipality, publish=True, identifier="otro", title="Otro", description="Nada que ver.")
    results = ckan("package_search", {"q": "obra publica"}).result["results"]
    assert [p["name"] for p in results] == [in_title.name, in_body.name]  # relevance beats recency
    results = ckan("package_search", {"q": "obra publica", "sort": "metadata_modified desc"}).result["results"]
    assert [p["name"] for p in results] == [in_body.name, in_title.name]


def test_package_search_fq_filters(ckan, municipality, published):
    other = dataset_make(municipality, publish=True, identifier="otro", keywords=["otro"], themes=["salud"])
    modified = published.updated_at.strftime("%Y-%m-%dT%H:%M:%S")

    def names(fq):
        return sorted(p["name"] for p in ckan("package_search", {"fq": fq}).result["results"])

    assert names("tags:presupuesto") == [published.name]
    assert names("-tags:presupuesto") == [other.name]
    assert names("groups:salud") == [other.name]
    assert names("res_format:CSV") == sorted([published.name, other.name])
    assert names("res_format:PDF") == []
    assert names(f"name:{other.name}") == [other.name]
    assert names(f"id:{other.uuid}") == [other.name]
    assert names("id:not-a-uuid") == []
    assert names("license_id:cc-by-4.0 organization:la-plata") == sorted([published.name, other.name])
    assert names(f"metadata_modified:[{modified}Z TO *]") == sorted([published.name, other.name])
    assert names("metadata_modified:[* TO 2000-01-01T00:00:00Z]") == []
    assert names("tags:presupuesto OR tags:otro") == sorted([published.name, other.name])
    assert ckan("package_search", {"fq_list": ["tags:otro", "groups:salud"]}).result["count"] == 1


def test_package_search_facets(ckan, municipality, other_municipality, published):
    dataset_make(other_municipality, publish=True, identifier="salud", keywords=["salud", "gasto"])
    result = ckan(
        "package_search", {"facet.field": '["organization", "tags", "res_format", "license_id", "groups"]'}
    ).result
    assert result["facets"]["organization"] == {"la-plata": 1, "bahia-blanca": 1}
    assert result["facets"]["tags"] == {"gasto": 2, "presupuesto": 1, "salud": 1}
    assert result["facets"]["res_format"] == {"CSV": 2}
    items = result["search_facets"]["organization"]["items"]
    assert {"name": "la-plata", "display_name": "La Plata", "count": 1} in items
    assert ckan("package_search", {"facet.field": '["tags"]', "facet.limit": 1}).result["facets"]["tags"] == {
        "gasto": 2
    }


def test_package_search_fl_returns_only_the_fields_asked_for(ckan, published):
    result = ckan("package_search", {"fl": "id,metadata_modified"}).result
    assert result["results"] == [
        {"id": str(published.uuid), "metadata_modified": result["results"][0]["metadata_modified"]}
    ]
    assert ckan("package_search", {"fl": ["name"]}).result["results"] == [{"name": published.name}]
    assert "resources" in ckan("package_search", {"fl": "*"}).result["results"][0]


def test_package_search_include_private_for_authorized_users(ckan, published, draft, editor_token, citizen):
    assert ckan("package_search", {"include_private": True}).result["count"] == 1
    result = ckan("package_search", {"include_private": True}, token=editor_token).result
    assert {p["name"]: p["private"] for p in result["results"]} == {published.name: False, draft.name: True}
    assert ckan("package_search", {"include_private": "true"}, token=token_for(citizen)).result["count"] == 1
    assert ckan("package_search", {}, token=editor_token).result["count"] == 1


@pytest.mark.parametrize(
    "params",
    [{"fq": "author:x"}, {"q": "title:x"}, {"sort": "popularity desc"}, {"sort": "name"}, {"facet.field": '["x"]'}],
)
def test_package_search_query_errors(ckan, params):
    answer = ckan("package_search", params)
    assert answer.status == 400
    assert answer.error["__type"] == "Search Query Error"
    assert answer.error["message"]


@pytest.mark.parametrize(
    "params", [{"rows": -1}, {"rows": "diez"}, {"start": -5}, {"include_private": "quizás"}, {"facet.field": "[x"}]
)
def test_package_search_validation_errors(ckan, params):
    answer = ckan("package_search", params)
    assert answer.status == 409
    assert answer.error["__type"] == "Validation Error"
    assert set(answer.error) == {"__type", next(iter(params))}


# --- Read actions ---------------------------------------------------------------------------------


def test_package_show_by_id_or_name(ckan, published):
    by_name = ckan("package_show", {"id": published.name}).result
    by_id = ckan("package_show", {"id": str(published.uuid)}, method="GET").result
    assert by_name == by_id
    assert by_name["organization"]["name"] == "la-plata"
    assert by_name["resources"][0]["format"] == "CSV"
    assert by_name["tags"][0]["name"] == "presupuesto"


def test_package_show_hides_drafts_except_from_their_editors(ckan, draft, editor_token, other_municipality):
    answer = ckan("package_show", {"id": draft.name})
    assert answer.status == 404
    assert answer.error == {"__type": "Not Found Error", "message": answer.error["message"]}
    assert answer.error["message"].startswith("No encontrado: ")
    assert ckan("package_show", {"id": draft.name}, token=editor_token).result["private"] is True
    stranger = user_with_role(Role.MUNICIPAL_EDITOR, other_municipality)
    assert ckan("package_show", {"id": draft.name}, token=token_for(stranger)).status == 404


def test_package_show_requires_id(ckan):
    answer = ckan("package_show", {})
    assert answer.status == 409
    assert answer.error["__type"] == "Validation Error"
    assert answer.error["id"]


def test_package_list_names_public_datasets_in_order(ckan, municipality, published, draft):
    extra = dataset_make(municipality, publish=True, identifier="aaa")
    assert ckan("package_list").result == [extra.name, published.name]
    assert ckan("package_list", {"limit": 1, "offset": 1}).result == [published.name]
    assert ckan("package_list", {"limit": "x"}).status == 409


def test_current_package_list_with_resources_returns_full_packages(ckan, published, draft):
    result = ckan("current_package_list_with_resources", {"limit": 5}).result
    assert [p["name"] for p in result] == [published.name]
    assert result[0]["num_resources"] == 1
    assert ckan("current_package_list_with_resources", {"page": 0}).status == 409


def test_organization_list_names_and_all_fields(ckan, municipality, other_municipality, published):
    assert ckan("organization_list").result == ["bahia-blanca", "la-plata"]
    orgs = ckan("organization_list", {"all_fields": True, "sort": "package_count desc"}).result
    assert [(o["name"], o["package_count"]) for o in orgs] == [("la-plata", 1), ("bahia-blanca", 0)]
    assert orgs[0]["id"] == "06441"
    assert ckan("organization_list", {"limit": -1}).status == 409


def test_organization_show_by_slug_or_code(ckan, published):
    org = ckan("organization_show", {"id": "la-plata", "include_datasets": True}).result
    assert org["package_count"] == 1
    assert [p["name"] for p in org["packages"]] == [published.name]
    assert ckan("organization_show", {"id": "06441"}).result["name"] == "la-plata"
    missing = ckan("organization_show", {"id": "atlantida"})
    assert missing.status == 404
    assert missing.error["__type"] == "Not Found Error"


def test_group_list_counts_public_datasets(ckan, municipality):
    dataset_make(municipality, publish=True, identifier="hospitales", themes=["salud"])
    assert "salud" in ckan("group_list").result
    groups = {g["name"]: g for g in ckan("group_list", {"all_fields": True}).result}
    assert groups["salud"]["package_count"] == 1
    assert groups["educacion"]["package_count"] == 0
    assert ckan("group_list", {"groups": ["salud"]}).result == ["salud"]


def test_group_show_with_datasets(ckan, municipality):
    dataset_make(municipality, publish=True, identifier="hospitales", themes=["salud"])
    groups = {g["name"]: g for g in ckan("group_list", {"all_fields": True}).result}
    group = ckan("group_show", {"id": "salud", "include_datasets": True}).result
    assert group["title"] == groups["salud"]["title"]
    assert [p["name"] for p in group["packages"]] == ["la-plata_hospitales"]
    assert ckan("group_show", {"id": "no-existe"}).status == 404


def test_tag_list_of_public_datasets(ckan, published, draft):
    assert ckan("tag_list").result == ["gasto", "presupuesto"]
    assert ckan("tag_list", {"query": "PRES"}).result == ["presupuesto"]
    assert ckan("tag_list", {"all_fields": True}).result[0]["name"] == "gasto"
    assert ckan("tag_list", {"vocabulary_id": "x"}).result == []
    assert ckan("tag_list", {"all_fields": "maybe"}).status == 409


def test_license_list_lists_our_licenses(ckan):
    result = ckan("license_list").result
    assert [lic["id"] for lic in result] == list(LICENSES)
    assert all(lic["is_okd_compliant"] for lic in result)


def test_resource_show_follows_dataset_visibility(ckan, published, draft, editor_token):
    resource = ckan("package_show", {"id": published.name}).result["resources"][0]
    assert ckan("resource_show", {"id": resource["id"]}).result == resource
    assert resource["url"].endswith(f"/recursos/{published.distributions.get().identifier}/descargar/")
    assert resource["url_type"] == "upload"
    draft_resource = distribution_csv_make(draft)
    assert ckan("resource_show", {"id": str(draft_resource.uuid)}).status == 404
    assert ckan("resource_show", {"id": str(draft_resource.uuid)}, token=editor_token).status == 200
    assert ckan("resource_show", {"id": "nope"}).error["__type"] == "Not Found Error"


def test_help_show_describes_every_action(ckan):
    for name in actions.ACTIONS:
        assert ckan("help_show", {"name": name}).result
    assert ckan("help_show", {"name": "package_frobnicate"}).status == 404
    assert ckan("help_show", {}).status == 409


def test_status_show_reports_a_ckan_29_compatible_version(ckan):
    result = ckan("status_show").result
    assert result["ckan_version"].startswith("2.9.")
    assert result["site_title"] == "Municipios Abiertos"
    assert ckan("status_show", {"ignored": 1}).status == 200


# --- Write actions --------------------------------------------------------------------------------


def test_package_create_public_with_resources(ckan, editor, editor_token):
    result = ckan("package_create", package_body(), token=editor_token).result
    assert result["name"] == "la-plata_obras-2025"
    assert result["private"] is False
    assert result["owner_org"] == "06441"
    assert [t["name"] for t in result["tags"]] == ["obras", "licitaciones"]
    assert [g["name"] for g in result["groups"]] == ["obras-publicas"]
    assert {e["key"]: e["value"] for e in result["extras"]}["superTheme"] == '["GOVE"]'
    assert result["resources"][0]["url"] == "https://datos.example.org/obras.csv"
    dataset = Dataset.objects.get(name="la-plata_obras-2025")
    assert dataset.status == DatasetStatus.PUBLISHED
    assert dataset.accrual_periodicity == "R/P1M"
    assert AuditEvent.objects.filter(action="dataset.publish", actor=editor).exists()


def test_package_create_public_without_resources_waits_for_the_first_one(client, ckan, editor_token):
    result = ckan("package_create", package_body(resources=[]), token=editor_token).result
    assert result["private"] is True
    assert PendingPublication.objects.filter(dataset__uuid=result["id"]).exists()
    upload = SimpleUploadedFile("obras.csv", CSV_BYTES, content_type="text/csv")
    response = client.post(
        "/api/3/action/resource_create",
        {"package_id": result["id"], "name": "Obras", "upload": upload},
        HTTP_AUTHORIZATION=editor_token,
    )
    assert response.json()["result"]["size"] == len(CSV_BYTES)
    assert ckan("package_show", {"id": result["id"]}).result["private"] is False
    assert not PendingPublication.objects.exists()


def test_package_create_private_stays_a_draft(ckan, editor_token):
    result = ckan("package_create", package_body(private=True), token=editor_token).result
    assert result["private"] is True
    assert not PendingPublication.objects.exists()


def test_package_create_authorization_errors(ckan, municipality, other_municipality):
    answer = ckan("package_create", package_body())
    assert answer.status == 403
    assert answer.error["__type"] == "Authorization Error"
    assert answer.error["message"].startswith("Acceso denegado: ")
    stranger = user_with_role(Role.MUNICIPAL_EDITOR, other_municipality)
    assert ckan("package_create", package_body(), token=token_for(stranger)).status == 403
    read_only = token_for(stranger, scopes=["read"])
    assert ckan("package_create", package_body(owner_org="bahia-blanca"), token=read_only).status == 403
    assert not Dataset.objects.exists()


def test_package_create_validation_errors_use_ckan_field_names(ckan, editor_token):
    answer = ckan("package_create", package_body(notes="", extras=[], name="con espacios"), token=editor_token)
    assert answer.status == 409
    assert answer.error["__type"] == "Validation Error"
    assert {"notes", "superTheme", "name"} <= set(answer.error)
    assert ckan("package_create", package_body(owner_org="atlantida"), token=editor_token).error["owner_org"]
    assert ckan("package_create", package_body(owner_org=None), token=editor_token).status == 409
    assert ckan("package_create", package_body(tags="no-es-lista,"), token=editor_token).error["tags"]


def test_package_create_refuses_text_longer_than_its_column(ckan, editor_token):
    answer = ckan("package_create", package_body(author="a" * 301, maintainer="m" * 301), token=editor_token)
    assert answer.status == 409
    assert set(answer.error) == {"__type", "author", "maintainer"}
    assert "300 caracteres" in answer.error["author"][0]


def test_package_create_invalid_resource_leaves_nothing_behind(ckan, editor_token):
    body = package_body(resources=[{"name": "ok", "url": "https://x.example.org/a.csv"}, {"name": "sin url"}])
    answer = ckan("package_create", body, token=editor_token)
    assert answer.status == 409
    assert answer.error["resources.2"]
    assert not Dataset.objects.exists()


def test_package_update_replaces_metadata_and_resources(ckan, editor_token, published):
    package = ckan("package_show", {"id": published.name}).result
    kept = package["resources"][0]
    package.update(notes="Nueva descripción.", tags=[{"name": "nuevo"}])
    package["resources"] = [kept, {"name": "Enlace", "url": "https://x.example.org/b.json"}]
    result = ckan("package_update", package, token=editor_token).result
    assert result["notes"] == "Nueva descripción."
    assert [t["name"] for t in result["tags"]] == ["nuevo"]
    assert [r["name"] for r in result["resources"]] == [kept["name"], "Enlace"]
    result["resources"] = result["resources"][1:]
    result = ckan("package_update", result, token=editor_token).result
    assert [r["format"] for r in result["resources"]] == ["JSON"]
    assert Distribution.objects.filter(uuid=kept["id"], deleted_at__isnull=False).exists()


def test_package_update_finds_resources_by_the_id_andino_gave_them(ckan, editor_token):
    body = package_body(resources=[{"id": "obras_1.1", "name": "Obras", "url": "https://x.example.org/o.csv"}])
    created = ckan("package_create", body, token=editor_token).result
    body["resources"][0]["name"] = "Obras 2025"
    result = ckan("package_update", {**body, "id": created["id"]}, token=editor_token).result
    assert [(r["id"], r["name"]) for r in result["resources"]] == [(created["resources"][0]["id"], "Obras 2025")]


def test_package_update_private_unpublishes(ckan, editor_token, published):
    package = ckan("package_show", {"id": published.name}).result
    result = ckan("package_update", {**package, "private": True}, token=editor_token).result
    assert result["private"] is True
    assert ckan("package_show", {"id": published.name}).status == 404


def test_package_update_errors(ckan, editor_token, published):
    missing = ckan("package_update", package_body(id="datos-argentina_99db"), token=editor_token)
    assert missing.status == 404
    assert missing.error["__type"] == "Not Found Error"
    denied = ckan("package_update", {**package_body(), "id": published.name})
    assert denied.status == 403
    moved = ckan("package_update", {**package_body(owner_org="bahia-blanca"), "id": published.name}, token=editor_token)
    assert moved.status == 409
    assert moved.error["owner_org"]
    invalid = ckan("package_update", {**package_body(title=""), "id": published.name, "name": ""}, token=editor_token)
    assert invalid.status == 409
    renamed = ckan("package_update", {**package_body(), "id": published.name}, token=editor_token)
    assert renamed.status == 409
    assert renamed.error["name"]


def test_package_patch_changes_only_what_is_given(ckan, editor_token, published):
    before = ckan("package_show", {"id": published.name}).result
    result = ckan("package_patch", {"id": published.name, "title": "Presupuesto 2025"}, token=editor_token).result
    assert result["title"] == "Presupuesto 2025"
    assert result["notes"] == before["notes"]
    assert result["tags"] == before["tags"]
    assert result["resources"] == before["resources"]
    assert result["private"] is False
    assert ckan("package_patch", {"id": published.name, "title": "x"}).status == 403
    assert ckan("package_patch", {"id": "no-existe"}, token=editor_token).status == 404
    assert ckan("package_patch", {"id": published.name, "title": "x" * 101}, token=editor_token).error["title"]


def test_package_delete_hides_the_dataset(ckan, editor_token, published):
    assert ckan("package_delete", {"id": published.name}).status == 403
    answer = ckan("package_delete", {"id": str(published.uuid)}, token=editor_token)
    assert answer.body == {"help": answer.body["help"], "success": True, "result": None}
    assert ckan("package_show", {"id": published.name}).status == 404
    assert ckan("package_delete", {"id": published.name}, token=editor_token).status == 404


def test_resource_create_from_url_and_errors(ckan, editor_token, published, draft):
    body = {"package_id": published.name, "name": "Mapa", "url": "https://x.example.org/mapa.geojson"}
    result = ckan("resource_create", body, token=editor_token).result
    assert result["format"] == "GEOJSON"
    assert result["package_id"] == str(published.uuid)
    assert ckan("resource_create", body).status == 403
    assert ckan("resource_create", {**body, "package_id": draft.name}).status == 404
    no_url = ckan("resource_create", {"package_id": published.name, "name": "x"}, token=editor_token)
    assert no_url.status == 409
    assert no_url.error["url"]


def test_resource_update_replaces_the_uploaded_file(client, ckan, editor_token, published):
    resource = ckan("package_show", {"id": published.name}).result["resources"][0]
    upload = SimpleUploadedFile("nuevo.csv", b"a,b\n1,2\n", content_type="text/csv")
    response = client.post(
        "/api/3/action/resource_update",
        {"id": resource["id"], "name": "Datos 2025", "format": "CSV", "upload": upload},
        HTTP_AUTHORIZATION=editor_token,
    )
    result = response.json()["result"]
    assert result["name"] == "Datos 2025"
    assert result["size"] == 8
    assert result["fileName"] == "nuevo.csv"
    assert Distribution.objects.get(uuid=resource["id"]).file_versions.count() == 2
    assert ckan("resource_update", {"id": resource["id"], "name": "x"}).status == 403
    assert ckan("resource_update", {"id": "nope"}, token=editor_token).status == 404


def test_resource_patch_changes_only_what_is_given(ckan, editor_token, published):
    resource = ckan("package_show", {"id": published.name}).result["resources"][0]
    result = ckan(
        "resource_patch", {"id": resource["id"], "description": "Montos en pesos."}, token=editor_token
    ).result
    assert result["description"] == "Montos en pesos."
    assert (result["name"], result["url"], result["hash"]) == (resource["name"], resource["url"], resource["hash"])
    assert json.loads(result["attributesDescription"]) == json.loads(resource["attributesDescription"])
    assert ckan("resource_patch", {"id": resource["id"], "name": "x"}).status == 403
    bad = ckan(
        "resource_patch",
        {"id": resource["id"], "attributesDescription": '[{"title": "a", "type": "raro"}]'},
        token=editor_token,
    )
    assert bad.status == 409
    assert bad.error["attributesDescription"]


# --- Malformed requests: the documented error body, never a 500 --------------------------------------

MALFORMED = [
    {"id": ["a", "b"]},
    {"id": {"x": 1}},
    {"id": 12},
    {"id": None, "package_id": True},
    {"q": "((((", "fq": 5, "rows": "x", "facet.field": "{"},
    {"owner_org": ["la-plata"], "name": 3, "tags": 5, "groups": "x", "extras": {"a": 1}},
    {"owner_org": "la-plata", "name": "x", "tags": [1], "extras": [{"key": "issued", "value": "ayer"}]},
    {"owner_org": "la-plata", "name": "x", "resources": "x", "private": "tal vez"},
    {"owner_org": "la-plata", "name": "y", "resources": [5], "extras": [{"value": 1}]},
    {"owner_org": "la-plata", "name": "z", "extras": [{"key": "superTheme", "value": "[bad"}]},
    {"package_id": "la-plata_presupuesto", "attributesDescription": "{}", "created": 5},
    {"limit": "∞", "offset": -1, "all_fields": [], "sort": 3, "include_datasets": {}},
    {"id": "la-plata_presupuesto\x00", "q": "\x00"},
    {"offset": "99999999999999999999999", "start": 10**30, "rows": 10**30, "limit": 2**63},
    {"fq": "metadata_modified:[9999-12-31T23:59:59-14:00 TO *]", "id": "x"},
    {"fq": "metadata_modified:[NOW+99999999999999YEARS TO *]", "id": "x"},
    {"owner_org": "la-plata", "name": "w", "extras": [{"key": "issued", "value": "9999-12-31T23:59:59-14:00"}]},
    {"owner_org": "la-plata", "name": "v", "extras": [{"key": "superTheme", "value": "[" * 5000}]},
    {
        "owner_org": "la-plata",
        "name": "u",
        "author": "a" * 300,
        "maintainer": "m" * 300,
        "url": "https://x.org/" + "a" * 600,
    },
    {"package_id": "la-plata_presupuesto", "url": "https://x.org/" + "a" * 1100, "format": "F" * 30, "id": "i" * 200},
]


@pytest.mark.parametrize("name", sorted(actions.ACTIONS))
def test_malformed_requests_get_a_ckan_error_never_a_500(ckan, editor_token, published, name):
    for params in MALFORMED:
        answer = ckan(name, params, token=editor_token)
        assert answer.status in {200, 400, 403, 404, 409}, (params, answer.body)
        assert answer.body["success"] is (answer.status == 200)
        if answer.status != 200:
            assert answer.error["__type"] in {
                "Bad Request",
                "Not Found Error",
                "Authorization Error",
                "Validation Error",
                "Search Query Error",
            }


def test_malformed_deeply_nested_json_is_a_bad_request(client):
    response = client.post("/api/3/action/package_show", b"[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Bad Request"


# --- Meta -----------------------------------------------------------------------------------------


def test_every_action_has_a_test():
    # The datastore actions' tests live in their own module.
    names = [*globals(), *vars(test_datastore_actions)]
    tested = {name for name in actions.ACTIONS if any(t.startswith(f"test_{name}_") for t in names)}
    assert tested == set(actions.ACTIONS)


def test_every_write_action_is_registered():
    assert set(actions.ACTIONS) >= actions.WRITE_ACTIONS


def test_package_search_query_count_does_not_grow_with_rows(ckan, municipality, django_assert_max_num_queries):
    for n in range(15):
        dataset_make(municipality, publish=True, identifier=f"q{n}", themes=["salud"])
    params = {"rows": 15, "facet.field": '["organization", "groups", "res_format", "license_id"]'}
    with django_assert_max_num_queries(14):
        assert len(ckan("package_search", params).result["results"]) == 15


def test_package_search_answers_the_ckan_harvester_query(ckan, published):
    params = {
        "fq": "+dataset_type:dataset +metadata_modified:[2020-01-01T00:00:00.000Z TO *]",
        "rows": 100,
        "start": 0,
        "sort": "id asc",
    }
    result = ckan("package_search", params, method="GET").result
    assert [p["name"] for p in result["results"]] == [published.name]


def test_package_search_results_are_the_package_show_answers(ckan, municipality):
    """The search and the package lists load their relations as plain lists (selectors'
    ``as_lists``); each package is still exactly what package_show answers."""
    dataset = dataset_make(
        municipality,
        publish=True,
        identifier="contrataciones",
        themes=["obras-publicas", "compras-y-contrataciones"],
        keywords=["compras"],
    )
    distribution_csv_make(dataset, identifier="montos", fields=[FieldSpec("monto", "number", description="Pesos")])
    gone = distribution_csv_make(dataset, identifier="borrada")
    distribution_delete(distribution=gone, by=Actor.system("test"))
    shown = ckan("package_show", {"id": dataset.name}).result
    assert [g["name"] for g in shown["groups"]] == ["compras-y-contrataciones", "obras-publicas"]
    assert [r["name"] for r in shown["resources"]] == ["Datos en CSV", "Datos en CSV"]
    assert json.loads(shown["resources"][1]["attributesDescription"])[0]["description"] == "Pesos"
    assert ckan("package_search", {"q": dataset.title}).result["results"] == [shown]  # index path
    assert ckan("package_search", {"fq": f"name:{dataset.name}"}).result["results"] == [shown]  # table path
    listed = ckan("current_package_list_with_resources", {}).result
    assert [p for p in listed if p["name"] == dataset.name] == [shown]
    org = ckan("organization_show", {"id": municipality.slug, "include_datasets": "true"}).result
    assert [p for p in org["packages"] if p["name"] == dataset.name] == [shown]
