"""Quick charts and maps of a published table: the builder page, its embeddable variant and the bare SVG."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt

from abiertos.core.errors import ValidationError

from .charts import (
    FUNCTIONS,
    KINDS,
    TOP_CHOICES,
    ChartSpec,
    category_columns,
    chart_spec_from,
    value_columns,
)
from .explore_views import explored_table
from .figures import Figure, chart_figure, map_figure
from .maps import coordinates_find
from .request_query import FILTER_PREFIX


def _figure(table, spec: ChartSpec, coordinates, municipality) -> Figure:
    if spec.kind == "mapa":
        return map_figure(
            table=table,
            spec=spec,
            coordinates=coordinates,
            boundary=municipality.boundary,
            boundary_name=municipality.name,
        )
    return chart_figure(table=table, spec=spec)


def _build(request, table, municipality):
    """The spec asked for, the figure (or None) and the error message to show (or None)."""
    coordinates = coordinates_find(table)
    try:
        spec = chart_spec_from(table, request.GET)
        return spec, _figure(table, spec, coordinates, municipality), None, coordinates
    except ValidationError as exc:
        fallback = ChartSpec(category=(category_columns(table) or [""])[0])
        messages = [m for ms in exc.fields.values() for m in ms] or [exc.message]
        return fallback, None, " ".join(dict.fromkeys(messages)), coordinates


def _urls(request, distribution, spec: ChartSpec) -> dict:
    args = [distribution.dataset.municipality.slug, distribution.dataset.identifier, distribution.identifier]
    query = "?" + spec.query_string()
    embed = request.build_absolute_uri(reverse("datastore_query:chart_embed", args=args) + query)
    explore_params = {"q": spec.q} if spec.q else {}
    explore_params |= {f"{FILTER_PREFIX}{k}": v[0] for k, v in spec.filters.items()}
    explore = reverse("datastore_query:explore", args=args)
    return {
        "share": request.build_absolute_uri(reverse("datastore_query:chart", args=args) + query),
        "embed": embed,
        "svg": reverse("datastore_query:chart_svg", args=args) + query,
        "explore": explore + ("?" + urlencode(explore_params) if explore_params else ""),
        "page": reverse("datastore_query:chart", args=args) + query,
    }


def table_chart(request, municipality_slug, identifier, distribution_identifier):
    """GET: the chart builder (kind, columns, aggregate; filters carried over) and the chart it draws."""
    dataset, distribution, table = explored_table(request, municipality_slug, identifier, distribution_identifier)
    spec, figure, error, coordinates = _build(request, table, dataset.municipality)
    kinds = {k: v for k, v in KINDS.items() if k != "mapa" or coordinates}
    context = {
        "dataset": dataset,
        "municipality": dataset.municipality,
        "distribution": distribution,
        "table": table,
        "spec": spec,
        "figure": figure,
        "error": error,
        "kinds": kinds,
        "functions": FUNCTIONS,
        "tops": TOP_CHOICES,
        "categories": category_columns(table),
        "values": value_columns(table),
        "coordinates": coordinates,
        "filters": [(k, v[0]) for k, v in spec.filters.items()],
        "urls": _urls(request, distribution, spec),
    }
    return render(request, "datastore/table_chart.html", context)


@xframe_options_exempt
def table_chart_embed(request, municipality_slug, identifier, distribution_identifier):
    """GET: the same chart without the site's header and menus, to show inside an <iframe> elsewhere."""
    dataset, distribution, table = explored_table(request, municipality_slug, identifier, distribution_identifier)
    spec, figure, error, _coordinates = _build(request, table, dataset.municipality)
    context = {
        "dataset": dataset,
        "distribution": distribution,
        "figure": figure,
        "error": error,
        "urls": _urls(request, distribution, spec),
    }
    return render(request, "datastore/table_chart_embed.html", context, status=200 if figure else 400)


def table_chart_svg(request, municipality_slug, identifier, distribution_identifier):
    """GET: the chart alone, as an SVG file."""
    dataset, distribution, table = explored_table(request, municipality_slug, identifier, distribution_identifier)
    spec = chart_spec_from(table, request.GET)
    figure = _figure(table, spec, coordinates_find(table), dataset.municipality)
    response = HttpResponse(figure.svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Content-Disposition"] = f'inline; filename="{distribution.identifier}-grafico.svg"'
    return response
