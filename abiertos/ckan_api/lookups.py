"""Finding the dataset or resource a CKAN request names (by id or name), visible to the actor."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q
from django.utils.translation import gettext as _

from abiertos.catalog.models import Dataset
from abiertos.catalog.selectors import dataset_list_visible_to
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound

# CKAN clients (ckanapi among them) strip the text up to the first ": " of a Not Found message.
NOT_FOUND_PREFIX = "No encontrado: "


def not_found(message: str) -> NotFound:
    return NotFound(NOT_FOUND_PREFIX + message)


def as_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def dataset_lookup(qs, reference: str) -> Dataset | None:
    """A dataset by CKAN id (our uuid) or name."""
    uid = as_uuid(reference)
    return qs.filter(Q(uuid=uid) if uid else Q(name=reference)).first()


def dataset_get_visible(*, actor: Actor, reference: str) -> Dataset:
    dataset = dataset_lookup(dataset_list_visible_to(actor=actor), reference)
    if dataset is None:
        raise not_found(_("no existe el conjunto de datos «%(id)s» o no está publicado.") % {"id": reference})
    return dataset
