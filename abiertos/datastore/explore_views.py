"""The public explorer of a distribution's table: filter, search, sort and page it without JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from abiertos.accounts.request_actor import actor_for_web
from abiertos.catalog import selectors as catalog_selectors
from abiertos.core.errors import NotFound, ValidationError

from .dump import dump_response
from .query import TableQuery, table_search
from .readable import table_for_distribution
from .request_query import FILTER_PREFIX, filters_from
from .sandbox import ROW_ID
from .summary import table_summary
from .values import text_value

PAGE_SIZE = 25
MAX_PAGE = 400  # deeper pages: filter, or use the API's cursor


def explored_table(request, municipality_slug, identifier, distribution_identifier):
    dataset = catalog_selectors.dataset_get_visible(
        actor=actor_for_web(request), municipality_slug=municipality_slug, identifier=identifier
    )
    distribution = next((d for d in dataset.live_distributions if d.identifier == distribution_identifier), None)
    table = table_for_distribution(distribution=distribution) if distribution else None
    if table is None:
        raise NotFound(_("Este recurso no tiene una tabla para explorar."))
    distribution.dataset = dataset
    table.distribution = distribution
    return dataset, distribution, table


def _page(request) -> int:
    value = request.GET.get("page", "1")
    return min(int(value), MAX_PAGE) if value.isdigit() and int(value) > 0 else 1


def _state(request, table) -> tuple[TableQuery, dict]:
    """The query the page shows, and the query-string parameters that reproduce it."""
    names = {c["name"] for c in table.columns} | {ROW_ID}
    sort_text = request.GET.get("sort", "")
    sort_column = sort_text.lstrip("-")
    sort = [(sort_column, sort_text.startswith("-"))] if sort_column in names else []
    filters = filters_from(table, request.GET, strict=False)
    q = request.GET.get("q", "").strip()[:200]
    params = {"q": q} if q else {}
    params |= {f"{FILTER_PREFIX}{k}": v[0] for k, v in filters.items()}
    if sort:
        params["sort"] = sort_text
    query = TableQuery(filters={k: v[:1] for k, v in filters.items()}, q=q, sort=sort, limit=PAGE_SIZE)
    return query, params


def _link(base: str, params: dict, **changes) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in ("", None)}
    return base + ("?" + urlencode(merged) if merged else "")


def _headers(table, params, base, sort):
    current = sort[0] if sort else (None, False)
    headers = []
    for column in [{"name": ROW_ID, "type": "integer"}, *table.columns]:
        name = column["name"]
        active = current[0] == name
        next_sort = f"-{name}" if active and not current[1] else name
        headers.append(
            {
                "name": name,
                "type": column["type"],
                "aria_sort": ("descending" if current[1] else "ascending") if active else "",
                "href": _link(base, params, sort=next_sort, page=""),
            }
        )
    return headers


def rows_page(request, table) -> tuple[dict, dict]:
    """One page of a table (a published one or a combined one) with the filters, search and sort
    of the query string: the shared part of the explorer pages' context, and the query-string
    parameters in force (emptied when they were refused, with the reason in ``error``)."""
    query, params = _state(request, table)
    page = _page(request)
    query.offset = (page - 1) * PAGE_SIZE
    error = None
    try:
        result = table_search(table=table, query=query)
    except ValidationError as exc:
        error, result = exc.message, table_search(table=table, query=TableQuery(limit=PAGE_SIZE))
        params = {}
    base = request.path
    pages = max(1, -(-(result.total or 0) // PAGE_SIZE))
    context = {
        "table": table,
        "result": result,
        # Shown as they are written in a filter (ISO dates, true/false, "." decimals) and in the CSV.
        "rows": [[None if v is None else text_value(v) for v in row] for row in result.records],
        "headers": _headers(table, params, base, query.sort),
        "filters": [
            {"name": c["name"], "field": f"{FILTER_PREFIX}{c['name']}", "value": query.filters.get(c["name"], [""])[0]}
            for c in table.columns
        ],
        "q": query.q,
        "sort": params.get("sort", ""),
        "error": error,
        "page": page,
        "pages": pages,
        "first_row": query.offset + 1 if result.records else 0,
        "last_row": query.offset + len(result.records),
        "previous_url": _link(base, params, page=page - 1) if page > 1 else "",
        "next_url": _link(base, params, page=page + 1) if page < min(pages, MAX_PAGE) else "",
        "filtered": bool(params),
    }
    return context, params


def table_explore(request, municipality_slug, identifier, distribution_identifier):
    """GET: one page of the table, with the filters, search and sort of the query string."""
    dataset, distribution, table = explored_table(request, municipality_slug, identifier, distribution_identifier)
    rows, params = rows_page(request, table)
    dump = reverse("datastore_query:dump", args=[str(distribution.uuid)])
    context = {
        **rows,
        "dataset": dataset,
        "municipality": dataset.municipality,
        "distribution": distribution,
        "downloads": {
            "all_csv": _link(dump, {}, format="csv"),
            "all_json": _link(dump, {}, format="json"),
            "all_xlsx": _link(dump, {}, format="xlsx"),
            "all_parquet": _link(dump, {}, format="parquet"),
            "view_xlsx": _link(dump, params, format="xlsx"),
            "view_csv": _link(dump, params, format="csv"),
            "view_json": _link(dump, params, format="json"),
        },
        "summary": table_summary(table=table),
        "chart_url": _link(
            reverse("datastore_query:chart", args=[municipality_slug, identifier, distribution_identifier]),
            {k: v for k, v in params.items() if k != "sort"},
        ),
    }
    return render(request, "datastore/table_explore.html", context)


def table_explore_download(request, municipality_slug, identifier, distribution_identifier, fmt):
    """The rows the explorer shows (all pages), as CSV or JSON."""
    _dataset, distribution, table = explored_table(request, municipality_slug, identifier, distribution_identifier)
    query, _params = _state(request, table)
    return dump_response(table, query, fmt, f"{distribution.identifier}-filtrado")
