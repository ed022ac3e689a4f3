"""Writes for harvested datasets (added for the harvest app, issue 5): where a dataset came from.

Kept in its own module so the harvest app can mark the datasets it creates without touching the
other catalog services; the read-only rule itself lives in ``base._ensure_manageable``.
"""

from __future__ import annotations

from django.db import transaction

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor

from ..models import Dataset
from .base import _lock_dataset, _record


@transaction.atomic
def dataset_mark_harvested(*, dataset: Dataset, origin_url: str, remote_id: str, by: Actor) -> Dataset:
    """Record that a dataset is a copy of another portal's (read-only here, linked to the original)."""
    require(by, Action.MANAGE_CATALOG, dataset.municipality)
    dataset = _lock_dataset(dataset)
    values = {"is_harvested": True, "origin_url": origin_url[:1000], "origin_remote_id": remote_id[:300]}
    changes = {k: [getattr(dataset, k), v] for k, v in values.items() if getattr(dataset, k) != v}
    if not changes:
        return dataset
    for name, value in values.items():
        setattr(dataset, name, value)
    dataset.save(update_fields=[*values, "updated_at"])
    _record(dataset, "harvest_origin", by, changes)
    return dataset
