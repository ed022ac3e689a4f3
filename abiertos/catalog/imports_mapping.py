"""From a profile (or DCAT-US) dataset entry to the typed inputs the catalog services take, and
the differences between an incoming dataset and the one we already have."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from abiertos.core.models import Municipality

from . import profile
from .checks import parse_when
from .inputs import DatasetMetadata, DistributionMetadata, FieldSpec
from .models import Dataset, Distribution, Field
from .vocabularies import DEFAULT_LICENSE, LICENSES, FieldType

# Text the model stores with a length limit the profile rules do not check: (input attribute,
# model, model field, profile key), from the one declaration in profile.py.
LIMITED = {
    "dataset": [(name, Dataset, name, key) for name, key in profile.limited(profile.DATASET_FIELDS)],
    "distribution": [(name, Distribution, name, key) for name, key in profile.limited(profile.DISTRIBUTION_FIELDS)],
    "field": [(name, Field, name, name) for name in profile.FIELD_LIMITED],
}
# Service error keys → the profile key (and so the spreadsheet column) they came from.
DATASET_ERROR_KEYS = profile.error_keys(profile.DATASET_FIELDS)
DISTRIBUTION_ERROR_KEYS = {"url": "downloadURL"}
IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
FIELD_TYPES = {"float": "number", "decimal": "number", "int": "integer", "text": "string", "bool": "boolean"}
COMPARED = profile.compared(profile.DATASET_FIELDS)
DISTRIBUTION_COMPARED = profile.compared(profile.DISTRIBUTION_FIELDS)


@dataclass
class IncomingDistribution:
    metadata: DistributionMetadata
    url: str
    warnings: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Incoming:
    metadata: DatasetMetadata
    distributions: list[IncomingDistribution] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).strip()


def _list(value) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value or [] if str(v).strip()]


def _email(value) -> str:
    text = _text(value)
    return text[len("mailto:") :] if text.lower().startswith("mailto:") else text


def identifier_from(value, warnings: list, max_length: int) -> str:
    """The identifier as given; a URL (DCAT, DCAT-US) becomes the slug of its path, with a warning."""
    text = _text(value)
    if not text or IDENTIFIER_RE.match(text) or "://" not in text:
        return text
    parts = urlsplit(text)
    derived = slugify(f"{parts.path} {parts.query} {parts.fragment}".replace("/", " "))[-max_length:].strip("-")
    derived = derived or slugify(parts.netloc)
    warnings.append(
        ("identifier", _("El identificador «%(v)s» es una dirección: se usará «%(id)s».") % {"v": text, "id": derived})
    )
    return derived


def _bare(url: str) -> str:
    return url.lower().split("://", 1)[-1].rstrip("/")


LICENSE_ALIASES = {
    "creative commons attribution": "cc-by-4.0",
    "cc-by": "cc-by-4.0",
    "cc by 4.0": "cc-by-4.0",
    "odbl": "odc-odbl",
    "cc0-1.0": "cc-zero",
    "cc0": "cc-zero",
}


def license_code(value) -> str | None:
    """Our code for a license named by code, title or URL (as Andino, CKAN and DCAT-US write it)."""
    text = _text(value).lower().rstrip("/")
    if not text:
        return None
    for lic in LICENSES.values():
        if text in (lic.code, lic.title.lower()) or _bare(text) in (_bare(lic.url), _bare(lic.url) + "/deed.es"):
            return lic.code
    return LICENSE_ALIASES.get(text)


class _When:
    """Dates of one entry, made aware; unreadable ones become problems."""

    def __init__(self, problems: list):
        self.problems = problems

    def __call__(self, entry: dict, key: str, path_key: str | None = None):
        raw = entry.get(key)
        if raw in (None, ""):
            return None
        moment = parse_when(raw)
        if moment is None:
            self.problems.append((path_key or key, _("«%(v)s» no es una fecha ISO 8601 (AAAA-MM-DD).") % {"v": raw}))
            return None
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _license(entry: dict, problems: list, warnings: list, *, default: str = "") -> str:
    """A dataset's license must be one we know (a wrong one is an error; none gets the default,
    with a warning); a distribution's unknown license is dropped with a warning (it inherits)."""
    raw = entry.get("license")
    code = license_code(raw)
    if code:
        return code
    if raw and default:
        problems.append(
            ("license", _("La licencia «%(v)s» no está entre las licencias abiertas admitidas.") % {"v": raw})
        )
    elif raw:
        warnings.append(("license", _("Licencia desconocida «%(v)s»: el recurso usa la del conjunto.") % {"v": raw}))
    elif default:
        warnings.append(("license", _("Sin licencia: se usa %(d)s.") % {"d": LICENSES[default].title}))
    return default


