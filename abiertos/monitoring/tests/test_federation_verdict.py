"""The province data.json's fast verdict (``dataset_has_errors``, stopped at the first error, no
message built) against the full validator's findings, on every dataset of the shared catalogs and
on damaged copies of them (valid and invalid entries alike)."""

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings

from abiertos.monitoring.federation import entry_federable
from abiertos.monitoring.validator import dataset_has_errors, validate_dataset

CATALOGS = Path(settings.BASE_DIR).parent / "shared" / "data" / "catalogs"

# Values that break one rule or another wherever they land (type, emptiness, format, URI, dates).
BAD_VALUES = (None, "", 5, True, [], ["", 3], {}, "no es una uri", "2020-13-45", "2020-01-01T25:00:00", "R/P9X", "a b")


def _datasets() -> list[tuple[dict, set[str] | None]]:
    found = []
    for path in sorted(CATALOGS.rglob("*.json")):
        try:
            catalog = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if not isinstance(catalog, dict) or not isinstance(catalog.get("dataset"), list):
            continue
        themes = catalog.get("themeTaxonomy")
        taxonomy = {str(t.get("id")) for t in themes if isinstance(t, dict)} if isinstance(themes, list) else None
        found += [(dataset, taxonomy) for dataset in catalog["dataset"] if isinstance(dataset, dict)]
    return found


def _damaged(dataset: dict):
    """Copies of the dataset with one key removed or replaced by a bad value, in the dataset and in
    its first distribution."""
    for key in list(dataset):
        without = copy.deepcopy(dataset)
        del without[key]
        yield without
        for value in BAD_VALUES:
            changed = copy.deepcopy(dataset)
            changed[key] = value
            yield changed
    distributions = dataset.get("distribution")
    if isinstance(distributions, list) and distributions and isinstance(distributions[0], dict):
        for key in list(distributions[0]):
            for value in (*BAD_VALUES, "<missing>"):
                changed = copy.deepcopy(dataset)
                if value == "<missing>":
                    del changed["distribution"][0][key]
                else:
                    changed["distribution"][0][key] = value
                yield changed


def _full_verdict(dataset: dict, taxonomy: set[str] | None) -> bool:
    return any(f.level == "error" for f in validate_dataset(dataset, path="dataset", taxonomy=taxonomy))


def test_the_shared_catalogs_hold_datasets_of_both_verdicts():
    verdicts = [_full_verdict(dataset, taxonomy) for dataset, taxonomy in _datasets()]
    assert len(verdicts) > 50
    assert True in verdicts
    assert False in verdicts


@pytest.mark.parametrize("damage", [False, True], ids=["as-published", "damaged"])
def test_fast_verdict_equals_the_validators(damage):
    compared = {True: 0, False: 0}
    for dataset, taxonomy in _datasets()[: 15 if damage else None]:
        for entry in _damaged(dataset) if damage else [dataset]:
            for themes in (taxonomy, None, set()):
                expected = _full_verdict(entry, themes)
                assert dataset_has_errors(entry, taxonomy=themes) is expected, (entry, themes)
                assert entry_federable(entry, themes or set()) is not _full_verdict(entry, themes or set())
                compared[expected] += 1
    assert compared[True] > 0, compared
    assert compared[False] > 0, compared
