"""The catalog in the national metadata profile (data.json), for the province or one municipality.

At the province level every identifier is namespaced by its municipality (``Dataset.name`` and
``Distribution.name``, "<slug>_<identifier>"), so the province catalog federates the municipal
ones without collisions and a municipal catalog's federated ids (``<catalog id>_<dataset id>``)
equal the province's. Datasets are read in keyset-paginated chunks as plain values and written
one at a time, so serving 100,000 datasets keeps memory flat (see ``catalog_stream``).

The province catalog is what the national portal federates: it lists only the datasets the national
profile accepts (federation.py); the others are left out and counted in the log. A municipality's
catalog lists every published dataset of it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateTimeField, Max, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from abiertos.core.errors import NotFound
from abiertos.core.models import Municipality, Province

from . import datajson_entries, export_fragments, federation, profile
from .models import Dataset, DatasetStatus, Distribution, DistributionKind, Field, Theme
from .side_connection import SideWorker
from .vocabularies import LICENSES, SUPER_THEME_TAXONOMY_URL

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
JSON_COLUMNS = frozenset({"super_themes", "keywords", "language"})

# Read for each dataset and distribution: the profile's columns (profile.py) and what entries add.
DATASET_COLUMNS = (
    "id",
    "name",
    *profile.columns(profile.DATASET_FIELDS),
    "municipality__slug",
    "municipality__contact_email",
)
DISTRIBUTION_COLUMNS = (
    "id",
    "dataset_id",
    "name",
    *profile.columns(profile.DISTRIBUTION_FIELDS),
    "kind",
    "file",
    "access_url",
    "external_url",
    "checksum_sha256",
)


@dataclass(frozen=True)
class CatalogScope:
    """Whose catalog: the whole province, or one municipality of it."""

    province: Province
    municipality: Municipality | None = None

    @property
    def is_province(self) -> bool:
        return self.municipality is None

    @property
    def base_url(self) -> str:
        """Absolute address under which this catalog's stable addresses live."""
        if self.municipality is None:
            return settings.SITE_URL
        return f"{settings.SITE_URL}/m/{self.municipality.slug}"

    @property
    def identifier(self) -> str:
        if self.municipality is not None:
            return self.municipality.slug
        return settings.CATALOG_IDENTIFIER or self.province.slug

    @property
    def key(self) -> str:
        return self.municipality.slug if self.municipality else f"province-{self.province.code}"


def scope_for_province() -> CatalogScope:
    """The province this installation serves (the first one, when several are loaded)."""
    province = Province.objects.filter(municipalities__is_active=True).order_by("code").first()
    province = province or Province.objects.order_by("code").first()
    if province is None:
        raise NotFound(_("Todavía no hay una provincia cargada."))
    return CatalogScope(province=province)


def scope_for_municipality(slug: str) -> CatalogScope:
    municipality = Municipality.objects.select_related("province").filter(slug=slug, is_active=True).first()
    if municipality is None:
        raise NotFound(_("No existe ese municipio."))
    return CatalogScope(province=municipality.province, municipality=municipality)


def datasets_in_scope(scope: CatalogScope):
    """Published, not deleted datasets of active municipalities in the scope."""
    qs = Dataset.objects.filter(status=DatasetStatus.PUBLISHED, deleted_at__isnull=True, municipality__is_active=True)
    if scope.municipality is not None:
        return qs.filter(municipality=scope.municipality)
    return qs.filter(municipality__province=scope.province)


def catalog_version(scope: CatalogScope) -> tuple[int, datetime | None]:
    """(number of datasets, latest change) of the scope: cheap, for ETag and Last-Modified."""
    datasets = datasets_in_scope(scope)
    stats = datasets.aggregate(n=Count("id"), updated=Max("updated_at"))
    live = Distribution.objects.filter(dataset__in=datasets.values("id"), deleted_at__isnull=True)
    candidates = [stats["updated"], live.aggregate(updated=Max("updated_at"))["updated"]]
    if scope.municipality is not None:
        candidates.append(scope.municipality.updated_at)
    latest = max((c for c in candidates if c is not None), default=None)
    return stats["n"], latest


def iso(value: datetime | None, zone: zoneinfo.ZoneInfo | None = None) -> str | None:
    """A profile date-time: local time with its offset, to the second."""
    if value is None:
        return None
    return value.astimezone(zone or _zone(settings.TIME_ZONE)).isoformat(timespec="seconds")


