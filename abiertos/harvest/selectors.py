"""Reads for harvesting: sources and runs, fetched and authorized together.

Sources, runs and their reports are the staff's view of a catalog (municipal editors of the
municipality and provincial administrators): they show addresses and e-mails, so the public
does not see them.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, can, municipalities_where, require
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound
from abiertos.core.models import Municipality

from .models import HarvestCheck, HarvestRecord, HarvestRun, HarvestSource, MessageLevel


def _with_last_run(qs: QuerySet) -> QuerySet:
    last = HarvestRun.objects.filter(source=OuterRef("pk"), dry_run=False).order_by("-queued_at", "-id")
    return qs.select_related("municipality").annotate(
        last_run_id=Subquery(last.values("pk")[:1]),
        last_run_status=Subquery(last.values("status")[:1]),
        last_run_finished_at=Subquery(last.values("finished_at")[:1]),
    )


def source_list_visible_to(*, actor: Actor, municipality: Municipality | None = None) -> QuerySet:
    """Live sources of the municipalities whose catalog staff the actor is part of."""
    qs = HarvestSource.objects.filter(
        deleted_at__isnull=True, municipality__in=municipalities_where(actor, Action.VIEW_CATALOG_DRAFTS)
    )
    if municipality is not None:
        require(actor, Action.VIEW_CATALOG_DRAFTS, municipality)
        qs = qs.filter(municipality=municipality)
    return _with_last_run(qs).order_by("municipality__name", "title")


def harvest_visible_anywhere(*, actor: Actor) -> bool:
    """Whether the actor may see the harvest sources of at least one municipality (the province's
    staff and each municipality's editors); citizens and anonymous visitors may not."""
    if can(actor, Action.VIEW_CATALOG_DRAFTS):  # province-wide
        return True
    return municipalities_where(actor, Action.VIEW_CATALOG_DRAFTS).exists()


def municipality_get_for_harvest(*, actor: Actor, slug: str, action: str = Action.VIEW_CATALOG_DRAFTS) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug, is_active=True).first()
    if municipality is None:
        raise NotFound(_("No existe ese municipio."))
    require(actor, action, municipality)
    return municipality


def source_get(*, actor: Actor, pk: int, municipality_slug: str | None = None, manage: bool = False) -> HarvestSource:
    """A live source the actor may see (or, with ``manage``, change); NotFound or PermissionDenied."""
    qs = HarvestSource.objects.select_related("municipality").filter(pk=pk, deleted_at__isnull=True)
    if municipality_slug is not None:
        qs = qs.filter(municipality__slug=municipality_slug)
    source = qs.first()
    if source is None:
        raise NotFound(_("No existe esa fuente de cosecha."))
    require(actor, Action.MANAGE_CATALOG if manage else Action.VIEW_CATALOG_DRAFTS, source.municipality)
    return source


def run_get(*, actor: Actor, pk: int, municipality_slug: str | None = None, manage: bool = False) -> HarvestRun:
    qs = HarvestRun.objects.select_related("source__municipality", "job").filter(pk=pk)
    if municipality_slug is not None:
        qs = qs.filter(source__municipality__slug=municipality_slug)
    run = qs.first()
    if run is None:
        raise NotFound(_("No existe esa corrida de cosecha."))
    require(actor, Action.MANAGE_CATALOG if manage else Action.VIEW_CATALOG_DRAFTS, run.source.municipality)
    return run


def run_list_for_source(*, source: HarvestSource, limit: int = 50) -> QuerySet:
    return source.runs.order_by("-queued_at", "-id")[:limit]


def records_withdrawn(*, source: HarvestSource, limit: int = 200) -> QuerySet:
    """The source's datasets that are no longer at the source (shown, then hidden after the grace)."""
    return source.records.filter(withdrawn_at__isnull=False).select_related("dataset").order_by("-withdrawn_at")[:limit]


def run_messages(*, run: HarvestRun, limit: int = 1000) -> QuerySet:
    """A run's messages, errors first, then in the order they were found."""
    errors_first = Case(When(level=MessageLevel.ERROR, then=Value(0)), default=Value(1))
    return run.messages.order_by(errors_first, "id")[:limit]


def run_checks(*, run: HarvestRun, limit: int = 2000) -> QuerySet:
    """The validator's verdict on each dataset the run brought in: not federable first, then by errors."""
    return HarvestCheck.objects.filter(run=run).select_related("dataset")[:limit]


def run_validation_summary(*, run: HarvestRun) -> dict:
    """How many datasets the run validated, how many are federable, how many have errors or warnings."""
    return HarvestCheck.objects.filter(run=run).aggregate(
        checked=Count("id"),
        federable=Count("id", filter=Q(federable=True)),
        with_errors=Count("id", filter=Q(errors__gt=0)),
        with_warnings=Count("id", filter=Q(warnings__gt=0)),
    )


def dataset_withdrawal(*, dataset_id: int) -> dict | None:
    """When a visible harvested dataset left its source and when it will be hidden, if it did.

    Public on purpose: the dataset's public page tells its readers (no address or e-mail here)."""
    record = (
        HarvestRecord.objects.filter(dataset_id=dataset_id, withdrawn_at__isnull=False, hidden_at__isnull=True)
        .select_related("source")
        .order_by("-withdrawn_at")
        .first()
    )
    if record is None:
        return None
    hides_on = record.withdrawn_at + timedelta(days=record.source.withdraw_grace_days)
    return {"since": record.withdrawn_at, "hides_on": hides_on}
