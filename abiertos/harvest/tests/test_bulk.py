"""The bulk import path against the per-dataset path, on recorded real catalogs, field by field.

Each catalog is harvested twice (as recorded, then changed: titles, keywords, a resource added, a
resource removed, a URL changed, a dataset gone) once through the bulk path and once through the
per-dataset path (forced by making the bulk write fail, which is also the path's fallback), from
an empty catalog each time; what is stored after each run must be the same. Timestamps the
services stamp with "now" differ between the runs and are compared as "now".
"""

from __future__ import annotations

import copy
import importlib
import json
from datetime import datetime, timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from abiertos.catalog.models import (
    Dataset,
    DatasetExportFragment,
    DatasetRevision,
    DatasetSearchEntry,
    DatasetSearchFacet,
    Distribution,
)
from abiertos.core.models import AuditEvent
from abiertos.harvest import importing
from abiertos.harvest.models import HarvestRecord, HarvestSource, SourceKind

from .factories import run_now, source_make
from .servers import DATA, ckan_list_route, ckan_search_route

CATALOGS = DATA / "catalogs"
ANDINO = DATA / "ckan" / "andino_api_responses"
DATAJSON_CATALOGS = [
    "pydatajson/catalogo_justicia.json",
    "pydatajson/full_data.json",
    "pydatajson/several_datasets_for_harvest.json",
    "pydatajson/time_series_data.json",
    "enargas_catalog_2018.json",
]
DATASET_SKIPPED = {"id", "uuid", "municipality", "created_at", "updated_at", "version", "created_by", "updated_by"}
DISTRIBUTION_SKIPPED = {"id", "uuid", "dataset", "created_at", "updated_at"}
COUNTS = ("created", "updated", "unchanged", "withdrawn", "restored", "failed")


class _Clock:
    """Datetimes stamped during a run read as "now"; the others as themselves."""

    def __init__(self):
        self.start = timezone.now() - timedelta(seconds=1)

    def __call__(self, value):
        if isinstance(value, datetime) and self.start <= value <= timezone.now() + timedelta(seconds=1):
            return "now"
        return value


