"""Gathering a source: the list of its remote datasets, each as the profile-shaped dict our catalog
import understands (``catalog.imports_mapping.incoming_from_entry``), with a stable remote id and a
content hash for skipping what did not change.

CKAN (and Andino) are read through the Action API the way CKAN's own harvester does it:
``package_search`` sorted by id, 100 rows a page, and after a clean run only what changed since
(``fq=metadata_modified:[<since> TO *]``), plus ``package_list`` to notice what disappeared.
data.json, DCAT RDF and catalog.xlsx are one document each, read by the catalog's readers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from abiertos.catalog.dcat_read import dcat_catalog_read, rdf_format_of
from abiertos.catalog.imports import catalog_read
from abiertos.catalog.imports_mapping import identifier_from

from .fetch import Fetcher, FetchError, json_parse
from .models import HarvestSource, SourceKind

CKAN_ROWS = 100
CKAN_SINCE_MARGIN = timedelta(hours=1)
# A CKAN portal answering page after page forever is a broken portal, not a big one.
CKAN_MAX_PAGES = 1000
RDF_CONTENT_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "text/n3": "n3",
    "application/n-triples": "nt",
}


@dataclass
class RemoteDataset:
    remote_id: str
    identifier: str
    entry: dict
    content_hash: str
    remote_modified: str = ""
    origin_url: str = ""


@dataclass
class Gathered:
    datasets: list[RemoteDataset] = field(default_factory=list)
    # Identifiers of every dataset still at the source, when ``datasets`` holds only what changed.
    present_identifiers: set[str] | None = None
    # (remote id, Spanish message) for remote entries that could not be read.
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def content_hash(entry: dict) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


# --- CKAN ----------------------------------------------------------------------------------------


def ckan_action_url(base: str, action: str) -> str:
    base = base.rstrip("/")
    for suffix in ("/api/3/action", "/api/action", "/api/3", "/api"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    return f"{base}/api/3/action/{action}"


def _ckan_result(fetcher: Fetcher, url: str, params: dict | None = None):
    result, body = fetcher.get_json(url, params)
    if not isinstance(body, dict) or "success" not in body:
        raise FetchError(_("La respuesta no tiene la forma de la API de CKAN (falta «success»)."), url=result.url)
    if not body.get("success"):
        error = body.get("error") or {}
        detail = error.get("message") or error.get("__type") or json.dumps(error, ensure_ascii=False)[:300]
        raise FetchError(_("La API de CKAN respondió con un error: %(e)s") % {"e": detail}, url=result.url)
    return body.get("result")


def _extras(package: dict) -> dict:
    extras = package.get("extras") or []
    if isinstance(extras, dict):
        return extras
    return {e.get("key"): e.get("value") for e in extras if isinstance(e, dict)}


def _json_list(value) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return parsed if isinstance(parsed, list) else [value]
    return [value] if value else []


def _ckan_fields(resource: dict) -> list[dict]:
    raw = resource.get("attributesDescription")
    fields = _json_list(raw) if isinstance(raw, str) else (raw or [])
    return [f for f in fields if isinstance(f, dict) and f.get("title")]


def _ckan_resource(resource: dict) -> dict:
    entry = {
        "identifier": resource.get("id"),
        "title": resource.get("name") or resource.get("fileName"),
        "description": resource.get("description"),
        "downloadURL": resource.get("url"),
        "accessURL": resource.get("accessURL") or resource.get("url"),
        "format": resource.get("format"),
        "mediaType": resource.get("mimetype"),
        "fileName": resource.get("fileName"),
        "license": resource.get("license_id"),
        "issued": resource.get("created"),
        "modified": resource.get("last_modified"),
        "field": _ckan_fields(resource),
    }
    return {k: v for k, v in entry.items() if v not in (None, "", [])}


def ckan_package_to_entry(package: dict) -> dict:
    """A CKAN package (Andino 2.7 shape: profile fields in ``extras``) as a data.json dataset entry."""
    extras = _extras(package)
    names = [g.get("name") for g in package.get("groups") or [] if isinstance(g, dict)]
    entry = {
        "identifier": package.get("name") or package.get("id"),
        "title": package.get("title") or package.get("name"),
        "description": package.get("notes"),
        "publisher": {"name": package.get("author"), "mbox": package.get("author_email")},
        "contactPoint": {"fn": package.get("maintainer"), "hasEmail": package.get("maintainer_email")},
        "superTheme": [str(t) for t in _json_list(extras.get("superTheme"))],
        "theme": [n for n in names if n],
        "keyword": [t.get("name") for t in package.get("tags") or [] if isinstance(t, dict) and t.get("name")],
        "license": package.get("license_id"),
        "accrualPeriodicity": extras.get("accrualPeriodicity"),
        "issued": extras.get("issued") or package.get("metadata_created"),
        "modified": extras.get("modified") or package.get("metadata_modified"),
        "temporal": extras.get("temporal"),
        "spatial": extras.get("spatial"),
        "landingPage": package.get("url"),
        "distribution": [_ckan_resource(r) for r in package.get("resources") or [] if isinstance(r, dict)],
    }
    entry["publisher"] = {k: v for k, v in entry["publisher"].items() if v}
    entry["contactPoint"] = {k: v for k, v in entry["contactPoint"].items() if v}
    return {k: v for k, v in entry.items() if v not in (None, "", [], {})}


def _ckan_remote(package: dict, base: str, warnings: list) -> RemoteDataset:
    entry = ckan_package_to_entry(package)
    identifier = identifier_from(entry.get("identifier"), warnings, 100)[:100]
    site = base.rstrip("/").split("/api/")[0]
    return RemoteDataset(
        remote_id=str(package.get("id") or package.get("name")),
        identifier=identifier,
        entry=entry,
        content_hash=content_hash(package),
        remote_modified=str(package.get("metadata_modified") or "")[:40],
        origin_url=f"{site}/dataset/{package.get('name') or package.get('id')}",
    )


def _ckan_params(source: HarvestSource, since: datetime | None) -> dict:
    params = {"rows": CKAN_ROWS, "sort": "id asc"}
    clauses = [f"({source.ckan_filter.strip()})"] if source.ckan_filter.strip() else []
    if since is not None:
        # A margin for the remote portal's clock: what comes back unchanged is skipped by its hash.
        since = (since - CKAN_SINCE_MARGIN).astimezone(UTC)
        clauses.append(f"metadata_modified:[{since.strftime('%Y-%m-%dT%H:%M:%SZ')} TO *]")
    if clauses:
        params["fq"] = " AND ".join(clauses)
    return params


def _ckan_present(source: HarvestSource, fetcher: Fetcher) -> set[str]:
    names = _ckan_result(fetcher, ckan_action_url(source.url, "package_list"))
    if not isinstance(names, list):
        raise FetchError(_("package_list no devolvió una lista."), url=source.url)
    return {str(n)[:100] for n in names}


def _ckan_page(source: HarvestSource, packages: list, gathered: Gathered, seen: set[str]) -> None:
    for package in packages:
        if not isinstance(package, dict) or not (package.get("id") or package.get("name")):
            gathered.problems.append(("", _("Un paquete sin «id» ni «name» no se puede cosechar.")))
            continue
        if package.get("state", "active") != "active" or package.get("private"):
            continue
        remote = _ckan_remote(package, source.url, [])
        if remote.remote_id not in seen:
            seen.add(remote.remote_id)
            gathered.datasets.append(remote)


def ckan_gather(source: HarvestSource, fetcher: Fetcher, since: datetime | None) -> Gathered:
    """Page through package_search (sorted by id, 100 a page), only what changed since ``since``."""
    gathered = Gathered()
    search = ckan_action_url(source.url, "package_search")
    params = _ckan_params(source, since)
    if since is not None:
        gathered.present_identifiers = _ckan_present(source, fetcher)
    seen: set[str] = set()
    for page in range(CKAN_MAX_PAGES):
        result = _ckan_result(fetcher, search, {**params, "start": page * CKAN_ROWS})
        if not isinstance(result, dict) or not isinstance(result.get("results"), list):
            raise FetchError(_("package_search no devolvió «results»."), url=search)
        _ckan_page(source, result["results"], gathered, seen)
        if not result["results"] or (page + 1) * CKAN_ROWS >= int(result.get("count") or 0):
            return gathered
    gathered.warnings.append(("", _("El portal devolvió más de %(n)d páginas: se cortó.") % {"n": CKAN_MAX_PAGES}))
    return gathered


# --- One-document catalogs ----------------------------------------------------------------------


def _document_catalog(source: HarvestSource, fetcher: Fetcher) -> tuple[dict, list[tuple[str, str]]]:
    result = fetcher.get(source.url)
    name = urlsplit(result.url).path.rsplit("/", 1)[-1]
    if source.kind == SourceKind.DATAJSON:
        catalog = json_parse(result.content, url=result.url, content_type=result.content_type)
        if not isinstance(catalog, dict) or not isinstance(catalog.get("dataset"), list):
            raise FetchError(_("El JSON no es un catálogo: falta la lista «dataset»."), url=result.url)
        return catalog, []
    if source.kind == SourceKind.DCAT:
        fmt = RDF_CONTENT_TYPES.get(result.content_type) or rdf_format_of(name, result.content)
        if fmt is None and result.content.lstrip()[:1] in (b"{", b"["):
            fmt = "json-ld"
        try:
            return dcat_catalog_read(result.content, fmt or "xml"), []
        except ValueError as exc:
            raise FetchError(_("RDF (DCAT) ilegible: %(e)s") % {"e": str(exc)[:500]}, url=result.url) from exc
    catalog, _xlsx, issues = catalog_read(result.content, "catalog.xlsx")
    problems = [("", str(i)) for i in issues if i.level == "error"]
    if not catalog:
        raise FetchError("; ".join(m for _k, m in problems) or _("La planilla no es un catálogo."), url=result.url)
    return catalog, problems


def document_gather(source: HarvestSource, fetcher: Fetcher) -> Gathered:
    catalog, problems = _document_catalog(source, fetcher)
    gathered = Gathered(problems=problems)
    seen: set[str] = set()
    for position, entry in enumerate(catalog.get("dataset") or []):
        if not isinstance(entry, dict):
            gathered.problems.append((f"dataset[{position}]", _("El conjunto no es un objeto JSON.")))
            continue
        raw_id = str(entry.get("identifier") or "").strip()
        if not raw_id:
            gathered.problems.append((f"dataset[{position}]", _("El conjunto no tiene «identifier»: no se cosecha.")))
            continue
        if raw_id in seen:
            gathered.problems.append(
                (raw_id, _("El identificador «%(id)s» se repite en el catálogo.") % {"id": raw_id})
            )
            continue
        seen.add(raw_id)
        identifier = identifier_from(raw_id, [], 100)[:100]
        landing = entry.get("landingPage") if isinstance(entry.get("landingPage"), str) else ""
        gathered.datasets.append(
            RemoteDataset(
                remote_id=raw_id[:300],
                identifier=identifier,
                entry=entry,
                content_hash=content_hash(entry),
                remote_modified=str(entry.get("modified") or "")[:40],
                origin_url=landing if landing.startswith(("http://", "https://")) else source.url,
            )
        )
    return gathered


def source_gather(source: HarvestSource, fetcher: Fetcher, *, since: datetime | None = None) -> Gathered:
    """Every remote dataset of the source (for CKAN after a clean run: only those changed since)."""
    if source.kind == SourceKind.CKAN:
        return ckan_gather(source, fetcher, since)
    return document_gather(source, fetcher)
