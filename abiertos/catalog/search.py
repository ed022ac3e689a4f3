"""Dataset search: province-wide or per municipality, with facets, sorting and pages.

``dataset_search(actor=..., query=SearchQuery(...)) -> SearchResult`` is the one entry point;
pages, the REST API and the CKAN API (``dataset_search_ckan``) all call it.

How a query runs (a fixed number of SQL queries, none per row):
1. the matching set is a filter on DatasetSearchEntry: visibility, facet filters as
   ``pk IN (SELECT entry_id FROM facets WHERE facet=… AND value IN …)``, freshness as an
   indexed comparison on ``fresh_until``, and the text match as ``pk IN (FTS5 / tsvector
   subquery)`` from search_backends.py;
2. one ordered, sliced query picks the page's ids and counts the whole set (window
   functions: total and how many are up to date) in the same pass;
3. one GROUP BY over the facet rows of the matching set counts every requested facet;
4. the page's datasets are loaded with their relations.
The text index is thus searched twice per request, whatever the number of terms.

Text semantics: every term of ``q`` must occur (title, keywords and themes, description,
publisher, municipality, distributions and their fields), after text.py normalisation
(accents, case, Spanish stemming). Relevance orders by how many of the terms the title
has, so datasets with every term in the title come first and those with none last; ties go to
the most recently modified. Title matches are counted from the entry's stored title terms, not by a
second text search. The same ranking runs on SQLite and PostgreSQL, so both return the same
order.

Facet filter semantics: a dataset has one municipality, license and publisher, so several
values of those are alternatives; it has several themes, formats and keywords, so several
values of those must all be present (drilling down, as in CKAN). Facet counts are over the
matching set with every filter applied, so choosing any listed value narrows the result to
exactly its count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple

import pyarrow.compute as pc
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate, Concat, StrIndex
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, can, municipalities_where
from abiertos.core.actors import Actor
from abiertos.core.errors import ValidationError

from . import search_engine, text
from .freshness import up_to_date_q
from .models import Dataset, DatasetSearchEntry, DatasetSearchFacet, Distribution
from .search_backends import match_sql
from .search_cache import search_cached

FACETS = ("municipality", "theme", "format", "license", "keyword", "publisher", "up_to_date")
SORTS = ("relevance", "title", "modified", "created", "name")
# The natural direction of each sort when the caller does not choose one.
DEFAULT_DESCENDING = {"relevance": True, "title": False, "modified": True, "created": True, "name": False}
MAX_ROWS = 1000
MAX_START = 1_000_000


@dataclass(frozen=True)
class SearchQuery:
    """What to look for. Filters hold facet values as returned in ``SearchResult.facets``."""

    q: str = ""
    municipalities: tuple[str, ...] = ()  # slugs
    themes: tuple[str, ...] = ()  # theme identifiers
    formats: tuple[str, ...] = ()  # e.g. "CSV"
    licenses: tuple[str, ...] = ()  # license codes
    keywords: tuple[str, ...] = ()
    publishers: tuple[str, ...] = ()
    up_to_date: bool | None = None
    modified_since: datetime | None = None  # inclusive
    modified_before: datetime | None = None  # exclusive
    sort: str = "relevance"
    descending: bool | None = None  # None: the sort's natural direction
    start: int = 0
    rows: int = 20
    facets: tuple[str, ...] = FACETS  # which facets to count; () for none (faster)
    facet_limit: int = 50  # values per facet, the most frequent first
    include_drafts: bool = False  # also the drafts of municipalities the actor manages

    @classmethod
    def for_page(cls, page: int = 1, per_page: int = 20, **filters) -> SearchQuery:
        """A query for a 1-based page of ``per_page`` results."""
        per_page = max(1, min(per_page, MAX_ROWS))
        return cls(start=(max(page, 1) - 1) * per_page, rows=per_page, **filters)


class FacetValue(NamedTuple):
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    query: SearchQuery
    total: int
    datasets: list[Dataset]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)  # the normalised terms searched for

    @property
    def page(self) -> int:
        return self.query.start // self.query.rows + 1 if self.query.rows else 1

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.query.rows) if self.query.rows else 1

    @property
    def has_next(self) -> bool:
        return self.query.start + len(self.datasets) < self.total


def _checked(query: SearchQuery) -> SearchQuery:
    errors = {}
    if query.sort not in SORTS:
        errors["sort"] = [
            _("Orden desconocido «%(v)s»; usá uno de: %(ok)s.") % {"v": query.sort, "ok": ", ".join(SORTS)}
        ]
    if unknown := sorted(set(query.facets) - set(FACETS)):
        errors["facets"] = [_("Facetas desconocidas: %(v)s.") % {"v": ", ".join(unknown)}]
    if errors:
        raise ValidationError(_("Revisá los parámetros de la búsqueda."), fields=errors)
    return replace(
        query,
        start=max(0, min(query.start, MAX_START)),
        rows=max(0, min(query.rows, MAX_ROWS)),
        facet_limit=max(1, min(query.facet_limit, 1000)),
    )


def _visible(actor: Actor, include_drafts: bool) -> Q:
    public = Q(is_public=True)
    if not include_drafts or not (actor.is_authenticated or actor.is_system):
        return public
    if can(actor, Action.MANAGE_CATALOG):
        return Q()
    return public | Q(municipality_id__in=municipalities_where(actor, Action.MANAGE_CATALOG).values("pk"))


def _with_facet(facet: str, values) -> Q:
    return Q(pk__in=DatasetSearchFacet.objects.filter(facet=facet, value__in=list(values)).values("entry_id"))


def _facet_filters(query: SearchQuery) -> Q:
    condition = Q()
    any_of = {
        "municipality": [v.strip() for v in query.municipalities],
        "license": [v.strip() for v in query.licenses],
        "publisher": [text.facet_value(v) for v in query.publishers],
    }
    for facet, values in any_of.items():
        if values:
            condition &= _with_facet(facet, values)
    all_of = {
        "theme": [v.strip() for v in query.themes],
        "format": [v.strip().upper() for v in query.formats],
        "keyword": [text.facet_value(v) for v in query.keywords],
    }
    for facet, values in all_of.items():
        for value in dict.fromkeys(values):
            condition &= _with_facet(facet, [value])
    return condition


def _matching(actor: Actor, query: SearchQuery, terms: list[str], now: datetime) -> QuerySet[DatasetSearchEntry]:
    entries = DatasetSearchEntry.objects.filter(_visible(actor, query.include_drafts), _facet_filters(query))
    if query.up_to_date is not None:
        entries = entries.filter(up_to_date_q(up_to_date=query.up_to_date, now=now))
    if query.modified_since is not None:
        entries = entries.filter(modified__gte=query.modified_since)
    if query.modified_before is not None:
        entries = entries.filter(modified__lt=query.modified_before)
    if terms:
        entries = entries.filter(pk__in=RawSQL(*match_sql(terms)))
    return entries


def _binary(expression):
    """Compare strings by code point on every database (PostgreSQL's locale collations differ)."""
    return Collate(expression, "C") if connection.vendor == "postgresql" else expression


def _title_hits(terms: list[str]):
    """How many of the terms the entry's title has, read from its stored terms (no second text search)."""
    padded = Concat(Value(" "), F("title_terms"), Value(" "), output_field=TextField())
    hits = [
        Case(When(GreaterThan(StrIndex(padded, Value(f" {term} ")), 0), then=Value(1)), default=Value(0))
        for term in terms
    ]
    return sum(hits[1:], start=hits[0])


def _ordered(entries: QuerySet[DatasetSearchEntry], query: SearchQuery, terms: list[str]):
    sort = "modified" if query.sort == "relevance" and not terms else query.sort
    descending = DEFAULT_DESCENDING[sort] if query.descending is None else query.descending
    if sort == "relevance":
        entries = entries.annotate(title_hits=_title_hits(terms))
        key = F("title_hits")
        then = [F("modified").desc(nulls_last=True), F("pk").desc()]
        return entries.order_by(key.desc() if descending else key.asc(), *then)
    key = {
        "title": _binary(F("title_sort")),
        "modified": F("modified"),
        "created": F("created"),
        "name": _binary(F("name")),
    }[sort]
    if descending:
        return entries.order_by(key.desc(nulls_last=True), F("pk").desc())
    return entries.order_by(key.asc(nulls_last=True), F("pk").asc())


def _page(entries, query: SearchQuery, terms: list[str], now: datetime) -> tuple[list[int], int, int]:
    """The page's ids, the total and how many are up to date, counted in the same query."""
    fresh = Case(When(up_to_date_q(now=now), then=Value(1)), default=Value(0))
    rows = []
    if query.rows:
        page = _ordered(entries, query, terms).annotate(total=Window(Count("pk")), fresh=Window(Sum(fresh)))
        rows = list(page.values_list("pk", "total", "fresh")[query.start : query.start + query.rows])
    if rows:
        return [row[0] for row in rows], rows[0][1], rows[0][2]
    counts = entries.aggregate(total=Count("pk"), fresh=Count("pk", filter=up_to_date_q(now=now)))
    return [], counts["total"], counts["fresh"]


# Above this many matches, scanning the facet index beats seeking each match's facet rows.
FACET_SCAN_FROM = 20_000


def _facet_rows_scanned(entries, grouped: list[str]) -> list[tuple[str, str, int, str]]:
    rows = (
        DatasetSearchFacet.objects.filter(facet__in=grouped, entry_id__in=entries.values("pk"))
        .values_list("facet", "value")
        .annotate(count=Count("pk"), label=Max(_binary(F("label"))))
        .order_by()
    )
    return list(rows)


def _facet_rows(entries, grouped: list[str], total: int) -> list[tuple[str, str, int, str]]:
    """(facet, value, count, label) over the matching set.

    Few matches: walk them and seek each one's facet rows (covering index entry, facet, value,
    label). Raw SQL only for the join order, which SQLite would otherwise get backwards (it
    cannot see how few rows the text match returns): ``CROSS JOIN`` fixes it there and is a
    plain join to PostgreSQL. Many matches: scan the facet rows, checking membership."""
    if total >= FACET_SCAN_FROM:
        return _facet_rows_scanned(entries, grouped)
    matching, params = entries.order_by().values("pk").query.sql_with_params()
    table = DatasetSearchFacet._meta.db_table
    label = 'f.label COLLATE "C"' if connection.vendor == "postgresql" else "f.label"
    sql = (
        f"SELECT f.facet, f.value, COUNT(*), MAX({label}) FROM ({matching}) m CROSS JOIN {table} f "
        f"WHERE f.entry_id = m.pk AND f.facet IN ({', '.join(['%s'] * len(grouped))}) GROUP BY f.facet, f.value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *grouped])
        return cursor.fetchall()


def _facet_counts(entries, query: SearchQuery, total: int, fresh: int) -> dict[str, list[FacetValue]]:
    facets: dict[str, list[FacetValue]] = {name: [] for name in query.facets}
    grouped = [name for name in query.facets if name != "up_to_date"]
    if grouped and total:
        for facet, value, count, label in _facet_rows(entries, grouped, total):
            facets[facet].append(FacetValue(value, label, count))
        for name in grouped:
            facets[name] = sorted(facets[name], key=lambda f: (-f.count, f.value))[: query.facet_limit]
    if "up_to_date" in facets:
        counts = [("true", _("Actualizados"), fresh), ("false", _("Desactualizados"), total - fresh)]
        facets["up_to_date"] = [FacetValue(v, label, n) for v, label, n in counts if n]
    return facets


def _search_sql(actor: Actor, query: SearchQuery, terms: list[str], now: datetime):
    """The page's ids, the total and the facets in SQL on the index tables (``_search_in_memory``'s
    answer, used when the index keeps changing during a search)."""
    entries = _matching(actor, query, terms, now)
    ids, total, fresh = _page(entries, query, terms, now)
    return ids, total, _facet_counts(entries, query, total, fresh) if query.facets else {}


def _engine_visibility(actor: Actor, include_drafts: bool) -> search_engine.Visibility:
    """``_visible`` for the in-memory copy of the index."""
    if not include_drafts or not (actor.is_authenticated or actor.is_system):
        return search_engine.Visibility("is_public")
    if can(actor, Action.MANAGE_CATALOG):
        return search_engine.Visibility(None)
    mine = municipalities_where(actor, Action.MANAGE_CATALOG).values_list("pk", flat=True)
    return search_engine.Visibility("is_public", frozenset(mine))


def _engine_filters(index: search_engine.ColumnarIndex, query: SearchQuery) -> list[tuple[str, list[int]]]:
    """``_facet_filters`` as slot sets: a row must hold one slot of every set."""
    filters = []
    any_of = {
        "municipality": [v.strip() for v in query.municipalities],
        "license": [v.strip() for v in query.licenses],
        "publisher": [text.facet_value(v) for v in query.publishers],
    }
    for facet, values in any_of.items():
        if values:
            filters.append((facet, index.slots_for(facet, values)))
    all_of = {
        "theme": [v.strip() for v in query.themes],
        "format": [v.strip().upper() for v in query.formats],
        "keyword": [text.facet_value(v) for v in query.keywords],
    }
    for facet, values in all_of.items():
        filters += [(facet, index.slots_for(facet, [value])) for value in dict.fromkeys(values)]
    return filters


def _engine_facets(index: search_engine.ColumnarIndex, mask, query: SearchQuery, total: int, fresh: int):
    """``_facet_counts`` on the in-memory copy: counts per value, the greatest label (by code point,
    as ``MAX(label COLLATE "C")``) among the matching rows."""
    facets: dict[str, list[FacetValue]] = {name: [] for name in query.facets}
    for name in query.facets:
        if name == "up_to_date" or not total:
            continue
        by_value: dict[str, list] = {}
        for value, label, n in index.facet_counts(mask, name):
            found = by_value.setdefault(value, [0, label])
            found[0] += n
            found[1] = max(found[1], label)
        counted = [FacetValue(value, label, n) for value, (n, label) in by_value.items()]
        facets[name] = sorted(counted, key=lambda f: (-f.count, f.value))[: query.facet_limit]
    if "up_to_date" in facets:
        counts = [("true", _("Actualizados"), fresh), ("false", _("Desactualizados"), total - fresh)]
        facets["up_to_date"] = [FacetValue(v, label, n) for v, label, n in counts if n]
    return facets


def _search_in_memory(actor: Actor, query: SearchQuery, terms: list[str], now: datetime):
    """The page's ids, the total and the facets from this process's copy of the index
    (search_engine.py): the text match in the database, everything else in memory. Title and name
    orders pick the page in SQL (strings are not held in memory)."""
    visibility = _engine_visibility(actor, query.include_drafts)
    sort = "modified" if query.sort == "relevance" and not terms else query.sort
    descending = DEFAULT_DESCENDING[sort] if query.descending is None else query.descending
    ranges = []
    if query.modified_since is not None:
        ranges.append(("modified", "gte", search_engine.micros(query.modified_since)))
    if query.modified_before is not None:
        ranges.append(("modified", "lt", search_engine.micros(query.modified_before)))

    def compute(index: search_engine.ColumnarIndex, match: search_engine.TextMatch | None):
        mask = index.select(
            match=match, visibility=visibility, facet_filters=_engine_filters(index, query), ranges=ranges
        )
        if query.up_to_date is not None:
            mask = pc.and_(mask, index.fresh_mask(query.up_to_date, now))
        total, fresh = index.count(mask), index.fresh_count(mask, now)
        ids: list[int] = []
        if query.rows and total > query.start:
            if sort in ("title", "name"):
                entries = _ordered(_matching(actor, query, terms, now), query, terms)
                ids = list(entries.values_list("pk", flat=True)[query.start : query.start + query.rows])
                if index.db_state() != index.state:  # the SQL page must describe the same state
                    raise search_engine.Stale
            else:
                keys = [(index.title_hits(match), descending), ("modified", True)] if sort == "relevance" else []
                keys = keys or [(sort, descending)]
                ids = index.ordered_ids(
                    mask, keys, id_descending=descending or sort == "relevance", start=query.start, rows=query.rows
                )
        return ids, total, _engine_facets(index, mask, query, total, fresh) if query.facets else {}

    return search_engine.search(compute, terms, terms if sort == "relevance" else [])


def _datasets(ids: list[int]) -> list[Dataset]:
    datasets = (
        Dataset.objects.filter(pk__in=ids, deleted_at__isnull=True)
        .select_related("municipality", "municipality__province")
        .prefetch_related(
            "themes",
            Prefetch(
                "distributions",
                queryset=Distribution.objects.filter(deleted_at__isnull=True).prefetch_related("fields"),
                to_attr="live_distributions",
            ),
        )
        .in_bulk()
    )
    return [datasets[pk] for pk in ids if pk in datasets]


def dataset_search(*, actor: Actor, query: SearchQuery) -> SearchResult:
    """Find the datasets the actor may see that match the query, with facet counts.

    Public answers are cached until the index changes (search_cache.py), for at most the current
    minute: whether a dataset is up to date depends on the time, so a dataset whose freshness ends
    within that minute may be counted as up to date for a few seconds more."""
    query = _checked(query)
    terms = text.query_terms(query.q)
    now = timezone.now()

    def compute() -> tuple[list[int], int, dict[str, list[FacetValue]]]:
        try:
            return _search_in_memory(actor, query, terms, now)
        except search_engine.Stale:  # the index kept changing meanwhile: count in SQL
            return _search_sql(actor, query, terms, now)

    if _visible(actor, query.include_drafts) == Q(is_public=True):
        minute = now.replace(second=0, microsecond=0)
        ids, total, facets = search_cached(("catalog", query, minute, get_language()), compute)
    else:
        ids, total, facets = compute()
    return SearchResult(query=query, total=total, datasets=_datasets(ids) if ids else [], facets=facets, terms=terms)


def dataset_text_filter(q: str) -> Q:
    """A filter for Dataset (or DatasetSearchEntry) querysets: datasets containing every term of ``q``.

    For callers that build their own boolean queries (the CKAN ``q``/``fq`` tree): the same
    Spanish-aware matching as ``dataset_search``, on the index. Empty when ``q`` has no terms."""
    terms = text.query_terms(q)
    return Q(pk__in=RawSQL(*match_sql(terms))) if terms else Q()


def dataset_title_tier(q: str) -> Case | Value:
    """An annotation for Dataset querysets ranking title matches of ``q`` (2 all terms, 1 some, 0 none).

    Order by it descending, then by your tie-breakers, to rank titles first as ``dataset_search`` does."""
    terms = text.query_terms(q)
    if not terms:
        return Value(0, output_field=IntegerField())
    tiers = [When(Q(pk__in=RawSQL(*match_sql(terms, "title_all"))), then=Value(2))]
    if len(terms) > 1:
        tiers.append(When(Q(pk__in=RawSQL(*match_sql(terms, "title_any"))), then=Value(1)))
    return Case(*tiers, default=Value(0), output_field=IntegerField())


# The CKAN Action API's package_search, in CKAN's own names (DOMAIN.md §7).

CKAN_FILTERS = {
    "organization": "municipalities",
    "groups": "themes",
    "res_format": "formats",
    "license_id": "licenses",
    "tags": "keywords",
    "author": "publishers",
}
CKAN_FACETS = {
    "organization": "municipality",
    "groups": "theme",
    "res_format": "format",
    "license_id": "license",
    "tags": "keyword",
    "author": "publisher",
}
CKAN_SORTS = {
    "score": "relevance",
    "relevance": "relevance",
    "title_string": "title",
    "title": "title",
    "metadata_modified": "modified",
    "metadata_created": "created",
    "name": "name",
    "id": "name",
}
CKAN_DEFAULT_ROWS = 10


def ckan_sort_parse(sort: str) -> tuple[str, bool | None]:
    """Our (sort, descending) for a CKAN sort such as ``"metadata_modified desc, name asc"``.

    Only the first clause counts (ours are total orders already); ``id`` sorts by name, a
    stable order for harvesters that page with ``sort=id asc``."""
    first = (sort or "").split(",")[0].split()
    if not first:
        return "relevance", None
    if first[0] not in CKAN_SORTS or (len(first) > 1 and first[1].lower() not in ("asc", "desc")) or len(first) > 2:
        raise ValidationError(
            _("No se puede ordenar por «%(v)s»; usá uno de: %(ok)s.") % {"v": sort, "ok": ", ".join(CKAN_SORTS)},
            fields={"sort": [_("Orden desconocido.")]},
        )
    descending = None if len(first) == 1 else first[1].lower() == "desc"
    return CKAN_SORTS[first[0]], descending


def dataset_search_ckan(
    *,
    actor: Actor,
    q: str = "",
    filters: dict[str, list[str]] | None = None,
    start: int = 0,
    rows: int | None = None,
    sort: str = "",
    facet_fields: tuple[str, ...] | list[str] = (),
    facet_limit: int = 50,
    include_private: bool = False,
    modified_since: datetime | None = None,
    modified_before: datetime | None = None,
) -> SearchResult:
    """package_search: ``filters`` by CKAN field (the parsed ``fq``), facets by CKAN name.

    ``rows`` defaults to 10 and is capped at 1000 without error, as in CKAN. The result's
    ``facets`` are keyed by the CKAN names asked for."""
    unknown = sorted(set(filters or {}) - set(CKAN_FILTERS)) + sorted(set(facet_fields) - set(CKAN_FACETS))
    if unknown:
        raise ValidationError(
            _("No se puede filtrar ni agrupar por: %(v)s.") % {"v": ", ".join(unknown)},
            fields={"fq": [_("Campos admitidos: %(ok)s.") % {"ok": ", ".join(CKAN_FILTERS)}]},
        )
    sort_key, descending = ckan_sort_parse(sort)
    query = SearchQuery(
        q=q,
        **{CKAN_FILTERS[name]: tuple(values) for name, values in (filters or {}).items()},
        modified_since=modified_since,
        modified_before=modified_before,
        sort=sort_key,
        descending=descending,
        start=start,
        rows=CKAN_DEFAULT_ROWS if rows is None else rows,
        facets=tuple(dict.fromkeys(CKAN_FACETS[name] for name in facet_fields)),
        facet_limit=facet_limit,
        include_drafts=include_private,
    )
    result = dataset_search(actor=actor, query=query)
    result.facets = {name: result.facets[CKAN_FACETS[name]] for name in facet_fields}
    return result
