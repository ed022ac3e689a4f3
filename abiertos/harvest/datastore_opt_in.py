"""Harvested tabular distributions go to the datastore only when their source opted in.

The datastore loads every distribution whose file changed (``catalog.signals.distribution_file_changed``,
received by ``datastore.receivers.on_distribution_file_changed``). For harvested datasets that is
a choice per source, so this app replaces that connection with one that asks first, then hands
over to the datastore's own receiver unchanged. Everything that is not harvested goes through
exactly as before. The bulk import's one signal per batch (``distribution_files_changed``) is
filtered the same way with two queries for the whole batch.
"""

from __future__ import annotations

from abiertos.catalog.models import Dataset, Distribution
from abiertos.catalog.signals import distribution_file_changed, distribution_files_changed

from .models import HarvestRecord

DATASTORE_DISPATCH_UID = "datastore.ingest_on_file_change"
DISPATCH_UID = "harvest.datastore_opt_in"
DATASTORE_BULK_DISPATCH_UID = "datastore.ingest_on_files_change"
BULK_DISPATCH_UID = "harvest.datastore_opt_in_bulk"


def harvest_wants_datastore(distribution: Distribution) -> bool:
    """Whether a distribution may be loaded: always if not harvested, else if its source opted in."""
    # Read from the database: the instance the signal carries may predate the harvest's marking.
    if not Dataset.objects.filter(pk=distribution.dataset_id, is_harvested=True).exists():
        return True
    return HarvestRecord.objects.filter(dataset_id=distribution.dataset_id, source__send_to_datastore=True).exists()


def harvest_wanting_datastore(distributions: list[Distribution]) -> list[Distribution]:
    """The distributions among these that may be loaded (``harvest_wants_datastore`` for a batch)."""
    dataset_ids = {d.dataset_id for d in distributions}
    harvested = set(Dataset.objects.filter(pk__in=dataset_ids, is_harvested=True).values_list("pk", flat=True))
    opted = HarvestRecord.objects.filter(dataset_id__in=harvested, source__send_to_datastore=True)
    allowed = set(opted.values_list("dataset_id", flat=True))
    return [d for d in distributions if d.dataset_id not in harvested or d.dataset_id in allowed]


def connect() -> None:
    from abiertos.datastore.receivers import on_distribution_file_changed, on_distribution_files_changed

    def on_files_changed(sender, *, distributions: list[Distribution], **kwargs) -> None:
        wanted = harvest_wanting_datastore(distributions)
        if wanted:
            on_distribution_files_changed(sender, distributions=wanted, **kwargs)

    def on_file_changed(sender, *, distribution: Distribution, **kwargs) -> None:
        if harvest_wants_datastore(distribution):
            on_distribution_file_changed(sender, distribution=distribution, **kwargs)

    if distribution_file_changed.disconnect(dispatch_uid=DATASTORE_DISPATCH_UID):
        distribution_file_changed.connect(on_file_changed, dispatch_uid=DISPATCH_UID, weak=False)
    if distribution_files_changed.disconnect(dispatch_uid=DATASTORE_BULK_DISPATCH_UID):
        distribution_files_changed.connect(on_files_changed, dispatch_uid=BULK_DISPATCH_UID, weak=False)
