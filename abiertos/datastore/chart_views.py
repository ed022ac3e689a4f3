"""Quick charts and maps of a published table, or of a standard schema's combined table: the builder
page, its embeddable variant and the bare SVG."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from abiertos.accounts.request_actor import actor_for_web
from abiertos.core.errors import ValidationError

from .charts import (
    FUNCTIONS,
    KINDS,
    SERIES_TOP_CHOICES,
    TOP_CHOICES,
    ChartSpec,
    category_columns,
    chart_spec_from,
    value_columns,
)
from .combined import combined_table
from .explore_views import explored_table
from .figures import Figure, chart_figure, map_figure
from .maps import coordinates_find
from .request_query import FILTER_PREFIX
from .standards import standard_schema_get


def _figure(table, spec: ChartSpec, coordinates, municipality) -> Figure:
    if spec.kind == "mapa":
        return map_figure(
            table=table,
            spec=spec,
            coordinates=coordinates,
            boundary=municipality.boundary if municipality else None,
            boundary_name=municipality.name if municipality else "",
        )
    return chart_figure(table=table, spec=spec)


def _build(request, table, municipality):
    """The spec asked for, the figure (or None), the error message to show (or None) and the coordinates."""
    coordinates = coordinates_find(table)
    try:
        spec = chart_spec_from(table, request.GET)
        return spec, _figure(table, spec, coordinates, municipality), None, coordinates
    except ValidationError as exc:
        fallback = ChartSpec(category=(category_columns(table) or [""])[0])
        messages = [m for ms in exc.fields.values() for m in ms] or [exc.message]
        return fallback, None, " ".join(dict.fromkeys(messages)), coordinates


def _urls(request, names: dict[str, str], args: list, spec: ChartSpec) -> dict:
    """Share, embed, SVG, page and explorer links of the chart (``names``: URL name of each view)."""
    query = "?" + spec.query_string()
    explore_params = {"q": spec.q} if spec.q else {}
    explore_params |= {f"{FILTER_PREFIX}{k}": v[0] for k, v in spec.filters.items()}
    explore = reverse(names["explore"], args=args)
    page = reverse(names["chart"], args=args) + query
    return {
        "share": request.build_absolute_uri(page),
        "embed": request.build_absolute_uri(reverse(names["embed"], args=args) + query),
        "svg": reverse(names["svg"], args=args) + query if "svg" in names else "",
        "explore": explore + ("?" + urlencode(explore_params) if explore_params else ""),
        "page": page,
    }


TABLE_NAMES = {
    "explore": "datastore_query:explore",
    "chart": "datastore_query:chart",
    "embed": "datastore_query:chart_embed",
    "svg": "datastore_query:chart_svg",
}
SCHEMA_NAMES = {
    "explore": "datastore_query:schema_detail",
    "chart": "datastore_query:schema_chart",
    "embed": "datastore_query:schema_chart_embed",
}


def _builder_context(request, table, municipality, names, args) -> dict:
    spec, figure, error, coordinates = _build(request, table, municipality)
    return {
        "table": table,
        "spec": spec,
        "figure": figure,
        "error": error,
        "kinds": {k: v for k, v in KINDS.items() if k != "mapa" or coordinates},
        "functions": FUNCTIONS,
        "tops": TOP_CHOICES,
        "series_tops": SERIES_TOP_CHOICES,
        "categories": category_columns(table),
        "values": value_columns(table),
        "coordinates": coordinates,
        "filters": [(k, v[0]) for k, v in spec.filters.items()],
        "urls": _urls(request, names, args, spec),
    }


def table_chart(request, municipality_slug, identifier, distribution_identifier):
    """GET: the chart builder (kind, columns, aggregate; filters carried over) and the chart it draws."""
    dataset, distribution, table = explored_table(request, municipality_slug, identifier, distribution_identifier)
    args = [municipality_slug, identifier, distribution_identifier]
    context = _builder_context(request, table, dataset.municipality, TABLE_NAMES, args)
    context |= {
        "subject": distribution.title,
        "breadcrumbs": [
            (dataset.municipality.get_absolute_url(), dataset.municipality.name),
            (reverse("catalog:dataset_detail", args=[municipality_slug, identifier]), dataset.title),
            (context["urls"]["explore"], distribution.title),
        ],
    }
    return render(request, "datastore/table_chart.html", context)


def schema_chart(request, slug):
    """GET: the chart builder over a standard schema's combined table (compare municipalities)."""
    schema = standard_schema_get(slug=slug)
    table = combined_table(schema=schema, actor=actor_for_web(request))
    context = _builder_context(request, table, None, SCHEMA_NAMES, [slug])
    context |= {
        "subject": schema.title,
        "breadcrumbs": [
            (reverse("datastore_query:schema_list"), _("Datos estándar")),
            (context["urls"]["explore"], schema.title),
        ],
    }
    return render(request, "datastore/table_chart.html", context)


def _embed(request, table, municipality, names, args, source: str):
    spec, figure, error, _coordinates = _build(request, table, municipality)
    context = {"figure": figure, "error": error, "urls": _urls(request, names, args, spec), "source": source}
    return render(request, "datastore/table_chart_embed.html", context, status=200 if figure else 400)


@xframe_options_exempt
def table_chart_embed(request, municipality_slug, identifier, distribution_identifier):
    """GET: the same chart without the site's header and menus, to show inside an <iframe> elsewhere."""
    dataset, distribution, table = explored_table(request, municipality_slug, identifier, distribution_identifier)
    args = [municipality_slug, identifier, distribution_identifier]
    source = f"{dataset.title} — {distribution.title}"
    return _embed(request, table, dataset.municipality, TABLE_NAMES, args, source)


@xframe_options_exempt
def schema_chart_embed(request, slug):
    """GET: a chart of a standard schema's combined table, without the site's header and menus."""
    schema = standard_schema_get(slug=slug)
    table = combined_table(schema=schema, actor=actor_for_web(request))
    return _embed(request, table, None, SCHEMA_NAMES, [slug], schema.title)


def table_chart_svg(request, municipality_slug, identifier, distribution_identifier):
    """GET: the chart alone, as an SVG file."""
    dataset, distribution, table = explored_table(request, municipality_slug, identifier, distribution_identifier)
    spec = chart_spec_from(table, request.GET)
    figure = _figure(table, spec, coordinates_find(table), dataset.municipality)
    response = HttpResponse(figure.svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Content-Disposition"] = f'inline; filename="{distribution.identifier}-grafico.svg"'
    return response
