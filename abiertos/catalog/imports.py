"""Bulk import of a whole catalog (data.json or catalog.xlsx) into one municipality.

``catalog_import`` first plans: every incoming dataset is create, update, unchanged or invalid,
with row-level Spanish errors (sheet, row and column for a spreadsheet; the JSON path for a
data.json). A dry run stops there. Applying goes through the catalog services, so every change is
validated, versioned and audited like an edit by hand; by default any error writes nothing.
Accepts the national profile and the US POD/DCAT-US fields that map one to one.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.errors import DomainError
from abiertos.core.models import Municipality

from . import services
from .checks import catalog_issues
from .dcat_read import dcat_catalog_read, rdf_format_of
from .imports_mapping import (
    DATASET_ERROR_KEYS,
    DISTRIBUTION_ERROR_KEYS,
    Incoming,
    dataset_changes,
    incoming_from_entry,
)
from .models import Dataset, DatasetStatus, DistributionKind, Theme
from .search_index import search_index_deferred
from .validation import dataset_metadata_errors, distribution_metadata_errors, field_errors
from .xlsx_import import XlsxCatalog, xlsx_catalog_read

FIELD_INDEX_RE = re.compile(r"^fields\.(\d+)$")


@dataclass
class ImportIssue:
    message: str
    path: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    level: str = "error"

    def __str__(self) -> str:
        if self.sheet:
            where = _("Hoja «%(s)s»") % {"s": self.sheet}
            if self.row:
                where += _(", fila %(r)d") % {"r": self.row}
            if self.column:
                where += _(", columna «%(c)s»") % {"c": self.column}
            return f"{where}: {self.message}"
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass
class PlannedDataset:
    identifier: str
    title: str
    action: str  # create, update, unchanged, invalid
    changes: list[str] = field(default_factory=list)
    incoming: Incoming | None = None


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    datasets: list[PlannedDataset] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    applied: bool = False

    @property
    def errors(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.level == "error"]

    def issues_errors_first(self) -> list[ImportIssue]:
        return sorted(self.issues, key=lambda issue: issue.level != "error")

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0, "invalid": 0}
        for planned in self.datasets:
            counts[planned.action] += 1
        return counts

    def as_dict(self, *, max_issues: int = 1000, max_datasets: int = 2000) -> dict:
        """The report as JSON (a job's result), long lists cut to keep the row small."""
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "counts": self.counts,
            "datasets": [
                {"identifier": p.identifier, "title": p.title, "action": p.action, "changes": p.changes}
                for p in self.datasets[:max_datasets]
            ],
            "datasets_omitted": max(0, len(self.datasets) - max_datasets),
            "issues": [{**asdict(i), "text": str(i)} for i in self.issues_errors_first()[:max_issues]],
        }


class _Locator:
    """Turns a JSON path into the spreadsheet cell it came from, when the source was a spreadsheet."""

    def __init__(self, xlsx: XlsxCatalog | None):
        self.rows = xlsx.rows if xlsx else {}

    def issue(self, path: str, key: str, message: str, level: str = "error") -> ImportIssue:
        node = self.rows.get(path)
        if node is None:
            return ImportIssue(message=message, path=f"{path}.{key}" if key else path, level=level)
        sheet, row, prefix = node
        column = prefix + key.replace(".", "_") if key else None
        return ImportIssue(message=message, path=f"{path}.{key}", sheet=sheet, row=row, column=column, level=level)


def _xlsx_read(data: bytes) -> tuple[dict, XlsxCatalog | None, list[ImportIssue]]:
    try:
        xlsx = xlsx_catalog_read(io.BytesIO(data))
    except ValueError as exc:
        return {}, None, [ImportIssue(message=str(exc))]
    issues = [ImportIssue(p.message, sheet=p.sheet, row=p.row, column=p.column) for p in xlsx.problems]
    issues += [
        ImportIssue(p.message, sheet=p.sheet, row=p.row, column=p.column, level="warning") for p in xlsx.warnings
    ]
    return xlsx.catalog, xlsx, issues


def _rdf_read(data: bytes, rdf_format: str) -> tuple[dict, None, list[ImportIssue]]:
    try:
        return dcat_catalog_read(data, rdf_format), None, []
    except ValueError as exc:
        return {}, None, [ImportIssue(_("El archivo no es RDF (DCAT) legible: %(e)s.") % {"e": exc})]


