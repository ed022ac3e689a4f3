"""Reads for the catalog, shaped for their callers, with visibility rules in one place."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, can, municipalities_where, require
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound
from abiertos.core.models import Municipality

from .models import (
    Dataset,
    DatasetExportFragment,
    DatasetRevision,
    DatasetStatus,
    Distribution,
    DistributionFile,
    Theme,
)


def _with_relations(qs: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return qs.select_related("municipality", "municipality__province").prefetch_related(
        "themes",
        Prefetch(
            "distributions",
            queryset=Distribution.objects.filter(deleted_at__isnull=True).prefetch_related("fields"),
            to_attr="live_distributions",
        ),
    )


def _with_relation_lists(qs: QuerySet[Dataset]) -> QuerySet[Dataset]:
    """What a serialiser of many datasets reads, attached as plain lists: ``municipality``,
    ``theme_list``, ``live_distributions`` and each distribution's ``field_list``.

    Prefetching into a relation's manager (``dataset.themes.all()``) makes Django build a filtered
    queryset per instance: about forty for a page of ten datasets and their distributions, a fifth
    of the time spent loading the page (SQLite, 100,000 datasets; docs/benchmarks.md). A list costs
    nothing per instance. Same rows, same order."""
    return qs.select_related("municipality").prefetch_related(
        Prefetch("themes", to_attr="theme_list"),
        Prefetch(
            "distributions",
            queryset=Distribution.objects.filter(deleted_at__isnull=True).prefetch_related(
                Prefetch("fields", to_attr="field_list")
            ),
            to_attr="live_distributions",
        ),
    )


def _related(qs: QuerySet[Dataset], as_lists: bool) -> QuerySet[Dataset]:
    return _with_relation_lists(qs) if as_lists else _with_relations(qs)


def dataset_list_public(*, as_lists: bool = False) -> QuerySet[Dataset]:
    """Published, not deleted datasets of active municipalities (``as_lists``: relations as lists,
    for serialising many datasets; see ``_with_relation_lists``)."""
    return _related(
        Dataset.objects.filter(status=DatasetStatus.PUBLISHED, deleted_at__isnull=True, municipality__is_active=True),
        as_lists,
    )


def datasets_not_federated(*, municipality: Municipality | None = None) -> QuerySet[Dataset]:
    """Published datasets left out of the province data.json when it was last built: their entry has
    errors against the national profile (federation.py). Their municipality's data.json lists them."""
    left_out = DatasetExportFragment.objects.filter(federable=False).values("dataset_id")
    qs = dataset_list_public().filter(pk__in=left_out)
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return qs.order_by("municipality__name", "identifier")


def dataset_list_visible_to(*, actor: Actor, include_drafts: bool = True, as_lists: bool = False) -> QuerySet[Dataset]:
    """Public datasets plus, for editors, the drafts of the municipalities they manage."""
    visible = Q(status=DatasetStatus.PUBLISHED)
    if include_drafts and actor.user is not None:
        editable = municipalities_where(actor, Action.VIEW_CATALOG_DRAFTS)
        visible |= Q(municipality__in=editable)
    return _related(Dataset.objects.filter(visible, deleted_at__isnull=True), as_lists)


def dataset_get_visible(*, actor: Actor, municipality_slug: str, identifier: str) -> Dataset:
    dataset = (
        dataset_list_visible_to(actor=actor).filter(municipality__slug=municipality_slug, identifier=identifier).first()
    )
    if dataset is None:
        raise NotFound(_("No existe ese conjunto de datos o no está publicado."))
    return dataset


def dataset_get_for_edit(*, actor: Actor, municipality_slug: str, identifier: str) -> Dataset:
    """A dataset the actor may edit (drafts included); raises NotFound or PermissionDenied."""
    dataset = (
        _with_relations(Dataset.objects.all())
        .filter(municipality__slug=municipality_slug, identifier=identifier, deleted_at__isnull=True)
        .first()
    )
    if dataset is None:
        raise NotFound(_("No existe ese conjunto de datos."))
    require(actor, Action.MANAGE_CATALOG, dataset.municipality)
    return dataset