def _fields(dist: dict) -> list[FieldSpec]:
    specs = []
    for item in dist.get("field") or []:
        kind = _text(item.get("type")).lower()
        kind = FIELD_TYPES.get(kind, kind)
        specs.append(
            FieldSpec(
                title=_text(item.get("title")),
                type=kind if kind in FieldType.values else FieldType.STRING,
                description=_text(item.get("description")),
                units=_text(item.get("units")),
            )
        )
    return specs


def _too_long(value: str, model, name: str) -> str | None:
    limit = model._meta.get_field(name).max_length
    if value and len(value) > limit:
        return _("Tiene %(n)d caracteres; el máximo es %(max)d.") % {"n": len(value), "max": limit}
    return None


def length_problems(obj, level: str) -> list[tuple[str, str]]:
    """Values longer than the database keeps, as (profile key, message)."""
    return [
        (key, message)
        for attribute, model, name, key in LIMITED[level]
        if (message := _too_long(getattr(obj, attribute) or "", model, name))
    ]


def _distribution(dist: dict, position: int, dataset_id: str, when: _When) -> IncomingDistribution:
    warnings: list = []
    identifier = identifier_from(dist.get("identifier"), warnings, 150)
    if not identifier:
        identifier = f"{dataset_id}-{position + 1}"
        warnings.append(("identifier", _("Sin identificador: se usará «%(id)s».") % {"id": identifier}))
    url = _text(dist.get("downloadURL")) or _text(dist.get("accessURL"))
    title = _text(dist.get("title")) or _text(dist.get("fileName")) or os.path.basename(url.split("?")[0])
    fmt = _text(dist.get("format")).upper()
    metadata = DistributionMetadata(
        identifier=identifier,
        title=title,
        description=_text(dist.get("description")),
        format="" if "/" in fmt else fmt,
        license=_license(dist, warnings, warnings),
        issued=when(dist, "issued"),
        modified=when(dist, "modified"),
        fields=_fields(dist),
    )
    url_problem = _too_long(url, Distribution, "external_url")
    problems = length_problems(metadata, "distribution") + ([("downloadURL", url_problem)] if url_problem else [])
    for k, spec in enumerate(metadata.fields or []):
        problems += [(f"field[{k}].{key}", message) for key, message in length_problems(spec, "field")]
    return IncomingDistribution(metadata=metadata, url=url, warnings=warnings, problems=problems)


def _themes(entry: dict, known: set[str], warnings: list) -> list[str]:
    themes = _list(entry.get("theme"))
    if unknown := [t for t in themes if t not in known]:
        warnings.append(
            (
                "theme",
                _("Temas que no están en la taxonomía provincial, no se importan: %(v)s.") % {"v": ", ".join(unknown)},
            )
        )
    return [t for t in themes if t in known]


