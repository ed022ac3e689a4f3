"""What every catalog service shares: guards, row locks, revisions, audit events and signals."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import Conflict

from ..models import (
    Dataset,
    DatasetRevision,
    Distribution,
)
from ..signals import dataset_changed, distribution_file_changed
from ..snapshots import dataset_snapshot


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
    # A failing receiver is logged, the others still run, and a committed change never becomes an error.
    transaction.on_commit(
        lambda: distribution_file_changed.send_robust(sender=Distribution, distribution=distribution), robust=True
    )


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


def _touch_dataset(dataset: Dataset, by: Actor) -> None:
    dataset.version += 1
    dataset.modified = timezone.now()
    dataset.updated_by = by.user
    dataset.save(update_fields=["version", "modified", "updated_by", "updated_at"])


def _lock_dataset(dataset: Dataset) -> Dataset:
    return Dataset.objects.select_for_update().select_related("municipality").get(pk=dataset.pk)


def _lock_distribution(distribution: Distribution) -> tuple[Dataset, Distribution]:
    """Lock the dataset first (revision numbers), then the distribution."""
    dataset = Dataset.objects.select_for_update().select_related("municipality").get(pk=distribution.dataset_id)
    distribution = Distribution.objects.select_for_update().get(pk=distribution.pk)
    distribution.dataset = dataset
    return dataset, distribution


def _bump(dataset: Dataset, by: Actor) -> None:
    dataset.version += 1
    dataset.updated_by = by.user
    dataset.save(update_fields=["version", "updated_by", "updated_at"])