@functools.lru_cache(maxsize=4)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _field_entry(f: dict) -> dict:
    entry = {"title": f["title"], "type": f["type"]}
    if f["description"]:
        entry["description"] = f["description"]
    if f["units"]:
        entry["units"] = f["units"]
    return entry


def license_title(code: str) -> str:
    lic = LICENSES.get(code)
    return lic.title if lic else code


_EMPTY = (None, "", [], {})


def _compact(values: dict) -> dict:
    """Drop empty values: the profile prefers an absent key to an empty string.

    A true value is never one of the empty ones, so only false ones (0, False are kept) are looked
    up: three times faster than comparing every value with the four empty ones."""
    return {k: v for k, v in values.items() if v or v not in _EMPTY}


class _Addresses:
    """What every entry needs, worked out once per catalog: absolute addresses of dataset pages
    and downloads (reversed once, then filled in), the time zone, the fallback e-mail."""

    MARK_M, MARK_D, MARK_R = "zzmunizz", "zzdatazz", "zzdistzz"

    def __init__(self):
        self.zone = _zone(settings.TIME_ZONE)
        self._dates: dict[datetime, str] = {}
        self.mbox = settings.CATALOG_PUBLISHER_EMAIL
        self.dataset_page = self._template(
            "catalog:dataset_detail", municipality_slug=self.MARK_M, identifier=self.MARK_D
        )
        self.download = self._template(
            "catalog:distribution_download",
            municipality_slug=self.MARK_M,
            identifier=self.MARK_D,
            distribution_identifier=self.MARK_R,
        )

    def iso(self, value: datetime | None) -> str | None:
        """``iso`` remembered: distributions often carry their dataset's dates, and turning a
        date into local time and text costs more than looking it up (bounded, not a leak)."""
        if value is None:
            return None
        text = self._dates.get(value)
        if text is None:
            if len(self._dates) > 4096:
                self._dates.clear()
            text = self._dates[value] = iso(value, self.zone)
        return text

    @staticmethod
    def _template(name: str, **kwargs) -> str | None:
        try:
            return settings.SITE_URL + reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            return None

    def page(self, slug: str, identifier: str) -> str | None:
        if self.dataset_page is None:
            return None
        return self.dataset_page.replace(self.MARK_M, slug).replace(self.MARK_D, identifier)

    def file(self, slug: str, identifier: str, dist: dict) -> str | None:
        return self.file_url(
            slug, identifier, dist["kind"], dist["identifier"], dist["file"], dist["access_url"], dist["external_url"]
        )

    def file_url(
        self, slug: str, identifier: str, kind: str, dist_identifier: str, file: str, access_url: str, external_url: str
    ) -> str | None:
        """The download address of a distribution (``identifier`` is its dataset's)."""
        if kind != DistributionKind.UPLOAD:
            return external_url or access_url or None
        if self.download is not None:
            url = self.download.replace(self.MARK_M, slug).replace(self.MARK_D, identifier)
            return url.replace(self.MARK_R, dist_identifier)
        if file:
            return settings.SITE_URL + settings.MEDIA_URL + quote(file)
        return None


def theme_taxonomy() -> list[dict]:
    return [
        _compact({"id": t.identifier, "label": t.label, "description": t.description})
        for t in Theme.objects.order_by("identifier")
    ]


def catalog_header(scope: CatalogScope) -> dict:
    """The catalog's own metadata (everything but the datasets)."""
    if scope.municipality is not None:
        m = scope.municipality
        title = _("Datos abiertos de %(name)s") % {"name": m.name}
        description = m.intro or _("Catálogo de datos abiertos de %(name)s, %(prov)s.") % {
            "name": m.full_name or m.name,
            "prov": scope.province.name,
        }
        publisher = {"name": m.full_name or m.name, "mbox": m.contact_email or settings.CATALOG_PUBLISHER_EMAIL}
        spatial = m.code
    else:
        title = _("Datos abiertos de los municipios de %(prov)s") % {"prov": scope.province.name}
        description = _(
            "Catálogo provincial que reúne los datos abiertos publicados por los municipios de %(prov)s."
        ) % {"prov": scope.province.name}
        publisher = {"name": settings.CATALOG_PUBLISHER_NAME or settings.SITE_NAME}
        publisher["mbox"] = settings.CATALOG_PUBLISHER_EMAIL
        spatial = scope.province.code
    return _compact(
        {
            "identifier": scope.identifier,
            "title": str(title),
            "description": str(description),
            "publisher": _compact(publisher),
            "superThemeTaxonomy": SUPER_THEME_TAXONOMY_URL,
            "themeTaxonomy": theme_taxonomy(),
            "homepage": scope.base_url + "/",
            "language": ["spa"],
            "spatial": spatial,
            "issued": None,
            "modified": iso(catalog_version(scope)[1]),
        }
    )


