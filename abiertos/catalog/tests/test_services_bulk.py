"""The bulk write of harvested datasets (services/bulk.py) on its own: checks, guards, trail, signals."""

from __future__ import annotations

import pytest

from abiertos.catalog.imports_mapping import incoming_from_entry
from abiertos.catalog.models import Dataset, DatasetRevision, DatasetSearchEntry, Distribution, Theme
from abiertos.catalog.services.bulk import HarvestedItem, datasets_delete_bulk, datasets_import_bulk
from abiertos.catalog.signals import distribution_files_changed
from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied
from abiertos.core.models import AuditEvent

from .factories import dataset_make

SYSTEM = Actor.system("test")


def _entry(identifier: str, **overrides) -> dict:
    entry = {
        "identifier": identifier,
        "title": f"Conjunto {identifier}",
        "description": "Datos publicados por el portal de origen.",
        "superTheme": ["ECON"],
        "keyword": ["presupuesto"],
        "accrualPeriodicity": "R/P1M",
        "issued": "2024-01-10T09:30:00-03:00",
        "modified": "2024-02-10T09:30:00-03:00",
        "license": "cc-by-4.0",
        "distribution": [
            {
                "identifier": f"{identifier}-csv",
                "title": "Datos en CSV",
                "downloadURL": f"https://datos.example.org/{identifier}.csv",
                "format": "CSV",
                "field": [{"title": "monto", "type": "number"}],
            }
        ],
    }
    entry.update(overrides)
    return entry


def _items(municipality, *entries: dict) -> list[HarvestedItem]:
    known = set(Theme.objects.values_list("identifier", flat=True))
    return [
        HarvestedItem(
            incoming=incoming_from_entry(entry, municipality=municipality, known_themes=known),
            origin_url=f"https://portal.example.org/dataset/{entry['identifier']}",
            remote_id=entry["identifier"],
        )
        for entry in entries
    ]


def test_datasets_import_bulk_skips_the_invalid_and_writes_the_rest(municipality):
    bad = _entry("malo", distribution=[{**_entry("malo")["distribution"][0], "downloadURL": "no es una url"}])
    outcomes = datasets_import_bulk(
        municipality=municipality, items=_items(municipality, _entry("bueno"), bad, _entry("otro")), by=SYSTEM
    )
    assert [o.action for o in outcomes] == ["create", "invalid", "create"]
    assert "Revisá los datos marcados del recurso." in outcomes[1].errors[0]
    assert "url" in outcomes[1].errors[0]
    stored = Dataset.objects.get(pk=outcomes[0].dataset_id)
    assert stored.is_harvested
    assert stored.is_published
    assert stored.origin_url == "https://portal.example.org/dataset/bueno"
    assert [f.title for f in stored.distributions.get().fields.all()] == ["monto"]
    assert not Dataset.objects.filter(identifier="malo").exists()
    assert DatasetSearchEntry.objects.filter(pk__in=[outcomes[0].dataset_id, outcomes[2].dataset_id]).count() == 2


def test_datasets_import_bulk_never_overwrites_a_local_dataset(municipality):
    local = dataset_make(municipality, identifier="propio", title="Conjunto cargado a mano")
    outcomes = datasets_import_bulk(municipality=municipality, items=_items(municipality, _entry("propio")), by=SYSTEM)
    assert outcomes[0].action == "invalid"
    assert "no fue cosechado" in outcomes[0].errors[0]
    local.refresh_from_db()
    assert local.title == "Conjunto cargado a mano"
    assert not local.is_harvested


def test_datasets_import_bulk_refuses_a_resource_identifier_used_elsewhere(municipality):
    first, second = _entry("uno"), _entry("dos")
    second["distribution"][0]["identifier"] = "uno-csv"
    outcomes = datasets_import_bulk(municipality=municipality, items=_items(municipality, first, second), by=SYSTEM)
    assert [o.action for o in outcomes] == ["create", "invalid"]
    assert "uno-csv" in outcomes[1].errors[0]
    assert Distribution.objects.filter(identifier="uno-csv").count() == 1


def test_datasets_import_bulk_is_permission_checked(municipality, editor, other_municipality):
    with pytest.raises(PermissionDenied):
        datasets_import_bulk(
            municipality=other_municipality,
            items=_items(other_municipality, _entry("ajeno")),
            by=Actor.for_user(editor),
        )
    assert not Dataset.objects.filter(identifier="ajeno").exists()


def test_datasets_import_bulk_unchanged_writes_nothing_and_update_keeps_one_revision_each(municipality):
    datasets_import_bulk(municipality=municipality, items=_items(municipality, _entry("a"), _entry("b")), by=SYSTEM)
    again = datasets_import_bulk(
        municipality=municipality, items=_items(municipality, _entry("a"), _entry("b", title="Nuevo")), by=SYSTEM
    )
    assert [o.action for o in again] == ["unchanged", "update"]
    b = Dataset.objects.get(identifier="b")
    assert list(b.revisions.order_by("number").values_list("number", "action")) == [
        (1, "harvest_create"),
        (2, "harvest_update"),
    ]
    assert AuditEvent.objects.filter(action="dataset.harvest_update", target_id=str(b.pk)).get().changes["title"] == [
        "Conjunto b",
        "Nuevo",
    ]
    assert not DatasetRevision.objects.filter(dataset__identifier="a", action="harvest_update").exists()


