"""Our catalog as CKAN dictionaries, and CKAN dictionaries back into our typed inputs.

Municipality = organization (name = slug, id = INDEC code), Theme = group, Dataset = package
(id = uuid, name = "<municipality slug>_<identifier>"), Distribution = resource (id = uuid).
Profile fields CKAN has no column for travel as ``extras``, as Andino does.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import get_default_timezone, is_naive, make_aware
from django.utils.translation import gettext as _

from abiertos.catalog.inputs import DatasetMetadata, DistributionMetadata, FieldSpec
from abiertos.catalog.models import Dataset, DatasetStatus, Distribution, Theme
from abiertos.catalog.vocabularies import DEFAULT_LICENSE, LICENSES, FieldType, Periodicity
from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality
from abiertos.datastore.combined import CombinedTable, combined_resource_name

TAG_NAMESPACE = uuid.UUID("0f1d7c1e-5b8a-4a36-9d55-3c2f4c1a7e10")

# Our field names → the CKAN keys a client sent, so validation errors point at the client's field.
PACKAGE_ERROR_KEYS = {
    "identifier": "name",
    "description": "notes",
    "publisher_name": "author",
    "publisher_mbox": "author_email",
    "contact_name": "maintainer",
    "contact_email": "maintainer_email",
    "super_themes": "superTheme",
    "themes": "groups",
    "keywords": "tags",
    "license": "license_id",
    "accrual_periodicity": "accrualPeriodicity",
    "landing_page": "url",
    "distributions": "resources",
}
RESOURCE_ERROR_KEYS = {
    "identifier": "id",
    "title": "name",
    "file": "upload",
    "license": "license_id",
    "external_url": "url",
}


def ckan_datetime(value: datetime | None) -> str | None:
    """CKAN's timestamp format: UTC, no offset, always with microseconds (harvesters parse it so)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def to_ckan_organization(municipality: Municipality, *, package_count: int | None = None) -> dict:
    org = {
        "id": municipality.code,
        "name": municipality.slug,
        "title": municipality.name,
        "description": municipality.intro,
        "created": None,
        "image_url": site_url(municipality.logo.url) if municipality.logo else "",
        "is_organization": True,
        "approval_status": "approved",
        "state": "active" if municipality.is_active else "deleted",
        "type": "organization",
    }
    if package_count is not None:
        org.update(package_count=package_count, display_name=municipality.name)
    return org


def to_ckan_group(theme: Theme, *, package_count: int | None = None) -> dict:
    group = {
        "id": theme.identifier,
        "name": theme.identifier,
        "title": theme.label,
        "display_name": theme.label,
        "description": theme.description,
        "image_display_url": "",
    }
    if package_count is not None:
        group.update(
            package_count=package_count, is_organization=False, type="group", state="active", approval_status="approved"
        )
    return group


