"""Going back to an earlier revision of a dataset, as a new revision (history is append-only)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict, NotFound

from ..inputs import DatasetMetadata, DistributionMetadata, FieldSpec
from ..models import (
    Dataset,
    DatasetRevision,
    DatasetStatus,
    Distribution,
    DistributionFile,
    DistributionKind,
    Theme,
)
from .base import (
    _ensure_editable,
    _file_changed,
    _lock_dataset,
    _record,
)
from .datasets import _check_metadata
from .distributions import _point_to, _set_fields


def _parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _metadata_from_snapshot(snapshot: dict) -> DatasetMetadata:
    values = {name: snapshot.get(name, default.default) for name, default in _SNAPSHOT_DEFAULTS.items()}
    values["issued"] = _parse_iso(snapshot.get("issued"))
    values["modified"] = _parse_iso(snapshot.get("modified"))
    for name in ("super_themes", "themes", "keywords"):
        values[name] = list(snapshot.get(name) or [])
    # Themes later removed from the taxonomy cannot come back.
    values["themes"] = list(Theme.objects.filter(identifier__in=values["themes"]).values_list("identifier", flat=True))
    return DatasetMetadata(**values)


_SNAPSHOT_DEFAULTS = DatasetMetadata.__dataclass_fields__


def _repoint_file(distribution: Distribution, number: int, by: Actor) -> bool:
    """Make file version ``number`` current again, as a new version that points to the same file."""
    old = distribution.file_versions.filter(number=number).first()
    if old is None or number == distribution.file_version:
        return False
    version = DistributionFile.objects.create(
        distribution=distribution,
        number=distribution.file_version + 1,
        file=old.file.name,
        file_name=old.file_name,
        byte_size=old.byte_size,
        checksum_sha256=old.checksum_sha256,
        uploaded_by=by.user,
    )
    _point_to(distribution, version)
    _file_changed(distribution)
    return True


def _restore_distribution(distribution: Distribution, snap: dict, by: Actor) -> bool:
    """Put a distribution back as in its snapshot; True when its current file changed."""
    distribution.title = snap["title"]
    distribution.description = snap["description"]
    distribution.license = snap["license"]
    distribution.format = snap["format"]
    distribution.media_type = snap["media_type"]
    distribution.deleted_at = None
    url_changed = distribution.kind == DistributionKind.URL and distribution.external_url != snap["external_url"]
    if url_changed:
        distribution.external_url = distribution.access_url = snap["external_url"]
        distribution.file_name = snap["file_name"]
        distribution.modified = timezone.now()
        _file_changed(distribution)
    distribution.save()
    _set_fields(distribution, DistributionMetadata("", "", fields=[FieldSpec(**f) for f in snap["fields"]]))
    repointed = bool(snap.get("file_version")) and _repoint_file(distribution, snap["file_version"], by)
    return url_changed or repointed


def _restore_distributions(dataset: Dataset, snapshots: list[dict], by: Actor) -> bool:
    wanted = {s["uuid"]: s for s in snapshots if not s.get("deleted")}
    now = timezone.now()
    files_changed = False
    for distribution in dataset.distributions.select_for_update():
        snap = wanted.get(str(distribution.uuid))
        if snap is not None:
            files_changed |= _restore_distribution(distribution, snap, by)
        elif distribution.deleted_at is None:
            distribution.deleted_at = now
            distribution.save(update_fields=["deleted_at", "updated_at"])
    return files_changed


@transaction.atomic
def dataset_revision_restore(*, dataset: Dataset, revision: DatasetRevision, by: Actor) -> Dataset:
    """Bring back the metadata and distributions of an earlier revision, as a new revision.

    History is append-only: the restore is itself a revision, so it can be undone the same way.
    The publication status is not restored (publishing is always an explicit act); distributions
    absent from the snapshot are soft-deleted, and a distribution's file version is made current
    again without copying the file."""
    dataset = _lock_dataset(dataset)
    _ensure_editable(dataset, by)
    if revision.dataset_id != dataset.pk:
        raise NotFound(_("Esa revisión no es de este conjunto de datos."))
    snapshot = revision.snapshot
    metadata = _metadata_from_snapshot(snapshot)
    metadata.identifier = dataset.identifier
    # A publication date, once set, stays: a draft revision has none.
    metadata.issued = metadata.issued or dataset.issued
    metadata.modified = metadata.modified or dataset.modified
    if metadata.issued and metadata.modified and metadata.modified < metadata.issued:
        metadata.modified = metadata.issued
    _check_metadata(metadata)
    files_changed = _restore_distributions(dataset, snapshot.get("distributions", []), by)
    live = dataset.distributions.filter(deleted_at__isnull=True).exists()
    if dataset.status == DatasetStatus.PUBLISHED and not live:
        raise Conflict(_("En esa revisión el conjunto no tenía recursos: despublicalo antes de restaurarla."))
    for name, value in metadata.model_values().items():
        setattr(dataset, name, value)
    if files_changed:
        dataset.modified = timezone.now()
    dataset.version += 1
    dataset.updated_by = by.user
    dataset.save()
    dataset.themes.set(Theme.objects.filter(identifier__in=metadata.themes))
    _record(dataset, "revision_restore", by, {"revision": revision.number})
    return dataset
