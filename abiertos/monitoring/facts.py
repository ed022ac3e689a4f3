"""What monitoring knows about each published dataset: read in bulk, evaluated once.

A full recomputation reads every live, published dataset of every active municipality with a few
``values()`` queries (no model instances, no N+1), turns each into a data.json-shaped entry, and
evaluates it: validation findings, freshness (catalog/freshness.py), the quality points, the
categories of the index. Everything above (indicators, index, pages) works from these facts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models.fields.files import FieldFile
from django.utils import timezone

from abiertos.catalog.freshness import is_up_to_date
from abiertos.catalog.models import Dataset, DatasetStatus, Distribution, Field, Theme
from abiertos.catalog.vocabularies import DATA_FORMATS, LICENSES, OPEN_FORMATS

from .categories import categories_of
from .quality import quality_points
from .validator import Finding, validate_dataset

DATASET_COLUMNS = (
    "id", "municipality_id", "identifier", "name", "title", "description", "publisher_name", "publisher_mbox",
    "contact_name", "contact_email", "super_themes", "keywords", "license", "accrual_periodicity", "issued",
    "modified", "temporal", "spatial", "landing_page", "is_harvested", "created_at", "updated_at",
)  # fmt: skip
DISTRIBUTION_COLUMNS = (
    "id", "dataset_id", "identifier", "title", "description", "kind", "file", "access_url", "external_url",
    "format", "media_type", "byte_size", "file_name", "issued", "created_at",
)  # fmt: skip
# Our own files are served by the platform at a valid address; the validator only needs one.
OWN_FILE_URL = "https://plataforma.invalid/archivo"


@dataclass
class DatasetFacts:
    id: int
    municipality_id: int
    identifier: str
    name: str
    title: str
    is_harvested: bool
    modified: datetime | None
    updated_at: datetime
    entry: dict
    up_to_date: bool
    license_open: bool
    formats: set[str]
    has_data_format: bool
    has_open_format: bool
    all_available: bool
    documented: bool
    findings: list[Finding] = field(default_factory=list)
    quality: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == "error")

    @property
    def meta_ok(self) -> bool:
        return self.errors == 0


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _format_of(dist: dict) -> str:
    fmt = (dist["format"] or "").strip().upper()
    if fmt:
        return fmt
    name = dist["file_name"] or dist["file"] or dist["external_url"] or ""
    return name.rsplit(".", 1)[-1].upper() if "." in name[-6:] else ""


def _distribution_entry(dist: dict) -> dict:
    download = dist["external_url"] or (OWN_FILE_URL if dist["file"] else "")
    entry = {
        "identifier": dist["identifier"],
        "title": dist["title"],
        "description": dist["description"] or None,
        "accessURL": dist["access_url"] or download or OWN_FILE_URL,
        "downloadURL": download or OWN_FILE_URL,
        "format": dist["format"] or None,
        "fileName": dist["file_name"] or None,
        "byteSize": dist["byte_size"],
        "issued": _iso(dist["issued"] or dist["created_at"]),
    }
    return {k: v for k, v in entry.items() if v is not None}


def _dataset_entry(ds: dict, themes: list[str], distributions: list[dict]) -> dict:
    entry = {
        "identifier": ds["identifier"],
        "title": ds["title"],
        "description": ds["description"],
        "publisher": {"name": ds["publisher_name"], "mbox": ds["publisher_mbox"]},
        "superTheme": list(ds["super_themes"] or []),
        "theme": themes,
        "keyword": list(ds["keywords"] or []),
        "license": ds["license"],
        "accrualPeriodicity": ds["accrual_periodicity"],
        "issued": _iso(ds["issued"]),
        "modified": _iso(ds["modified"]),
        "temporal": ds["temporal"],
        "spatial": ds["spatial"],
        "landingPage": ds["landing_page"],
        "distribution": [_distribution_entry(d) for d in distributions],
    }
    if ds["contact_name"] or ds["contact_email"]:
        entry["contactPoint"] = {"fn": ds["contact_name"], "hasEmail": ds["contact_email"]}
    return {k: v for k, v in entry.items() if v is not None}


def live_datasets(municipality_ids: list[int] | None = None):
    qs = Dataset.objects.filter(status=DatasetStatus.PUBLISHED, deleted_at__isnull=True, municipality__is_active=True)
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=municipality_ids)
    return qs


def _related(dataset_ids_qs) -> tuple[dict, dict, set]:
    themes: dict[int, list[str]] = defaultdict(list)
    through = Dataset.themes.through.objects.filter(dataset_id__in=dataset_ids_qs)
    theme_ids = dict(Theme.objects.values_list("id", "identifier"))
    for dataset_id, theme_id in through.values_list("dataset_id", "theme_id"):
        themes[dataset_id].append(theme_ids[theme_id])
    dists: dict[int, list[dict]] = defaultdict(list)
    rows = Distribution.objects.filter(dataset_id__in=dataset_ids_qs, deleted_at__isnull=True).order_by(
        "dataset_id", "position", "id"
    )
    for dist in rows.values(*DISTRIBUTION_COLUMNS):
        dists[dist["dataset_id"]].append(dist)
    with_fields = set(
        Field.objects.filter(distribution__dataset_id__in=dataset_ids_qs).values_list("distribution_id", flat=True)
    )
    return themes, dists, with_fields


def published_entries(*, dataset_ids: list[int]) -> dict[int, dict]:
    """These live published datasets as the data.json-shaped entries the index validates (without
    the rest of the evaluation: what a harvest run's validation needs)."""
    if not dataset_ids:
        return {}
    qs = live_datasets().filter(pk__in=dataset_ids)
    themes, dists, _with_fields = _related(qs.values("id"))
    return {
        ds["id"]: _dataset_entry(ds, themes.get(ds["id"], []), dists.get(ds["id"], []))
        for ds in qs.values(*DATASET_COLUMNS)
    }


def _as_read(value):
    """A value of an unsaved-then-written row as the database gives it back (aware times in UTC,
    files as their stored name)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo is not None else value
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def written_entry(*, dataset: Dataset, themes: list[str], distributions: list[Distribution]) -> dict | None:
    """The entry ``published_entries`` would read for a dataset just written and still in memory
    (its live distributions in order), without reading it back; None if it is not published."""
    if dataset.status != DatasetStatus.PUBLISHED or dataset.deleted_at is not None:
        return None
    ds = {name: _as_read(getattr(dataset, name)) for name in DATASET_COLUMNS}
    dists = [{name: _as_read(getattr(d, name)) for name in DISTRIBUTION_COLUMNS} for d in distributions]
    return _dataset_entry(ds, themes, dists)


def dataset_facts(
    *, municipality_ids: list[int] | None = None, broken: set[int] | None = None, now: datetime | None = None
) -> list[DatasetFacts]:
    """Evaluate every live published dataset (of the given municipalities, or all)."""
    now = now or timezone.now()
    qs = live_datasets(municipality_ids)
    ids = qs.values("id")
    themes, dists, with_fields = _related(ids)
    taxonomy = set(Theme.objects.values_list("identifier", flat=True))
    broken = broken or set()
    return [
        _evaluate(ds, themes.get(ds["id"], []), dists.get(ds["id"], []), with_fields, broken, taxonomy, now)
        for ds in qs.order_by("municipality_id", "id").values(*DATASET_COLUMNS)
    ]


def _evaluate(ds, themes, dists, with_fields, broken, taxonomy, now) -> DatasetFacts:
    formats = {f for f in (_format_of(d) for d in dists) if f}
    entry = _dataset_entry(ds, themes, dists)
    facts = DatasetFacts(
        id=ds["id"],
        municipality_id=ds["municipality_id"],
        identifier=ds["identifier"],
        name=ds["name"],
        title=ds["title"],
        is_harvested=ds["is_harvested"],
        modified=ds["modified"],
        updated_at=ds["updated_at"],
        entry=entry,
        up_to_date=is_up_to_date(accrual_periodicity=ds["accrual_periodicity"], modified=ds["modified"], now=now),
        license_open=ds["license"] in LICENSES,
        formats=formats,
        has_data_format=bool(formats & DATA_FORMATS),
        has_open_format=bool(formats & OPEN_FORMATS),
        all_available=bool(dists) and all((d["file"] or d["external_url"]) and d["id"] not in broken for d in dists),
        documented=bool(dists) and all(d["description"] or d["id"] in with_fields for d in dists),
    )
    facts.findings = validate_dataset(entry, path="dataset", taxonomy=taxonomy)
    facts.quality = quality_points(facts, entry)
    facts.categories = categories_of(title=ds["title"], keywords=ds["keywords"], themes=themes)
    return facts