def to_ckan_tag(name: str) -> dict:
    return {
        "id": str(uuid.uuid5(TAG_NAMESPACE, name)),
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def to_ckan_license(code: str) -> dict:
    lic = LICENSES[code]
    return {
        "id": lic.code,
        "title": lic.title,
        "url": lic.url,
        "status": "active",
        "maintainer": "",
        "family": "",
        "od_conformance": "approved",
        "osd_conformance": "not reviewed",
        "domain_data": "True",
        "domain_content": "False",
        "domain_software": "False",
        "is_generic": "False",
        "is_okd_compliant": True,
        "is_osi_compliant": False,
    }


def _resource_url(distribution: Distribution, dataset: Dataset) -> str:
    if distribution.external_url:
        return distribution.external_url
    if not distribution.file:
        return ""
    return site_url(
        reverse(
            "catalog:distribution_download",
            kwargs={
                "municipality_slug": dataset.municipality.slug,
                "identifier": dataset.identifier,
                "distribution_identifier": distribution.identifier,
            },
        )
    )


def _attributes_description(distribution: Distribution) -> str | None:
    fields = distribution.field_list if hasattr(distribution, "field_list") else list(distribution.fields.all())
    if not fields:
        return None
    return json.dumps(
        [{"title": f.title, "type": f.type, "description": f.description, "units": f.units} for f in fields],
        ensure_ascii=False,
    )


def to_ckan_resource(distribution: Distribution, dataset: Dataset) -> dict:
    return {
        "id": str(distribution.uuid),
        "package_id": str(dataset.uuid),
        "name": distribution.title,
        "description": distribution.description,
        "url": _resource_url(distribution, dataset),
        "url_type": "upload" if distribution.file else None,
        "accessURL": distribution.access_url or site_url(dataset.get_absolute_url()),
        "fileName": distribution.file_name or None,
        "format": distribution.format,
        "mimetype": distribution.media_type or None,
        "mimetype_inner": None,
        "size": distribution.byte_size,
        "hash": distribution.checksum_sha256,
        "attributesDescription": _attributes_description(distribution),
        "created": ckan_datetime(distribution.issued or distribution.created_at),
        "last_modified": ckan_datetime(distribution.modified),
        "position": distribution.position,
        "state": "deleted" if distribution.deleted_at else "active",
        "resource_type": "file",
        "datastore_active": False,
        "cache_url": None,
        "cache_last_updated": None,
    }


def to_ckan_combined_resource(table: CombinedTable) -> dict:
    """A standard schema's combined table as a virtual resource: no package, its data only in the datastore."""
    schema = table.schema
    fields = [{"id": f["name"], "type": f["type"], "description": f.get("description", "")} for f in table.columns]
    return {
        "id": table.resource_id,
        "package_id": None,
        "name": schema.title,
        "resource_name": combined_resource_name(schema),
        "description": schema.description,
        "url": site_url(reverse("datastore_query:dump", args=[table.resource_id])),
        "url_type": "datastore",
        "accessURL": site_url(reverse("datastore_query:schema_detail", args=[schema.slug])),
        "format": "CSV",
        "mimetype": "text/csv",
        "schema": schema.identifier,
        "attributesDescription": json.dumps(fields, ensure_ascii=False),
        "municipalities": [t.distribution.dataset.municipality.name for t in table.parts],
        "created": ckan_datetime(schema.created_at),
        "last_modified": ckan_datetime(schema.updated_at),
        "state": "active",
        "resource_type": "combined",
        "datastore_active": True,
    }


def _extras(dataset: Dataset) -> list[dict]:
    values = {
        "accrualPeriodicity": dataset.accrual_periodicity,
        "issued": _iso(dataset.issued),
        "modified": _iso(dataset.modified),
        "language": json.dumps(list(dataset.language or [])),
        "spatial": dataset.spatial,
        "superTheme": json.dumps(list(dataset.super_themes or [])),
        "temporal": dataset.temporal,
    }
    return [{"key": key, "value": value} for key, value in sorted(values.items()) if value]


def _live_distributions(dataset: Dataset) -> list[Distribution]:
    if hasattr(dataset, "live_distributions"):
        return list(dataset.live_distributions)
    return list(dataset.distributions.filter(deleted_at__isnull=True).prefetch_related("fields"))


def _themes(dataset: Dataset) -> list[Theme]:
    """The dataset's themes, from ``theme_list`` when the selector attached one (selectors.py)."""
    return dataset.theme_list if hasattr(dataset, "theme_list") else list(dataset.themes.all())


def to_ckan_package(dataset: Dataset) -> dict:
    """A dataset as CKAN's package_show returns it (the keys Andino clients read)."""
    lic = LICENSES.get(dataset.license)
    tags = [to_ckan_tag(name) for name in dataset.keywords or []]
    return {
        "id": str(dataset.uuid),
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.description,
        "url": dataset.landing_page,
        "author": dataset.publisher_name,
        "author_email": dataset.publisher_mbox,
        "maintainer": dataset.contact_name,
        "maintainer_email": dataset.contact_email,
        "license_id": dataset.license,
        "license_title": lic.title if lic else dataset.license,
        "license_url": lic.url if lic else "",
        "isopen": lic is not None,
        "private": dataset.status != DatasetStatus.PUBLISHED,
        "state": "deleted" if dataset.deleted_at else "active",
        "type": "dataset",
        "version": None,
        "metadata_created": ckan_datetime(dataset.created_at),
        "metadata_modified": ckan_datetime(dataset.updated_at),
        "creator_user_id": None,
        "owner_org": dataset.municipality.code,
        "organization": to_ckan_organization(dataset.municipality),
        "groups": [to_ckan_group(theme) for theme in _themes(dataset)],
        "tags": tags,
        "num_tags": len(tags),
        "resources": [to_ckan_resource(d, dataset) for d in _live_distributions(dataset)],
        "num_resources": len(_live_distributions(dataset)),
        "extras": _extras(dataset),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


# --- CKAN dictionaries → our inputs -------------------------------------------------------------


def _error(key: str, message: str) -> ValidationError:
    return ValidationError(message, fields={key: [message]})


def _text(data: dict, key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str | int | float):
        raise _error(key, _("Tiene que ser un texto."))
    return str(value)


def _extras_dict(data: dict) -> dict[str, str]:
    extras = data.get("extras") or []
    if not isinstance(extras, list) or not all(isinstance(e, dict) and "key" in e for e in extras):
        raise _error("extras", _('Tiene que ser una lista de objetos {"key": …, "value": …}.'))
    return {str(e["key"]): e.get("value") for e in extras}


def _json_list(value, key: str) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip().startswith("[") else [value]
        except (ValueError, RecursionError):
            raise _error(key, _('Tiene que ser una lista JSON, por ejemplo ["ECON"].')) from None
    if not isinstance(value, list):
        raise _error(key, _("Tiene que ser una lista."))
    return value


def _named_list(data: dict, key: str) -> list[str]:
    """Names from ``[{"name": …}]`` (or ``{"id": …}``, or plain strings), as CKAN sends tags and groups."""
    names = []
    for item in _json_list(data.get(key), key):
        value = item.get("name") or item.get("id") if isinstance(item, dict) else item
        if not isinstance(value, str):
            raise _error(key, _("Cada elemento necesita un «name» de texto."))
        names.append(value)
    return names


def _keywords(data: dict) -> list[str]:
    if "tags" in data:
        return _named_list(data, "tags")
    tag_string = _text(data, "tag_string")
    return [t.strip() for t in tag_string.split(",") if t.strip()]


def parse_moment(value, key: str) -> datetime | None:
    """An ISO 8601 date or date-time; naive values are in the site's time zone."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)):
            moment = datetime(day.year, day.month, day.day)  # noqa: DTZ001 — made aware below
    except ValueError:
        moment = None
    if moment is None:
        raise _error(key, _("«%(v)s» no es una fecha ISO 8601.") % {"v": text})
    try:
        moment = make_aware(moment, get_default_timezone()) if is_naive(moment) else moment
        moment.astimezone(UTC)  # stored in UTC: the extreme years overflow
    except OverflowError:
        raise _error(key, _("«%(v)s» está fuera del rango de fechas admitido.") % {"v": text}) from None
    return moment


def identifier_from_name(name: str, municipality: Municipality) -> str:
    """Our identifier from a CKAN name: the name without its "<municipality slug>_" prefix."""
    prefix = f"{municipality.slug}_"
    return name[len(prefix) :] if name.startswith(prefix) else name


def check_lengths(model, values: dict) -> None:
    """Refuse text longer than its column, which the database would refuse less politely."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if isinstance(value, str) and limit and len(value) > limit:
            errors[name] = [_("Puede tener hasta %(n)d caracteres (tiene %(len)d).") % {"n": limit, "len": len(value)}]
    if errors:
        raise ValidationError(_("Hay textos demasiado largos."), fields=errors)


def dataset_metadata_from_package(data: dict, municipality: Municipality) -> DatasetMetadata:
    """The profile metadata carried by a CKAN package dict (core keys plus Andino's extras)."""
    extras = _extras_dict(data)
    name = _text(data, "name").strip()
    super_themes = _json_list(extras.get("superTheme", extras.get("super_theme")), "superTheme")
    metadata = DatasetMetadata(
        identifier=identifier_from_name(name, municipality),
        title=_text(data, "title") or name,
        description=_text(data, "notes"),
        publisher_name=_text(data, "author"),
        publisher_mbox=_text(data, "author_email"),
        contact_name=_text(data, "maintainer"),
        contact_email=_text(data, "maintainer_email"),
        super_themes=[str(t).upper() for t in super_themes],
        themes=_named_list(data, "groups"),
        keywords=_keywords(data),
        license=_text(data, "license_id") or DEFAULT_LICENSE,
        accrual_periodicity=str(extras.get("accrualPeriodicity") or Periodicity.ANNUAL),
        issued=parse_moment(extras.get("issued"), "issued"),
        modified=parse_moment(extras.get("modified"), "modified"),
        temporal=str(extras.get("temporal") or ""),
        spatial=str(extras.get("spatial") or ""),
        landing_page=_text(data, "url"),
    )
    check_lengths(Dataset, metadata.model_values())
    return metadata


def _field_specs(value) -> list[FieldSpec] | None:
    if value in (None, ""):
        return None
    items = _json_list(value, "attributesDescription")
    specs = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("title", ""), str):
            raise _error("attributesDescription", _("Cada columna tiene que ser un objeto con «title» y «type»."))
        kind = item.get("type") or FieldType.STRING
        if kind not in FieldType.values:
            raise _error(
                "attributesDescription",
                _("Tipo de columna desconocido «%(t)s»; se admiten: %(all)s.")
                % {"t": kind, "all": ", ".join(FieldType.values)},
            )
        specs.append(
            FieldSpec(
                title=item.get("title") or "",
                type=kind,
                description=str(item.get("description") or ""),
                units=str(item.get("units") or ""),
            )
        )
    return specs


def distribution_metadata_from_resource(data: dict, *, identifier: str) -> DistributionMetadata:
    """The metadata of a CKAN resource dict; the file or URL travels separately."""
    upload = data.get("upload")
    url = _text(data, "url")
    fallback = getattr(upload, "name", "") or url.rstrip("/").rsplit("/", 1)[-1]
    metadata = DistributionMetadata(
        identifier=identifier,
        title=_text(data, "name") or fallback or identifier,
        description=_text(data, "description"),
        format=_text(data, "format").upper().lstrip("."),
        license=_text(data, "license_id"),
        issued=parse_moment(data.get("created"), "created"),
        modified=parse_moment(data.get("last_modified"), "last_modified"),
        fields=_field_specs(data.get("attributesDescription")),
    )
    check_lengths(Distribution, {"format": metadata.format, "license": metadata.license, "external_url": url})
    return metadata


def ckan_error_fields(fields: dict[str, list[str]], keys: dict[str, str]) -> dict[str, list[str]]:
    """Validation messages keyed by the CKAN field names the client used."""
    return {keys.get(name, name): messages for name, messages in fields.items()}
