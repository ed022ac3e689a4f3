"""Writes for the catalog: datasets and distributions, each change versioned and audited."""

from __future__ import annotations

import hashlib
import mimetypes
import os
from datetime import datetime

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import Conflict, NotFound, ValidationError
from abiertos.core.models import Municipality

from .inputs import DatasetMetadata, DistributionMetadata, FieldSpec
from .models import (
    Dataset,
    DatasetRevision,
    DatasetStatus,
    Distribution,
    DistributionFile,
    DistributionKind,
    Field,
    Theme,
    UploadSession,
)
from .signals import dataset_changed, distribution_file_changed
from .snapshots import dataset_snapshot, distribution_snapshot
from .uploads import upload_session_mark_attached, upload_session_open_for_attach
from .validation import dataset_metadata_errors, distribution_metadata_errors, field_errors
from .vocabularies import MEDIA_TYPES


def _check_metadata(metadata: DatasetMetadata) -> None:
    values = metadata.model_values()
    errors = dataset_metadata_errors(**{k: values[k] for k in _METADATA_RULE_ARGS})
    known = set(Theme.objects.filter(identifier__in=metadata.themes).values_list("identifier", flat=True))
    if unknown := sorted(set(metadata.themes) - known):
        errors["themes"] = [_("Temas que no existen en la taxonomía: %(v)s.") % {"v": ", ".join(unknown)}]
    if errors:
        raise ValidationError(_("Revisá los datos marcados del conjunto de datos."), fields=errors)


_METADATA_RULE_ARGS = (
    "identifier",
    "title",
    "description",
    "publisher_name",
    "publisher_mbox",
    "contact_email",
    "super_themes",
    "keywords",
    "license",
    "accrual_periodicity",
    "issued",
    "modified",
    "temporal",
    "landing_page",
)


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


def _revision(dataset: Dataset, action: str, by: Actor) -> DatasetRevision:
    last = dataset.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return DatasetRevision.objects.create(
        dataset=dataset,
        number=last + 1,
        action=action,
        snapshot=dataset_snapshot(dataset),
        created_by=by.user,
        created_by_label=by.label,
    )


def _record(dataset: Dataset, action: str, by: Actor, changes: dict | None = None) -> None:
    _revision(dataset, action, by)
    audit_record(
        actor=by, action=f"dataset.{action}", target=dataset, municipality=dataset.municipality, changes=changes
    )
    dataset_changed.send(sender=Dataset, dataset_id=dataset.pk)


def _file_changed(distribution: Distribution) -> None:
    """Tell the datastore, once the change is committed, that the distribution has a new current file."""
    transaction.on_commit(lambda: distribution_file_changed.send(sender=Distribution, distribution=distribution))


def _ensure_manageable(dataset: Dataset, by: Actor) -> None:
    require(by, Action.MANAGE_CATALOG, dataset.municipality)
    if dataset.is_harvested and not by.is_system:
        raise Conflict(
            _("Este conjunto se cosecha de %(url)s: editalo en el portal de origen.") % {"url": dataset.origin_url}
        )


def _ensure_editable(dataset: Dataset, by: Actor) -> None:
    _ensure_manageable(dataset, by)
    if dataset.deleted_at is not None:
        raise Conflict(_("El conjunto de datos está eliminado; restauralo antes de editarlo."))


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


def _next_distribution_position(dataset: Dataset) -> int:
    last = dataset.distributions.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def _check_distribution(dataset: Dataset, metadata: DistributionMetadata, url: str | None, exclude_pk=None) -> None:
    errors = distribution_metadata_errors(
        identifier=metadata.identifier, title=metadata.title, url=url, license=metadata.license
    )
    if metadata.fields is not None:
        errors.update(field_errors([f.__dict__ for f in metadata.fields]))
    clash = Distribution.objects.filter(dataset__municipality=dataset.municipality, identifier=metadata.identifier)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if metadata.identifier and clash.exists():
        errors["identifier"] = [_("Ya hay un recurso con el identificador «%(v)s».") % {"v": metadata.identifier}]
    if errors:
        raise ValidationError(_("Revisá los datos marcados del recurso."), fields=errors)


