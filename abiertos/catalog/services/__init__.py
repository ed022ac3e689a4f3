"""Writes for the catalog: datasets and distributions, each change versioned, audited and signalled.

Callers use ``from abiertos.catalog import services`` and ``services.<entity>_<verb>(...)``; the
modules of this package group them by entity.
"""

from .datasets import (
    dataset_create,
    dataset_delete,
    dataset_publish,
    dataset_restore,
    dataset_unpublish,
    dataset_update,
)
from .distributions import (
    distribution_create_from_session,
    distribution_create_from_upload,
    distribution_create_from_url,
    distribution_delete,
    distribution_replace_file,
    distribution_replace_file_from_session,
    distribution_restore,
    distribution_update,
)
from .history import dataset_revision_restore

__all__ = [
    "dataset_create",
    "dataset_delete",
    "dataset_publish",
    "dataset_restore",
    "dataset_revision_restore",
    "dataset_unpublish",
    "dataset_update",
    "distribution_create_from_session",
    "distribution_create_from_upload",
    "distribution_create_from_url",
    "distribution_delete",
    "distribution_replace_file",
    "distribution_replace_file_from_session",
    "distribution_restore",
    "distribution_update",
]