def _row(instance, skipped: set[str], clock: _Clock) -> dict:
    return {
        f.attname: clock(getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
        if f.name not in skipped and f.attname not in skipped
    }


def _stored(municipality, source: HarvestSource, clock: _Clock) -> dict:
    """Everything a harvest stores for the municipality, without ids and run-dependent stamps."""
    datasets = {}
    for dataset in Dataset.objects.filter(municipality=municipality).prefetch_related("themes"):
        row = _row(dataset, DATASET_SKIPPED | {"deleted_by"}, clock)
        row["themes"] = sorted(t.identifier for t in dataset.themes.all())
        row["distributions"] = {
            d.identifier: {
                **_row(d, DISTRIBUTION_SKIPPED, clock),
                "fields": [(f.position, f.title, f.type, f.description, f.units) for f in d.fields.all()],
            }
            for d in Distribution.objects.filter(dataset=dataset)
        }
        entry = DatasetSearchEntry.objects.filter(pk=dataset.pk).first()
        row["search"] = entry and {
            "terms": (entry.title_terms, entry.keyword_terms, entry.body_terms, entry.title_sort, entry.name),
            "visible": (entry.is_published, entry.is_public),
            "modified": clock(entry.modified),
            "facets": sorted(DatasetSearchFacet.objects.filter(entry=entry).values_list("facet", "value", "label")),
        }
        datasets[dataset.identifier] = row
    records = sorted(
        (r.remote_id, r.identifier, r.content_hash, r.dataset_id is not None, r.withdrawn_at is not None)
        for r in HarvestRecord.objects.filter(source=source)
    )
    return {"datasets": datasets, "records": records}


def _wipe(municipality) -> None:
    HarvestSource.objects.filter(municipality=municipality).delete()
    Dataset.objects.filter(municipality=municipality).delete()


def _harvest_twice(server, municipality, publish, *, kind: str, url: str) -> list:
    """(counts, stored) after the first and after the changed catalog's run."""
    clock = _Clock()
    publish(0)
    source = source_make(municipality, url, kind=kind)
    results = []
    for version in (0, 1):
        publish(version)
        run = run_now(source)
        results.append(({k: getattr(run, k) for k in COUNTS}, _stored(municipality, source, clock)))
    _wipe(municipality)
    return results


def _bulk_fails(**kwargs):
    raise RuntimeError("forced: use the per-dataset path")


def _both_paths(monkeypatch, server, municipality, publish, *, kind: str, url: str):
    bulk = _harvest_twice(server, municipality, publish, kind=kind, url=url)
    with monkeypatch.context() as patch:
        patch.setattr(importing, "datasets_import_bulk_prepare", _bulk_fails)
        per_dataset = _harvest_twice(server, municipality, publish, kind=kind, url=url)
    return bulk, per_dataset


def _changed(catalog: dict) -> dict:
    """The same catalog after a day at the source: edits, a new and a removed resource, a dataset gone."""
    catalog = copy.deepcopy(catalog)
    datasets = [d for d in catalog.get("dataset", []) if isinstance(d, dict)]
    if len(datasets) > 5:  # one of many: below the source's withdrawal threshold
        catalog["dataset"].remove(datasets.pop())
    for dataset in datasets[::2]:
        dataset["title"] = (str(dataset.get("title") or "") + " (actualizado)")[:100]
        dataset["keyword"] = [*(dataset.get("keyword") or []), "cosecha"]
    first = datasets[0]
    if first.get("distribution"):
        added = copy.deepcopy(first["distribution"][0])
        added["identifier"] = f"{added.get('identifier') or 'recurso'}-nuevo"
        added["downloadURL"] = "https://datos.example.org/nuevo.csv"
        added["title"] = "Recurso agregado en el origen"
        first["distribution"].append(added)
    if len(datasets) > 1 and datasets[1].get("distribution"):
        dists = datasets[1]["distribution"]
        if len(dists) > 1:
            dists.pop()
        else:
            dists[0]["downloadURL"] = "https://datos.example.org/cambiado.csv"
        for dist in dists:
            dist["description"] = "Recurso descripto de nuevo en el origen"
            for item in dist.get("field") or []:
                item["description"] = "Descripción cambiada en el origen"
    return catalog


@pytest.mark.parametrize("name", DATAJSON_CATALOGS)
def test_bulk_path_stores_what_the_per_dataset_path_stores(name, server, municipality, monkeypatch):
    original = json.loads((CATALOGS / name).read_text())
    if name.endswith("full_data.json"):
        # Its license is written as a title we do not map: as a code, its datasets (with data
        # dictionaries) are imported rather than refused.
        for dataset in original["dataset"]:
            dataset["license"] = "odc-odbl"
    versions = [original, _changed(original)]

    def publish(version: int) -> None:
        server.json("/data.json", versions[version])

    bulk, per_dataset = _both_paths(
        monkeypatch, server, municipality, publish, kind=SourceKind.DATAJSON, url=server.url + "/data.json"
    )
    assert bulk[0][0]["created"] >= 2
    assert bulk[1][0]["updated"] >= 1
    for (bulk_counts, bulk_stored), (one_counts, one_stored) in zip(bulk, per_dataset, strict=True):
        assert bulk_counts == one_counts
        assert bulk_stored["records"] == one_stored["records"]
        assert bulk_stored["datasets"].keys() == one_stored["datasets"].keys()
        for identifier, row in bulk_stored["datasets"].items():
            assert row == one_stored["datasets"][identifier], identifier


def _ckan_packages(version: int) -> list[dict]:
    recorded = json.loads((ANDINO / "package_search_count3.json").read_text())["result"]["results"]
    valid = json.loads((ANDINO / "package_show_200.json").read_text())["result"]
    valid["license_id"] = "cc-by-4.0"
    wrong_license = json.loads((ANDINO / "package_show_200.json").read_text())["result"]
    wrong_license["id"], wrong_license["name"] = "otro-id", "otro-nombre"
    if version:
        valid["title"] = "Título cambiado en el portal de origen"
        valid["resources"][0]["url"] = "https://datos.example.org/otro.csv"
        valid["metadata_modified"] = "2030-01-01T00:00:00.000000"
    return [*recorded, valid, wrong_license]


def test_bulk_path_matches_on_a_recorded_andino_portal(server, municipality, monkeypatch):
    def publish(version: int) -> None:
        packages = _ckan_packages(version)
        server.routes["/api/3/action/package_search"] = ckan_search_route(packages)
        server.routes["/api/3/action/package_list"] = ckan_list_route(packages)

    bulk, per_dataset = _both_paths(monkeypatch, server, municipality, publish, kind=SourceKind.CKAN, url=server.url)
    assert bulk[0][0]["created"] == 1
    assert bulk[1][0]["updated"] == 1
    assert bulk == per_dataset


def test_bulk_revision_audit_and_export_fragment_per_changed_dataset(server, municipality):
    catalog = json.loads((CATALOGS / "pydatajson/catalogo_justicia.json").read_text())
    server.json("/data.json", catalog)
    source = source_make(municipality, server.url + "/data.json")
    first = run_now(source)
    datasets = Dataset.objects.filter(municipality=municipality)
    assert DatasetRevision.objects.filter(dataset__in=datasets, action="harvest_create").count() == first.created
    created_events = AuditEvent.objects.filter(action="dataset.harvest_create", municipality=municipality)
    assert sorted(int(pk) for pk in created_events.values_list("target_id", flat=True)) == sorted(
        datasets.values_list("pk", flat=True)
    )
    changed = datasets.get(identifier=catalog["dataset"][0]["identifier"])
    DatasetExportFragment.objects.create(dataset=changed, key="antes", entry="{}")
    catalog["dataset"][0]["title"] = "Título cambiado en el origen"
    server.json("/data.json", catalog)
    second = run_now(source)
    assert second.updated == 1
    revision = DatasetRevision.objects.get(dataset=changed, action="harvest_update")
    assert revision.number == 2
    assert revision.snapshot["title"] == "Título cambiado en el origen"
    event = AuditEvent.objects.get(action="dataset.harvest_update", target_id=str(changed.pk))
    assert event.changes["title"][1] == "Título cambiado en el origen"
    assert not DatasetExportFragment.objects.filter(dataset=changed).exists()
    changed.refresh_from_db()
    assert changed.version == 2
    assert "cambi" in DatasetSearchEntry.objects.get(pk=changed.pk).title_terms.split()


def _without_issued(catalog: dict) -> dict:
    """The catalog as a source that gives only ``modified`` (as many CKAN exports and DCAT-US do)."""
    catalog = copy.deepcopy(catalog)
    for dataset in catalog["dataset"]:
        dataset.pop("issued", None)
        dataset["modified"] = "2020-03-04T10:00:00-03:00"
    return catalog


MODIFIED_AT_SOURCE = datetime.fromisoformat("2020-03-04T10:00:00-03:00")


@pytest.mark.parametrize("path", ["bulk", "per_dataset"])
def test_import_paths_take_issued_from_modified_when_the_source_gives_only_modified(
    path, server, municipality, monkeypatch
):
    if path == "per_dataset":
        monkeypatch.setattr(importing, "datasets_import_bulk", _bulk_fails)
    catalog = _without_issued(json.loads((CATALOGS / "pydatajson/catalogo_justicia.json").read_text()))
    server.json("/data.json", catalog)
    run = run_now(source_make(municipality, server.url + "/data.json"))
    datasets = Dataset.objects.filter(municipality=municipality)
    assert run.created == datasets.count() >= 10
    assert {(d.issued, d.modified) for d in datasets} == {(MODIFIED_AT_SOURCE, MODIFIED_AT_SOURCE)}
    warnings = run.messages.filter(message__contains="Sin fecha de publicación (issued)")
    assert warnings.count() == len(catalog["dataset"])


def test_bulk_path_stores_what_the_per_dataset_path_stores_when_the_source_gives_only_modified(
    server, municipality, monkeypatch
):
    original = _without_issued(json.loads((CATALOGS / "pydatajson/catalogo_justicia.json").read_text()))
    versions = [original, _changed(original)]

    def publish(version: int) -> None:
        server.json("/data.json", versions[version])

    bulk, per_dataset = _both_paths(
        monkeypatch, server, municipality, publish, kind=SourceKind.DATAJSON, url=server.url + "/data.json"
    )
    assert bulk == per_dataset
    assert {row["issued"] for row in bulk[0][1]["datasets"].values()} == {MODIFIED_AT_SOURCE}


def test_datasets_harvested_without_issued_are_imported_again_after_the_migration(server, municipality):
    """Rows stored before the mapping took ``issued`` from ``modified`` are fixed by the next run."""
    migration = importlib.import_module("abiertos.harvest.migrations.0003_reimport_datasets_without_issued")
    catalog = _without_issued(json.loads((CATALOGS / "pydatajson/catalogo_justicia.json").read_text()))
    server.json("/data.json", catalog)
    source = source_make(municipality, server.url + "/data.json")
    first = run_now(source)
    Dataset.objects.filter(municipality=municipality).update(issued=None)  # as the old mapping left them
    migration.records_of_datasets_without_issued_forget_their_hash(django_apps, None)
    assert set(HarvestRecord.objects.filter(source=source).values_list("content_hash", flat=True)) == {""}
    second = run_now(source)
    assert second.updated == first.created
    assert set(Dataset.objects.filter(municipality=municipality).values_list("issued", flat=True)) == {
        MODIFIED_AT_SOURCE
    }
    assert run_now(source).unchanged == first.created
