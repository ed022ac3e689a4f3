"""package_search on the catalog's search index, for the queries CKAN clients send most.

Most requests are a conjunction: free text, ``field:value`` filters on organization, groups,
tags, res_format and license_id, and ``metadata_modified``/``metadata_created`` ranges (the
harvester's query). Those run here, on ``DatasetSearchEntry`` and its facet rows, which hold one
row per dataset and per facet value, so the match set is counted, ranked and faceted without
touching the catalog tables; only the page's datasets are then loaded. Anything else (``OR``,
``NOT``, ``name``/``id``/``capacity`` filters) returns ``None`` and ``querying`` answers it on the
catalog tables. The semantics are ``querying``'s exactly (tested on both paths): the same
visibility, the same exact tags, the same ranking (title tier, then the sort keys, then id).

Public answers (count, facet counts, the page's ids) are also cached, keyed by the query and
by the index's generation token (``search_index.index_generation``), which every index write
changes in its own transaction: a cached answer is never served for a later index state, in
any process. Counting facets over a large match set costs tens of milliseconds; portals, clients
and harvesters repeat the same few queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow.compute as pc
from django.db import connection
from django.db.models import BooleanField, Case, F, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, StrIndex
from django.db.models.lookups import GreaterThan

from abiertos.accounts.permissions import Action, municipalities_where
from abiertos.catalog import search_engine, text
from abiertos.catalog.models import DatasetSearchEntry, DatasetSearchFacet, SearchFacetValue, Theme
from abiertos.catalog.search_backends import entry_match_condition
from abiertos.catalog.search_cache import search_cached
from abiertos.core.actors import Actor
from abiertos.core.models import Municipality

from . import fq

# CKAN field → the index's facet kind (value as the field holds it).
FACET_KINDS = {
    "organization": "municipality",
    "groups": "theme",
    "tags": "tag",
    "res_format": "format",
    "license_id": "license",
}
# Facets whose display name is the index's label (the others show the value itself).
LABELLED = {"municipality", "theme"}
SORT_COLUMNS = {
    "metadata_modified": "updated",
    "metadata_created": "created",
    "name": "name",
    "title_string": "dataset__title",
    "title": "dataset__title",
    "id": "dataset__uuid",
}
RANGE_COLUMNS = {"metadata_modified": "updated", "metadata_created": "created"}
NEUTRAL_FIELDS = {"dataset_type", "type"}  # ``dataset`` matches everything


@dataclass
class FlatQuery:
    """A query tree that is a plain conjunction, taken apart."""

    terms: list[str] = field(default_factory=list)  # normalised text terms, all required
    filters: list[tuple[str, str]] = field(default_factory=list)  # (facet kind, value)
    ranges: list[fq.Range] = field(default_factory=list)
    nothing: bool = False  # a clause no dataset satisfies (e.g. dataset_type:harvest)


def _term(term: fq.Term, flat: FlatQuery) -> bool:
    if term.field == "":
        flat.terms += text.query_terms(term.value)
    elif term.field in FACET_KINDS:
        kind = FACET_KINDS[term.field]
        value = term.value.strip().upper() if kind == "format" else term.value
        flat.filters.append((kind, value))
    elif term.field in NEUTRAL_FIELDS:
        flat.nothing |= term.value != "dataset"
    else:
        return False
    return True


def flatten(node: fq.Node, flat: FlatQuery | None = None) -> FlatQuery | None:
    """The conjunction as terms, facet filters and ranges; None if the tree is anything else."""
    flat = flat if flat is not None else FlatQuery()
    if isinstance(node, fq.MatchAll):
        return flat
    if isinstance(node, fq.And):
        return flat if all(flatten(n, flat) is not None for n in node.nodes) else None
    if isinstance(node, fq.Term):
        return flat if _term(node, flat) else None
    if isinstance(node, fq.Range) and node.field in RANGE_COLUMNS:
        flat.ranges.append(node)
        return flat
    return None


def _visible(actor: Actor, include_private: bool) -> Q:
    if not include_private:
        # Written as ``IN (true)``: Django renders ``is_public=True`` as a bare column, which SQLite
        # cannot use as an index key, so it fetched each match's (wide) row; ``IN`` lets it check
        # the covering index (dataset, is_public, …) instead (about 10 ms less on 15,000 matches).
        return Q(is_public__in=[True])
    visible = Q(is_published=True)
    if actor.user is not None:
        visible |= Q(municipality_id__in=municipalities_where(actor, Action.VIEW_CATALOG_DRAFTS).values("pk"))
    return visible


def _range(node: fq.Range) -> Q:
    column = RANGE_COLUMNS[node.field]
    q = Q()
    if node.low is not None:
        q &= Q(**{f"{column}__{'gte' if node.include_low else 'gt'}": node.low})
    if node.high is not None:
        q &= Q(**{f"{column}__{'lte' if node.include_high else 'lt'}": node.high})
    return q


def matching(actor: Actor, flat: FlatQuery, include_private: bool) -> QuerySet[DatasetSearchEntry]:
    """The index entries the actor may see that satisfy the flat query."""
    entries = DatasetSearchEntry.objects.filter(_visible(actor, include_private))
    for kind, value in dict.fromkeys(flat.filters):
        facet_rows = DatasetSearchFacet.objects.filter(facet=kind, value=value)
        entries = entries.filter(pk__in=facet_rows.values("entry_id"))
    for node in flat.ranges:
        entries = entries.filter(_range(node))
    if flat.terms:
        condition, params = entry_match_condition(list(dict.fromkeys(flat.terms)))
        entries = entries.filter(RawSQL(condition, params, output_field=BooleanField()))
    return entries


def _title_tier(terms: list[str]):
    """2 when the title has every term, 1 some, 0 none (read from the entry's stored title terms)."""
    padded = Concat(Value(" "), F("title_terms"), Value(" "), output_field=TextField())
    hits = [
        Case(When(GreaterThan(StrIndex(padded, Value(f" {term} ")), 0), then=Value(1)), default=Value(0))
        for term in terms
    ]
    total = sum(hits[1:], start=hits[0])
    return Case(
        When(GreaterThan(total, len(terms) - 1), then=Value(2)),
        When(GreaterThan(total, 0), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def page_ids(entries: QuerySet, sort: list[tuple[str, bool]], rank_terms: list[str], start: int, rows: int):
    """The ids of one page of entries in CKAN's order (querying._ordered's, on the index)."""
    columns = []
    for name, descending in sort:
        if name == "score":
            if not rank_terms:
                continue
            entries = entries.annotate(score=_title_tier(rank_terms))
            column = "score"
        else:
            column = SORT_COLUMNS[name]
        columns.append(F(column).desc() if descending else F(column).asc())
    return list(entries.order_by(*columns, "pk").values_list("pk", flat=True)[start : start + rows])


def _labels(kind: str, values: list[str]) -> dict[str, str]:
    """Display names of labelled facet values, as the catalog-table path shows them."""
    if kind == "municipality":  # all 135 rows: cheaper than preparing a long ``IN`` list
        wanted = set(values)
        return {slug: name for slug, name in Municipality.objects.values_list("slug", "name") if slug in wanted}
    if kind == "theme":
        themes = Theme.objects.filter(identifier__in=values).values_list("identifier", "label")
        return {identifier: label or identifier for identifier, label in themes}
    return {}


def facet_counts(entries: QuerySet, kinds: list[str]) -> dict[str, list[tuple[str, str, int]]]:
    """(value, display name, datasets) per facet kind, over the matching entries, in one query.

    The query groups the facet rows' integer value ids (``SearchFacetValue``) read from a narrow
    covering index (entry, facet, value id); the few distinct ids are turned into values and labels
    afterwards. Grouping the strings (value and label) cost about 1.5 times as much CPU on 15,000
    matches (SQLite)."""
    counts: dict[str, list[tuple[str, str, int]]] = {kind: [] for kind in kinds}
    if not kinds:
        return counts
    matching_sql, params = entries.order_by().values(match_id=F("pk")).query.sql_with_params()
    table = DatasetSearchFacet._meta.db_table
    # CROSS JOIN keeps SQLite walking the (few) matches and seeking their facet rows through the
    # covering index (entry, facet, value_ref), not scanning every facet row; to PostgreSQL it is a
    # plain join.
    sql = (
        f"SELECT f.value_ref_id, COUNT(*) FROM ({matching_sql}) m CROSS JOIN {table} f "
        f"WHERE f.entry_id = m.match_id AND f.facet IN ({', '.join(['%s'] * len(kinds))}) "
        "GROUP BY f.value_ref_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *kinds])
        counted = dict(cursor.fetchall())
    values = SearchFacetValue.objects.filter(pk__in=[pk for pk in counted if pk is not None])
    by_kind: dict[str, list[tuple[str, int]]] = {kind: [] for kind in kinds}
    for pk, kind, value in values.values_list("pk", "facet", "value"):
        by_kind[kind].append((value, counted[pk]))
    for kind, pairs in by_kind.items():
        labels = _labels(kind, [value for value, _n in pairs]) if kind in LABELLED else {}
        counts[kind] = [(value, labels.get(value, value), n) for value, n in pairs]
    return counts


@dataclass
class Answer:
    count: int
    facets: dict[str, list[tuple[str, str, int]]]
    ids: list[int]


# Sort keys the in-memory copy holds (search_engine.py); others pick the page in SQL.
MEMORY_SORTS = {"score": None, "metadata_modified": "updated", "metadata_created": "created"}


def _engine_visibility(actor: Actor, include_private: bool) -> search_engine.Visibility:
    """``_visible`` for the in-memory copy."""
    if not include_private:
        return search_engine.Visibility("is_public")
    mine = frozenset()
    if actor.user is not None:
        mine = frozenset(municipalities_where(actor, Action.VIEW_CATALOG_DRAFTS).values_list("pk", flat=True))
    return search_engine.Visibility("is_published", mine)


def _engine_ranges(ranges: list[fq.Range]) -> list[tuple[str, str, int]]:
    out = []
    for node in ranges:
        column = RANGE_COLUMNS[node.field]
        if node.low is not None:
            out.append((column, "gte" if node.include_low else "gt", search_engine.micros(node.low)))
        if node.high is not None:
            out.append((column, "lte" if node.include_high else "lt", search_engine.micros(node.high)))
    return out


def _nulls_first(sort: list[tuple[str, bool]]) -> bool:
    """Where each database puts NULL dates, as the SQL path orders them: PostgreSQL sorts NULL as
    the largest value, SQLite as the smallest (only the first date key decides)."""
    for name, descending in sort:
        if MEMORY_SORTS.get(name):
            return descending if connection.vendor == "postgresql" else not descending
    return False


def _tier(index: search_engine.ColumnarIndex, match: search_engine.TextMatch, count: int):
    """Per row: 2 every rank term in the title, 1 some, 0 none (``_title_tier``)."""
    hits = index.title_hits(match)
    some = pc.greater(hits, 0).cast("int8")
    every = pc.equal(hits, count).cast("int8")
    return pc.add(some, every)


def _answer_in_memory(actor, flat, include_private, kinds, sort, rank_terms, start, rows) -> Answer:
    visibility = _engine_visibility(actor, include_private)
    terms = list(dict.fromkeys(flat.terms))
    in_memory_page = all(name in MEMORY_SORTS for name, _d in sort) and (terms or not rank_terms)

    def compute(index: search_engine.ColumnarIndex, match: search_engine.TextMatch | None):
        filters = [(kind, index.slots_for(kind, [value])) for kind, value in dict.fromkeys(flat.filters)]
        mask = index.select(
            match=match, visibility=visibility, facet_filters=filters, ranges=_engine_ranges(flat.ranges)
        )
        count = index.count(mask)
        counted = {kind: index.facet_counts(mask, kind) for kind in kinds}
        ids: list[int] = []
        if rows and count > start:
            if in_memory_page:
                keys = []
                for name, descending in sort:
                    if name == "score":
                        if rank_terms:
                            keys.append((_tier(index, match, len(rank_terms)), descending))
                    else:
                        keys.append((MEMORY_SORTS[name], descending))
                ids = index.ordered_ids(
                    mask, keys, id_descending=False, start=start, rows=rows, nulls_first=_nulls_first(sort)
                )
            else:
                ids = page_ids(matching(actor, flat, include_private), sort, rank_terms, start, rows)
                if index.db_state() != index.state:  # the SQL page must describe the same state
                    raise search_engine.Stale
        return count, counted, ids

    count, counted, ids = search_engine.search(compute, terms, rank_terms if in_memory_page else [])
    facets: dict[str, list[tuple[str, str, int]]] = {}
    for kind, items in counted.items():
        by_value: dict[str, int] = {}
        for value, _label, n in items:
            by_value[value] = by_value.get(value, 0) + n
        labels = _labels(kind, list(by_value)) if kind in LABELLED else {}
        facets[kind] = [(value, labels.get(value, value), n) for value, n in by_value.items()]
    return Answer(count=count, facets=facets, ids=ids)


def answer(
    actor: Actor,
    flat: FlatQuery,
    include_private: bool,
    kinds: list[str],
    sort: list[tuple[str, bool]],
    rank_terms: list[str],
    start: int,
    rows: int,
) -> Answer:
    """Count, facet counts and one page of ids, from this process's in-memory copy of the index
    (search_engine.py); in SQL (``answer_sql``) only if the index kept changing during the search."""
    if flat.nothing:
        return Answer(count=0, facets={}, ids=[])
    try:
        return _answer_in_memory(actor, flat, include_private, kinds, sort, rank_terms, start, rows)
    except search_engine.Stale:
        return answer_sql(actor, flat, include_private, kinds, sort, rank_terms, start, rows)


def answer_sql(
    actor: Actor,
    flat: FlatQuery,
    include_private: bool,
    kinds: list[str],
    sort: list[tuple[str, bool]],
    rank_terms: list[str],
    start: int,
    rows: int,
) -> Answer:
    """``answer`` in SQL on the index tables. With facets asked for, the count is the sum of the
    municipality facet (every dataset has exactly one), saving a pass over the match set."""
    if flat.nothing:
        return Answer(count=0, facets={}, ids=[])
    entries = matching(actor, flat, include_private)
    facets: dict[str, list[tuple[str, str, int]]] = {}
    if kinds:
        facets = facet_counts(entries, list(dict.fromkeys(["municipality", *kinds])))
        count = sum(n for _value, _display, n in facets["municipality"])
        facets = {kind: facets[kind] for kind in kinds}
    else:
        count = entries.count()
    ids = page_ids(entries, sort, rank_terms, start, rows) if rows and count > start else []
    return Answer(count=count, facets=facets, ids=ids)


def cached(key_parts: tuple, compute: Callable[[], Answer]) -> Answer:
    """``compute()``, or its answer from the cache for the index's current generation."""
    return search_cached(("ckan", *key_parts), compute)