def distribution_entry(dist: dict, fields: list[dict], dataset: dict, scope: CatalogScope, urls: _Addresses) -> dict:
    slug = dataset["municipality__slug"]
    download = urls.file(slug, dataset["identifier"], dist)
    access = dist["access_url"] or urls.page(slug, dataset["identifier"]) or download
    return _compact(
        {
            "identifier": dist["name"] if scope.is_province else dist["identifier"],
            "title": dist["title"],
            "description": dist["description"],
            "accessURL": access,
            "downloadURL": download,
            "format": dist["format"],
            "mediaType": dist["media_type"],
            "byteSize": dist["byte_size"],
            "fileName": dist["file_name"],
            "license": license_title(dist["license"]) if dist["license"] else None,
            "issued": urls.iso(dist["issued"]),
            "modified": urls.iso(dist["modified"]),
            "field": [_field_entry(f) for f in fields],
        }
    )


def _mbox(ds: dict, urls: _Addresses) -> str:
    """The profile wants a publisher e-mail: the dataset's, else its municipality's, else the portal's."""
    return ds["publisher_mbox"] or ds["municipality__contact_email"] or urls.mbox


def dataset_entry(
    ds: dict, themes: list[str], distributions: list[dict], scope: CatalogScope, urls: _Addresses
) -> dict:
    slug = ds["municipality__slug"]
    return _compact(
        {
            "identifier": ds["name"] if scope.is_province else ds["identifier"],
            "title": ds["title"],
            "description": ds["description"],
            "publisher": _compact({"name": ds["publisher_name"], "mbox": _mbox(ds, urls)}),
            "contactPoint": _compact({"fn": ds["contact_name"], "hasEmail": ds["contact_email"]}),
            "superTheme": list(ds["super_themes"]),
            "theme": themes,
            "keyword": list(ds["keywords"]),
            "accrualPeriodicity": ds["accrual_periodicity"],
            "issued": urls.iso(ds["issued"]),
            "modified": urls.iso(ds["modified"]),
            "temporal": ds["temporal"],
            "spatial": ds["spatial"],
            "landingPage": ds["landing_page"] or urls.page(slug, ds["identifier"]),
            "license": license_title(ds["license"]),
            "language": list(ds["language"] or ["spa"]),
            "distribution": distributions,
        }
    )


