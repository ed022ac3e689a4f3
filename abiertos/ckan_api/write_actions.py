"""CKAN write actions, each one a composition of catalog services.

Permission checks, validation and the audit trail happen in the services; the view runs each
write action in one transaction, so a package created with an invalid resource leaves nothing.

CKAN lets a dataset be public with no resources; our profile needs at least one to publish. A
package created or updated with ``private: false`` and no resources stays a draft (the response
says ``private: true``) and a ``PendingPublication`` publishes it when its first resource arrives.
"""

from __future__ import annotations

import re
import uuid

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, can, require
from abiertos.catalog import services
from abiertos.catalog.models import Dataset, DatasetStatus, Distribution
from abiertos.core.actors import Actor
from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality

from .lookups import as_uuid, dataset_lookup, not_found
from .mappers import (
    PACKAGE_ERROR_KEYS,
    RESOURCE_ERROR_KEYS,
    ckan_error_fields,
    dataset_metadata_from_package,
    distribution_metadata_from_resource,
    identifier_from_name,
    to_ckan_package,
    to_ckan_resource,
)
from .models import PendingPublication
from .params import invalid, param_bool, param_required, param_str

IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9_.-]{1,150}$")


def _with_ckan_keys(exc: ValidationError, keys: dict[str, str], prefix: str = "") -> ValidationError:
    fields = ckan_error_fields(exc.fields, keys)
    if prefix:
        fields = {prefix: [f"{key}: {m}" for key, messages in fields.items() for m in messages] or [exc.message]}
    return ValidationError(exc.message, fields=fields)


def _owner_org(params: dict) -> Municipality:
    reference = param_required(params, "owner_org")
    municipality = Municipality.objects.filter(Q(slug=reference) | Q(code=reference), is_active=True).first()
    if municipality is None:
        raise invalid("owner_org", _("No existe la organización (municipio) «%(v)s».") % {"v": reference})
    return municipality


def _dataset_for_edit(actor: Actor, reference: str) -> Dataset:
    """The dataset to change; a draft the actor may not manage is as invisible as a missing one."""
    dataset = dataset_lookup(Dataset.objects.filter(deleted_at__isnull=True).select_related("municipality"), reference)
    if dataset is None or (
        dataset.status != DatasetStatus.PUBLISHED and not can(actor, Action.MANAGE_CATALOG, dataset.municipality)
    ):
        raise not_found(_("no existe el conjunto de datos «%(id)s».") % {"id": reference})
    require(actor, Action.MANAGE_CATALOG, dataset.municipality)
    return dataset


def _resource_identifier(dataset: Dataset, data: dict) -> str:
    """CKAN's resource ``id`` when it is usable as our identifier (Andino sends data.json ids)."""
    given = data.get("id")
    if isinstance(given, str) and IDENTIFIER_RE.match(given) and as_uuid(given) is None:
        return given
    return f"{dataset.identifier[:100]}-{uuid.uuid4().hex[:8]}"


def _upload(data: dict) -> UploadedFile | None:
    upload = data.get("upload")
    return upload if isinstance(upload, UploadedFile) else None


def _distribution_create(dataset: Dataset, data: dict, actor: Actor) -> Distribution:
    if not isinstance(data, dict):
        raise invalid("resources", _("Cada recurso tiene que ser un objeto."))
    metadata = distribution_metadata_from_resource(data, identifier=_resource_identifier(dataset, data))
    if upload := _upload(data):
        return services.distribution_create_from_upload(dataset=dataset, metadata=metadata, upload=upload, by=actor)
    url = param_str(data, "url").strip()
    if not url:
        raise invalid("url", _("Indicá la dirección del recurso (url) o subí un archivo (upload)."))
    return services.distribution_create_from_url(dataset=dataset, metadata=metadata, url=url, by=actor)


def _apply_private(dataset: Dataset, private: bool, actor: Actor) -> None:
    """Publish or unpublish as CKAN's ``private`` flag asks (see the module docstring)."""
    has_resources = dataset.distributions.filter(deleted_at__isnull=True).exists()
    if private:
        PendingPublication.objects.filter(dataset=dataset).delete()
        services.dataset_unpublish(dataset=dataset, by=actor)
    elif has_resources:
        PendingPublication.objects.filter(dataset=dataset).delete()
        services.dataset_publish(dataset=dataset, by=actor)
    else:
        PendingPublication.objects.get_or_create(dataset=dataset)


def _publish_if_pending(dataset: Dataset, actor: Actor) -> None:
    if PendingPublication.objects.filter(dataset=dataset).exists():
        _apply_private(dataset, False, actor)


def _package_result(dataset: Dataset) -> dict:
    return to_ckan_package(Dataset.objects.select_related("municipality").get(pk=dataset.pk))


def _resources_param(params: dict) -> list:
    resources = params.get("resources") or []
    if not isinstance(resources, list):
        raise invalid("resources", _("Tiene que ser una lista de recursos."))
    return resources


def package_create(*, actor: Actor, params: dict) -> dict:
    municipality = _owner_org(params)
    require(actor, Action.MANAGE_CATALOG, municipality)
    private = param_bool(params, "private", False)
    resources = _resources_param(params)
    try:
        metadata = dataset_metadata_from_package(params, municipality)
        dataset = services.dataset_create(municipality=municipality, metadata=metadata, by=actor)
    except ValidationError as exc:
        raise _with_ckan_keys(exc, PACKAGE_ERROR_KEYS) from exc
    _sync_resources(dataset, resources, actor)
    _apply_private(dataset, private, actor)
    return _package_result(dataset)