def _issued_from_modified(metadata: DatasetMetadata, warnings: list) -> None:
    """A source that gives only ``modified``: it stands in for ``issued`` (the profile requires one).

    Publication would stamp ``issued`` with now, later than the source's ``modified`` (the profile
    wants modified ≥ issued), and the import then puts the source's dates back, which left it empty;
    the earliest date the source gives is the best known. Every import path reads this mapping, so
    the per-dataset and the bulk harvest paths store the same."""
    if metadata.issued is None and metadata.modified is not None:
        metadata.issued = metadata.modified
        warnings.append(("issued", _("Sin fecha de publicación (issued): se usa la de modificación (modified).")))


def incoming_from_entry(entry: dict, *, municipality: Municipality, known_themes: set[str]) -> Incoming:
    """The inputs for the services, with the municipality's defaults, from one dataset entry."""
    problems: list = []
    warnings: list = []
    when = _When(problems)
    publisher = entry.get("publisher") if isinstance(entry.get("publisher"), dict) else {}
    contact = entry.get("contactPoint") if isinstance(entry.get("contactPoint"), dict) else {}
    identifier = identifier_from(entry.get("identifier"), warnings, 100)
    metadata = DatasetMetadata(
        identifier=identifier,
        title=_text(entry.get("title")),
        description=_text(entry.get("description")),
        publisher_name=_text(publisher.get("name")) or municipality.full_name or municipality.name,
        publisher_mbox=_email(publisher.get("mbox")) or municipality.contact_email,
        contact_name=_text(contact.get("fn")),
        contact_email=_email(contact.get("hasEmail")),
        super_themes=[t.upper() for t in _list(entry.get("superTheme"))],
        themes=_themes(entry, known_themes, warnings),
        keywords=_list(entry.get("keyword")),
        license=_license(entry, problems, warnings, default=DEFAULT_LICENSE),
        accrual_periodicity=_text(entry.get("accrualPeriodicity")) or "",
        issued=when(entry, "issued"),
        modified=when(entry, "modified"),
        temporal=_text(entry.get("temporal")),
        spatial=_text(entry.get("spatial")) or municipality.code,
        landing_page=_text(entry.get("landingPage")),
    )
    if metadata.accrual_periodicity.upper() == "EVENTUAL":
        metadata.accrual_periodicity = "eventual"
    _issued_from_modified(metadata, warnings)
    distributions = [_distribution(d, j, identifier, when) for j, d in enumerate(entry.get("distribution") or [])]
    if not distributions:
        problems.append(("distribution", _("El conjunto no tiene recursos (distribution).")))
    problems += length_problems(metadata, "dataset")
    return Incoming(metadata=metadata, distributions=distributions, problems=problems, warnings=warnings)


def _distribution_changes(current, incoming: IncomingDistribution) -> list[str]:
    m = incoming.metadata
    changed = []
    for name in DISTRIBUTION_COMPARED:
        if getattr(current, name) != getattr(m, name):
            changed.append(name)
    if m.format and current.format != m.format:
        changed.append("format")
    if current.kind == "url" and current.external_url != incoming.url:
        changed.append("url")
    fields = [(f.title, f.type, f.description, f.units) for f in current.fields.all()]
    if fields != [(f.title, f.type, f.description, f.units) for f in m.fields or []]:
        changed.append("field")
    return changed


def dataset_changes(current: Dataset, incoming: Incoming) -> list[str]:
    """Names of what would change (dataset fields, and "<distribution>.<field>" for resources)."""
    before = DatasetMetadata.from_dataset(current)
    changed = [name for name in COMPARED if getattr(before, name) != getattr(incoming.metadata, name)]
    if sorted(before.themes) != sorted(incoming.metadata.themes):
        changed.append("themes")
    existing = {d.identifier: d for d in current.distributions.all() if d.deleted_at is None}
    for dist in incoming.distributions:
        found = existing.get(dist.metadata.identifier)
        if found is None:
            changed.append(f"{dist.metadata.identifier}: nuevo")
        else:
            changed += [f"{dist.metadata.identifier}.{name}" for name in _distribution_changes(found, dist)]
    return changed
