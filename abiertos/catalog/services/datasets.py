"""Writes for datasets: create, edit, publish, unpublish, delete and restore."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality

from ..inputs import DatasetMetadata
from ..models import (
    Dataset,
    DatasetStatus,
    Theme,
)
from ..validation import metadata_errors
from .base import (
    _ensure_editable,
    _ensure_manageable,
    _lock_dataset,
    _record,
)


def _check_metadata(metadata: DatasetMetadata) -> None:
    errors = metadata_errors(metadata)
    known = set(Theme.objects.filter(identifier__in=metadata.themes).values_list("identifier", flat=True))
    if unknown := sorted(set(metadata.themes) - known):
        errors["themes"] = [_("Temas que no existen en la taxonomía: %(v)s.") % {"v": ", ".join(unknown)}]
    if errors:
        raise ValidationError(_("Revisá los datos marcados del conjunto de datos."), fields=errors)


def _apply_defaults(metadata: DatasetMetadata, municipality: Municipality) -> DatasetMetadata:
    metadata.identifier = metadata.identifier.strip()
    metadata.title = metadata.title.strip()
    metadata.keywords = [k.strip() for k in metadata.keywords if k.strip()]
    if not metadata.publisher_name.strip():
        metadata.publisher_name = municipality.full_name or municipality.name
    if not metadata.publisher_mbox and municipality.contact_email:
        metadata.publisher_mbox = municipality.contact_email
    if not metadata.spatial:
        metadata.spatial = municipality.code
    return metadata


@transaction.atomic
def dataset_create(
    *, municipality: Municipality, metadata: DatasetMetadata, by: Actor, is_demo: bool = False
) -> Dataset:
    """Create a draft dataset in a municipality's catalog."""
    require(by, Action.MANAGE_CATALOG, municipality)
    metadata = _apply_defaults(metadata, municipality)
    _check_metadata(metadata)
    if Dataset.objects.filter(municipality=municipality, identifier=metadata.identifier).exists():
        raise ValidationError(
            _("Ya existe un conjunto con ese identificador en %(m)s.") % {"m": municipality.name},
            fields={
                "identifier": [_("Elegí otro identificador: «%(v)s» ya está en uso.") % {"v": metadata.identifier}]
            },
        )
    dataset = Dataset(
        municipality=municipality,
        name=f"{municipality.slug}_{metadata.identifier}",
        created_by=by.user,
        updated_by=by.user,
        is_demo=is_demo,
        language=["spa"],
        **metadata.model_values(),
    )
    dataset.save()
    dataset.themes.set(Theme.objects.filter(identifier__in=metadata.themes))
    _record(dataset, "create", by)
    return dataset


@transaction.atomic
def dataset_update(*, dataset: Dataset, metadata: DatasetMetadata, by: Actor) -> Dataset:
    """Change a dataset's metadata; the identifier cannot change once created."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    _ensure_editable(dataset, by)
    metadata.identifier = dataset.identifier
    metadata = _apply_defaults(metadata, dataset.municipality)
    _check_metadata(metadata)
    before = DatasetMetadata.from_dataset(dataset)
    changes = {
        name: [str(getattr(before, name)), str(getattr(metadata, name))]
        for name in before.__dataclass_fields__
        if getattr(before, name) != getattr(metadata, name)
    }
    if not changes:
        return dataset
    for name, value in metadata.model_values().items():
        setattr(dataset, name, value)
    dataset.version += 1
    dataset.updated_by = by.user
    dataset.save()
    dataset.themes.set(Theme.objects.filter(identifier__in=metadata.themes))
    _record(dataset, "update", by, changes)
    return dataset


@transaction.atomic
def dataset_publish(*, dataset: Dataset, by: Actor) -> Dataset:
    """Make a draft dataset public. It needs at least one distribution."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    _ensure_editable(dataset, by)
    if not dataset.distributions.filter(deleted_at__isnull=True).exists():
        raise ValidationError(
            _("Agregá al menos un archivo o enlace antes de publicar."),
            fields={"distributions": [_("El conjunto no tiene recursos.")]},
        )
    if dataset.status == DatasetStatus.PUBLISHED:
        return dataset
    now = timezone.now()
    dataset.status = DatasetStatus.PUBLISHED
    dataset.issued = dataset.issued or now
    # Data loaded while still a draft counts as updated on publication (the profile wants modified ≥ issued).
    dataset.modified = max(dataset.modified or now, dataset.issued)
    dataset.version += 1
    dataset.updated_by = by.user
    dataset.save()
    _record(dataset, "publish", by)
    return dataset


@transaction.atomic
def dataset_unpublish(*, dataset: Dataset, by: Actor) -> Dataset:
    """Return a published dataset to draft (it disappears from public listings)."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    _ensure_editable(dataset, by)
    if dataset.status == DatasetStatus.DRAFT:
        return dataset
    dataset.status = DatasetStatus.DRAFT
    dataset.version += 1
    dataset.updated_by = by.user
    dataset.save()
    _record(dataset, "unpublish", by)
    return dataset


@transaction.atomic
def dataset_delete(*, dataset: Dataset, by: Actor) -> Dataset:
    """Hide a dataset everywhere (soft delete): nothing is erased and it can be restored."""
    dataset = _lock_dataset(dataset)
    _ensure_manageable(dataset, by)
    if dataset.deleted_at is not None:
        return dataset
    dataset.deleted_at = timezone.now()
    dataset.deleted_by = by.user
    dataset.version += 1
    dataset.updated_by = by.user
    dataset.save()
    _record(dataset, "delete", by)
    return dataset


@transaction.atomic
def dataset_restore(*, dataset: Dataset, by: Actor) -> Dataset:
    """Undo a deletion; the dataset comes back with the status it had.

    Whoever may manage the municipality's catalog may restore (its editors and provincial
    administrators): undoing a click must not wait for someone else."""
    dataset = _lock_dataset(dataset)
    _ensure_manageable(dataset, by)
    if dataset.deleted_at is None:
        return dataset
    dataset.deleted_at = None
    dataset.deleted_by = None
    dataset.version += 1
    dataset.updated_by = by.user
    dataset.save()
    _record(dataset, "restore", by)
    return dataset
