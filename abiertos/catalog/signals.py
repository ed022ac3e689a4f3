"""Signals the catalog sends so that other parts (search index, monitoring) can follow changes."""

from django.dispatch import Signal

# Sent by catalog services after a dataset (or one of its distributions) was created, changed,
# published, unpublished, deleted or restored, inside the service's transaction.
# Keyword arguments: ``dataset_id`` (int). Receivers must not change catalog state.
dataset_changed = Signal()

# Sent after the transaction that gave a distribution a new current file (upload, replacement,
# changed URL, harvest) commits. Keyword arguments: ``distribution`` (Distribution). The datastore
# loads the new file as a table.
distribution_file_changed = Signal()

# Sent by the bulk import of harvested datasets (services/bulk.py) once per batch, inside its
# transaction, instead of one ``dataset_changed`` per dataset. Keyword arguments: ``dataset_ids``
# (list of int), ``municipality_id`` (int). The search index is written by the service itself.
datasets_changed = Signal()

# Sent after the transaction of a bulk write (services/bulk.py) that gave many distributions a new
# current file commits, instead of one ``distribution_file_changed`` each. Keyword arguments:
# ``distributions`` (list of Distribution).
distribution_files_changed = Signal()