def _set_fields(distribution: Distribution, metadata: DistributionMetadata) -> None:
    if metadata.fields is None:
        return
    distribution.fields.all().delete()
    Field.objects.bulk_create(
        Field(
            distribution=distribution,
            position=i,
            title=f.title.strip(),
            type=f.type,
            description=f.description,
            units=f.units,
        )
        for i, f in enumerate(metadata.fields)
    )


def _format_from_name(name: str) -> str:
    extension = os.path.splitext(name)[1].lstrip(".").upper()
    return "GEOJSON" if extension == "GEOJSON" else extension


def _touch_dataset(dataset: Dataset, by: Actor) -> None:
    dataset.version += 1
    dataset.modified = timezone.now()
    dataset.updated_by = by.user
    dataset.save(update_fields=["version", "modified", "updated_by", "updated_at"])


@transaction.atomic
def distribution_create_from_url(
    *, dataset: Dataset, metadata: DistributionMetadata, url: str, by: Actor
) -> Distribution:
    """Add a distribution that points to a file hosted elsewhere."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    _ensure_editable(dataset, by)
    url = (url or "").strip()
    _check_distribution(dataset, metadata, url)
    fmt = (metadata.format or _format_from_name(url.split("?")[0])).upper()
    distribution = Distribution.objects.create(
        dataset=dataset,
        identifier=metadata.identifier,
        name=f"{dataset.municipality.slug}_{metadata.identifier}",
        title=metadata.title.strip(),
        description=metadata.description,
        kind=DistributionKind.URL,
        external_url=url,
        access_url=url,
        format=fmt,
        media_type=MEDIA_TYPES.get(fmt, ""),
        file_name=os.path.basename(url.split("?")[0])[:255],
        license=metadata.license,
        issued=metadata.issued or timezone.now(),
        modified=metadata.modified or timezone.now(),
        position=_next_distribution_position(dataset),
    )
    _set_fields(distribution, metadata)
    _touch_dataset(dataset, by)
    _record(dataset, "distribution_create", by, {"distribution": distribution.identifier})
    _file_changed(distribution)
    return distribution


def _hash_upload(upload: File) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check_size(size: int) -> None:
    if size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("El archivo pesa %(size).1f MB y el máximo es %(max).1f MB.")
            % {"size": size / 1e6, "max": settings.MAX_UPLOAD_BYTES / 1e6},
            fields={"file": [_("Archivo demasiado grande.")]},
        )
    if size == 0:
        raise ValidationError(_("El archivo está vacío."), fields={"file": [_("El archivo no tiene contenido.")]})


def _point_to(distribution: Distribution, version: DistributionFile) -> None:
    """Make a file version the distribution's current file."""
    distribution.file = version.file.name
    distribution.file_version = version.number
    distribution.file_name = version.file_name
    distribution.byte_size = version.byte_size
    distribution.checksum_sha256 = version.checksum_sha256
    fmt = distribution.format or _format_from_name(version.file_name)
    distribution.format = fmt
    distribution.media_type = MEDIA_TYPES.get(fmt) or mimetypes.guess_type(version.file_name)[0] or ""
    distribution.modified = timezone.now()
    distribution.save()


def _store_file(distribution: Distribution, upload: File, by: Actor, checksum: str = "") -> DistributionFile:
    _check_size(upload.size)
    name = os.path.basename(upload.name)
    version = DistributionFile(
        distribution=distribution,
        number=distribution.file_version + 1,
        file_name=name[:255],
        byte_size=upload.size,
        checksum_sha256=checksum or _hash_upload(upload),
        uploaded_by=by.user,
    )
    version.file.save(name, upload, save=False)
    version.save()
    _point_to(distribution, version)
    _file_changed(distribution)
    return version


