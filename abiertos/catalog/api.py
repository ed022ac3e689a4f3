"""REST endpoints of the catalog: everything the pages can do, through the same selectors and services."""

import json
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field as SchemaField
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ValidationError as PydanticValidationError

from abiertos.core.actors import Actor
from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality

from . import api_imports, selectors, services, uploads
from .models import Dataset, Distribution
from .schemas import (
    ERRORS,
    DatasetChangeIn,
    DatasetCreateIn,
    DatasetOut,
    DatasetPatchIn,
    DistributionChangeIn,
    DistributionCreateIn,
    DistributionOut,
    DistributionPatchIn,
    ErrorOut,
    FieldIn,
    FileVersionOut,
    LicenseOut,
    RevisionOut,
    ThemeOut,
    UploadAttachIn,
    UploadConflictOut,
    UploadCreateIn,
    UploadOut,
    dataset_metadata_from,
    dataset_metadata_patched,
    distribution_metadata_from,
    distribution_metadata_patched,
    field_specs,
)
from .slugs import distribution_identifier_for
from .vocabularies import LICENSES

router = Router(tags=["catálogo"])
router.add_router("", api_imports.router)

MAX_PAGE = 1000


class CatalogPagination(LimitOffsetPagination):
    """Limit and offset with bounds, so a huge number is a 400 and never a database overflow."""

    class Input(Schema):
        limit: int = SchemaField(100, ge=1, le=MAX_PAGE)
        offset: int = SchemaField(0, ge=0, le=2**31 - 1)


uploads_router = Router(tags=["subidas"])


def _municipality(slug: str, field: str = "municipality") -> Municipality:
    municipality = Municipality.objects.filter(slug=slug, is_active=True).first() if "\x00" not in slug else None
    if municipality is None:
        message = _("No existe el municipio «%(s)s».") % {"s": slug}
        raise ValidationError(message, fields={field: [message]})
    return municipality


def _dataset_out(actor: Actor, dataset: Dataset) -> Dataset:
    """The dataset re-read with the relations its output needs."""
    return selectors.dataset_get_by_name(actor=actor, name=dataset.name, include_deleted=True)


# Datasets ----------------------------------------------------------------------------------------


@router.get("/datasets", response={200: list[DatasetOut], **ERRORS}, summary=gettext_lazy("Listar conjuntos de datos"))
@paginate(CatalogPagination, max_limit=MAX_PAGE)
def dataset_list(
    request,
    municipality: str = "",
    status: Literal["draft", "published"] | None = None,
    deleted: bool = False,
) -> QuerySet[Dataset]:
    """Published datasets for everyone; drafts only of the municipalities you manage. With
    ``deleted=true``, the deleted datasets you can restore."""
    actor = request.auth
    if deleted:
        qs = selectors.dataset_list_deleted_for(actor=actor)
    else:
        qs = selectors.dataset_list_visible_to(actor=actor).filter(municipality__is_active=True)
    if municipality:
        qs = qs.filter(municipality=_municipality(municipality))
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post(
    "/datasets", response={201: DatasetOut, **ERRORS}, summary=gettext_lazy("Crear un conjunto de datos (borrador)")
)
def dataset_create(request, payload: DatasetCreateIn):
    actor = request.auth
    municipality = _municipality(payload.municipality)
    dataset = services.dataset_create(
        municipality=municipality, metadata=dataset_metadata_from(payload, payload.identifier), by=actor
    )
    return Status(201, _dataset_out(actor, dataset))


@router.get("/datasets/{name}", response={200: DatasetOut, **ERRORS}, summary=gettext_lazy("Ver un conjunto de datos"))
def dataset_detail(request, name: str, deleted: bool = False):
    return selectors.dataset_get_by_name(actor=request.auth, name=name, include_deleted=deleted)


@router.put("/datasets/{name}", response={200: DatasetOut, **ERRORS}, summary=gettext_lazy("Reemplazar los metadatos"))
def dataset_replace(request, name: str, payload: DatasetChangeIn):
    actor = request.auth
    dataset = selectors.dataset_get_by_name_for_edit(actor=actor, name=name)
    dataset = services.dataset_update(
        dataset=dataset, metadata=dataset_metadata_from(payload, dataset.identifier), by=actor
    )
    return _dataset_out(actor, dataset)


