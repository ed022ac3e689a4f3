"""The national profile validator, lent to harvest runs (harvest declares the registry, see
``harvest/checks.py``): a harvested dataset is judged exactly as the openness index judges it —
the same validator over the same entry built from our rows (``facts.published_entries``) — so
its federable flag and the index's "metadatos correctos" agree."""

from __future__ import annotations

from abiertos.catalog.models import Theme
from abiertos.harvest.checks import Verdict, harvest_validator_register

from .facts import published_entries, written_entry
from .validator import Finding, validate_dataset


def _verdict(findings: list[Finding]) -> Verdict:
    return Verdict(valid=not any(f.level == "error" for f in findings), findings=[f.as_dict() for f in findings])


def _in_memory(written) -> dict | None:
    """The published entry of a dataset the run's bulk import wrote, from the objects it holds
    (``catalog.services.bulk.BulkOutcome.written``); None when it is not public."""
    if not written.municipality.is_active:
        return None
    return written_entry(
        dataset=written.dataset,
        themes=[t.identifier for t in written.themes],
        distributions=[d for d, _fields in written.distributions],
    )


def harvested_validate(
    *, entries: dict[str, dict], dataset_ids: dict[str, int], written: dict | None = None
) -> dict[str, Verdict]:
    """Datasets in our catalog as published (``dataset_ids``; those in ``written`` from memory, the
    others read back); the others as their remote entries."""
    verdicts: dict[str, Verdict] = {}
    written = written or {}
    taxonomy = set(Theme.objects.values_list("identifier", flat=True))
    if dataset_ids:
        published = {key: _in_memory(written[key]) for key in dataset_ids if key in written}
        read = published_entries(dataset_ids=[pk for key, pk in dataset_ids.items() if key not in written])
        published.update({key: read.get(pk) for key, pk in dataset_ids.items() if key not in written})
        for key, entry in published.items():
            if entry is not None:
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
