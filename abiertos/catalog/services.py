"""Writes for the catalog: datasets and distributions, each change versioned and audited."""

from __future__ import annotations

import hashlib
import mimetypes
import os

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import Conflict, ValidationError
from abiertos.core.models import Municipality

from .inputs import DatasetMetadata, DistributionMetadata
from .models import (
    Dataset,
    DatasetRevision,
    DatasetStatus,
    Distribution,
    DistributionFile,
    DistributionKind,
    Field,
    Theme,
)
from .snapshots import dataset_snapshot
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


def _ensure_editable(dataset: Dataset, by: Actor) -> None:
    require(by, Action.MANAGE_CATALOG, dataset.municipality)
    if dataset.is_harvested and not by.is_system:
        raise Conflict(
            _("Este conjunto se cosecha de %(url)s: editalo en el portal de origen.") % {"url": dataset.origin_url}
        )
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
    dataset.modified = dataset.modified or now
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
    return distribution


def _hash_upload(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _store_file(distribution: Distribution, upload: UploadedFile, by: Actor) -> DistributionFile:
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("El archivo pesa %(size).1f MB y el máximo es %(max).1f MB.")
            % {"size": upload.size / 1e6, "max": settings.MAX_UPLOAD_BYTES / 1e6},
            fields={"file": [_("Archivo demasiado grande.")]},
        )
    if upload.size == 0:
        raise ValidationError(_("El archivo está vacío."), fields={"file": [_("El archivo no tiene contenido.")]})
    checksum = _hash_upload(upload)
    number = distribution.file_version + 1
    version = DistributionFile(
        distribution=distribution,
        number=number,
        file_name=os.path.basename(upload.name)[:255],
        byte_size=upload.size,
        checksum_sha256=checksum,
        uploaded_by=by.user,
    )
    version.file.save(os.path.basename(upload.name), upload, save=False)
    version.save()
    distribution.file = version.file.name
    distribution.file_version = number
    distribution.file_name = version.file_name
    distribution.byte_size = version.byte_size
    distribution.checksum_sha256 = checksum
    fmt = distribution.format or _format_from_name(version.file_name)
    distribution.format = fmt
    distribution.media_type = MEDIA_TYPES.get(fmt) or mimetypes.guess_type(version.file_name)[0] or ""
    distribution.modified = timezone.now()
    distribution.save()
    return version


@transaction.atomic
def distribution_create_from_upload(
    *, dataset: Dataset, metadata: DistributionMetadata, upload: UploadedFile, by: Actor
) -> Distribution:
    """Add a distribution with an uploaded file (its first file version)."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    _ensure_editable(dataset, by)
    _check_distribution(dataset, metadata, None)
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
    _store_file(distribution, upload, by)
    _set_fields(distribution, metadata)
    _touch_dataset(dataset, by)
    _record(
        dataset, "distribution_create", by, {"distribution": distribution.identifier, "file": distribution.file_name}
    )
    return distribution


@transaction.atomic
def distribution_replace_file(*, distribution: Distribution, upload: UploadedFile, by: Actor) -> Distribution:
    """Upload a new file for a distribution; earlier files stay downloadable as versions."""
    distribution = (
        Distribution.objects.select_for_update().select_related("dataset__municipality").get(pk=distribution.pk)
    )
    _ensure_editable(distribution.dataset, by)
    if distribution.kind != DistributionKind.UPLOAD:
        raise Conflict(_("Este recurso es un enlace externo: cambiá la dirección en lugar de subir un archivo."))
    previous = distribution.file_name
    _store_file(distribution, upload, by)
    _touch_dataset(distribution.dataset, by)
    _record(
        distribution.dataset,
        "distribution_file",
        by,
        {"distribution": distribution.identifier, "file": [previous, distribution.file_name]},
    )
    return distribution