@router.patch(
    "/datasets/{name}", response={200: DatasetOut, **ERRORS}, summary=gettext_lazy("Cambiar algunos metadatos")
)
def dataset_patch(request, name: str, payload: DatasetPatchIn):
    actor = request.auth
    dataset = selectors.dataset_get_by_name_for_edit(actor=actor, name=name)
    dataset = services.dataset_update(dataset=dataset, metadata=dataset_metadata_patched(dataset, payload), by=actor)
    return _dataset_out(actor, dataset)


@router.post("/datasets/{name}/publish", response={200: DatasetOut, **ERRORS}, summary=gettext_lazy("Publicar"))
def dataset_publish(request, name: str):
    actor = request.auth
    dataset = selectors.dataset_get_by_name_for_edit(actor=actor, name=name)
    return _dataset_out(actor, services.dataset_publish(dataset=dataset, by=actor))


@router.post(
    "/datasets/{name}/unpublish", response={200: DatasetOut, **ERRORS}, summary=gettext_lazy("Volver a borrador")
)
def dataset_unpublish(request, name: str):
    actor = request.auth
    dataset = selectors.dataset_get_by_name_for_edit(actor=actor, name=name)
    return _dataset_out(actor, services.dataset_unpublish(dataset=dataset, by=actor))


@router.delete(
    "/datasets/{name}",
    response={200: DatasetOut, **ERRORS},
    summary=gettext_lazy("Eliminar (se puede deshacer con restore)"),
)
def dataset_delete(request, name: str):
    actor = request.auth
    dataset = selectors.dataset_get_by_name_for_edit(actor=actor, name=name)
    return _dataset_out(actor, services.dataset_delete(dataset=dataset, by=actor))


@router.post(
    "/datasets/{name}/restore", response={200: DatasetOut, **ERRORS}, summary=gettext_lazy("Restaurar un eliminado")
)
def dataset_restore(request, name: str):
    actor = request.auth
    dataset = selectors.dataset_get_by_name_for_edit(actor=actor, name=name, include_deleted=True)
    return _dataset_out(actor, services.dataset_restore(dataset=dataset, by=actor))


@router.get(
    "/datasets/{name}/revisions", response={200: list[RevisionOut], **ERRORS}, summary=gettext_lazy("Historial")
)
def dataset_revision_list(request, name: str):
    dataset = selectors.dataset_get_by_name_for_edit(actor=request.auth, name=name, include_deleted=True)
    return list(selectors.dataset_revision_list(dataset=dataset))


@router.post(
    "/datasets/{name}/revisions/{number}/restore",
    response={200: DatasetOut, **ERRORS},
    summary=gettext_lazy("Volver a una revisión (queda como una revisión nueva)"),
)
def dataset_revision_restore(request, name: str, number: int):
    actor = request.auth
    dataset = selectors.dataset_get_by_name_for_edit(actor=actor, name=name)
    revision = selectors.dataset_revision_get(dataset=dataset, number=number)
    return _dataset_out(actor, services.dataset_revision_restore(dataset=dataset, revision=revision, by=actor))


# Distributions -----------------------------------------------------------------------------------


def _distribution_out(actor: Actor, distribution: Distribution) -> Distribution:
    return selectors.distribution_get_by_name(actor=actor, name=distribution.name, include_deleted=True)


def _require_one_source(payload: DistributionCreateIn) -> None:
    if (payload.url is None) == (payload.upload_id is None):
        message = _("Indicá una dirección (url) o una subida terminada (upload_id), una de las dos.")
        raise ValidationError(message, fields={"url": [message], "upload_id": [message]})


@router.post(
    "/datasets/{name}/distributions",
    response={201: DistributionOut, **ERRORS},
    summary=gettext_lazy("Agregar un recurso: enlace (url) o archivo de una subida por partes (upload_id)"),
)
def distribution_create(request, name: str, payload: DistributionCreateIn):
    actor = request.auth
    dataset = selectors.dataset_get_by_name_for_edit(actor=actor, name=name)
    _require_one_source(payload)
    identifier = payload.identifier or distribution_identifier_for(dataset, payload.title)
    metadata = distribution_metadata_from(payload, identifier)
    if payload.url is not None:
        distribution = services.distribution_create_from_url(
            dataset=dataset, metadata=metadata, url=payload.url, by=actor
        )
    else:
        session = uploads.upload_session_get(actor=actor, session_id=payload.upload_id)
        distribution = services.distribution_create_from_session(
            dataset=dataset, metadata=metadata, session=session, by=actor
        )
    return Status(201, _distribution_out(actor, distribution))


