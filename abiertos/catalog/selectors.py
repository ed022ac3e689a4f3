"""Reads for the catalog, shaped for their callers, with visibility rules in one place."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from abiertos.accounts.permissions import Action, municipalities_where, require
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound
from abiertos.core.models import Municipality

from .models import Dataset, DatasetStatus, Distribution


def _with_relations(qs: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return qs.select_related("municipality", "municipality__province").prefetch_related(
        "themes",
        Prefetch(
            "distributions",
            queryset=Distribution.objects.filter(deleted_at__isnull=True).prefetch_related("fields"),
            to_attr="live_distributions",
        ),
    )


def dataset_list_public() -> QuerySet[Dataset]:
    """Published, not deleted datasets of active municipalities."""
    return _with_relations(
        Dataset.objects.filter(status=DatasetStatus.PUBLISHED, deleted_at__isnull=True, municipality__is_active=True)
    )


def dataset_list_visible_to(*, actor: Actor, include_drafts: bool = True) -> QuerySet[Dataset]:
    """Public datasets plus, for editors, the drafts of the municipalities they manage."""
    visible = Q(status=DatasetStatus.PUBLISHED)
    if include_drafts and actor.user is not None:
        editable = municipalities_where(actor, Action.MANAGE_CATALOG)
        visible |= Q(municipality__in=editable)
    return _with_relations(Dataset.objects.filter(visible, deleted_at__isnull=True))


def dataset_get_visible(*, actor: Actor, municipality_slug: str, identifier: str) -> Dataset:
    dataset = (
        dataset_list_visible_to(actor=actor).filter(municipality__slug=municipality_slug, identifier=identifier).first()
    )
    if dataset is None:
        raise NotFound("No existe ese conjunto de datos o no está publicado.")
    return dataset


def dataset_get_for_edit(*, actor: Actor, municipality_slug: str, identifier: str) -> Dataset:
    """A dataset the actor may edit (drafts included); raises NotFound or PermissionDenied."""
    dataset = (
        _with_relations(Dataset.objects.all())
        .filter(municipality__slug=municipality_slug, identifier=identifier, deleted_at__isnull=True)
        .first()
    )
    if dataset is None:
        raise NotFound("No existe ese conjunto de datos.")
    require(actor, Action.MANAGE_CATALOG, dataset.municipality)
    return dataset


def municipality_get_for_catalog_edit(*, actor: Actor, slug: str):
    """The municipality, if the actor may publish data in it."""
    municipality = Municipality.objects.filter(slug=slug, is_active=True).first()
    if municipality is None:
        raise NotFound("No existe ese municipio.")
    require(actor, Action.MANAGE_CATALOG, municipality)
    return municipality
