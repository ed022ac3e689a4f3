"""The national profile validator, lent to harvest runs (harvest declares the registry, see
``harvest/checks.py``): a harvested dataset is judged exactly as the openness index judges it —
the same validator over the same entry built from our rows (``facts.published_entries``) — so
its federable flag and the index's "metadatos correctos" agree."""

from __future__ import annotations

from abiertos.catalog.models import Theme
from abiertos.harvest.checks import Verdict, harvest_validator_register

from .facts import published_entries
from .validator import Finding, validate_dataset


def _verdict(findings: list[Finding]) -> Verdict:
    return Verdict(valid=not any(f.level == "error" for f in findings), findings=[f.as_dict() for f in findings])


def harvested_validate(*, entries: dict[str, dict], dataset_ids: dict[str, int]) -> dict[str, Verdict]:
    """Datasets in our catalog as published (``dataset_ids``); the others as their remote entries."""
    verdicts: dict[str, Verdict] = {}
    taxonomy = set(Theme.objects.values_list("identifier", flat=True))
    if dataset_ids:
        published = published_entries(dataset_ids=list(dataset_ids.values()))
        for key, dataset_id in dataset_ids.items():
            if (entry := published.get(dataset_id)) is not None:
                verdicts[key] = _verdict(validate_dataset(entry, path="dataset", taxonomy=taxonomy))
    if entries:
        for key, entry in entries.items():
            verdicts[key] = _verdict(validate_dataset(_as_imported(entry, taxonomy), path="dataset", taxonomy=taxonomy))
    return verdicts


def _as_imported(entry: dict, taxonomy: set[str]) -> dict:
    """The catalog's import keeps only the themes of our taxonomy (the others become a warning of
    the import): judge a remote entry as it would be published, so a preview agrees with the run."""
    themes = entry.get("theme")
    if not isinstance(themes, list):
        return entry
    return {**entry, "theme": [t for t in themes if t in taxonomy]}


def register() -> None:
    harvest_validator_register("monitoring.profile", harvested_validate)