def _fields_from_form(raw: str) -> list | None:
    if not raw.strip():
        return None
    try:
        return field_specs([FieldIn(**item).dict() for item in json.loads(raw)])
    except (ValueError, TypeError, PydanticValidationError) as exc:
        message = _("«fields» tiene que ser una lista JSON de columnas con «title» y «type» válidos.")
        raise ValidationError(message, fields={"fields": [message]}) from exc


@router.post(
    "/datasets/{name}/distributions/upload",
    response={201: DistributionOut, **ERRORS},
    summary=gettext_lazy("Agregar un recurso subiendo un archivo en un solo envío (multipart)"),
)
def distribution_create_multipart(
    request,
    name: str,
    file: File[UploadedFile],
    title: Form[str],
    identifier: Form[str] = "",
    description: Form[str] = "",
    format: Form[str] = "",
    license: Form[str] = "",
    fields: Form[str] = "",
):
    """``fields`` is the data dictionary as a JSON list, e.g. ``[{"title": "año", "type": "integer"}]``."""
    actor = request.auth
    dataset = selectors.dataset_get_by_name_for_edit(actor=actor, name=name)
    try:
        payload = DistributionChangeIn(title=title[:150], description=description, format=format[:20], license=license)
    except PydanticValidationError as exc:
        message = _("El texto tiene un carácter que no se admite.")
        fields = {".".join(map(str, e["loc"])): [message] for e in exc.errors()}
        raise ValidationError(_("La solicitud tiene datos inválidos."), fields=fields) from exc
    metadata = distribution_metadata_from(payload, identifier or distribution_identifier_for(dataset, title))
    metadata.fields = _fields_from_form(fields)
    distribution = services.distribution_create_from_upload(dataset=dataset, metadata=metadata, upload=file, by=actor)
    return Status(201, _distribution_out(actor, distribution))


@router.get("/distributions/{name}", response={200: DistributionOut, **ERRORS}, summary=gettext_lazy("Ver un recurso"))
def distribution_detail(request, name: str, deleted: bool = False):
    return selectors.distribution_get_by_name(actor=request.auth, name=name, include_deleted=deleted)


@router.put(
    "/distributions/{name}", response={200: DistributionOut, **ERRORS}, summary=gettext_lazy("Reemplazar los metadatos")
)
def distribution_replace(request, name: str, payload: DistributionChangeIn):
    actor = request.auth
    distribution = selectors.distribution_get_by_name_for_edit(actor=actor, name=name)
    metadata = distribution_metadata_from(payload, distribution.identifier)
    distribution = services.distribution_update(distribution=distribution, metadata=metadata, url=payload.url, by=actor)
    return _distribution_out(actor, distribution)


@router.patch(
    "/distributions/{name}",
    response={200: DistributionOut, **ERRORS},
    summary=gettext_lazy("Cambiar algunos metadatos"),
)
def distribution_patch(request, name: str, payload: DistributionPatchIn):
    actor = request.auth
    distribution = selectors.distribution_get_by_name_for_edit(actor=actor, name=name)
    metadata = distribution_metadata_patched(distribution, payload)
    distribution = services.distribution_update(distribution=distribution, metadata=metadata, url=payload.url, by=actor)
    return _distribution_out(actor, distribution)


@router.delete(
    "/distributions/{name}",
    response={200: DistributionOut, **ERRORS},
    summary=gettext_lazy("Eliminar (se puede deshacer)"),
)
def distribution_delete(request, name: str):
    actor = request.auth
    distribution = selectors.distribution_get_by_name_for_edit(actor=actor, name=name)
    return _distribution_out(actor, services.distribution_delete(distribution=distribution, by=actor))


@router.post(
    "/distributions/{name}/restore", response={200: DistributionOut, **ERRORS}, summary=gettext_lazy("Restaurar")
)
def distribution_restore(request, name: str):
    actor = request.auth
    distribution = selectors.distribution_get_by_name_for_edit(actor=actor, name=name, include_deleted=True)
    return _distribution_out(actor, services.distribution_restore(distribution=distribution, by=actor))