def _lock_dataset(dataset: Dataset) -> Dataset:
    return Dataset.objects.select_for_update().select_related("municipality").get(pk=dataset.pk)


def _lock_distribution(distribution: Distribution) -> tuple[Dataset, Distribution]:
    """Lock the dataset first (revision numbers), then the distribution."""
    dataset = Dataset.objects.select_for_update().select_related("municipality").get(pk=distribution.dataset_id)
    distribution = Distribution.objects.select_for_update().get(pk=distribution.pk)
    distribution.dataset = dataset
    return dataset, distribution


def _create_uploaded(
    dataset: Dataset, metadata: DistributionMetadata, upload: File, by: Actor, checksum: str = ""
) -> Distribution:
    distribution = Distribution.objects.create(
        dataset=dataset,
        identifier=metadata.identifier,
        name=f"{dataset.municipality.slug}_{metadata.identifier}",
        title=metadata.title.strip(),
        description=metadata.description,
        kind=DistributionKind.UPLOAD,
        format=(metadata.format or "").upper(),
        license=metadata.license,
        issued=metadata.issued or timezone.now(),
        position=_next_distribution_position(dataset),
    )
    _store_file(distribution, upload, by, checksum)
    _set_fields(distribution, metadata)
    _touch_dataset(dataset, by)
    _record(
        dataset, "distribution_create", by, {"distribution": distribution.identifier, "file": distribution.file_name}
    )
    return distribution


@transaction.atomic
def distribution_create_from_upload(
    *, dataset: Dataset, metadata: DistributionMetadata, upload: UploadedFile, by: Actor
) -> Distribution:
    """Add a distribution with an uploaded file (its first file version)."""
    dataset = _lock_dataset(dataset)
    _ensure_editable(dataset, by)
    _check_distribution(dataset, metadata, None)
    return _create_uploaded(dataset, metadata, upload, by)


@transaction.atomic
def distribution_create_from_session(
    *, dataset: Dataset, metadata: DistributionMetadata, session: UploadSession, by: Actor
) -> Distribution:
    """Add a distribution whose first file is a finished resumable upload."""
    dataset = _lock_dataset(dataset)
    _ensure_editable(dataset, by)
    _check_distribution(dataset, metadata, None)
    session, upload = upload_session_open_for_attach(session=session, municipality=dataset.municipality, by=by)
    with upload:
        distribution = _create_uploaded(dataset, metadata, upload, by, session.checksum_sha256)
    upload_session_mark_attached(session=session)
    return distribution


def _replace_file(distribution: Distribution, upload: File, by: Actor, checksum: str = "") -> Distribution:
    _ensure_editable(distribution.dataset, by)
    if distribution.deleted_at is not None:
        raise Conflict(_("El recurso está eliminado; restauralo antes de cambiarle el archivo."))
    if distribution.kind != DistributionKind.UPLOAD:
        raise Conflict(_("Este recurso es un enlace externo: cambiá la dirección en lugar de subir un archivo."))
    previous = distribution.file_name
    _store_file(distribution, upload, by, checksum)
    _touch_dataset(distribution.dataset, by)
    _record(
        distribution.dataset,
        "distribution_file",
        by,
        {"distribution": distribution.identifier, "file": [previous, distribution.file_name]},
    )
    return distribution


@transaction.atomic
def distribution_replace_file(*, distribution: Distribution, upload: UploadedFile, by: Actor) -> Distribution:
    """Upload a new file for a distribution; earlier files stay downloadable as versions."""
    _, distribution = _lock_distribution(distribution)
    return _replace_file(distribution, upload, by)


@transaction.atomic
def distribution_replace_file_from_session(
    *, distribution: Distribution, session: UploadSession, by: Actor
) -> Distribution:
    """Make a finished resumable upload the distribution's new file version."""
    dataset, distribution = _lock_distribution(distribution)
    _ensure_editable(dataset, by)
    session, upload = upload_session_open_for_attach(session=session, municipality=dataset.municipality, by=by)
    with upload:
        _replace_file(distribution, upload, by, session.checksum_sha256)
    upload_session_mark_attached(session=session)
    return distribution


