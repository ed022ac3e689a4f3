"""Writes for distributions: links, uploaded files and their versions, edits, delete and restore."""

from __future__ import annotations

import hashlib
import mimetypes
import os

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict, ValidationError

from ..inputs import DistributionMetadata
from ..models import (
    Dataset,
    DatasetStatus,
    Distribution,
    DistributionFile,
    DistributionKind,
    Field,
    UploadSession,
)
from ..snapshots import distribution_snapshot
from ..uploads import upload_session_mark_attached, upload_session_open_for_attach
from ..validation import distribution_errors
from ..vocabularies import MEDIA_TYPES
from .base import (
    _bump,
    _ensure_editable,
    _file_changed,
    _lock_dataset,
    _lock_distribution,
    _record,
    _touch_dataset,
)


def _next_distribution_position(dataset: Dataset) -> int:
    last = dataset.distributions.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def _check_distribution(dataset: Dataset, metadata: DistributionMetadata, url: str | None, exclude_pk=None) -> None:
    errors = distribution_errors(metadata, url)
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


def url_distribution_build(
    *, dataset: Dataset, municipality_slug: str, metadata: DistributionMetadata, url: str, now, position: int
) -> Distribution:
    """An unsaved distribution pointing to a file hosted elsewhere (also used by the bulk import)."""
    fmt = (metadata.format or _format_from_name(url.split("?")[0])).upper()
    return Distribution(
        dataset=dataset,
        identifier=metadata.identifier,
        name=f"{municipality_slug}_{metadata.identifier}",
        title=metadata.title.strip(),
        description=metadata.description,
        kind=DistributionKind.URL,
        external_url=url,
        access_url=url,
        format=fmt,
        media_type=MEDIA_TYPES.get(fmt, ""),
        file_name=os.path.basename(url.split("?")[0])[:255],
        license=metadata.license,
        issued=metadata.issued or now,
        modified=metadata.modified or now,
        position=position,
    )


@transaction.atomic
def distribution_create_from_url(
    *, dataset: Dataset, metadata: DistributionMetadata, url: str, by: Actor
) -> Distribution:
    """Add a distribution that points to a file hosted elsewhere."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    _ensure_editable(dataset, by)
    url = (url or "").strip()
    _check_distribution(dataset, metadata, url)
    distribution = url_distribution_build(
        dataset=dataset,
        municipality_slug=dataset.municipality.slug,
        metadata=metadata,
        url=url,
        now=timezone.now(),
        position=_next_distribution_position(dataset),
    )
    distribution.save()
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


def _apply_distribution_metadata(distribution: Distribution, metadata: DistributionMetadata, url: str | None) -> None:
    distribution_metadata_set(distribution, metadata, url, timezone.now())
    distribution.save()
    _set_fields(distribution, metadata)


def distribution_metadata_set(distribution: Distribution, metadata: DistributionMetadata, url: str | None, now) -> None:
    """What an update does to the distribution's row, unsaved (also the bulk import's, bulk_rows.py)."""
    distribution.title = metadata.title.strip()
    distribution.description = metadata.description
    distribution.license = metadata.license
    distribution.issued = metadata.issued or distribution.issued
    if metadata.modified:
        distribution.modified = metadata.modified
    if url is not None and url != distribution.external_url:
        distribution.external_url = distribution.access_url = url
        distribution.file_name = os.path.basename(url.split("?")[0])[:255]
        distribution.modified = metadata.modified or now
    fmt = (metadata.format or distribution.format or _format_from_name(distribution.file_name)).upper()
    if fmt != distribution.format:
        distribution.format = fmt
        distribution.media_type = MEDIA_TYPES.get(fmt) or distribution.media_type


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
