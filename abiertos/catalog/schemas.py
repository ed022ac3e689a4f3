"""Input and output schemas of the catalog's REST API, and their mapping to service inputs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Schema
from pydantic import field_validator

from .inputs import DatasetMetadata, DistributionMetadata, FieldSpec
from .models import Dataset, Distribution, DistributionFile
from .vocabularies import DEFAULT_LICENSE, FieldType, Periodicity

# Lengths of the database columns, so that too long a value is a 400 and never a database error.
Str60 = Annotated[str, SchemaField(max_length=60)]
Str100 = Annotated[str, SchemaField(max_length=100)]
Str150 = Annotated[str, SchemaField(max_length=150)]
Str200 = Annotated[str, SchemaField(max_length=200)]
Str254 = Annotated[str, SchemaField(max_length=254)]
Str500 = Annotated[str, SchemaField(max_length=500)]
Url = Annotated[str, SchemaField(max_length=1000)]


def _reject_nul(value):
    """PostgreSQL cannot store the NUL character; refuse it as bad input rather than fail later."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(_("El texto tiene un carácter nulo (\\0), que no se admite."))
    if isinstance(value, list | tuple):
        for item in value:
            _reject_nul(item)
    if isinstance(value, dict):
        for item in value.values():
            _reject_nul(item)
    return value


class InSchema(Schema):
    """Base of every input schema."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        return _reject_nul(value)


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    error: ErrorBody


class UploadConflictBody(ErrorBody):
    expected_offset: int


class UploadConflictOut(Schema):
    error: UploadConflictBody


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ThemeOut(Schema):
    identifier: str
    label: str
    description: str


class LicenseOut(Schema):
    code: str
    title: str
    url: str


class FieldOut(Schema):
    title: str
    type: str
    description: str
    units: str


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _download_path(distribution: Distribution, number: int | None = None) -> str:
    kwargs = {
        "municipality_slug": distribution.name.split("_", 1)[0],
        "identifier": distribution.dataset.identifier,
        "distribution_identifier": distribution.identifier,
    }
    try:
        if number is None:
            return reverse("catalog:distribution_download", kwargs=kwargs)
        return reverse("catalog:distribution_download_version", kwargs={**kwargs, "number": number})
    except NoReverseMatch:
        return settings.MEDIA_URL + distribution.file.name


class FileVersionOut(Schema):
    number: int
    file_name: str
    byte_size: int
    checksum_sha256: str
    uploaded_at: datetime
    is_current: bool
    download_url: str

    @staticmethod
    def resolve_is_current(obj: DistributionFile) -> bool:
        return obj.number == obj.distribution.file_version

    @staticmethod
    def resolve_download_url(obj: DistributionFile, context) -> str:
        return _absolute(context.get("request"), _download_path(obj.distribution, obj.number))


class DistributionOut(Schema):
    name: str
    uuid: UUID
    dataset: str
    identifier: str
    title: str
    description: str
    kind: str
    format: str
    media_type: str
    byte_size: int | None
    checksum_sha256: str
    file_name: str
    file_version: int
    license: str
    issued: datetime | None
    modified: datetime | None
    access_url: str
    download_url: str
    deleted_at: datetime | None
    fields: list[FieldOut]

    @staticmethod
    def resolve_dataset(obj: Distribution) -> str:
        return obj.dataset.name

    @staticmethod
    def resolve_fields(obj: Distribution) -> list:
        return list(obj.fields.all())

    @staticmethod
    def resolve_download_url(obj: Distribution, context) -> str:
        if obj.kind == "url":
            return obj.external_url
        return _absolute(context.get("request"), _download_path(obj)) if obj.file else ""


class DatasetOut(Schema):
    name: str
    uuid: UUID
    municipality: str
    identifier: str
    title: str
    description: str
    publisher_name: str
    publisher_mbox: str
    contact_name: str
    contact_email: str
    super_themes: list[str]
    themes: list[ThemeOut]
    keywords: list[str]
    license: str
    accrual_periodicity: str
    issued: datetime | None
    modified: datetime | None
    temporal: str
    spatial: str
    landing_page: str
    status: str
    version: int
    is_harvested: bool
    origin_url: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    distributions: list[DistributionOut]

    @staticmethod
    def resolve_municipality(obj: Dataset) -> str:
        return obj.municipality.slug

    @staticmethod
    def resolve_themes(obj: Dataset) -> list:
        return list(obj.themes.all())

    @staticmethod
    def resolve_distributions(obj: Dataset) -> list:
        distributions = getattr(obj, "live_distributions", None)
        if distributions is None:
            distributions = list(obj.distributions.filter(deleted_at__isnull=True).prefetch_related("fields"))
        for distribution in distributions:
            distribution.dataset = obj
        return distributions


class RevisionOut(Schema):
    number: int
    action: str
    created_at: datetime
    created_by: str
    snapshot: dict

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by_label


class FieldIn(InSchema):
    title: Str60
    type: FieldType = FieldType.STRING
    description: Str500 = ""
    units: Str60 = ""


class DatasetChangeIn(InSchema):
    """The metadata of a dataset as a whole (PUT); omitted optional values take their defaults."""

    title: Str100
    description: str
    publisher_name: Str200 = ""
    publisher_mbox: Str254 = ""
    contact_name: Str200 = ""
    contact_email: Str254 = ""
    super_themes: list[str]
    themes: list[str] = []
    keywords: list[Str100] = []
    license: Str100 = DEFAULT_LICENSE
    accrual_periodicity: Periodicity = Periodicity.ANNUAL
    issued: datetime | None = None
    modified: datetime | None = None
    temporal: Str100 = ""
    spatial: Str100 = ""
    landing_page: Str500 = ""


class DatasetCreateIn(DatasetChangeIn):
    municipality: str
    identifier: Str100


class DatasetPatchIn(InSchema):
    """Only the values sent change (PATCH)."""

    title: Str100 | None = None
    description: str | None = None
    publisher_name: Str200 | None = None
    publisher_mbox: Str254 | None = None
    contact_name: Str200 | None = None
    contact_email: Str254 | None = None
    super_themes: list[str] | None = None
    themes: list[str] | None = None
    keywords: list[Str100] | None = None
    license: Str100 | None = None
    accrual_periodicity: Periodicity | None = None
    issued: datetime | None = None
    modified: datetime | None = None
    temporal: Str100 | None = None
    spatial: Str100 | None = None
    landing_page: Str500 | None = None


class DistributionChangeIn(InSchema):
    title: Str150
    description: str = ""
    format: Annotated[str, SchemaField(max_length=20)] = ""
    license: Str100 = ""
    issued: datetime | None = None
    modified: datetime | None = None
    fields: list[FieldIn] | None = None
    url: Url | None = None


class DistributionCreateIn(DistributionChangeIn):
    """A distribution from a link (``url``) or from a finished resumable upload (``upload_id``)."""

    identifier: Str150 = ""
    upload_id: UUID | None = None


class DistributionPatchIn(InSchema):
    title: Str150 | None = None
    description: str | None = None
    format: Annotated[str, SchemaField(max_length=20)] | None = None
    license: Str100 | None = None
    issued: datetime | None = None
    modified: datetime | None = None
    fields: list[FieldIn] | None = None
    url: Url | None = None


class UploadAttachIn(InSchema):
    upload_id: UUID


class UploadCreateIn(InSchema):
    municipality: str
    file_name: Str254
    size: int


class UploadOut(Schema):
    id: UUID
    municipality: str
    file_name: str
    size: int
    received_bytes: int
    chunk_size: int
    max_chunk_size: int
    complete: bool
    checksum_sha256: str
    expires_at: datetime

    @staticmethod
    def resolve_municipality(obj) -> str:
        return obj.municipality.slug

    @staticmethod
    def resolve_size(obj) -> int:
        return obj.total_size

    @staticmethod
    def resolve_chunk_size(obj) -> int:
        return settings.UPLOAD_CHUNK_BYTES

    @staticmethod
    def resolve_max_chunk_size(obj) -> int:
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    @staticmethod
    def resolve_complete(obj) -> bool:
        return obj.is_complete


def aware(value: datetime | None) -> datetime | None:
    """Dates sent without a time zone are read in the portal's time zone."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def dataset_metadata_from(payload: DatasetChangeIn, identifier: str) -> DatasetMetadata:
    values = payload.dict(exclude={"municipality", "identifier"})
    values["accrual_periodicity"] = str(values["accrual_periodicity"])
    values["issued"], values["modified"] = aware(values["issued"]), aware(values["modified"])
    return DatasetMetadata(identifier=identifier, **values)