def _bump(dataset: Dataset, by: Actor) -> None:
    dataset.version += 1
    dataset.updated_by = by.user
    dataset.save(update_fields=["version", "updated_by", "updated_at"])


def _apply_distribution_metadata(distribution: Distribution, metadata: DistributionMetadata, url: str | None) -> None:
    distribution.title = metadata.title.strip()
    distribution.description = metadata.description
    distribution.license = metadata.license
    distribution.issued = metadata.issued or distribution.issued
    if metadata.modified:
        distribution.modified = metadata.modified
    if url is not None and url != distribution.external_url:
        distribution.external_url = distribution.access_url = url
        distribution.file_name = os.path.basename(url.split("?")[0])[:255]
        distribution.modified = metadata.modified or timezone.now()
    fmt = (metadata.format or distribution.format or _format_from_name(distribution.file_name)).upper()
    if fmt != distribution.format:
        distribution.format = fmt
        distribution.media_type = MEDIA_TYPES.get(fmt) or distribution.media_type
    distribution.save()
    _set_fields(distribution, metadata)


@transaction.atomic
def distribution_update(
    *, distribution: Distribution, metadata: DistributionMetadata, by: Actor, url: str | None = None
) -> Distribution:
    """Change a distribution's metadata and data dictionary (and the address of a link).

    The identifier cannot change once created; ``metadata.fields=None`` keeps the dictionary."""
    dataset, distribution = _lock_distribution(distribution)
    _ensure_editable(dataset, by)
    if distribution.deleted_at is not None:
        raise Conflict(_("El recurso está eliminado; restauralo antes de editarlo."))
    if url is not None and distribution.kind != DistributionKind.URL:
        raise Conflict(_("Este recurso es un archivo subido: para cambiarlo subí una nueva versión."))
    url = url.strip() if url is not None else None
    metadata.identifier = distribution.identifier
    _check_distribution(dataset, metadata, url, exclude_pk=distribution.pk)
    before = distribution_snapshot(distribution)
    _apply_distribution_metadata(distribution, metadata, url)
    after = distribution_snapshot(distribution)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if not changes:
        return distribution
    _bump(dataset, by)
    _record(dataset, "distribution_update", by, {"distribution": distribution.identifier, **changes})
    if "external_url" in changes:
        _file_changed(distribution)
    return distribution


@transaction.atomic
def distribution_delete(*, distribution: Distribution, by: Actor) -> Distribution:
    """Hide a distribution everywhere (soft delete); its files are kept and it can be restored."""
    dataset, distribution = _lock_distribution(distribution)
    _ensure_editable(dataset, by)
    if distribution.deleted_at is not None:
        return distribution
    others = dataset.distributions.filter(deleted_at__isnull=True).exclude(pk=distribution.pk)
    if dataset.status == DatasetStatus.PUBLISHED and not others.exists():
        raise Conflict(
            _("Es el único recurso de un conjunto publicado: despublicá el conjunto o agregá otro recurso antes.")
        )
    distribution.deleted_at = timezone.now()
    distribution.save(update_fields=["deleted_at", "updated_at"])
    _bump(dataset, by)
    _record(dataset, "distribution_delete", by, {"distribution": distribution.identifier})
    return distribution


@transaction.atomic
def distribution_restore(*, distribution: Distribution, by: Actor) -> Distribution:
    """Bring back a deleted distribution, as it was."""
    dataset, distribution = _lock_distribution(distribution)
    _ensure_editable(dataset, by)
    if distribution.deleted_at is None:
        return distribution
    distribution.deleted_at = None
    distribution.save(update_fields=["deleted_at", "updated_at"])
    _bump(dataset, by)
    _record(dataset, "distribution_restore", by, {"distribution": distribution.identifier})
    return distribution


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