def test_datasets_import_bulk_announces_new_files_once_after_commit(municipality, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, *, distributions, **kwargs):
        received.append(sorted(d.identifier for d in distributions))

    distribution_files_changed.connect(receiver, dispatch_uid="test-bulk-files")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            datasets_import_bulk(
                municipality=municipality, items=_items(municipality, _entry("x"), _entry("y")), by=SYSTEM
            )
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        distribution_files_changed.disconnect(dispatch_uid="test-bulk-files")
    assert received == [["x-csv", "y-csv"]]


def test_datasets_delete_bulk_hides_with_a_revision_and_event_each(municipality):
    outcomes = datasets_import_bulk(
        municipality=municipality, items=_items(municipality, _entry("p"), _entry("q")), by=SYSTEM
    )
    ids = [o.dataset_id for o in outcomes]
    assert sorted(datasets_delete_bulk(municipality=municipality, dataset_ids=ids, by=SYSTEM)) == sorted(ids)
    assert not Dataset.objects.filter(pk__in=ids, deleted_at__isnull=True).exists()
    assert DatasetRevision.objects.filter(dataset_id__in=ids, action="delete", number=2).count() == 2
    assert AuditEvent.objects.filter(action="dataset.delete", target_id__in=[str(i) for i in ids]).count() == 2
    assert not DatasetSearchEntry.objects.filter(pk__in=ids).exists()
    assert datasets_delete_bulk(municipality=municipality, dataset_ids=ids, by=SYSTEM) == []


def _index_rows(ids: list[int]) -> tuple[list, list]:
    from abiertos.catalog.models import DatasetSearchFacet

    entry_columns = [f.attname for f in DatasetSearchEntry._meta.concrete_fields]
    entries = sorted(DatasetSearchEntry.objects.filter(pk__in=ids).values_list(*entry_columns))
    facets = sorted(
        DatasetSearchFacet.objects.filter(entry_id__in=ids).values_list(
            "entry_id", "facet", "value", "label", "value_ref"
        )
    )
    return entries, facets


def test_datasets_import_bulk_indexes_from_memory_as_datasets_index_would(municipality):
    from abiertos.catalog.models import SearchIndexChange
    from abiertos.catalog.search_index import datasets_index

    two_resources = [
        _entry("uno")["distribution"][0],
        {"identifier": "uno-json", "title": "Datos en JSON", "downloadURL": "https://datos.example.org/uno.json"},
    ]
    first = datasets_import_bulk(
        municipality=municipality,
        items=_items(
            municipality,
            _entry("uno", distribution=two_resources),
            _entry("dos", theme=["presupuesto", "gasto-publico"]),
        ),
        by=SYSTEM,
    )
    ids = [o.dataset_id for o in first]
    changed = _entry("uno", title="Conjunto uno, revisado", keyword=["gasto", "obras"], theme=["obras-publicas"])
    changed["distribution"] = [
        {**two_resources[1], "format": "JSON", "field": [{"title": "importe total"}]},
        {"identifier": "uno-xlsx", "title": "Planilla", "downloadURL": "https://datos.example.org/uno.xlsx"},
    ]
    before_log = SearchIndexChange.objects.count()
    second = datasets_import_bulk(municipality=municipality, items=_items(municipality, changed), by=SYSTEM)
    assert second[0].action == "update"
    # The change log names the updated dataset, for the processes that keep a copy of the index.
    assert list(SearchIndexChange.objects.order_by("pk").values_list("dataset_id", flat=True)[before_log:]) == [ids[0]]
    from_memory = _index_rows(ids)
    entries, facets = from_memory
    assert len(entries) == 2
    assert ("theme", "obras-publicas") in {(f[1], f[2]) for f in facets if f[0] == ids[0]}
    assert ("format", "XLSX") in {(f[1], f[2]) for f in facets if f[0] == ids[0]}
    assert ("format", "CSV") not in {(f[1], f[2]) for f in facets if f[0] == ids[0]}
    assert {(f[1], f[2]) for f in facets if f[0] == ids[1] and f[1] == "theme"} == {
        ("theme", "presupuesto"),
        ("theme", "gasto-publico"),
    }
    datasets_index(dataset_ids=ids)
    assert _index_rows(ids) == from_memory


def test_datasets_import_bulk_of_planned_items_still_checks_what_the_plan_does_not(municipality):
    long_format = {**_entry("largo")["distribution"][0], "format": "X" * 200}
    items = _items(municipality, _entry("bien"), _entry("largo", distribution=[long_format]))
    for item in items:
        item.planned = True
    outcomes = datasets_import_bulk(municipality=municipality, items=items, by=SYSTEM)
    assert [o.action for o in outcomes] == ["create", "invalid"]
    assert outcomes[1].errors[0].startswith("Revisá los datos marcados del recurso. format: Puede tener hasta")
