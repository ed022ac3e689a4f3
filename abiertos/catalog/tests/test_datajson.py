"""data.json for the province and for each municipality, served at their stable addresses."""

import json

import pytest
from django.http import FileResponse

from abiertos.catalog import federation, services
from abiertos.catalog.checks import catalog_issues
from abiertos.catalog.datajson import catalog_build, catalog_stream, scope_for_municipality, scope_for_province
from abiertos.catalog.export_cache import province_datajson_prebuild, stream_and_keep
from abiertos.catalog.inputs import DatasetMetadata
from abiertos.catalog.models import Dataset, DatasetExportFragment, Distribution, Field
from abiertos.catalog.selectors import datasets_not_federated
from abiertos.catalog.tests.catalog_samples import catalog_populate
from abiertos.catalog.tests.factories import dataset_make
from abiertos.catalog.vocabularies import SUPER_THEME_TAXONOMY_URL
from abiertos.core.actors import Actor


@pytest.fixture
def sample(municipality, other_municipality):
    return catalog_populate(municipality, other_municipality)


def _get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, json.loads(b"".join(response.streaming_content))


def _ids(catalog):
    return [d["identifier"] for d in catalog["dataset"]]


def _distribution_ids(catalog):
    return [dist["identifier"] for d in catalog["dataset"] for dist in d["distribution"]]


def test_datajson_province_namespaces_identifiers_per_municipality(client, sample):
    _, catalog = _get_json(client, "/data.json")

    assert sorted(_ids(catalog)) == [
        "bahia-blanca_presupuesto-2025",
        "la-plata_obras-publicas",
        "la-plata_presupuesto-2025",
    ]
    assert "bahia-blanca_presupuesto-2025-csv" in _distribution_ids(catalog)
    assert "la-plata_presupuesto-2025-csv" in _distribution_ids(catalog)
    assert len(set(_distribution_ids(catalog))) == len(_distribution_ids(catalog)) == 4
    assert catalog["identifier"] == "buenos-aires"
    assert catalog["superThemeTaxonomy"] == SUPER_THEME_TAXONOMY_URL


def test_datajson_municipality_uses_bare_identifiers_and_only_its_datasets(client, sample):
    _, catalog = _get_json(client, "/m/la-plata/data.json")

    assert sorted(_ids(catalog)) == ["obras-publicas", "presupuesto-2025"]
    assert catalog["identifier"] == "la-plata"
    assert sorted(_distribution_ids(catalog)) == ["obras-geojson", "presupuesto-2025-csv", "presupuesto-2025-xlsx"]


def test_datajson_leaves_out_drafts_deleted_datasets_and_deleted_distributions(client, sample):
    _, catalog = _get_json(client, "/m/la-plata/data.json")

    assert "borrador" not in _ids(catalog)
    assert "eliminado" not in _ids(catalog)
    assert "obras-viejo" not in _distribution_ids(catalog)


def test_datajson_dataset_carries_the_profile_fields(client, sample):
    _, catalog = _get_json(client, "/m/la-plata/data.json")
    budget = next(d for d in catalog["dataset"] if d["identifier"] == "presupuesto-2025")

    assert budget["title"] == "Presupuesto 2025 de La Plata"
    assert budget["superTheme"] == ["ECON"]
    assert budget["theme"] == ["gasto-publico", "presupuesto"]
    assert budget["keyword"] == ["presupuesto", "gasto público", "educación", "año 2025"]
    assert budget["accrualPeriodicity"] == "R/P1Y"
    assert budget["issued"] == "2025-01-10T09:30:00-03:00"
    assert budget["temporal"] == "2025-01-01/2025-12-31"
    assert budget["spatial"] == "06441"
    assert budget["contactPoint"] == {"fn": "Dirección de Datos Abiertos", "hasEmail": "datos@laplata.example.org"}
    assert budget["publisher"]["name"] == "Partido de La Plata"
    assert budget["license"] == "Creative Commons Attribution 4.0"
    csv = next(d for d in budget["distribution"] if d["identifier"] == "presupuesto-2025-csv")
    assert csv["format"] == "CSV"
    assert csv["mediaType"] == "text/csv"
    assert isinstance(csv["byteSize"], int)
    assert [f["title"] for f in csv["field"]] == ["año", "monto", "partida"]
    assert {t["id"] for t in catalog["themeTaxonomy"]} >= {"presupuesto", "gasto-publico", "obras-publicas"}


def test_datajson_addresses_are_absolute_from_site_url(client, settings, sample):
    settings.SITE_URL = "https://datos.example.gob.ar"
    _, catalog = _get_json(client, "/m/la-plata/data.json")
    budget = next(d for d in catalog["dataset"] if d["identifier"] == "presupuesto-2025")
    csv = next(d for d in budget["distribution"] if d["identifier"] == "presupuesto-2025-csv")
    link = next(d for d in budget["distribution"] if d["identifier"] == "presupuesto-2025-xlsx")

    assert catalog["homepage"] == "https://datos.example.gob.ar/m/la-plata/"
    assert csv["downloadURL"].startswith("https://datos.example.gob.ar/m/la-plata/")
    assert client.get(csv["downloadURL"].removeprefix("https://datos.example.gob.ar")).status_code == 200
    assert budget["landingPage"] == "https://datos.example.gob.ar/m/la-plata/datos/presupuesto-2025/"
    assert link["downloadURL"] == "https://datos.laplata.example.org/presupuesto/2025.xlsx"


