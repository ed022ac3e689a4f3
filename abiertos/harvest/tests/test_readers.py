"""Each kind of source, read from local servers serving recorded real responses."""

import copy
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from abiertos.catalog.models import Dataset
from abiertos.harvest.models import HarvestRecord, MessageLevel, RunStatus, SourceKind
from abiertos.harvest.readers import ckan_package_to_entry

from .factories import run_now, source_make
from .servers import DATA, ckan_list_route, ckan_search_route

ANDINO = DATA / "ckan" / "andino_api_responses"
DCAT = DATA / "ckan" / "dcat_examples"
PYDATAJSON = DATA / "catalogs" / "pydatajson"


def _andino_package() -> dict:
    return json.loads((ANDINO / "package_show_200.json").read_text())["result"]


def _packages(n: int) -> list[dict]:
    base = _andino_package()
    base["license_id"] = "cc-by-4.0"
    packages = []
    for i in range(n):
        package = copy.deepcopy(base)
        package["id"] = f"pkg-{i:04d}"
        package["name"] = f"conjunto-{i:04d}"
        package["title"] = f"Conjunto {i}"
        package["metadata_modified"] = "2019-12-03T18:30:57.429462"
        package["resources"][0]["id"] = f"res-{i:04d}"
        packages.append(package)
    return packages


def _ckan(server, packages):
    server.routes["/api/3/action/package_search"] = ckan_search_route(packages)
    server.routes["/api/3/action/package_list"] = ckan_list_route(packages)


def test_andino_package_maps_to_profile_entry():
    entry = ckan_package_to_entry(_andino_package())
    assert entry["identifier"] == "datos-argentina-sistema-contrataciones-electronicas"
    assert entry["description"] == "updated description"
    assert entry["superTheme"] == ["econ"]
    assert entry["accrualPeriodicity"] == "R/P1Y"
    assert entry["theme"] == ["econ"]
    assert "Contrataciones" in entry["keyword"]
    dist = entry["distribution"][0]
    assert dist["identifier"] == "datos-argentina_1.1"
    assert dist["downloadURL"].endswith("convocatorias-abiertas-anio-2015.csv")
    assert dist["field"][0]["title"] == "procedimiento_id"


def test_recorded_andino_search_is_harvested_with_per_dataset_findings(server, municipality):
    recorded = json.loads((ANDINO / "package_search_count3.json").read_text())["result"]["results"]
    _ckan(server, [*recorded, _andino_package()])
    source = source_make(municipality, server.url, kind=SourceKind.CKAN)
    run = run_now(source)
    assert run.status == RunStatus.PARTIAL
    assert run.failed == 4  # the three recorded packages have no resources; the fourth an unknown license
    errors = " ".join(run.messages.filter(level=MessageLevel.ERROR).values_list("message", flat=True))
    assert "no tiene recursos" in errors
    assert "notspecified" in errors
    search = [q for path, q in server.requests if path.endswith("package_search")]
    assert search[0]["sort"] == "id asc"
    assert search[0]["rows"] == "100"
    assert search[0]["start"] == "0"


