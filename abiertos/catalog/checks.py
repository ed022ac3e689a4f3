"""Checks on a profile catalog (a data.json dict) that pydatajson does not make (DOMAIN.md §2).

Unique dataset and distribution identifiers across the whole catalog, theme ids present in the
catalog's themeTaxonomy, ``modified`` not before ``issued``, absolute addresses without spaces,
and keywords in the profile's alphabet. Used on our own exports (tests) and on imported catalogs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

# The profile's keyword alphabet, as in pydatajson's dataset.json schema.
PROFILE_KEYWORD_RE = re.compile(r"^[ 0-9a-zá-źÁ-ŹA-ZñÑ._-]+$")
URL_KEYS = ("accessURL", "downloadURL", "landingPage", "homepage", "superThemeTaxonomy")


@dataclass(frozen=True)
class CatalogIssue:
    path: str  # where, as in the JSON: "dataset[3].distribution[0].downloadURL"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def parse_when(value) -> datetime | None:
    """A profile date or date-time as a datetime (naive or aware as written); None if it is not one."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _comparable(a: datetime, b: datetime) -> tuple[datetime, datetime]:
    if (a.tzinfo is None) != (b.tzinfo is None):
        return a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a, b


def url_problem(value) -> str | None:
    """Why a value is not an absolute http(s) address without spaces, or None if it is one."""
    if not isinstance(value, str) or not value:
        return _("falta la dirección")
    if any(c.isspace() for c in value):
        return _("la dirección «%(v)s» tiene espacios") % {"v": value}
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return _("«%(v)s» no es una dirección absoluta (http:// o https://)") % {"v": value}
    return None


def _dates_issue(node: dict, path: str) -> list[CatalogIssue]:
    issued, modified = parse_when(node.get("issued")), parse_when(node.get("modified"))
    if issued and modified:
        issued, modified = _comparable(issued, modified)
        if modified < issued:
            return [CatalogIssue(f"{path}.modified", _("la fecha de modificación es anterior a la de publicación"))]
    return []


def _urls_issues(node: dict, path: str) -> list[CatalogIssue]:
    issues = []
    for key in URL_KEYS:
        if key in node and (problem := url_problem(node[key])):
            issues.append(CatalogIssue(f"{path}.{key}", problem))
    return issues


def _dataset_issues(dataset: dict, path: str, theme_ids: set[str]) -> list[CatalogIssue]:
    issues = _dates_issue(dataset, path) + _urls_issues(dataset, path)
    for theme in dataset.get("theme") or []:
        if theme not in theme_ids:
            issues.append(
                CatalogIssue(f"{path}.theme", _("el tema «%(t)s» no está en la taxonomía del catálogo") % {"t": theme})
            )
    for keyword in dataset.get("keyword") or []:
        if not isinstance(keyword, str) or not PROFILE_KEYWORD_RE.match(keyword):
            issues.append(
                CatalogIssue(
                    f"{path}.keyword",
                    _("la palabra clave %(k)r tiene caracteres fuera de letras, números, espacios y . _ -")
                    % {"k": keyword},
                )
            )
    return issues


def _repeated(path: str, kind: str, identifier, first: str) -> CatalogIssue:
    return CatalogIssue(
        f"{path}.identifier",
        _("el identificador de %(kind)s «%(id)s» se repite (ya está en %(first)s)")
        % {"kind": kind, "id": identifier, "first": first},
    )


def catalog_issues(catalog: dict) -> list[CatalogIssue]:
    """Everything wrong with a catalog that pydatajson would let through."""
    issues = _urls_issues(catalog, "catalog")
    theme_ids = {t.get("id") for t in catalog.get("themeTaxonomy") or [] if isinstance(t, dict)}
    seen_datasets: dict = {}
    seen_distributions: dict = {}
    for i, dataset in enumerate(catalog.get("dataset") or []):
        path = f"dataset[{i}]"
        identifier = dataset.get("identifier")
        if identifier and identifier in seen_datasets:
            issues.append(_repeated(path, _("conjunto"), identifier, seen_datasets[identifier]))
        seen_datasets.setdefault(identifier, path)
        issues += _dataset_issues(dataset, path, theme_ids)
        for j, dist in enumerate(dataset.get("distribution") or []):
            dpath = f"{path}.distribution[{j}]"
            identifier = dist.get("identifier")
            if identifier and identifier in seen_distributions:
                issues.append(_repeated(dpath, _("recurso"), identifier, seen_distributions[identifier]))
            seen_distributions.setdefault(identifier, dpath)
            issues += _dates_issue(dist, dpath) + _urls_issues(dist, dpath)
    return issues
