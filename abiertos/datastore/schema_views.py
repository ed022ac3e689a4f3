"""Standard schemas: the list with their municipalities, and the combined table of each (preview and download)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import gettext as _

from abiertos.accounts.request_actor import actor_for_web
from abiertos.core.errors import ValidationError

from .combined import combined_table
from .dump import dump_response
from .explore_views import MAX_PAGE, PAGE_SIZE, _headers, _link, _page, _state
from .query import TableQuery, table_search
from .standards import standard_schema_get, standard_schema_list
from .values import text_value


def schema_list(request):
    """GET: every standard schema and the municipalities whose tables declare it."""
    listed = standard_schema_list(actor=actor_for_web(request))
    return render(request, "datastore/schema_list.html", {"listed": listed})


def schema_detail(request, slug):
    """GET: the tables of every municipality that follow the schema, as one table with a municipio column."""
    schema = standard_schema_get(slug=slug)
    table = combined_table(schema=schema, actor=actor_for_web(request))
    query, params = _state(request, table)
    page = _page(request)
    query.offset = (page - 1) * PAGE_SIZE
    error = None
    try:
        result = table_search(table=table, query=query)
    except ValidationError as exc:
        error, params = exc.message, {}
        result = table_search(table=table, query=TableQuery(limit=PAGE_SIZE))
    base = request.path
    total = result.total or 0
    pages = max(1, -(-total // PAGE_SIZE))
    context = {
        "schema": schema,
        "table": table,
        "result": result,
        "rows": [[None if v is None else text_value(v) for v in row] for row in result.records],
        "headers": _headers(table, params, base, query.sort),
        "filters": [
            {"name": c["name"], "field": f"filter.{c['name']}", "value": query.filters.get(c["name"], [""])[0]}
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
        "downloads": {fmt: _link(base + f"descargar.{fmt}", params) for fmt in ("csv", "json", "xlsx")},
        "chart_query": urlencode({k: v for k, v in params.items() if k != "sort"}),
    }
    return render(request, "datastore/schema_detail.html", context)


def schema_download(request, slug, fmt):
    """GET: the combined table's rows (filtered like the preview) as CSV, JSON or XLSX."""
    schema = standard_schema_get(slug=slug)
    table = combined_table(schema=schema, actor=actor_for_web(request))
    if fmt == "parquet":
        raise ValidationError(_("La tabla combinada se descarga en csv, json o xlsx."), fields={"format": [fmt]})
    query, _params = _state(request, table)
    return dump_response(table, query, fmt, f"{schema.slug}-combinada")