def test_ckan_source_is_paged_by_100_and_then_read_incrementally(server, municipality):
    packages = _packages(230)
    _ckan(server, packages)
    source = source_make(municipality, server.url + "/api/3/action/", kind=SourceKind.CKAN)
    first = run_now(source)
    assert first.created == 230, list(first.messages.values_list("message", flat=True)[:5])
    starts = [q["start"] for path, q in server.requests if path.endswith("package_search")]
    assert starts == ["0", "100", "200"]
    dataset = Dataset.objects.get(municipality=municipality, identifier="conjunto-0007")
    assert dataset.is_harvested
    assert dataset.origin_url == f"{server.url}/dataset/conjunto-0007"
    source.refresh_from_db()
    assert source.last_clean_started_at is not None

    server.requests.clear()
    later = (timezone.now() + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")
    packages[5]["title"] = "Conjunto cinco, corregido"
    packages[5]["metadata_modified"] = later
    second = run_now(source)
    fq = [q.get("fq") for path, q in server.requests if path.endswith("package_search")]
    assert fq
    assert fq[0].startswith("metadata_modified:[")
    assert fq[0].endswith(" TO *]")
    assert (second.updated, second.unchanged, second.withdrawn) == (1, 229, 0)
    assert Dataset.objects.get(municipality=municipality, identifier="conjunto-0005").title.endswith("corregido")

    del packages[9]  # gone from package_list too: withdrawn even though the search was incremental
    third = run_now(source)
    assert third.withdrawn == 1
    assert HarvestRecord.objects.get(source=source, remote_id="pkg-0009").withdrawn_at is not None


def test_ckan_error_envelope_fails_the_run_with_the_message(server, municipality):
    server.json(
        "/api/3/action/package_search",
        {"success": False, "error": {"__type": "Search Query Error", "message": "fq inválido"}},
        status=409,
    )
    source = source_make(municipality, server.url, kind=SourceKind.CKAN)
    run = run_now(source)
    assert run.status == RunStatus.FAILED
    assert "409" in run.error


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("dcat_catalog.rdf", "application/rdf+xml"),
        ("dcat_dataset_gob_es.ttl", "text/turtle"),
        ("dcat_catalog_pod.jsonld", "application/ld+json"),
    ],
)
def test_dcat_sources_are_read(server, municipality, name, content_type):
    server.raw("/" + name, (DCAT / name).read_bytes(), content_type)
    source = source_make(municipality, f"{server.url}/{name}", kind=SourceKind.DCAT)
    run = run_now(source, dry_run=True)
    assert run.status != RunStatus.FAILED, run.error
    assert run.remote_total >= 1
    assert run.plan
    assert all(item["identifier"] for item in run.plan)


def test_broken_turtle_is_reported_with_its_location(server, municipality):
    server.raw(
        "/roto.ttl",
        b'@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> a dcat:Dataset ;\n  <b> "sin cerrar .\n',
        "text/turtle",
    )
    source = source_make(municipality, server.url + "/roto.ttl", kind=SourceKind.DCAT)
    run = run_now(source)
    assert run.status == RunStatus.FAILED
    assert "RDF (DCAT) ilegible" in run.error
    assert "line" in run.error.lower()


def test_us_pod_datajson_is_read(server, municipality):
    pod = {
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "dataset": [
            {
                "identifier": "https://www.agency.gov/data/presupuesto-2024",
                "title": "Presupuesto 2024",
                "description": "Presupuesto ejecutado.",
                "keyword": ["presupuesto"],
                "modified": "2024-05-01",
                "issued": "2024-01-01",
                "publisher": {"name": "Agencia"},
                "contactPoint": {"fn": "Mesa de datos", "hasEmail": "mailto:datos@agency.gov"},
                "accrualPeriodicity": "R/P1Y",
                "superTheme": ["ECON"],
                "license": "https://creativecommons.org/licenses/by/4.0/",
                "distribution": [
                    {
                        "downloadURL": "https://www.agency.gov/p.csv",
                        "mediaType": "text/csv",
                        "title": "CSV",
                        "format": "CSV",
                    }
                ],
            }
        ],
    }
    server.json("/data.json", pod)
    source = source_make(municipality, server.url + "/data.json")
    run = run_now(source)
    assert run.created == 1, list(run.messages.values_list("message", flat=True))
    dataset = Dataset.objects.get(municipality=municipality, is_harvested=True)
    assert dataset.origin_remote_id == "https://www.agency.gov/data/presupuesto-2024"
    assert dataset.identifier == "data-presupuesto-2024"


def test_catalog_xlsx_is_read(server, municipality):
    server.raw(
        "/catalog.xlsx",
        (PYDATAJSON / "catalogo-justicia.valid.xlsx").read_bytes(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    source = source_make(municipality, server.url + "/catalog.xlsx", kind=SourceKind.XLSX)
    run = run_now(source, dry_run=True)
    assert run.status != RunStatus.FAILED, run.error
    assert run.created >= 10