def _sync_resources(dataset: Dataset, resources: list, actor: Actor) -> None:
    """Make the dataset's resources the given list: update those named by id, add the rest,
    delete the ones left out (CKAN's package_update semantics)."""
    live = list(dataset.distributions.filter(deleted_at__isnull=True))
    # Named by our id, or by the identifier Andino clients sent as the id when they created it.
    existing = {str(d.uuid): d for d in live} | {d.identifier: d for d in live}
    kept = set()
    for index, data in enumerate(resources, start=1):
        try:
            reference = data.get("id") if isinstance(data, dict) else None
            if isinstance(reference, str) and reference in existing:
                kept.add(existing[reference].pk)
                _distribution_update(existing[reference], data, actor)
            else:
                _distribution_create(dataset, data, actor)
        except ValidationError as exc:
            raise _with_ckan_keys(exc, RESOURCE_ERROR_KEYS, prefix=f"resources.{index}") from exc
    for distribution in live:
        if distribution.pk not in kept:
            services.distribution_delete(distribution=distribution, by=actor)


def _package_update(actor: Actor, dataset: Dataset, params: dict, private: bool | None) -> dict:
    if (org := param_str(params, "owner_org")) and org not in (dataset.municipality.slug, dataset.municipality.code):
        raise invalid("owner_org", _("Un conjunto de datos no puede pasar a otro municipio."))
    name = param_str(params, "name").strip()
    if name and identifier_from_name(name, dataset.municipality) != dataset.identifier:
        raise invalid(
            "name", _("El nombre de un conjunto de datos no se puede cambiar (es «%(n)s»).") % {"n": dataset.name}
        )
    try:
        metadata = dataset_metadata_from_package(params, dataset.municipality)
        dataset = services.dataset_update(dataset=dataset, metadata=metadata, by=actor)
    except ValidationError as exc:
        raise _with_ckan_keys(exc, PACKAGE_ERROR_KEYS) from exc
    if "resources" in params:
        _sync_resources(dataset, _resources_param(params), actor)
    if private is not None:
        _apply_private(dataset, private, actor)
    return _package_result(dataset)


def _private_param(params: dict) -> bool | None:
    return param_bool(params, "private", False) if "private" in params else None


def _package_reference(params: dict) -> str:
    return param_str(params, "id").strip() or param_required(params, "name")


def package_update(*, actor: Actor, params: dict) -> dict:
    dataset = _dataset_for_edit(actor, _package_reference(params))
    return _package_update(actor, dataset, params, _private_param(params))


def package_patch(*, actor: Actor, params: dict) -> dict:
    dataset = _dataset_for_edit(actor, _package_reference(params))
    current = to_ckan_package(dataset)
    current.pop("resources")
    return _package_update(actor, dataset, {**current, **params}, _private_param(params))


def package_delete(*, actor: Actor, params: dict) -> None:
    dataset = _dataset_for_edit(actor, param_required(params, "id"))
    services.dataset_delete(dataset=dataset, by=actor)
    return None


# --- Resources ------------------------------------------------------------------------------------


def _distribution_for_edit(actor: Actor, reference: str) -> Distribution:
    uid = as_uuid(reference)
    distribution = (
        Distribution.objects.filter(uuid=uid, deleted_at__isnull=True).select_related("dataset__municipality").first()
        if uid
        else None
    )
    if distribution is None:
        raise not_found(_("no existe el recurso «%(id)s».") % {"id": reference})
    _dataset_for_edit(actor, str(distribution.dataset.uuid))
    return distribution


def _distribution_update(distribution: Distribution, data: dict, actor: Actor) -> Distribution:
    metadata = distribution_metadata_from_resource(data, identifier=distribution.identifier)
    upload = _upload(data)
    url = param_str(data, "url").strip() if distribution.external_url and not upload else None
    distribution = services.distribution_update(distribution=distribution, metadata=metadata, by=actor, url=url)
    if upload:
        distribution = services.distribution_replace_file(distribution=distribution, upload=upload, by=actor)
    return distribution


def _resource_result(distribution: Distribution) -> dict:
    distribution = Distribution.objects.select_related("dataset__municipality").get(pk=distribution.pk)
    return to_ckan_resource(distribution, distribution.dataset)


def resource_create(*, actor: Actor, params: dict) -> dict:
    dataset = _dataset_for_edit(actor, param_required(params, "package_id"))
    try:
        distribution = _distribution_create(dataset, params, actor)
    except ValidationError as exc:
        raise _with_ckan_keys(exc, RESOURCE_ERROR_KEYS) from exc
    _publish_if_pending(dataset, actor)
    return _resource_result(distribution)


def _resource_update(actor: Actor, distribution: Distribution, data: dict) -> dict:
    try:
        distribution = _distribution_update(distribution, data, actor)
    except ValidationError as exc:
        raise _with_ckan_keys(exc, RESOURCE_ERROR_KEYS) from exc
    return _resource_result(distribution)


def resource_update(*, actor: Actor, params: dict) -> dict:
    distribution = _distribution_for_edit(actor, param_required(params, "id"))
    return _resource_update(actor, distribution, params)


def resource_patch(*, actor: Actor, params: dict) -> dict:
    distribution = _distribution_for_edit(actor, param_required(params, "id"))
    current = to_ckan_resource(distribution, distribution.dataset)
    if distribution.file:
        current.pop("url")  # a file's download address is ours, not something to set
    return _resource_update(actor, distribution, {**current, **params})