def catalog_read(data: bytes, filename: str = "") -> tuple[dict, XlsxCatalog | None, list[ImportIssue]]:
    """The catalog dict of a data.json, catalog.xlsx or DCAT file, and the problems of reading it."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _xlsx_read(data)
    try:
        catalog = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        if rdf_format := rdf_format_of(filename, data):
            return _rdf_read(data, rdf_format)
        return {}, None, [ImportIssue(_("El archivo no es un JSON válido: %(e)s.") % {"e": exc})]
    if isinstance(catalog, dict) and isinstance(catalog.get("dataset"), list):
        return catalog, None, []
    if isinstance(catalog, dict | list) and ("@graph" in catalog or "@context" in catalog or isinstance(catalog, list)):
        return _rdf_read(data, "json-ld")
    return {}, None, [ImportIssue(_("El JSON no es un catálogo: falta la lista «dataset»."))]


def _catalog_level_issues(catalog: dict, locator: _Locator) -> list[ImportIssue]:
    issues = []
    for problem in catalog_issues(catalog):
        path, _sep, key = problem.path.rpartition(".")
        is_repeat = key == "identifier"
        if path.startswith("catalog") or "theme" in key:
            continue  # the source's own addresses and taxonomy are not imported
        issues.append(locator.issue(path, key, problem.message, "error" if is_repeat else "warning"))
    return issues


def _distribution_problem(locator: _Locator, dpath: str, key: str, message: str) -> ImportIssue:
    """A distribution's problem, or one of its fields' ("field[2].units") on the field's own row."""
    if key.startswith("field["):
        node, _sep, field_key = key.partition(".")
        return locator.issue(f"{dpath}.{node}", field_key, message)
    return locator.issue(dpath, key, message)


def _dataset_issues(incoming: Incoming, path: str, locator: _Locator) -> list[ImportIssue]:
    m = incoming.metadata
    errors = dataset_metadata_errors(
        identifier=m.identifier,
        title=m.title,
        description=m.description,
        publisher_name=m.publisher_name,
        publisher_mbox=m.publisher_mbox,
        contact_email=m.contact_email,
        super_themes=m.super_themes,
        keywords=m.keywords,
        license=m.license,
        accrual_periodicity=m.accrual_periodicity,
        issued=m.issued,
        modified=m.modified,
        temporal=m.temporal,
        landing_page=m.landing_page,
    )
    issues = [locator.issue(path, DATASET_ERROR_KEYS.get(k, k), msg) for k, msgs in errors.items() for msg in msgs]
    issues += [locator.issue(path, key, msg) for key, msg in incoming.problems]
    issues += [locator.issue(path, key, msg, "warning") for key, msg in incoming.warnings]
    for j, dist in enumerate(incoming.distributions):
        dpath = f"{path}.distribution[{j}]"
        errors = distribution_metadata_errors(
            identifier=dist.metadata.identifier, title=dist.metadata.title, url=dist.url, license=dist.metadata.license
        )
        errors.update(field_errors([f.__dict__ for f in dist.metadata.fields or []]))
        for key, msgs in errors.items():
            if match := FIELD_INDEX_RE.match(key):
                issues += [locator.issue(f"{dpath}.field[{int(match.group(1)) - 1}]", "title", m) for m in msgs]
            else:
                issues += [locator.issue(dpath, DISTRIBUTION_ERROR_KEYS.get(key, key), m) for m in msgs]
        issues += [locator.issue(dpath, key, msg, "warning") for key, msg in dist.warnings]
        issues += [_distribution_problem(locator, dpath, key, msg) for key, msg in dist.problems]
    return issues


def _existing_datasets(municipality: Municipality, identifiers: list[str]) -> dict[str, Dataset]:
    """The municipality's datasets the catalog names (only those: a re-harvest of a few changed
    datasets must not load the whole municipality)."""
    found: dict[str, Dataset] = {}
    wanted = sorted(set(identifiers))
    for start in range(0, len(wanted), 500):
        rows = Dataset.objects.filter(municipality=municipality, identifier__in=wanted[start : start + 500])
        found.update({d.identifier: d for d in rows.prefetch_related("themes", "distributions__fields")})
    return found


