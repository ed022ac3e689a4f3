"""package_search over the catalog selectors: a parsed q/fq tree in, one page of datasets and facets out.

Free-text terms use the catalog's search (``dataset_text_filter``: accents, case and Spanish
word endings do not matter), and ``score`` ranks as the catalog's search does
(``dataset_title_tier``: every term in the title, then some, then the rest). Field filters,
sorting and facets are CKAN's and are computed here, because ``dataset_search_ckan`` takes a flat
conjunction of filters: it cannot express the OR/NOT trees, ``id``/``name`` filters and
``metadata_created`` ranges CKAN clients send, and its "modified" is the data's modification
date, while CKAN's ``metadata_modified`` (what harvesters page on) is the last change of the
metadata.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_
from uuid import UUID

from django.db import connection
from django.db.models import Count, Q, QuerySet

from abiertos.catalog import text
from abiertos.catalog.models import Dataset, DatasetStatus, Distribution
from abiertos.catalog.search import dataset_text_filter, dataset_title_tier
from abiertos.catalog.selectors import dataset_list_public, dataset_list_visible_to
from abiertos.core.actors import Actor

from . import fq, index_querying

NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)

# CKAN sort field → our column. "score" (relevance) has no column here: it keeps the next key's order.
SORT_FIELDS = {
    "metadata_modified": "updated_at",
    "metadata_created": "created_at",
    "name": "name",
    "title_string": "title",
    "title": "title",
    "id": "uuid",
    "score": None,
}
FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
DEFAULT_SORT = [("score", True), ("metadata_modified", True)]


@dataclass
class FacetItem:
    name: str
    display_name: str
    count: int


@dataclass
class SearchPage:
    count: int
    datasets: list[Dataset]
    facets: dict[str, list[FacetItem]] = field(default_factory=dict)


def _tag_filter(value: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(keywords__contains=[value])
    ids = [pk for pk, keywords in Dataset.objects.values_list("pk", "keywords") if value in (keywords or [])]
    return Q(pk__in=ids)


def _id_filter(value: str) -> Q:
    try:
        return Q(uuid=UUID(value))
    except ValueError:
        return NOTHING


def _text_filter(value: str) -> Q:
    return dataset_text_filter(value) or EVERYTHING


def text_query(node: fq.Node) -> str:
    """The free text a query asks for (not what it excludes), for ranking."""
    if isinstance(node, fq.Term):
        return "" if node.field else node.value
    if isinstance(node, fq.And | fq.Or):
        return " ".join(filter(None, (text_query(n) for n in node.nodes)))
    return ""


def _term_filter(term: fq.Term) -> Q:
    value = term.value
    filters = {
        "": _text_filter,
        "organization": lambda v: Q(municipality__slug=v),
        "owner_org": lambda v: Q(municipality__code=v) | Q(municipality__slug=v),
        "tags": _tag_filter,
        "res_format": lambda v: Q(
            pk__in=Distribution.objects.filter(deleted_at__isnull=True, format__iexact=v).values("dataset_id")
        ),
        "groups": lambda v: Q(pk__in=Dataset.themes.through.objects.filter(theme__identifier=v).values("dataset_id")),
        "license_id": lambda v: Q(license=v),
        "name": lambda v: Q(name=v),
        "id": _id_filter,
        "dataset_type": lambda v: EVERYTHING if v == "dataset" else NOTHING,
        "type": lambda v: EVERYTHING if v == "dataset" else NOTHING,
        "capacity": lambda v: {
            "public": Q(status=DatasetStatus.PUBLISHED),
            "private": Q(status=DatasetStatus.DRAFT),
        }.get(v, NOTHING),
    }
    return filters[term.field](value)


def _range_filter(node: fq.Range) -> Q:
    column = {"metadata_modified": "updated_at", "metadata_created": "created_at"}[node.field]
    q = EVERYTHING
    if node.low is not None:
        q &= Q(**{f"{column}__{'gte' if node.include_low else 'gt'}": node.low})
    if node.high is not None:
        q &= Q(**{f"{column}__{'lte' if node.include_high else 'lt'}": node.high})
    return q


def node_filter(node: fq.Node) -> Q:
    """The ORM filter equivalent to a parsed query tree."""
    if isinstance(node, fq.MatchAll):
        return EVERYTHING
    if isinstance(node, fq.Term):
        return _term_filter(node)
    if isinstance(node, fq.Range):
        return _range_filter(node)
    if isinstance(node, fq.Not):
        return ~node_filter(node.node)
    combine = and_ if isinstance(node, fq.And) else or_
    return reduce(combine, (node_filter(n) for n in node.nodes))


def _ordered(qs: QuerySet[Dataset], sort: list[tuple[str, bool]], q: str) -> QuerySet[Dataset]:
    columns = []
    for name, descending in sort:
        column = SORT_FIELDS[name]
        if column is None and q:
            qs, column = qs.annotate(score=dataset_title_tier(q)), "score"
        if column is not None:
            columns.append(f"-{column}" if descending else column)
    return qs.order_by(*columns, "pk")


def _counted(pairs, limit: int) -> list[FacetItem]:
    items = [FacetItem(str(name), str(display), count) for name, display, count in pairs if name and count > 0]
    items.sort(key=lambda item: (-item.count, item.name))
    return items if limit < 0 else items[:limit]


def _facet(name: str, qs: QuerySet[Dataset], limit: int) -> list[FacetItem]:
    ids = qs.values("pk")
    if name == "organization":
        rows = (
            Dataset.objects.filter(pk__in=ids)
            .values_list("municipality__slug", "municipality__name")
            .annotate(n=Count("pk"))
        )
    elif name == "license_id":
        rows = (
            (lic, lic, n)
            for lic, n in Dataset.objects.filter(pk__in=ids).values_list("license").annotate(n=Count("pk"))
        )
    elif name == "groups":
        rows = (
            Dataset.themes.through.objects.filter(dataset_id__in=ids)
            .values_list("theme__identifier", "theme__label")
            .annotate(n=Count("dataset_id", distinct=True))
        )
    elif name == "res_format":
        rows = (
            (fmt, fmt, n)
            for fmt, n in Distribution.objects.filter(dataset_id__in=ids, deleted_at__isnull=True)
            .values_list("format")
            .annotate(n=Count("dataset_id", distinct=True))
        )
    else:
        counter = Counter(tag for keywords in qs.values_list("keywords", flat=True) for tag in set(keywords or []))
        rows = ((tag, tag, n) for tag, n in counter.items())
    return _counted(rows, limit)


def _search_on_index(
    actor, base, query, flat, sort, start, rows, facet_fields, facet_limit, include_private
) -> SearchPage:
    """The same answer as the catalog-table path, from the search index (see index_querying)."""
    kinds = list(dict.fromkeys(index_querying.FACET_KINDS[name] for name in facet_fields))
    rank_terms = text.query_terms(text_query(query))

    def compute() -> index_querying.Answer:
        return index_querying.answer(actor, flat, include_private, kinds, sort, rank_terms, start, rows)

    if include_private:  # who sees which drafts varies by actor: not cached
        found = compute()
    else:
        found = index_querying.cached(("ckan", flat, kinds, sort, rank_terms, start, rows), compute)
    facets = {
        name: _counted(found.facets.get(index_querying.FACET_KINDS[name], []), facet_limit) for name in facet_fields
    }
    loaded = base.in_bulk(found.ids) if found.ids else {}
    return SearchPage(count=found.count, datasets=[loaded[pk] for pk in found.ids if pk in loaded], facets=facets)


def dataset_search(
    *,
    actor: Actor,
    query: fq.Node,
    sort: list[tuple[str, bool]],
    start: int,
    rows: int,
    facet_fields: list[str],
    facet_limit: int = 50,
    include_private: bool = False,
) -> SearchPage:
    """One page of the datasets the actor may see that match the query, with counts per facet."""
    if include_private:
        base = dataset_list_visible_to(actor=actor, as_lists=True)
    else:
        base = dataset_list_public(as_lists=True)
    flat = index_querying.flatten(query)
    if flat is not None:
        return _search_on_index(actor, base, query, flat, sort, start, rows, facet_fields, facet_limit, include_private)
    qs = base.filter(node_filter(query))
    facets = {name: _facet(name, qs, facet_limit) for name in facet_fields}
    page = list(_ordered(qs, sort, text_query(query))[start : start + rows]) if rows else []
    return SearchPage(count=qs.count(), datasets=page, facets=facets)
