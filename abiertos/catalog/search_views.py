"""The search page: province-wide at /datos/ and per municipality at /m/<slug>/datos/."""

from __future__ import annotations

from django.http import QueryDict
from django.shortcuts import render

from abiertos.accounts.permissions import Action, can
from abiertos.accounts.request_actor import actor_for_web
from abiertos.core.errors import ValidationError
from abiertos.portal.selectors import municipality_get_public

from .search import FACETS, SearchQuery, dataset_search

PER_PAGE = 20
# Spanish query-string names, so shared links read well: ?q=…&tema=…&formato=CSV
PARAMS = {
    "municipality": "municipio",
    "theme": "tema",
    "format": "formato",
    "license": "licencia",
    "keyword": "palabra",
    "publisher": "publica",
}
SORT_CHOICES = [("relevance", "relevancia"), ("modified", "actualizacion"), ("title", "titulo"), ("created", "alta")]
SORT_BY_PARAM = {param: sort for sort, param in SORT_CHOICES}


def _page_number(params: QueryDict) -> int:
    try:
        return max(1, min(int(params.get("pagina", "1")), 10_000))
    except ValueError:
        return 1


def query_from_params(params: QueryDict, *, municipality_slug: str | None, include_drafts: bool) -> SearchQuery:
    """Turn the page's query string into a SearchQuery; unknown values simply match nothing."""
    fresh = params.get("actualizado")
    return SearchQuery.for_page(
        page=_page_number(params),
        per_page=PER_PAGE,
        q=params.get("q", "")[:500],
        municipalities=(municipality_slug,) if municipality_slug else tuple(params.getlist(PARAMS["municipality"])),
        themes=tuple(params.getlist(PARAMS["theme"])),
        formats=tuple(params.getlist(PARAMS["format"])),
        licenses=tuple(params.getlist(PARAMS["license"])),
        keywords=tuple(params.getlist(PARAMS["keyword"])),
        publishers=tuple(params.getlist(PARAMS["publisher"])),
        up_to_date={"si": True, "no": False}.get(fresh or ""),
        sort=SORT_BY_PARAM.get(params.get("orden", ""), "relevance"),
        facets=tuple(f for f in FACETS if not (municipality_slug and f == "municipality")),
        include_drafts=include_drafts,
    )


def _facet_groups(result, params: QueryDict) -> list[dict]:
    """Facet values with whether each is selected and the link that toggles it."""
    groups = []
    for facet, values in result.facets.items():
        param = PARAMS.get(facet, "actualizado")
        chosen = set(params.getlist(param))
        items = []
        for value in values:
            raw = {"True": "si", "False": "no", "true": "si", "false": "no"}.get(value.value, value.value)
            toggled = params.copy()
            current = [v for v in toggled.getlist(param) if v != raw]
            toggled.setlist(param, current if raw in chosen else [*current, raw])
            toggled.pop("pagina", None)
            items.append(
                {"label": value.label, "count": value.count, "selected": raw in chosen, "query": toggled.urlencode()}
            )
        if items:
            groups.append({"facet": facet, "items": items})
    return groups


def _page_links(result, params: QueryDict) -> dict:
    def link(page):
        p = params.copy()
        p["pagina"] = str(page)
        return p.urlencode()

    return {
        "previous": link(result.page - 1) if result.page > 1 else None,
        "next": link(result.page + 1) if result.has_next else None,
    }


def search_page(request, municipality_slug=None):
    actor = actor_for_web(request)
    municipality = municipality_get_public(slug=municipality_slug) if municipality_slug else None
    can_edit = municipality is not None and can(actor, Action.MANAGE_CATALOG, municipality)
    error = None
    try:
        query = query_from_params(request.GET, municipality_slug=municipality_slug, include_drafts=can_edit)
        result = dataset_search(actor=actor, query=query)
    except ValidationError as exc:
        error, result = exc.message, None
    context = {
        "municipality": municipality,
        "can_edit": can_edit,
        "result": result,
        "error": error,
        "q": request.GET.get("q", ""),
        "sort": request.GET.get("orden", "relevancia"),
        "sort_choices": SORT_CHOICES,
        "facet_groups": _facet_groups(result, request.GET) if result else [],
        "pages": _page_links(result, request.GET) if result else {},
    }
    return render(request, "catalog/search.html", context)