def dataset_metadata_patched(dataset: Dataset, payload: DatasetPatchIn) -> DatasetMetadata:
    metadata = DatasetMetadata.from_dataset(dataset)
    for name, value in payload.dict(exclude_unset=True).items():
        if value is None and name not in ("issued", "modified"):
            continue
        if name in ("issued", "modified"):
            value = aware(value)
        setattr(metadata, name, str(value) if name == "accrual_periodicity" else value)
    return metadata


def field_specs(fields: list[FieldIn] | list[dict] | None) -> list[FieldSpec] | None:
    if fields is None:
        return None
    items = [f if isinstance(f, dict) else f.dict() for f in fields]
    return [
        FieldSpec(title=f["title"], type=str(f["type"]), description=f["description"], units=f["units"]) for f in items
    ]


def distribution_metadata_from(payload: DistributionChangeIn, identifier: str) -> DistributionMetadata:
    return DistributionMetadata(
        identifier=identifier,
        title=payload.title,
        description=payload.description,
        format=payload.format,
        license=payload.license,
        issued=aware(payload.issued),
        modified=aware(payload.modified),
        fields=field_specs(payload.fields),
    )


def distribution_metadata_patched(distribution: Distribution, payload: DistributionPatchIn) -> DistributionMetadata:
    sent = payload.dict(exclude_unset=True)
    return DistributionMetadata(
        identifier=distribution.identifier,
        title=sent.get("title") or distribution.title,
        description=sent["description"] if sent.get("description") is not None else distribution.description,
        format=sent.get("format") or distribution.format,
        license=sent["license"] if sent.get("license") is not None else distribution.license,
        issued=aware(sent.get("issued")) or distribution.issued,
        modified=aware(sent.get("modified")),
        fields=field_specs(sent.get("fields")),
    )