def test_datajson_passes_the_checks_pydatajson_skips(client, sample):
    for url in ("/data.json", "/m/la-plata/data.json", "/m/bahia-blanca/data.json"):
        _, catalog = _get_json(client, url)
        assert catalog_issues(catalog) == [], url


def test_datajson_response_headers_cors_etag_and_not_modified(client, sample):
    response, _ = _get_json(client, "/data.json")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["ETag"]
    assert response["Last-Modified"]
    again = client.get("/data.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"
    since = client.get("/data.json", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304


def test_datajson_etag_changes_when_a_dataset_is_published(client, municipality, sample):
    before = client.get("/m/la-plata/data.json")["ETag"]
    dataset_make(municipality, publish=True, identifier="recien-publicado")

    assert client.get("/m/la-plata/data.json")["ETag"] != before
    assert client.get("/m/la-plata/data.json", HTTP_IF_NONE_MATCH=before).status_code == 200


def test_datajson_unknown_municipality_is_404(client, sample):
    assert client.get("/m/no-existe/data.json").status_code == 404


def test_datajson_refuses_writes(client, sample):
    assert client.post("/data.json").status_code == 405


def test_catalog_stream_is_valid_json_equal_to_the_built_catalog(sample):
    scope = scope_for_province()
    streamed = json.loads("".join(catalog_stream(scope, chunk_size=1)))

    assert streamed == catalog_build(scope)


def test_catalog_stream_queries_do_not_grow_with_datasets(django_assert_max_num_queries, municipality, sample):
    for n in range(10):
        dataset_make(municipality, publish=True, identifier=f"extra-{n}")
    scope = scope_for_municipality("la-plata")

    # Header (themes, version) plus one chunk: datasets, themes, distributions, fields, end.
    with django_assert_max_num_queries(10):
        assert len(json.loads("".join(catalog_stream(scope)))["dataset"]) == 12


def test_datajson_is_built_once_per_catalog_version_then_served_from_disk(client, settings, municipality, sample):
    first = client.get("/m/la-plata/data.json")
    first_body = b"".join(first.streaming_content)
    cached = list(settings.CATALOG_CACHE_DIR.iterdir())

    second = client.get("/m/la-plata/data.json")

    assert len(cached) == 1
    assert isinstance(second, FileResponse)
    assert b"".join(second.streaming_content) == first_body
    dataset_make(municipality, publish=True, identifier="otro-mas")
    third = json.loads(b"".join(client.get("/m/la-plata/data.json").streaming_content))
    assert "otro-mas" in _ids(third)
    assert [p.name for p in settings.CATALOG_CACHE_DIR.iterdir()] != [p.name for p in cached]
    assert len(list(settings.CATALOG_CACHE_DIR.iterdir())) == 1


def test_export_cache_keeps_nothing_from_an_interrupted_download(settings):
    body = stream_and_keep(iter(['{"a": ', "1}"]), "la-plata", "data.json", '"v1"')
    assert next(body) == b'{"a": '
    body.close()

    assert list(settings.CATALOG_CACHE_DIR.iterdir()) == []
    assert b"".join(stream_and_keep(iter(['{"a": ', "1}"]), "la-plata", "data.json", '"v1"')) == b'{"a": 1}'
    assert [p.name.endswith(".tmp") for p in settings.CATALOG_CACHE_DIR.iterdir()] == [False]


def test_province_datajson_prebuild_makes_the_first_request_a_file(client, settings, municipality, sample):
    assert province_datajson_prebuild() is True
    assert province_datajson_prebuild() is False

    response = client.get("/data.json")

    assert isinstance(response, FileResponse)
    assert sorted(_ids(json.loads(b"".join(response.streaming_content)))) == sorted(
        _ids(catalog_build(scope_for_province()))
    )
    dataset_make(municipality, publish=True, identifier="despues-del-prearmado")
    assert province_datajson_prebuild() is True


# Stored entries of the province data.json (export_fragments.py)


def _province() -> dict:
    return json.loads("".join(catalog_stream(scope_for_province())))


def _entry(catalog: dict, identifier: str) -> dict:
    return next(d for d in catalog["dataset"] if d["identifier"] == identifier)


def test_province_datajson_reuses_stored_entries_while_current(sample):
    first = _province()
    assert DatasetExportFragment.objects.count() == 3
    assert _province() == first == catalog_build(scope_for_province())
    # A stored entry whose key still matches is served as stored: proof that it is read.
    fragment = DatasetExportFragment.objects.get(dataset__name="la-plata_obras-publicas")
    tampered = json.loads(fragment.entry) | {"title": "Guardado"}
    DatasetExportFragment.objects.filter(pk=fragment.pk).update(entry=json.dumps(tampered))
    assert _entry(_province(), "la-plata_obras-publicas")["title"] == "Guardado"


def test_province_datajson_rebuilds_an_entry_after_a_service_change(sample):
    _province()
    dataset = Dataset.objects.get(name="la-plata_obras-publicas")
    metadata = DatasetMetadata.from_dataset(dataset)
    metadata.title = "Obras públicas terminadas"
    services.dataset_update(dataset=dataset, metadata=metadata, by=Actor.system("test"))
    catalog = _province()
    assert _entry(catalog, "la-plata_obras-publicas")["title"] == "Obras públicas terminadas"
    assert catalog == catalog_build(scope_for_province())


def test_province_datajson_notices_a_data_dictionary_rewritten_without_the_services(sample):
    _province()
    distribution = Distribution.objects.get(name="la-plata_presupuesto-2025-csv")
    Field.objects.filter(distribution=distribution).delete()
    Field.objects.bulk_create([Field(distribution=distribution, position=0, title="columna_nueva", type="string")])
    entry = _entry(_province(), "la-plata_presupuesto-2025")
    fields = next(d["field"] for d in entry["distribution"] if d["identifier"] == "la-plata_presupuesto-2025-csv")
    assert [f["title"] for f in fields] == ["columna_nueva"]


def test_province_datajson_follows_the_municipality_and_the_settings(sample, municipality, settings):
    _province()
    municipality.slug = "ciudad-de-la-plata"
    municipality.save()
    entry = _entry(_province(), "la-plata_obras-publicas")
    assert "/m/ciudad-de-la-plata/" in entry["landingPage"]
    settings.SITE_URL = "https://otro.example.org"
    assert _entry(_province(), "la-plata_obras-publicas")["landingPage"].startswith("https://otro.example.org/")


def test_datajson_etag_changes_when_a_data_dictionary_is_rewritten_without_the_services(client, sample):
    first = client.get("/data.json")
    b"".join(first.streaming_content)
    distribution = Distribution.objects.get(name="la-plata_presupuesto-2025-csv")
    Field.objects.filter(distribution=distribution).delete()
    Field.objects.bulk_create([Field(distribution=distribution, position=0, title="columna_nueva", type="string")])

    second = client.get("/data.json", HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert b"columna_nueva" in b"".join(second.streaming_content)


# Federation: the province data.json lists only what the national profile accepts (federation.py).


def _without_issued(dataset: Dataset) -> Dataset:
    """Published without a publication date, as imports stored datasets given only ``modified``:
    the profile requires ``issued``, so the dataset is not federable."""
    metadata = DatasetMetadata.from_dataset(dataset)
    metadata.issued = None
    return services.dataset_update(dataset=dataset, metadata=metadata, by=Actor.system("test"))


def test_province_datajson_leaves_out_a_dataset_that_fails_the_national_profile(client, sample, caplog):
    works = _without_issued(Dataset.objects.get(name="la-plata_obras-publicas"))

    _, province = _get_json(client, "/data.json")
    _, own = _get_json(client, "/m/la-plata/data.json")

    assert sorted(_ids(province)) == ["bahia-blanca_presupuesto-2025", "la-plata_presupuesto-2025"]
    assert sorted(_ids(own)) == ["obras-publicas", "presupuesto-2025"]
    assert "issued" not in _entry(own, "obras-publicas")
    assert "Province data.json: 1 of 3 published datasets left out, not federable" in caplog.text
    assert list(datasets_not_federated()) == [works]
    assert list(datasets_not_federated(municipality=works.municipality)) == [works]
    assert province == catalog_build(scope_for_province())


def test_province_datajson_takes_back_a_dataset_once_it_is_fixed(client, sample):
    works = _without_issued(Dataset.objects.get(name="la-plata_obras-publicas"))
    first = client.get("/data.json")
    assert b"la-plata_obras-publicas" not in b"".join(first.streaming_content)

    metadata = DatasetMetadata.from_dataset(works)
    metadata.issued = works.modified
    services.dataset_update(dataset=works, metadata=metadata, by=Actor.system("test"))
    second = client.get("/data.json", HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert "la-plata_obras-publicas" in _ids(json.loads(b"".join(second.streaming_content)))
    assert not datasets_not_federated().exists()
    _without_issued(works)
    assert province_datajson_prebuild() is True
    assert "la-plata_obras-publicas" not in _ids(json.loads(b"".join(client.get("/data.json").streaming_content)))


def test_province_datajson_judges_again_when_the_judge_changes(client, sample, monkeypatch):
    """Stored verdicts belong to one version of the rules: a new judge sees every entry again."""
    first = client.get("/data.json")
    assert len(_ids(json.loads(b"".join(first.streaming_content)))) == 3
    stricter = federation.FederationJudge("prueba", "1", lambda entry, taxonomy: "obras" not in entry["identifier"])
    monkeypatch.setattr(federation, "_judge", stricter)

    second = client.get("/data.json", HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert "la-plata_obras-publicas" not in _ids(json.loads(b"".join(second.streaming_content)))
    assert len(_ids(_get_json(client, "/m/la-plata/data.json")[1])) == 2
