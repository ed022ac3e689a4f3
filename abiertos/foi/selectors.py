"""Reads of the FOI app: the archive, one request as a given actor may see it, the inbox, similar
requests, performance statistics and the ordinance status (both also read by monitoring)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, can, municipalities_where, require
from abiertos.catalog import text
from abiertos.catalog.models import Dataset, DatasetStatus
from abiertos.catalog.search import SearchQuery, dataset_search
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound
from abiertos.core.models import Municipality

from .models import (
    OPEN_STATUSES,
    RESPONSE_OUTCOMES,
    AccessOrdinance,
    FoiReport,
    FoiRequest,
    Outcome,
    ProvincialBody,
    RefusalGround,
    Status,
)
from .rules import access_rule_for

# Below this many answered requests a rate, a median or a percentile says nothing: not shown.
MIN_COUNT_FOR_RATES = 5
# The archive's "municipality" filter value that selects the requests to provincial bodies.
PROVINCIAL_BODIES = "provincia"
STOPWORDS = {"para", "sobre", "desde", "hasta", "entre", "cuales", "cuanto", "cuantos", "quiero", "solicito", "saber"}


@dataclass(frozen=True)
class ArchiveFilters:
    q: str = ""
    municipality: str = ""  # slug
    status: str = ""  # a Status value, or an Outcome value
    topic: str = ""  # Theme identifier
    date_from: date | None = None
    date_to: date | None = None


def municipality_get_public(*, slug: str) -> Municipality:
    municipality = Municipality.objects.select_related("province").filter(slug=slug, is_active=True).first()
    if municipality is None:
        raise NotFound(_("No existe el municipio «%(s)s».") % {"s": slug})
    return municipality


def provincial_body_get(*, slug: str) -> ProvincialBody:
    body = ProvincialBody.objects.select_related("province").filter(slug=slug, is_active=True).first()
    if body is None:
        raise NotFound(_("No existe el organismo «%(s)s».") % {"s": slug})
    return body


def municipality_list_with_requests() -> QuerySet[Municipality]:
    """Municipalities that received requests (for the archive's filter), names and slugs only."""
    ids = FoiRequest.objects.filter(municipality__isnull=False).values("municipality_id")
    return Municipality.objects.filter(is_active=True, pk__in=ids).only("slug", "name").order_by("name")


def provincial_body_list() -> QuerySet[ProvincialBody]:
    return ProvincialBody.objects.filter(is_active=True).select_related("province")


def _search_terms(q: str) -> list[str]:
    """The typed query's search terms, as stored in ``FoiRequest.search_terms`` (accents and plurals
    do not matter: «licitacion» finds «Licitación», «presupuestos» finds «presupuesto»)."""
    return text.query_terms(q, limit=8)


def _terms(q: str) -> list[str]:
    words = [w.strip(".,;:¿?¡!()\"'").lower() for w in q.split()]
    return [w for w in words if len(w) >= 4 and w not in STOPWORDS][:8]


def foi_request_list_public(filters: ArchiveFilters = ArchiveFilters()) -> QuerySet[FoiRequest]:
    """Requests everybody may read (not hidden), newest first, filtered."""
    qs = FoiRequest.objects.filter(Q(municipality__is_active=True) | Q(provincial_body__isnull=False), is_hidden=False)
    # A municipality row carries its boundary (GeoJSON): never load it for a list.
    qs = qs.select_related("municipality", "provincial_body", "topic").defer("municipality__boundary")
    for term in _search_terms(filters.q):
        qs = qs.filter(search_terms__contains=f" {term} ")
    if filters.municipality == PROVINCIAL_BODIES:
        qs = qs.filter(provincial_body__isnull=False)
    elif filters.municipality:
        qs = qs.filter(municipality__slug=filters.municipality)
    if filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    elif filters.status in Outcome.values and filters.status:
        qs = qs.filter(outcome=filters.status)
    if filters.topic:
        qs = qs.filter(topic__identifier=filters.topic)
    if filters.date_from:
        qs = qs.filter(filed_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(filed_at__date__lte=filters.date_to)
    return qs.order_by("-filed_at", "-pk")


def can_view_private(actor: Actor, request: FoiRequest) -> bool:
    """The requester, the municipality's officers and provincial admins."""
    if actor.user is not None and actor.user.pk == request.requester_id and actor.has_scope("read"):
        return True
    return can(actor, Action.VIEW_FOI_PRIVATE, request.municipality)


def can_manage(actor: Actor, request: FoiRequest) -> bool:
    return can(actor, Action.MANAGE_FOI, request.municipality)


def foi_request_get_visible(
    *, actor: Actor, number: str, municipality_slug: str | None = None, body_slug: str | None = None
) -> FoiRequest:
    """One request; a hidden one only for those who may see its private data."""
    where = {"provincial_body__slug": body_slug} if body_slug else {"municipality__slug": municipality_slug}
    request = (
        FoiRequest.objects.select_related("municipality__province", "provincial_body__province", "topic", "dataset")
        .filter(number=number, **where)
        .first()
    )
    if request is None or (request.is_hidden and not can_view_private(actor, request)):
        raise NotFound(_("No existe el pedido %(n)s.") % {"n": number})
    return request


def foi_request_list_for_requester(*, actor: Actor) -> QuerySet[FoiRequest]:
    if actor.user is None:
        return FoiRequest.objects.none()
    return (
        FoiRequest.objects.filter(requester=actor.user)
        .select_related("municipality", "provincial_body", "topic")
        .defer("municipality__boundary")
        .order_by("-filed_at")
    )


def _of_authority(municipality: Municipality | None) -> Q:
    """A municipality's requests; with None, those to provincial bodies."""
    return Q(municipality=municipality) if municipality is not None else Q(provincial_body__isnull=False)


def foi_inbox(*, actor: Actor, municipality: Municipality | None) -> list[FoiRequest]:
    """Open requests, overdue first, then by time left; those waiting for a clarification last.
    With no municipality: the requests to provincial bodies (provincial admins)."""
    require(actor, Action.MANAGE_FOI, municipality)
    requests = list(
        FoiRequest.objects.filter(_of_authority(municipality), status__in=OPEN_STATUSES)
        .select_related("topic", "municipality", "provincial_body")
        .defer("municipality__boundary")
    )
    today = timezone.localdate()
    for request in requests:
        request.days_left = (request.due_date - today).days if request.due_date else None
    return sorted(requests, key=lambda r: (r.days_left is None, r.days_left if r.days_left is not None else 0, r.pk))


def foi_complaint_list(*, actor: Actor, municipality: Municipality | None) -> QuerySet[FoiRequest]:
    """Requests of the municipality (or to provincial bodies) with a complaint, the most recent first."""
    require(actor, Action.MANAGE_FOI, municipality)
    return (
        FoiRequest.objects.filter(_of_authority(municipality), complained_at__isnull=False)
        .select_related("municipality", "provincial_body")
        .order_by("-complained_at")
    )


def municipality_list_for_officer(*, actor: Actor) -> QuerySet[Municipality]:
    return municipalities_where(actor, Action.MANAGE_FOI).filter(is_active=True)


def foi_similar(*, actor: Actor, q: str, municipality: Municipality | None = None) -> dict:
    """Past requests (answered first) and published datasets that may already answer ``q``."""
    terms = _terms(q)
    result: dict = {"requests": [], "datasets": []}
    if not terms:
        return result
    stems = _search_terms(" ".join(terms))
    match = Q()
    for stem in stems:
        match |= Q(search_terms__contains=f" {stem} ")
    candidates = list(foi_request_list_public().filter(match)[:200])
    for request in candidates:
        request.score = sum(f" {stem} " in request.search_terms for stem in stems)
        request.score += request.outcome in RESPONSE_OUTCOMES[:2]
        request.score += municipality is not None and request.municipality_id == municipality.pk
    result["requests"] = sorted(candidates, key=lambda r: -r.score)[:5]
    seen: dict[int, Dataset] = {}
    for query in [" ".join(terms), *sorted(terms, key=len, reverse=True)[:3]]:
        found = dataset_search(actor=actor, query=SearchQuery(q=query, rows=5, facets=()))
        for dataset in found.datasets:
            seen.setdefault(dataset.pk, dataset)
        if len(seen) >= 5:
            break
    result["datasets"] = list(seen.values())[:5]
    return result


def _percentile(values: list[int], fraction: float) -> int:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _answer_days(qs: QuerySet[FoiRequest]) -> tuple[list[int], int]:
    """Calendar days from filing to answer of each answered request, and how many were on time."""
    tz = timezone.get_current_timezone()
    days, on_time = [], 0
    answered = qs.filter(outcome__in=RESPONSE_OUTCOMES).values_list("filed_at", "responded_at", "due_date")
    for filed_at, responded_at, due_date in answered.iterator(chunk_size=5000):
        responded = responded_at.astimezone(tz).date()
        days.append((responded - filed_at.astimezone(tz).date()).days)
        on_time += due_date is None or responded <= due_date
    return days, on_time


def foi_performance(municipality: Municipality | None = None) -> dict:
    """How requests were handled: counts always, rates and day figures only from
    ``MIN_COUNT_FOR_RATES`` answered requests (``None`` below). Province-wide when no municipality."""
    qs = FoiRequest.objects.all() if municipality is None else FoiRequest.objects.filter(municipality=municipality)
    is_open = Q(status__in=OPEN_STATUSES)
    counts = qs.aggregate(
        received=Count("pk"),
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(due_date__lt=timezone.localdate())),
        answered_full=Count("pk", filter=Q(outcome=Outcome.ANSWERED_FULL)),
        answered_partial=Count("pk", filter=Q(outcome=Outcome.ANSWERED_PARTIAL)),
        extensions=Count("pk", filter=Q(extended_at__isnull=False)),
        not_held=Count("pk", filter=Q(outcome=Outcome.NOT_HELD)),
        withdrawn=Count("pk", filter=Q(outcome=Outcome.WITHDRAWN)),
        forwarded=Count("pk", filter=Q(status=Status.FORWARDED)),
    )
    grounds = dict.fromkeys(RefusalGround.values, 0)
    for row in qs.filter(outcome=Outcome.REFUSED).values("refusal_ground").annotate(n=Count("pk")):
        grounds[row["refusal_ground"] or RefusalGround.OTHER] += row["n"]
    days, on_time = _answer_days(qs)
    enough = len(days) >= MIN_COUNT_FOR_RATES
    return {
        **counts,
        "answered": len(days),
        "answered_on_time": on_time,
        "on_time_rate": round(on_time / len(days), 3) if enough else None,
        "median_days": statistics.median(days) if enough else None,
        "p90_days": _percentile(days, 0.9) if enough else None,
        "refused": sum(grounds.values()),
        "refusals_by_ground": grounds,
        "min_count": MIN_COUNT_FOR_RATES,
    }


def foi_performance_by_municipality() -> list[tuple[Municipality, dict]]:
    ids = FoiRequest.objects.values("municipality_id").distinct()
    return [(m, foi_performance(m)) for m in Municipality.objects.filter(pk__in=ids)]


def ordinance_status(municipality: Municipality) -> dict:
    """The municipality's access-to-information ordinance and the rule in force, for monitoring."""
    ordinance = AccessOrdinance.objects.filter(municipality=municipality).first()
    rule = access_rule_for(municipality)
    return {
        "status": ordinance.status if ordinance else "none",
        "number": ordinance.number if ordinance else "",
        "enacted_on": ordinance.enacted_on if ordinance else None,
        "url": ordinance.url if ordinance else "",
        "rule_source": rule.source,
        "response_days": rule.response_days,
        "extension_days": rule.extension_days,
        "day_kind": rule.day_kind,
        "is_default": rule.is_default,
        "complaint_days": rule.complaint_days,
        "review_body": rule.review_body,
    }


def topics_most_requested(municipality: Municipality, limit: int = 5) -> list[dict]:
    """Topics asked about most, with whether a published dataset already covers each: candidates
    for proactive publication."""
    counts = (
        FoiRequest.objects.filter(municipality=municipality, topic__isnull=False)
        .values("topic__identifier", "topic__label")
        .annotate(n=Count("pk"))
        .order_by("-n", "topic__label")[:limit]
    )
    published = set(
        Dataset.objects.filter(municipality=municipality, status=DatasetStatus.PUBLISHED, deleted_at__isnull=True)
        .values_list("themes__identifier", flat=True)
        .distinct()
    )
    return [
        {
            "identifier": c["topic__identifier"],
            "label": c["topic__label"],
            "count": c["n"],
            "has_dataset": c["topic__identifier"] in published,
        }
        for c in counts
    ]


def foi_report_queue(*, actor: Actor) -> QuerySet[FoiReport]:
    """Open reports about requests of the municipalities the actor moderates."""
    municipalities = municipalities_where(actor, Action.MANAGE_FOI)
    mine = Q(request__municipality__in=municipalities)
    if can(actor, Action.MANAGE_FOI, None):
        mine |= Q(request__provincial_body__isnull=False)
    return (
        FoiReport.objects.filter(mine, resolved_at__isnull=True)
        .select_related("request__municipality", "request__provincial_body")
        .order_by("created_at")
    )
