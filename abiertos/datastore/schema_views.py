"""Standard schemas: the list with their municipalities, and the combined table of each (preview and download)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import gettext as _

from abiertos.accounts.request_actor import actor_for_web
from abiertos.core.errors import ValidationError

from .combined import combined_table
from .dump import dump_response
from .explore_views import _link, _state, rows_page
from .standards import standard_schema_get, standard_schema_list


def schema_list(request):
    """GET: every standard schema and the municipalities whose tables declare it."""
    listed = standard_schema_list(actor=actor_for_web(request))
    return render(request, "datastore/schema_list.html", {"listed": listed})


def schema_detail(request, slug):
    """GET: the tables of every municipality that follow the schema, as one table with a municipio column."""
    schema = standard_schema_get(slug=slug)
    table = combined_table(schema=schema, actor=actor_for_web(request))
    rows, params = rows_page(request, table)
    context = {
        **rows,
        "schema": schema,
        "downloads": {fmt: _link(request.path + f"descargar.{fmt}", params) for fmt in ("csv", "json", "xlsx")},
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
