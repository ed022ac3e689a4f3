"""Which datastore tables an actor may read: those of distributions whose dataset they may see."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q
from django.utils.translation import gettext as _

from abiertos.catalog.models import Distribution
from abiertos.catalog.selectors import dataset_list_visible_to
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound

from .models import DatastoreTable


def _as_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def _reference_q(references: list[str]) -> Q:
    uuids = [u for u in (_as_uuid(r) for r in references) if u]
    names = [r for r in references if "\x00" not in r]
    return Q(distribution__uuid__in=uuids) | Q(distribution__name__in=names)


def tables_readable(*, actor: Actor, references: list[str]) -> dict[str, DatastoreTable]:
    """Serving tables named by distribution uuid or name, visible to the actor; unknown names are left out."""
    tables = (
        DatastoreTable.objects.filter(_reference_q(references))
        .filter(
            distribution__deleted_at__isnull=True,
            distribution__dataset__in=dataset_list_visible_to(actor=actor),
        )
        .exclude(parquet_path="")
        .select_related("distribution__dataset__municipality")
    )
    found = {}
    for table in tables:
        for key in (str(table.distribution.uuid), table.distribution.name):
            if key in references:
                found[key] = table
    return found


def table_get_readable(*, actor: Actor, reference: str) -> DatastoreTable:
    """The loaded table of a distribution (uuid or name) the actor may see, or NotFound."""
    table = tables_readable(actor=actor, references=[reference]).get(reference)
    if table is None:
        raise NotFound(_("No existe la tabla «%(id)s» o no está publicada.") % {"id": reference})
    return table


def table_for_distribution(*, distribution: Distribution) -> DatastoreTable | None:
    """The distribution's table if it has been loaded (for pages that already checked visibility)."""
    return DatastoreTable.objects.filter(distribution=distribution).exclude(parquet_path="").first()
