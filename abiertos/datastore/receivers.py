"""What the datastore does when the catalog says a distribution's file changed."""

from __future__ import annotations

from abiertos.catalog.models import Distribution
from abiertos.core.actors import Actor

from .services import datastore_ingest_enqueue
from .sniffing import TABULAR_EXTENSIONS, extension_of


def is_tabular(distribution: Distribution) -> bool:
    name = distribution.file_name or distribution.file.name or distribution.external_url or distribution.access_url
    return (distribution.format or "").lower() in TABULAR_EXTENSIONS or extension_of(name or "") in TABULAR_EXTENSIONS


def on_distribution_file_changed(sender, *, distribution: Distribution, **kwargs) -> None:
    """Queue a load of a tabular distribution's new file (sent after the catalog's transaction commits)."""
    if distribution.deleted_at is None and is_tabular(distribution):
        datastore_ingest_enqueue(distribution=distribution, by=Actor.system("datastore"))


def on_distribution_files_changed(sender, *, distributions: list[Distribution], **kwargs) -> None:
    """The same for a bulk write's distributions (sent once for the batch)."""
    for distribution in distributions:
        on_distribution_file_changed(sender, distribution=distribution)
