"""The stable machine addresses of a catalog: /data.json, /catalog.xlsx, /catalog.ttl, /catalog.rdf
and /catalog.jsonld, at the province root and under /m/<slug>/.

Read-only and public: any origin may fetch them (CORS ``*``), and clients that send back the
ETag or Last-Modified they saw get a 304 without the catalog being rebuilt.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from abiertos.core.errors import NotFound

from . import export_cache, export_tasks
from .datajson import CatalogScope, catalog_stream, scope_for_municipality, scope_for_province
from .dcat import FORMATS, catalog_rdf
from .xlsx_export import XLSX_MEDIA_TYPE, catalog_xlsx_write

CACHE_CONTROL = "public, max-age=300"
EXTENSIONS = {"turtle": "ttl", "rdf": "rdf", "jsonld": "jsonld"}


def _scope(municipality_slug: str | None) -> CatalogScope:
    try:
        return scope_for_municipality(municipality_slug) if municipality_slug else scope_for_province()
    except NotFound as exc:
        raise Http404(exc.message) from exc


def machine_endpoint(variant: str) -> Callable:
    """Resolve the scope, answer conditional requests, and add validators and CORS to the response."""

    def decorator(view: Callable) -> Callable:
        @require_safe
        @wraps(view)
        def wrapper(request: HttpRequest, municipality_slug: str | None = None, **kwargs) -> HttpResponse:
            scope = _scope(municipality_slug)
            etag, stamp = export_cache.catalog_etag(scope, f"{variant}|{request.GET.get('page', '')}")
            last_modified = int(stamp) if stamp else None
            response = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if response is None:
                response = view(request, scope, etag, **kwargs)
            if response.status_code in (200, 304):
                response["ETag"] = etag
                if last_modified:
                    response["Last-Modified"] = http_date(last_modified)
                response["Cache-Control"] = CACHE_CONTROL
            response["Access-Control-Allow-Origin"] = "*"
            return response

        return wrapper

    return decorator


@machine_endpoint("data.json")
def datajson(request: HttpRequest, scope: CatalogScope, etag: str) -> HttpResponse:
    content_type = "application/json; charset=utf-8"
    if path := export_cache.cached(scope.key, export_cache.DATAJSON, etag):
        return FileResponse(path.open("rb"), content_type=content_type)
    if scope.is_province:  # a worker builds missing entries from the last one while this streams
        export_tasks.province_fragments_fill_task()
    body = export_cache.stream_and_keep(catalog_stream(scope), scope.key, export_cache.DATAJSON, etag)
    return StreamingHttpResponse(body, content_type=content_type)


@machine_endpoint("catalog.xlsx")
def catalog_xlsx(request: HttpRequest, scope: CatalogScope, etag: str) -> HttpResponse:
    path = export_cache.cached(scope.key, "catalog.xlsx", etag)
    if path is None:
        path = export_cache.build_and_keep(lambda out: catalog_xlsx_write(scope, out), scope.key, "catalog.xlsx", etag)
    return FileResponse(path.open("rb"), content_type=XLSX_MEDIA_TYPE, filename="catalog.xlsx")


def _rdf_view(fmt: str) -> Callable:
    @machine_endpoint(f"catalog.{fmt}")
    def view(request: HttpRequest, scope: CatalogScope, etag: str) -> HttpResponse:
        try:
            page = int(request.GET.get("page", "1"))
        except ValueError:
            raise Http404("page") from None
        page_url = f"{scope.base_url}/catalog.{EXTENSIONS[fmt]}"
        try:
            body = catalog_rdf(scope, fmt, page=page, page_url=page_url)
        except ValueError:
            raise Http404("page") from None
        return HttpResponse(body, content_type=FORMATS[fmt][0])

    view.__name__ = f"catalog_{fmt}"
    return view


catalog_ttl = _rdf_view("turtle")
catalog_rdfxml = _rdf_view("rdf")
catalog_jsonld = _rdf_view("jsonld")