def import_plan(
    *,
    municipality: Municipality,
    catalog: dict,
    xlsx: XlsxCatalog | None,
    report: ImportReport,
    progress: Callable[[int, int, str], None] | None = None,
) -> None:
    """Fill the report with what importing the catalog would do, and every problem found."""
    locator = _Locator(xlsx)
    report.issues += _catalog_level_issues(catalog, locator)
    known_themes = set(Theme.objects.values_list("identifier", flat=True))
    entries = catalog.get("dataset") or []
    incomings = [
        incoming_from_entry(entry, municipality=municipality, known_themes=known_themes)
        if isinstance(entry, dict)
        else None
        for entry in entries
    ]
    existing = _existing_datasets(municipality, [i.metadata.identifier for i in incomings if i is not None])
    seen: set[str] = set()
    for i, incoming in enumerate(incomings):
        path = f"dataset[{i}]"
        if incoming is None:
            report.issues.append(locator.issue(path, "", _("El conjunto no es un objeto JSON.")))
            continue
        issues = _dataset_issues(incoming, path, locator)
        if incoming.metadata.identifier in seen:
            message = _("El identificador «%(id)s» se repite.") % {"id": incoming.metadata.identifier}
            issues.append(locator.issue(path, "identifier", message))
        seen.add(incoming.metadata.identifier)
        report.issues += issues
        planned = PlannedDataset(incoming.metadata.identifier, incoming.metadata.title, "invalid", incoming=incoming)
        if not any(issue.level == "error" for issue in issues):
            current = existing.get(incoming.metadata.identifier)
            if current is not None and current.deleted_at is not None:
                report.issues.append(
                    locator.issue(path, "identifier", _("Ese conjunto existe pero está eliminado: restauralo antes."))
                )
            elif current is None:
                planned.action = "create"
            else:
                planned.changes = dataset_changes(current, incoming)
                planned.action = "update" if planned.changes else "unchanged"
        report.datasets.append(planned)
        if progress:
            total = len(entries)
            progress(i + 1, total, _("Revisando: conjunto %(n)d de %(t)d") % {"n": i + 1, "t": total})


def _apply_dataset(municipality: Municipality, planned: PlannedDataset, *, publish: bool, by: Actor) -> None:
    incoming = planned.incoming
    dataset = Dataset.objects.filter(municipality=municipality, identifier=incoming.metadata.identifier).first()
    if dataset is None:
        dataset = services.dataset_create(municipality=municipality, metadata=incoming.metadata, by=by)
    else:
        dataset = services.dataset_update(dataset=dataset, metadata=incoming.metadata, by=by)
    current = {d.identifier: d for d in dataset.distributions.filter(deleted_at__isnull=True)}
    for dist in incoming.distributions:
        existing = current.get(dist.metadata.identifier)
        if existing is None:
            services.distribution_create_from_url(dataset=dataset, metadata=dist.metadata, url=dist.url, by=by)
        else:
            url = dist.url if existing.kind == DistributionKind.URL else None
            services.distribution_update(distribution=existing, metadata=dist.metadata, url=url, by=by)
    if publish and dataset.status != DatasetStatus.PUBLISHED and incoming.distributions:
        dataset = services.dataset_publish(dataset=dataset, by=by)
    # Adding distributions stamps "modified" with now; the catalog says when the data changed.
    if incoming.metadata.modified:
        dataset.refresh_from_db()
        if dataset.modified != incoming.metadata.modified:
            services.dataset_update(dataset=dataset, metadata=incoming.metadata, by=by)


def import_apply(
    *,
    municipality: Municipality,
    report: ImportReport,
    by: Actor,
    publish: bool = True,
    skip_invalid: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> None:
    """Create and update the planned datasets through the services (all or nothing by default)."""
    todo = [p for p in report.datasets if p.action in ("create", "update")]
    with transaction.atomic(), search_index_deferred():
        for n, planned in enumerate(todo, start=1):
            try:
                with transaction.atomic():
                    _apply_dataset(municipality, planned, publish=publish, by=by)
            except DomainError as exc:
                planned.action = "invalid"
                detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
                report.issues.append(ImportIssue(f"{exc.message} {detail}".strip(), path=planned.identifier))
                if not skip_invalid:
                    raise
            if progress:
                progress(n, len(todo), _("Importando: conjunto %(n)d de %(t)d") % {"n": n, "t": len(todo)})
    report.applied = True


def catalog_import(
    *,
    municipality: Municipality,
    data: bytes,
    filename: str,
    by: Actor,
    dry_run: bool = True,
    skip_invalid: bool = False,
    publish: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportReport:
    """Plan (and unless ``dry_run``, apply) importing a data.json or catalog.xlsx into a municipality."""
    require(by, Action.MANAGE_CATALOG, municipality)
    report = ImportReport(source=filename or "catalog", dry_run=dry_run)
    catalog, xlsx, read_issues = catalog_read(data, filename)
    report.issues += read_issues
    if catalog:
        import_plan(municipality=municipality, catalog=catalog, xlsx=xlsx, report=report, progress=progress)
    if dry_run or (report.errors and not skip_invalid) or not catalog:
        return report
    try:
        import_apply(
            municipality=municipality,
            report=report,
            by=by,
            publish=publish,
            skip_invalid=skip_invalid,
            progress=progress,
        )
    except DomainError:
        report.applied = False
    return report
