"""The import stage's bulk path: a chunk of planned datasets written by one catalog service call.

``datasets_import_bulk`` (catalog/services/bulk.py) checks each dataset of the chunk and writes
the valid ones together; the chunk's harvest records are written in the same transaction (the
datastore's opt-in check reads them when it commits). Datasets the plan already refused, and
those the owner check refuses (a dataset of the catalog not harvested from this source), go
through the per-dataset path, which records their failure. If the bulk write itself fails (an
unexpected database error), nothing of the chunk is kept and the chunk is imported again one
dataset per transaction, so one bad dataset still fails alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from abiertos.catalog.services.bulk import (
    HarvestedItem,
    datasets_import_bulk_prepare,
    datasets_import_bulk_write,
    save_rows,
)
from abiertos.core.actors import Actor
from abiertos.core.inserts import objects_insert

from .models import HarvestRecord, HarvestRun, MessageLevel, Stage
from .readers import RemoteDataset

logger = logging.getLogger(__name__)

BULK_CHUNK = 300
RECORD_COLUMNS = ("pk", "remote_id", "identifier", "dataset_id", "content_hash", "withdrawn_at", "hidden_at")
UPDATED_COLUMNS = [
    "identifier",
    "dataset",
    "content_hash",
    "remote_modified",
    "origin_url",
    "last_seen_run",
    "last_seen_at",
]


@dataclass(slots=True)
class Record:
    """What a run needs of a harvest record, read as plain values (no model objects)."""

    pk: int
    remote_id: str
    identifier: str
    dataset_id: int | None
    content_hash: str
    withdrawn_at: object
    hidden_at: object


def records_of(run: HarvestRun) -> dict[str, Record]:
    rows = HarvestRecord.objects.filter(source_id=run.source_id).values_list(*RECORD_COLUMNS)
    return {row[1]: Record(*row) for row in rows}


def records_write(run: HarvestRun, rows: list[tuple[RemoteDataset, Record | None, int | None]]) -> None:
    """Save the records of a chunk: (remote dataset, its record if any, the dataset written or None)."""
    now = timezone.now()
    new, old = [], []
    for remote, record, dataset_id in rows:
        values = {
            "identifier": remote.identifier,
            "dataset_id": dataset_id if dataset_id is not None else (record.dataset_id if record else None),
            # A failed dataset keeps no hash, so the next run tries it again and reports it again.
            "content_hash": remote.content_hash if dataset_id is not None else "",
            "remote_modified": remote.remote_modified,
            "origin_url": remote.origin_url[:1000],
            "last_seen_run_id": run.pk,
            "last_seen_at": now,
        }
        if record is None:
            new.append(HarvestRecord(source_id=run.source_id, remote_id=remote.remote_id, **values))
        else:
            old.append(HarvestRecord(pk=record.pk, **values))
    objects_insert(new)
    save_rows(HarvestRecord, old, UPDATED_COLUMNS)


@dataclass
class Chunk:
    """Planned datasets of one chunk that the bulk path may write (the plan found them valid)."""

    planned: list
    remotes: list[RemoteDataset]
    records: list[Record | None]


def _write_chunk(ctx, chunk: Chunk, by: Actor) -> list:
    run = ctx.run
    items = [
        HarvestedItem(incoming=p.incoming, origin_url=r.origin_url, remote_id=r.remote_id, planned=True)
        for p, r in zip(chunk.planned, chunk.remotes, strict=True)
    ]
    # Checked and built before the transaction: on SQLite it holds the write lock from its start.
    batch = datasets_import_bulk_prepare(municipality=run.source.municipality, items=items, by=by)
    with transaction.atomic():
        outcomes = datasets_import_bulk_write(batch=batch)
        records_write(run, list(zip(chunk.remotes, chunk.records, [o.dataset_id for o in outcomes], strict=True)))
    return outcomes


def chunk_import(ctx, chunk: Chunk, by: Actor, one_by_one: Callable) -> None:
    """Write a chunk in bulk and count it; on an unexpected failure, write it one dataset at a time."""
    if not chunk.planned:
        return
    try:
        outcomes = _write_chunk(ctx, chunk, by)
    except Exception:  # noqa: BLE001 (the per-dataset path isolates whatever failed)
        logger.warning("Bulk import of %d datasets failed; importing one by one", len(chunk.planned), exc_info=True)
        for planned, remote, record in zip(chunk.planned, chunk.remotes, chunk.records, strict=True):
            one_by_one(planned, remote, record)
        return
    run = ctx.run
    for outcome, remote in zip(outcomes, chunk.remotes, strict=True):
        if outcome.errors:
            run.failed += 1
            for error in outcome.errors:
                ctx.log(MessageLevel.ERROR, Stage.IMPORT, remote.remote_id, error)
            continue
        counter = {"create": "created", "update": "updated"}.get(outcome.action, "unchanged")
        setattr(run, counter, getattr(run, counter) + 1)
        if outcome.written is not None:
            ctx.written[remote.remote_id] = outcome.written
