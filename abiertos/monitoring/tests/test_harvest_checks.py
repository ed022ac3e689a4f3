"""A harvest run's validation judges what its bulk import wrote from memory (harvest_checks.py):
the entries and verdicts must be those of the same datasets read back from the database."""

from __future__ import annotations

from abiertos.catalog.imports_mapping import incoming_from_entry
from abiertos.catalog.models import Theme
from abiertos.catalog.services.bulk import HarvestedItem, datasets_import_bulk
from abiertos.core.actors import Actor
from abiertos.monitoring.facts import published_entries
from abiertos.monitoring.harvest_checks import _in_memory, harvested_validate

SYSTEM = Actor.system("test")


def _entry(identifier: str, **overrides) -> dict:
    entry = {
        "identifier": identifier,
        "title": f"Conjunto {identifier}",
        "description": "Datos publicados por el portal de origen.",
        "superTheme": ["ECON"],
        "theme": ["presupuesto"],
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
                "issued": "2024-01-11T10:00:00-03:00",
            }
        ],
    }
    entry.update(overrides)
    return entry


def _import(municipality, *entries: dict):
    known = set(Theme.objects.values_list("identifier", flat=True))
    items = [
        HarvestedItem(
            incoming=incoming_from_entry(entry, municipality=municipality, known_themes=known),
            origin_url=f"https://portal.example.org/dataset/{entry['identifier']}",
            remote_id=entry["identifier"],
        )
        for entry in entries
    ]
    return datasets_import_bulk(municipality=municipality, items=items, by=SYSTEM)


def test_written_datasets_are_judged_as_read_back(municipality):
    without_dates = _entry("sin-fechas", modified=None, issued=None, accrualPeriodicity="eventual")
    _import(municipality, _entry("viejo"))
    json_resource = {"identifier": "viejo-json", "title": "JSON", "downloadURL": "https://datos.example.org/v.json"}
    outcomes = _import(
        municipality,
        _entry("otro", keyword=["gasto", "obras"]),
        without_dates,
        # An update: one resource replaced by another (the CSV is soft-deleted, the JSON added).
        _entry("viejo", title="Conjunto viejo, revisado", distribution=[json_resource]),
    )
    assert [o.action for o in outcomes] == ["create", "create", "update"], [o.errors for o in outcomes]
    written = {o.written.dataset.identifier: o.written for o in outcomes}
    dataset_ids = {key: w.dataset.pk for key, w in written.items()}
    read = published_entries(dataset_ids=list(dataset_ids.values()))
    for key, pk in dataset_ids.items():
        assert _in_memory(written[key]) == read[pk], key
    assert [d["identifier"] for d in read[dataset_ids["viejo"]]["distribution"]] == ["viejo-json"]
    from_memory = harvested_validate(entries={}, dataset_ids=dataset_ids, written=written)
    from_database = harvested_validate(entries={}, dataset_ids=dataset_ids)
    assert from_memory == from_database
    assert set(from_memory) == set(dataset_ids)


def test_a_written_dataset_of_an_inactive_municipality_gets_no_verdict(municipality):
    outcomes = _import(municipality, _entry("uno"))
    municipality.is_active = False
    written = {"uno": outcomes[0].written}
    written["uno"].municipality.is_active = False
    assert harvested_validate(entries={}, dataset_ids={"uno": outcomes[0].dataset_id}, written=written) == {}
