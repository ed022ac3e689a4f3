"""Our validator of the national metadata profile (DOMAIN.md §2), over a data.json-shaped dict.

Two families of findings:

- ``profile`` findings are the rules of the national validator (pydatajson's JSON schema and its
  two custom checks). A catalog with none of them gets the same verdict pydatajson gives; a test
  compares both on every sample in ``../shared/data/catalogs/pydatajson/``.
- the other findings are checks pydatajson lacks (duplicate identifiers, theme ids missing from
  the taxonomy, ``modified`` before ``issued``, periodicities outside the national list, dates
  that do not exist, recommended fields left empty…). Some are errors, some are advice.

Every finding says where (a JSON path), what is wrong and how to fix it, in Spanish.
"""

from __future__ import annotations

import json
import mimetypes
import os
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlparse

from django.utils.translation import gettext as _

from .profile_formats import (
    IDENTIFIER_RE,
    KEYWORD_RE,
    NATIONAL_PERIODICITIES,
    PERIODICITY_RE,
    SUPER_THEMES_ANY_CASE,
    TEMPORAL_RE,
    array_or_null,
    date_or_datetime,
    date_or_null,
    email_or_empty,
    empty,
    is_uri,
    non_empty,
    parse_instant,
    str_or_null,
)
from .rules import RULES

EXTENSION_EXCEPTIONS = {"zip", "php", "asp", "aspx"}