def _rows(queryset: QuerySet, columns: tuple[str, ...]) -> list[dict]:
    """``queryset.values(*columns)``, read through a plain cursor: the ORM's per-value converters
    cost more than the rest of the export. Only the columns that need it are converted here:
    SQLite's naive UTC datetimes made aware, JSON text decoded."""
    sql, params = queryset.values(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters(queryset.model, columns, connection.vendor == "sqlite" and settings.USE_TZ)
    if converters:
        rows = [list(row) for row in rows]
        for i, convert in converters:
            for row in rows:
                if row[i] is not None:
                    row[i] = convert(row[i])
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _json_value(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@functools.lru_cache(maxsize=64)
def _converters(model, columns: tuple[str, ...], naive_datetimes: bool) -> list[tuple[int, Callable]]:
    """(position, converter) of the columns whose raw database value is not yet what entries use."""
    out = []
    for i, name in enumerate(columns):
        *path, last = name.split("__")
        owner = model
        for step in path:
            owner = owner._meta.get_field(step).related_model
        field = owner._meta.get_field(last)
        if name in JSON_COLUMNS:
            out.append((i, _json_value))
        elif naive_datetimes and isinstance(field, DateTimeField):
            out.append((i, _aware))
    return out


def _themes_query(first_id: int, last_id: int) -> datajson_entries.Query:
    """Read of the (dataset id, theme id) pairs of the datasets with ids in the range."""
    through = Dataset.themes.through.objects.filter(dataset__gte=first_id, dataset__lte=last_id)
    return through.values_list("dataset_id", "theme_id").query.sql_with_params()


def _themes(rows: list[tuple], theme_ids: dict[int, str]) -> dict[int, list[str]]:
    """Sorted theme identifiers by dataset id, from the rows of ``_themes_query``."""
    themes: dict[int, list[str]] = defaultdict(list)
    for dataset_id, theme_id in rows:
        themes[dataset_id].append(theme_ids[theme_id])
    for names in themes.values():
        names.sort()
    return themes


def _chunk_themes(first_id: int, last_id: int, theme_ids: dict[int, str]) -> dict[int, list[str]]:
    return _themes(datajson_entries.fetch([_themes_query(first_id, last_id)])[0], theme_ids)


def _chunk_relations(first_id: int, last_id: int, theme_ids: dict[int, str]) -> tuple[dict, dict, dict]:
    """Themes, live distributions and fields of the datasets with ids in [first_id, last_id].

    Ranges, not ``IN (...)`` lists: cheaper to build and to plan; rows of datasets outside the
    scope (drafts, other provinces) are simply never looked up."""
    themes = _chunk_themes(first_id, last_id, theme_ids)
    distributions: dict[int, list[dict]] = defaultdict(list)
    dist_rows = Distribution.objects.filter(
        dataset__gte=first_id, dataset__lte=last_id, deleted_at__isnull=True
    ).order_by("dataset_id", "position", "id")
    for row in _rows(dist_rows, DISTRIBUTION_COLUMNS):
        distributions[row["dataset_id"]].append(row)
    fields: dict[int, list[dict]] = defaultdict(list)
    field_rows = Field.objects.filter(distribution__dataset__gte=first_id, distribution__dataset__lte=last_id).order_by(
        "distribution_id", "position", "id"
    )
    for row in _rows(field_rows, ("distribution_id", "title", "type", "description", "units")):
        fields[row["distribution_id"]].append(row)
    return themes, distributions, fields


def _extras(ds: dict, dists: list[dict], entry: dict, urls: _Addresses) -> None:
    """What RDF needs beyond the profile: our page as the dataset's URI, checksums, license URLs."""
    slug = ds["municipality__slug"]
    entry["_uri"] = urls.page(slug, ds["identifier"]) or f"{settings.SITE_URL}/m/{slug}/datos/{ds['identifier']}/"
    entry["_license_url"] = LICENSES[ds["license"]].url if ds["license"] in LICENSES else None
    for dist, out in zip(dists, entry.get("distribution", []), strict=True):
        out["_checksum"] = dist["checksum_sha256"]
        code = dist["license"] or ds["license"]
        out["_license_url"] = LICENSES[code].url if code in LICENSES else None


def _first_id_after(scope: CatalogScope, offset: int) -> int:
    if offset <= 0:
        return 0
    ids = datasets_in_scope(scope).order_by("id").values_list("id", flat=True)
    found = list(ids[offset - 1 : offset])
    return found[0] if found else 2**62


def dataset_entries(
    scope: CatalogScope,
    *,
    chunk_size: int = CHUNK_SIZE,
    offset: int = 0,
    limit: int | None = None,
    extras: bool = False,
) -> Iterator[dict]:
    """The scope's datasets as profile dicts, read chunk by chunk (keyset pagination).

    ``offset``/``limit`` select a page; ``extras`` adds underscore-prefixed keys for RDF."""
    urls = _Addresses()
    theme_ids = dict(Theme.objects.values_list("id", "identifier"))
    base = datasets_in_scope(scope).order_by("id")
    last_id = _first_id_after(scope, offset)
    remaining = limit if limit is not None else 2**62
    while remaining > 0:
        chunk = _rows(base.filter(id__gt=last_id)[: min(chunk_size, remaining)], DATASET_COLUMNS)
        if not chunk:
            return
        remaining -= len(chunk)
        last_id = chunk[-1]["id"]
        for _pk, entry in _built(chunk, scope, urls, theme_ids, extras=extras):
            yield entry


def _built(chunk: list[dict], scope: CatalogScope, urls: _Addresses, theme_ids: dict, *, extras: bool = False):
    """(dataset id, entry) of each dataset row of a chunk, in order."""
    themes, distributions, fields = _chunk_relations(chunk[0]["id"], chunk[-1]["id"], theme_ids)
    for ds in chunk:
        rows = distributions.get(ds["id"], [])
        dists = [distribution_entry(d, fields.get(d["id"], []), ds, scope, urls) for d in rows]
        entry = dataset_entry(ds, themes.get(ds["id"], []), dists, scope, urls)
        if extras:
            _extras(ds, rows, entry, urls)
        yield ds["id"], entry


def _config_digest(urls: _Addresses, theme_ids: dict[int, str]) -> str:
    """What every entry depends on besides its own rows: settings, addresses, theme ids, licenses."""
    licenses = sorted((code, lic.title) for code, lic in LICENSES.items())
    text = repr(
        (settings.SITE_URL, settings.MEDIA_URL, settings.TIME_ZONE, urls.mbox, urls.dataset_page, urls.download)
        + (sorted(theme_ids.items()), licenses, federation.judge_stamp())
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _ProvinceEntries:
    """Builds the province's entry texts chunk by chunk, reusing the stored ones that are current.

    Rows are tuples: ``datajson_entries.KEY_COLUMNS`` alone, or all ``DATASET_COLUMNS`` (which
    start with the key columns); the entries are written as text from them (datajson_entries.py)."""

    def __init__(self, scope: CatalogScope, store: Callable[[list[tuple[int, str, str, bool]]], None]):
        self.scope = scope
        self.store = store
        self.urls = _Addresses()
        self.theme_ids = dict(Theme.objects.values_list("id", "identifier"))
        self.taxonomy = set(self.theme_ids.values())
        self.config = _config_digest(self.urls, self.theme_ids)
        self.writer = datajson_entries.EntryWriter(self.urls, license_title)

    @staticmethod
    def read(chunk: list[tuple]) -> list[list[tuple]]:
        """The range reads of a chunk of dataset rows (ordered by id), sent together
        (``datajson_entries.fetch``): themes, keys' aggregates, stored entries, and the
        distributions and fields when the chunk was read with every column."""
        first_id, last_id = chunk[0][0], chunk[-1][0]
        reads = [
            _themes_query(first_id, last_id),
            *export_fragments.key_queries(first_id, last_id),
            export_fragments.stored_query(first_id, last_id),
        ]
        if len(chunk[0]) == len(datajson_entries.DATASET_COLUMNS):
            reads += datajson_entries.related_queries(first_id, last_id)
        return datajson_entries.fetch(reads)

    def texts(self, chunk: list[tuple], results: list[list[tuple]]) -> tuple[list[tuple[str, bool]], int]:
        """(entry text, federable) of each dataset row of a chunk, and how many were rebuilt, from
        the chunk's ``read``; the rebuilt entries are judged (federation.py) and stored with one
        bulk upsert."""
        full = len(chunk[0]) == len(datajson_entries.DATASET_COLUMNS)  # read with every column already
        themes = _themes(results[0], self.theme_ids)
        keys = export_fragments.chunk_keys(chunk, results[1:3], themes, self.config)
        kept = export_fragments.stored(results[3])
        related = results[4:]
        stale = {pk for pk, key in keys.items() if kept.get(pk, ("",))[0] != key}
        fresh: dict[int, tuple[str, bool]] = {}
        rows = []
        if stale:
            rows = [row for row in chunk if row[0] in stale] if full else self._rows(stale)
        if rows:
            if not full:
                related = datajson_entries.fetch(datajson_entries.related_queries(rows[0][0], rows[-1][0]))
            if federation.federation_judge() is None:
                fresh = {pk: (text, True) for pk, text in self.writer.texts(rows, themes, related)}
            else:  # judged from the dicts the writer fills as it writes (no text parsed back)
                judged = self.writer.judged_texts(rows, themes, related, self._federable)
                fresh = {pk: (text, ok) for pk, text, ok in judged}
            self.store([(pk, keys[pk], text, ok) for pk, (text, ok) in fresh.items()])
        # A stale dataset read again (narrow chunks) may have left the catalog since the chunk was
        # read (unpublished or deleted while the stream waited on its client): it is left out.
        pieces = [
            fresh[row[0]] if row[0] in fresh else kept[row[0]][1:]
            for row in chunk
            if row[0] in fresh or row[0] not in stale
        ]
        return pieces, len(fresh)

    def _federable(self, entry: dict) -> bool:
        return federation.entries_federable([entry], self.taxonomy)[0]

    def _rows(self, ids: set[int]) -> list[tuple]:
        """Every column of these datasets, ordered by id."""
        stale_rows = datasets_in_scope(self.scope).filter(id__in=ids).order_by("id")
        return datajson_entries.row_tuples(stale_rows, datajson_entries.DATASET_COLUMNS)


def province_entry_texts(scope: CatalogScope, *, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """The province's federable dataset entries as JSON text: stored ones while current, the others
    rebuilt, judged and stored (export_fragments.py). Same text as ``json.dumps`` of
    ``dataset_entries``. The datasets left out are counted in the log when the export ends.

    While most entries of a chunk need building (the first export, or after a settings change),
    each chunk is read with every column in one query instead of keys first and rows after.
    On PostgreSQL the next chunk is read and the last one's rebuilt entries are stored by side
    threads while this one is written (side_connection.py)."""
    store = export_fragments.BackgroundStore()
    reader = SideWorker("datajson-read")
    entries = _ProvinceEntries(scope, store)
    base = datasets_in_scope(scope).order_by("id")

    def read(last_id: int, full: bool) -> tuple[list[tuple], list[list[tuple]]]:
        columns = datajson_entries.DATASET_COLUMNS if full else datajson_entries.KEY_COLUMNS
        chunk = datajson_entries.row_tuples(base.filter(id__gt=last_id)[:chunk_size], columns)
        return chunk, entries.read(chunk) if chunk else []

    full, total, left_out = True, 0, 0
    ahead = reader.submit(read, 0, full)
    try:
        while True:
            chunk, results = ahead.result()
            if not chunk:
                break
            # Read ahead with the columns the chunk before this one called for: either choice gives
            # the same entries (``texts`` reads what a narrow chunk lacks), only the cost differs.
            ahead = reader.submit(read, chunk[-1][0], full)
            pieces, rebuilt = entries.texts(chunk, results)
            full = rebuilt * 2 > len(chunk)
            total += len(pieces)
            for text, federable in pieces:
                if federable:
                    yield text
                else:
                    left_out += 1
    finally:
        try:
            store.close()
        finally:
            reader.close()
    if left_out:
        logger.warning(
            "Province data.json: %d of %d published datasets left out, not federable (errors against the national "
            "profile; see catalog.selectors.datasets_not_federated)",
            left_out,
            total,
        )


def province_fragments_fill(scope: CatalogScope, *, chunk_size: int = CHUNK_SIZE) -> int:
    """Build and store the province's stale entries from the last dataset backwards, until a chunk
    that is all current; returns how many it built.

    Run by a worker while a web process streams the export from the first dataset forwards: the
    two meet in the middle, and the web process finds the second half stored. Each entry is only
    ever stored with its own key, so the two may overlap on one chunk without harm."""
    entries = _ProvinceEntries(scope, export_fragments.store)
    base = datasets_in_scope(scope).order_by("-id")
    upper, total = 2**62, 0
    while True:
        chunk = datajson_entries.row_tuples(base.filter(id__lt=upper)[:chunk_size], datajson_entries.DATASET_COLUMNS)
        if not chunk:
            return total
        chunk.reverse()
        upper = chunk[0][0]
        _texts, rebuilt = entries.texts(chunk, entries.read(chunk))
        if not rebuilt:
            return total
        total += rebuilt


def catalog_entries(scope: CatalogScope) -> Iterator[dict]:
    """The entries the catalog lists (data.json, catalog.xlsx): a municipality's every published
    dataset; the province's only the federable ones (judged here from the dicts; the province's
    data.json stream reads the verdicts stored with its entries instead)."""
    entries = dataset_entries(scope)
    if not scope.is_province or federation.federation_judge() is None:
        yield from entries
        return
    taxonomy = set(Theme.objects.values_list("identifier", flat=True))
    for entry in entries:
        if federation.entries_federable([entry], taxonomy)[0]:
            yield entry


def catalog_build(scope: CatalogScope) -> dict:
    """The whole catalog as one dict (for exports and tests; pages stream with catalog_stream)."""
    catalog = catalog_header(scope)
    catalog["dataset"] = list(catalog_entries(scope))
    return catalog


def catalog_stream(scope: CatalogScope, *, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """The catalog as JSON text, written piece by piece: memory does not grow with its size."""
    header = json.dumps(catalog_header(scope), ensure_ascii=False)
    yield header[:-1] + (', "dataset": [' if header != "{}" else '"dataset": [')
    buffer: list[str] = []
    first = True
    if scope.is_province:
        texts = province_entry_texts(scope, chunk_size=chunk_size)
    else:  # a municipality's catalog is small: built as it streams
        texts = (json.dumps(entry, ensure_ascii=False) for entry in dataset_entries(scope, chunk_size=chunk_size))
    for text in texts:
        buffer.append(text)
        if len(buffer) >= 200:
            yield ("" if first else ",") + ",".join(buffer)
            first = False
            buffer.clear()
    yield ("" if first or not buffer else ",") + ",".join(buffer) + "]}"
