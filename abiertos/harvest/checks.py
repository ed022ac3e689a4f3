"""Validation of harvested datasets against the national profile, provided by a higher app.

Harvest sits below monitoring, which owns the validator: monitoring registers a validator here in
its ``AppConfig.ready()``, and a run asks it about the datasets it created or updated (what our
catalog now publishes) or, in a dry run, about the remote entries. A dataset is **federable**
when it is in our catalog and the validator found no error in it; the run report lists each
dataset's findings, and the record keeps the flag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import HarvestCheck, HarvestRecord, HarvestRun
from .readers import RemoteDataset


@dataclass(frozen=True)
class Verdict:
    """What the validator says about one dataset: valid (no error) and its findings, each a dict
    with ``level`` (error or warning), ``path``, ``message``, ``fix`` and ``profile`` (a rule of the
    national validator, or one of ours), in Spanish."""

    valid: bool
    findings: list[dict] = field(default_factory=list)


# validator(*, entries, dataset_ids, written) -> {key: Verdict}: ``dataset_ids`` maps a key to a
# dataset in our catalog (validated as published); ``entries`` maps the other keys to data.json-shaped
# entries; ``written`` maps some keys of ``dataset_ids`` to their dataset as the run's bulk import has
# just written it (``catalog.services.bulk.BulkOutcome.written``), to judge without reading it back.
Validator = Callable[..., dict[str, Verdict]]
_validators: dict[str, Validator] = {}


def harvest_validator_register(name: str, validator: Validator) -> None:
    """Called by a higher app in its ``ready()``; registering the same name again replaces it."""
    _validators[name] = validator


def harvest_validate(
    *, entries: dict[str, dict], dataset_ids: dict[str, int], written: dict[str, object] | None = None
) -> dict[str, Verdict] | None:
    """Every registered validator's verdict per key, merged (valid only if valid for all); None if
    no validator is registered, so nothing is marked federable or not."""
    if not _validators:
        return None
    merged: dict[str, Verdict] = {}
    for validator in _validators.values():
        for key, verdict in validator(entries=entries, dataset_ids=dataset_ids, written=written or {}).items():
            before = merged.get(key)
            if before is None:
                merged[key] = verdict
            else:
                merged[key] = Verdict(before.valid and verdict.valid, [*before.findings, *verdict.findings])
    return merged


CHUNK = 500


def _check_of(run: HarvestRun, remote: RemoteDataset, dataset_id: int | None, verdict: Verdict, failed: bool):
    levels = [f.get("level") for f in verdict.findings]
    return HarvestCheck(
        run=run,
        remote_id=remote.remote_id[:300],
        identifier=remote.identifier[:100],
        title=str(remote.entry.get("title") or "")[:300],
        dataset_id=dataset_id,
        # Federable: without errors, and in our catalog (a preview: about to be, not failing).
        federable=verdict.valid and (not failed if run.dry_run else dataset_id is not None),
        errors=levels.count("error"),
        warnings=levels.count("warning"),
        findings=verdict.findings,
    )


def harvest_run_validate(
    *, run: HarvestRun, changed: list[RemoteDataset], failed: set[str], written: dict[str, object] | None = None
) -> list[HarvestCheck]:
    """Validate what a run brought in: the datasets it created or updated as our catalog now
    publishes them (a dry run: the remote entries); ``failed`` are the remote ids that could not be
    imported; ``written``, those the bulk import wrote, as it holds them (not read back). Returns the
    unsaved checks; a real run also sets each record's federable flag."""
    checks: list[HarvestCheck] = []
    seen: set[str] = set()
    written = {} if run.dry_run else (written or {})
    for start in range(0, len(changed), CHUNK):
        chunk = changed[start : start + CHUNK]
        in_memory = {r.remote_id: written[r.remote_id] for r in chunk if r.remote_id in written}
        in_catalog = (
            {} if run.dry_run else _datasets_of(run, [r.remote_id for r in chunk if r.remote_id not in in_memory])
        )
        in_catalog.update({key: loaded.dataset.pk for key, loaded in in_memory.items()})
        entries = {r.remote_id: r.entry for r in chunk if r.remote_id not in in_catalog}
        verdicts = harvest_validate(entries=entries, dataset_ids=in_catalog, written=in_memory)
        if verdicts is None:
            return []
        for remote in chunk:
            verdict = verdicts.get(remote.remote_id)
            if verdict is None or remote.remote_id[:300] in seen:  # one check per remote id and run
                continue
            seen.add(remote.remote_id[:300])
            dataset_id = in_catalog.get(remote.remote_id)
            checks.append(_check_of(run, remote, dataset_id, verdict, remote.remote_id in failed))
    if not run.dry_run:
        _flag_records(run, checks)
    return checks


def _datasets_of(run: HarvestRun, remote_ids: list[str]) -> dict[str, int]:
    records = HarvestRecord.objects.filter(
        source=run.source, remote_id__in=remote_ids, dataset__isnull=False, dataset__deleted_at__isnull=True
    )
    return dict(records.values_list("remote_id", "dataset_id"))


def _flag_records(run: HarvestRun, checks: list[HarvestCheck]) -> None:
    for federable in (True, False):
        remote_ids = [c.remote_id for c in checks if c.federable is federable and c.dataset_id is not None]
        for start in range(0, len(remote_ids), CHUNK):
            batch = remote_ids[start : start + CHUNK]
            HarvestRecord.objects.filter(source=run.source, remote_id__in=batch).update(federable=federable)