@dataclass(frozen=True)
class Finding:
    code: str
    path: str
    profile: bool
    level: str  # "error" | "warning"
    message: str
    fix: str

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "path": self.path,
            "profile": self.profile,
            "level": self.level,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    datasets: int = 0
    distributions: int = 0

    @property
    def profile_valid(self) -> bool:
        """The national validator's verdict: no profile finding."""
        return not any(f.profile for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    def paths(self, *, profile: bool = True) -> set[str]:
        return {f.path for f in self.findings if f.profile == profile}


class _Collector:
    def __init__(self):
        self.findings: list[Finding] = []

    def add(self, code: str, path: str, **values) -> None:
        rule = RULES[code]
        where = {"where": path or _("el catálogo"), **values}
        self.findings.append(
            Finding(
                code=code,
                path=path,
                profile=rule.profile,
                level=rule.level,
                message=str(rule.message) % where,
                fix=str(rule.fix) % where,
            )
        )


class _ErrorFound(Exception):
    """Raised by ``_ErrorsOnly`` at the first error-level finding."""


class _ErrorsOnly(_Collector):
    """Keeps no finding and formats no message: the first error-level finding ends the check
    (``dataset_has_errors``); warnings are passed over."""

    def add(self, code: str, path: str, **values) -> None:
        if RULES[code].level == "error":
            raise _ErrorFound


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# --- catalog --------------------------------------------------------------------------------------

CATALOG_REQUIRED = ("dataset", "title", "description", "publisher", "superThemeTaxonomy")
DATASET_REQUIRED = (
    "title", "description", "publisher", "superTheme", "distribution", "accrualPeriodicity", "issued", "identifier",
)  # fmt: skip
DISTRIBUTION_REQUIRED = ("accessURL", "downloadURL", "title", "issued", "identifier")


def _required(c: _Collector, node: dict, keys: tuple, path: str) -> None:
    for key in keys:
        if key not in node:
            c.add("required", path, field=key)


def _publisher(c: _Collector, value, path: str, *, catalog: bool) -> None:
    if not isinstance(value, dict):
        c.add("not_object", path)
        return
    if "name" not in value:
        c.add("required", path, field="name")
    elif not non_empty(value["name"]):
        c.add("empty_text", _join(path, "name"))
    if "mbox" in value:
        mbox = value["mbox"]
        ok = (isinstance(mbox, str) and ("@" in mbox or mbox == "")) if catalog else email_or_empty(mbox)
        if not ok:
            c.add("email", _join(path, "mbox"), value=mbox)
    elif catalog:
        c.add("publisher_mbox_missing", path)


def _optional_types(c: _Collector, node: dict, path: str, keys: tuple) -> None:
    for key in keys:
        if key in node and not str_or_null(node[key]):
            c.add("not_text", _join(path, key))


def _optional_dates(c: _Collector, node: dict, path: str, keys: tuple) -> None:
    for key in keys:
        if key in node and not date_or_null(node[key]):
            c.add("date", _join(path, key), value=node[key])


def validate_catalog(catalog) -> Report:
    """Validate a whole data.json-shaped catalog."""
    c = _Collector()
    report = Report()
    if not isinstance(catalog, dict):
        c.add("not_object", "")
        report.findings = c.findings
        return report
    _required(c, catalog, CATALOG_REQUIRED, "")
    _catalog_fields(c, catalog)
    taxonomy = _theme_taxonomy(c, catalog.get("themeTaxonomy"))
    datasets = catalog.get("dataset")
    if "dataset" in catalog and not isinstance(datasets, list):
        c.add("not_array", "dataset")
    elif isinstance(datasets, list):
        _datasets(c, datasets, taxonomy)
        report.datasets = len(datasets)
        report.distributions = sum(len(_distributions_of(d)) for d in datasets)
    report.findings = c.findings
    return report


def _catalog_fields(c: _Collector, catalog: dict) -> None:
    for key in ("title", "description"):
        if key in catalog and not non_empty(catalog[key]):
            c.add("empty_text", key)
    if "publisher" in catalog:
        _publisher(c, catalog["publisher"], "publisher", catalog=True)
    if "superThemeTaxonomy" in catalog and not is_uri(catalog["superThemeTaxonomy"]):
        c.add("uri", "superThemeTaxonomy", value=catalog["superThemeTaxonomy"])
    if "identifier" in catalog and not str_or_null(catalog["identifier"]):
        c.add("not_text", "identifier")
    _optional_dates(c, catalog, "", ("issued", "modified"))
    if "language" in catalog and not array_or_null(catalog["language"]):
        c.add("text_list", "language")
    _optional_types(c, catalog, "", ("license", "rights"))
    if "homepage" in catalog and not (is_uri(catalog["homepage"]) or empty(catalog["homepage"])):
        c.add("uri", "homepage", value=catalog["homepage"])
    if "spatial" in catalog and not isinstance(catalog["spatial"], str | list | type(None)):
        c.add("not_text", "spatial")


def _theme_taxonomy(c: _Collector, taxonomy) -> set[str] | None:
    if taxonomy is None:
        return None
    if not isinstance(taxonomy, list):
        c.add("not_array", "themeTaxonomy")
        return None
    ids = []
    for index, theme in enumerate(taxonomy):
        path = f"themeTaxonomy[{index}]"
        if not isinstance(theme, dict):
            c.add("not_object", path)
            continue
        _optional_types(c, theme, path, ("id", "label", "description"))
        ids.append(theme.get("id"))
    repeated = sorted(str(i) for i, n in Counter(ids).items() if n > 1)
    if repeated:
        c.add("theme_repeated", "themeTaxonomy", value=", ".join(repeated))
    return {str(i) for i in ids if i is not None}


def _distributions_of(dataset) -> list:
    if isinstance(dataset, dict) and isinstance(dataset.get("distribution"), list):
        return dataset["distribution"]
    return []


def _repeated(c: _Collector, code: str, counter: Counter) -> None:
    for value, count in sorted(counter.items()):
        if count > 1:
            c.add(code, "dataset", value=value, n=count)


def _datasets(c: _Collector, datasets: list, taxonomy: set[str] | None) -> None:
    seen_json: set[str] = set()
    dataset_ids: Counter = Counter()
    distribution_ids: Counter = Counter()
    for index, dataset in enumerate(datasets):
        path = f"dataset[{index}]"
        key = json.dumps(dataset, sort_keys=True, default=str)
        if key in seen_json:
            c.add("dataset_repeated", path)
        seen_json.add(key)
        if not isinstance(dataset, dict):
            c.add("not_object", path)
            continue
        validate_dataset(dataset, path=path, taxonomy=taxonomy, collector=c)
        if non_empty(dataset.get("identifier")):
            dataset_ids[dataset["identifier"]] += 1
        distribution_ids.update(
            d["identifier"]
            for d in _distributions_of(dataset)
            if isinstance(d, dict) and non_empty(d.get("identifier"))
        )
    _repeated(c, "dataset_id_repeated", dataset_ids)
    _repeated(c, "distribution_id_repeated", distribution_ids)


# --- dataset ----------------------------------------------------------------------------------------


def validate_dataset(
    dataset: dict, *, path: str = "dataset", taxonomy: set[str] | None = None, collector: _Collector | None = None
) -> list[Finding]:
    """Validate one dataset entry; returns its findings (also added to ``collector`` when given)."""
    c = collector or _Collector()
    start = len(c.findings)
    _required(c, dataset, DATASET_REQUIRED, path)
    _dataset_texts(c, dataset, path)
    _dataset_vocabularies(c, dataset, path, taxonomy)
    _dataset_dates(c, dataset, path)
    _dataset_contacts(c, dataset, path)
    _dataset_recommended(c, dataset, path)
    distributions = dataset.get("distribution")
    if "distribution" in dataset and not isinstance(distributions, list):
        c.add("not_array", _join(path, "distribution"))
    elif isinstance(distributions, list):
        if not distributions:
            c.add("no_distributions", path)
        for index, dist in enumerate(distributions):
            validate_distribution(dist, path=f"{path}.distribution[{index}]", collector=c)
    return c.findings[start:]


def dataset_has_errors(dataset: dict, *, taxonomy: set[str] | None = None) -> bool:
    """Whether ``validate_dataset`` finds an error-level finding in this entry: the same checks in
    the same order, stopped at the first error, and no finding built (the province data.json
    judges every entry it rebuilds with this, see federation.py)."""
    try:
        validate_dataset(dataset, taxonomy=taxonomy, collector=_ErrorsOnly())
    except _ErrorFound:
        return True
    return False


def _dataset_texts(c: _Collector, dataset: dict, path: str) -> None:
    for key in ("title", "description", "identifier"):
        if key in dataset and not non_empty(dataset[key]):
            c.add("empty_text", _join(path, key))
    title = dataset.get("title")
    if isinstance(title, str) and len(title) > 100:
        c.add("title_long", _join(path, "title"), n=len(title))
    identifier = dataset.get("identifier")
    if non_empty(identifier) and not IDENTIFIER_RE.match(identifier):
        c.add("identifier_chars", _join(path, "identifier"), value=identifier)
    description = dataset.get("description")
    if non_empty(description) and len(description.strip()) < 30:
        c.add("description_short", _join(path, "description"))


def _dataset_vocabularies(c: _Collector, dataset: dict, path: str, taxonomy: set[str] | None) -> None:
    _super_themes_and_periodicity(c, dataset, path)
    _themes_and_keywords(c, dataset, path, taxonomy)
    if "language" in dataset and not array_or_null(dataset["language"]):
        c.add("text_list", _join(path, "language"))


def _super_themes_and_periodicity(c: _Collector, dataset: dict, path: str) -> None:
    if "superTheme" in dataset:
        themes = dataset["superTheme"]
        if not isinstance(themes, list) or not themes:
            c.add("super_theme_empty", _join(path, "superTheme"))
        elif bad := [t for t in themes if t not in SUPER_THEMES_ANY_CASE]:
            c.add("super_theme_unknown", _join(path, "superTheme"), value=", ".join(map(str, bad)))
    if "accrualPeriodicity" in dataset:
        value = dataset["accrualPeriodicity"]
        if not (
            isinstance(value, str) and (value in NATIONAL_PERIODICITIES or any(p.search(value) for p in PERIODICITY_RE))
        ):
            c.add("periodicity", _join(path, "accrualPeriodicity"), value=value)
        elif value not in NATIONAL_PERIODICITIES and value != "EVENTUAL":
            c.add("periodicity_not_listed", _join(path, "accrualPeriodicity"), value=value)


def _bad_keywords(keywords) -> list:
    if not isinstance(keywords, list):
        return []
    return [k for k in keywords if not (isinstance(k, str) and KEYWORD_RE.search(k))]


def _themes_and_keywords(c: _Collector, dataset: dict, path: str, taxonomy: set[str] | None) -> None:
    if "theme" in dataset:
        themes = dataset["theme"]
        if not array_or_null(themes):
            c.add("text_list", _join(path, "theme"))
        elif themes and taxonomy is not None and (missing := [t for t in themes if t not in taxonomy]):
            c.add("theme_not_in_taxonomy", _join(path, "theme"), value=", ".join(missing))
    if "keyword" in dataset:
        keywords = dataset["keyword"]
        if not array_or_null(keywords):
            c.add("text_list", _join(path, "keyword"))
        if bad := _bad_keywords(keywords):
            c.add("keyword", _join(path, "keyword"), value=", ".join(repr(k) for k in bad))


def _dataset_dates(c: _Collector, dataset: dict, path: str) -> None:
    if "issued" in dataset and not date_or_datetime(dataset["issued"]):
        c.add("date", _join(path, "issued"), value=dataset["issued"])
    _optional_dates(c, dataset, path, ("modified",))
    issued, modified = parse_instant(dataset.get("issued")), parse_instant(dataset.get("modified"))
    if issued and modified and modified < issued:
        c.add("modified_before_issued", _join(path, "modified"))
    temporal = dataset.get("temporal")
    well_formed = empty(temporal) or (isinstance(temporal, str) and any(p.search(temporal) for p in TEMPORAL_RE))
    if "temporal" in dataset and not well_formed:
        c.add("temporal", _join(path, "temporal"), value=temporal)
    elif isinstance(temporal, str) and "/" in temporal:
        start, end = (parse_instant(p) for p in temporal.split("/", 1))
        if start is None or end is None:
            c.add("temporal_impossible", _join(path, "temporal"), value=temporal)
        elif start > end:
            c.add("temporal_reversed", _join(path, "temporal"), value=temporal)


def _dataset_contacts(c: _Collector, dataset: dict, path: str) -> None:
    if "publisher" in dataset:
        _publisher(c, dataset["publisher"], _join(path, "publisher"), catalog=False)
    if "contactPoint" in dataset:
        contact = dataset["contactPoint"]
        if not isinstance(contact, dict):
            c.add("not_object", _join(path, "contactPoint"))
        else:
            _optional_types(c, contact, _join(path, "contactPoint"), ("fn",))
            if "hasEmail" in contact and not email_or_empty(contact["hasEmail"]):
                c.add("email", _join(path, "contactPoint.hasEmail"), value=contact["hasEmail"])
    if "spatial" in dataset and not isinstance(dataset["spatial"], str | list | type(None)):
        c.add("not_text", _join(path, "spatial"))
    if "landingPage" in dataset and not (is_uri(dataset["landingPage"]) or empty(dataset["landingPage"])):
        c.add("uri", _join(path, "landingPage"), value=dataset["landingPage"])
    _optional_types(c, dataset, path, ("license", "source"))


def _dataset_recommended(c: _Collector, dataset: dict, path: str) -> None:
    for key, code in (("license", "license_missing"), ("modified", "modified_missing"), ("theme", "theme_missing")):
        if empty(dataset.get(key)) or dataset.get(key) == []:
            c.add(code, _join(path, key))
    if not (dataset.get("keyword") or []):
        c.add("keyword_missing", _join(path, "keyword"))


# --- distribution -------------------------------------------------------------------------------


def validate_distribution(dist, *, path: str, collector: _Collector) -> None:
    c = collector
    if not isinstance(dist, dict):
        c.add("not_object", path)
        return
    _required(c, dist, DISTRIBUTION_REQUIRED, path)
    for key in ("identifier", "title"):
        if key in dist and not non_empty(dist[key]):
            c.add("empty_text", _join(path, key))
    for key in ("accessURL", "downloadURL"):
        if key in dist:
            _url(c, dist[key], path, key)
    if "issued" in dist and not date_or_datetime(dist["issued"]):
        c.add("date", _join(path, "issued"), value=dist["issued"])
    _optional_dates(c, dist, path, ("modified",))
    _optional_types(c, dist, path, ("description", "format", "mediaType", "license", "rights", "fileName"))
    _distribution_extras(c, dist, path)
    _fields(c, dist, path)
    _extensions(c, dist, path)
    if empty(dist.get("format")):
        c.add("format_missing", _join(path, "format"))


def _url(c: _Collector, value, path: str, key: str) -> None:
    if not isinstance(value, str):
        c.add("not_text", _join(path, key))
    elif not is_uri(value):
        c.add("uri", _join(path, key), value=value)


def _distribution_extras(c: _Collector, dist: dict, path: str) -> None:
    size = dist.get("byteSize")
    if "byteSize" in dist and not (empty(size) or (isinstance(size, int) and not isinstance(size, bool))):
        c.add("byte_size", _join(path, "byteSize"), value=size)
    identifier = dist.get("identifier")
    if non_empty(identifier) and not IDENTIFIER_RE.match(identifier):
        c.add("identifier_chars", _join(path, "identifier"), value=identifier)


def _fields(c: _Collector, dist: dict, path: str) -> None:
    if "field" not in dist:
        return
    fields = dist["field"]
    if not isinstance(fields, list):
        c.add("not_array", _join(path, "field"))
        return
    for index, item in enumerate(fields):
        where = f"{path}.field[{index}]"
        if not isinstance(item, dict):
            c.add("not_object", where)
            continue
        title = item.get("title")
        if "title" in item and not (title is None or (isinstance(title, str) and len(title) <= 60)):
            c.add("field_title", _join(where, "title"))
        _optional_types(c, item, where, ("type", "description"))


def _extensions(c: _Collector, dist: dict, path: str) -> None:
    fmt = dist.get("format")
    if isinstance(fmt, str) and "/" in fmt:  # a plain format ("CSV") always passes the rule below
        for attribute in ("downloadURL", "fileName"):
            if not _format_matches_extension(dist, attribute):
                c.add("extension", _join(path, attribute), value=fmt)


def _format_matches_extension(dist: dict, attribute: str) -> bool:
    """pydatajson's own rule, kept as it is: only a media type with no known extension fails."""
    value, fmt = dist.get(attribute), dist.get("format")
    if not isinstance(value, str) or not isinstance(fmt, str) or "/" not in fmt:
        return True  # a plain format ("CSV") always passes pydatajson's rule
    possible = mimetypes.guess_all_extensions(fmt) if "/" in fmt else ["." + fmt.lower()]
    extension = os.path.splitext(urlparse(value).path)[-1].lower()
    if not extension or extension.replace(".", "") in EXTENSION_EXCEPTIONS:
        return True
    return extension in possible or bool(possible)