def municipality_get_for_catalog_edit(*, actor: Actor, slug: str):
    """The municipality, if the actor may publish data in it."""
    municipality = Municipality.objects.filter(slug=slug, is_active=True).first()
    if municipality is None:
        raise NotFound(_("No existe ese municipio."))
    require(actor, Action.MANAGE_CATALOG, municipality)
    return municipality


def _may_manage(actor: Actor, municipality) -> bool:
    """Whether the actor sees the municipality's drafts and deleted datasets (a read-only token of
    an editor does; only write access may change them)."""
    return can(actor, Action.VIEW_CATALOG_DRAFTS, municipality)


def dataset_get_by_name(*, actor: Actor, name: str, include_deleted: bool = False) -> Dataset:
    """A dataset by its platform-wide name, as the actor may see it.

    Drafts, and deleted datasets when asked for, are found only by those who manage the
    municipality's catalog; for everyone else they do not exist."""
    dataset = _with_relations(Dataset.objects.filter(name=name)).first() if "\x00" not in name else None
    if dataset is None:
        raise NotFound(_("No existe el conjunto de datos «%(n)s».") % {"n": name})
    if dataset.deleted_at is not None:
        visible = include_deleted and _may_manage(actor, dataset.municipality)
    else:
        public = dataset.status == DatasetStatus.PUBLISHED and dataset.municipality.is_active
        visible = public or _may_manage(actor, dataset.municipality)
    if not visible:
        raise NotFound(_("No existe el conjunto de datos «%(n)s» o no está publicado.") % {"n": name})
    return dataset


def dataset_get_by_name_for_edit(*, actor: Actor, name: str, include_deleted: bool = False) -> Dataset:
    """A dataset the actor may manage; NotFound when it cannot be seen, PermissionDenied when only seen."""
    dataset = dataset_get_by_name(actor=actor, name=name, include_deleted=include_deleted)
    require(actor, Action.MANAGE_CATALOG, dataset.municipality)
    return dataset


def dataset_list_deleted_for(*, actor: Actor) -> QuerySet[Dataset]:
    """Deleted datasets of the municipalities the actor manages (the recycle bin)."""
    editable = municipalities_where(actor, Action.VIEW_CATALOG_DRAFTS)
    return _with_relations(Dataset.objects.filter(deleted_at__isnull=False, municipality__in=editable))


def distribution_get_by_name(*, actor: Actor, name: str, include_deleted: bool = False) -> Distribution:
    """A distribution by its platform-wide name, visible when its dataset is and it is not deleted
    (deleted ones only for managers, when asked for)."""
    distribution = (
        Distribution.objects.filter(name=name).select_related("dataset").first() if "\x00" not in name else None
    )
    if distribution is None:
        raise NotFound(_("No existe el recurso «%(n)s».") % {"n": name})
    dataset = dataset_get_by_name(actor=actor, name=distribution.dataset.name, include_deleted=include_deleted)
    if distribution.deleted_at is not None and not (include_deleted and _may_manage(actor, dataset.municipality)):
        raise NotFound(_("No existe el recurso «%(n)s».") % {"n": name})
    distribution.dataset = dataset
    return distribution


def distribution_get_by_name_for_edit(*, actor: Actor, name: str, include_deleted: bool = False) -> Distribution:
    distribution = distribution_get_by_name(actor=actor, name=name, include_deleted=include_deleted)
    require(actor, Action.MANAGE_CATALOG, distribution.dataset.municipality)
    return distribution


def distribution_file_list(*, distribution: Distribution) -> QuerySet[DistributionFile]:
    """Every file version of a distribution, newest first."""
    return distribution.file_versions.select_related("uploaded_by").order_by("-number")


def dataset_revision_list(*, dataset: Dataset) -> QuerySet[DatasetRevision]:
    return dataset.revisions.order_by("-number")


def dataset_revision_get(*, dataset: Dataset, number: int) -> DatasetRevision:
    revision = dataset.revisions.filter(number=number).first() if 0 < number < 2**31 else None
    if revision is None:
        raise NotFound(_("El conjunto no tiene una revisión número %(n)d.") % {"n": number})
    return revision


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.order_by("label")