@router.get(
    "/distributions/{name}/files",
    response={200: list[FileVersionOut], **ERRORS},
    summary=gettext_lazy("Versiones del archivo, con su dirección de descarga"),
)
def distribution_file_list(request, name: str):
    distribution = selectors.distribution_get_by_name(actor=request.auth, name=name)
    versions = list(selectors.distribution_file_list(distribution=distribution))
    for version in versions:
        version.distribution = distribution
    return versions


@router.post(
    "/distributions/{name}/file",
    response={200: DistributionOut, **ERRORS},
    summary=gettext_lazy("Subir una nueva versión del archivo (multipart)"),
)
def distribution_replace_file(request, name: str, file: File[UploadedFile]):
    actor = request.auth
    distribution = selectors.distribution_get_by_name_for_edit(actor=actor, name=name)
    distribution = services.distribution_replace_file(distribution=distribution, upload=file, by=actor)
    return _distribution_out(actor, distribution)


@router.post(
    "/distributions/{name}/file/from-upload",
    response={200: DistributionOut, **ERRORS},
    summary=gettext_lazy("Usar una subida por partes terminada como nueva versión del archivo"),
)
def distribution_replace_file_from_upload(request, name: str, payload: UploadAttachIn):
    actor = request.auth
    distribution = selectors.distribution_get_by_name_for_edit(actor=actor, name=name)
    session = uploads.upload_session_get(actor=actor, session_id=payload.upload_id)
    distribution = services.distribution_replace_file_from_session(distribution=distribution, session=session, by=actor)
    return _distribution_out(actor, distribution)


# Vocabularies ------------------------------------------------------------------------------------


@router.get("/themes", response=list[ThemeOut], summary=gettext_lazy("Temas de la taxonomía provincial"))
def theme_list(request):
    return list(selectors.theme_list())


@router.get("/licenses", response=list[LicenseOut], summary=gettext_lazy("Licencias abiertas admitidas"))
def license_list(request):
    return list(LICENSES.values())


# Resumable uploads -------------------------------------------------------------------------------


@uploads_router.post(
    "/uploads",
    response={201: UploadOut, **ERRORS, 413: ErrorOut},
    summary=gettext_lazy("Empezar una subida"),
    url_name="upload_create",
)
def upload_create(request, payload: UploadCreateIn):
    """Declare the file; then send it in chunks with ``PUT /uploads/{id}`` and ``Content-Range``."""
    actor = request.auth
    municipality = _municipality(payload.municipality)
    session = uploads.upload_session_create(
        municipality=municipality, file_name=payload.file_name, total_size=payload.size, by=actor
    )
    return Status(201, session)


@uploads_router.get(
    "/uploads/{upload_id}",
    response={200: UploadOut, **ERRORS},
    summary=gettext_lazy("Ver cuánto llegó"),
    url_name="upload_detail",
)
def upload_detail(request, upload_id: UUID):
    return uploads.upload_session_get(actor=request.auth, session_id=upload_id)


def _offset_conflict(exc: uploads.UploadOffsetMismatch) -> JsonResponse:
    body = {"error": {**exc.as_dict(), "expected_offset": exc.expected_offset}}
    response = JsonResponse(body, status=409)
    response["Upload-Offset"] = str(exc.expected_offset)
    return response


def _chunk_too_large(length: int) -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = _("Cada parte puede pesar hasta %(max)d bytes; esta pesa %(n)d.") % {"max": limit, "n": length}
    error = {"code": "chunk_too_large", "message": message, "fields": {"content_range": [message]}}
    return JsonResponse({"error": error}, status=413)


@uploads_router.put(
    "/uploads/{upload_id}",
    response={200: UploadOut, **ERRORS, 409: UploadConflictOut, 413: ErrorOut},
    summary=gettext_lazy("Enviar una parte (cuerpo binario, encabezado Content-Range: bytes inicio-fin/total)"),
)
def upload_chunk(request, upload_id: UUID):
    """Parts go in order. A part that does not start where the received bytes end gets a 409
    with ``expected_offset`` (also in the ``Upload-Offset`` header): continue from there."""
    actor = request.auth
    session = uploads.upload_session_get(actor=actor, session_id=upload_id)
    chunk = uploads.content_range_parse(request.headers.get("Content-Range", ""))
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return _chunk_too_large(length)
    try:
        return uploads.upload_session_append(session=session, chunk=chunk, data=request.body, by=actor)
    except uploads.UploadOffsetMismatch as exc:
        return _offset_conflict(exc)
