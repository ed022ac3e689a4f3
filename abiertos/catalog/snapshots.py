"""A dataset's metadata as plain JSON, for revisions (history and restore)."""

from .models import Dataset


def _iso(value):
    return value.isoformat() if value else None


def distribution_snapshot(distribution, fields=None) -> dict:
    """``fields`` given (a bulk writer's rows in memory) saves reading them."""
    fields = distribution.fields.all() if fields is None else fields
    return {
        "uuid": str(distribution.uuid),
        "identifier": distribution.identifier,
        "title": distribution.title,
        "description": distribution.description,
        "kind": distribution.kind,
        "external_url": distribution.external_url,
        "format": distribution.format,
        "media_type": distribution.media_type,
        "byte_size": distribution.byte_size,
        "checksum_sha256": distribution.checksum_sha256,
        "file_name": distribution.file_name,
        "file_version": distribution.file_version,
        "license": distribution.license,
        "deleted": distribution.deleted_at is not None,
        "fields": [{"title": f.title, "type": f.type, "description": f.description, "units": f.units} for f in fields],
    }


def dataset_snapshot(dataset: Dataset, themes: list[str] | None = None, distributions: list | None = None) -> dict:
    """``themes`` (identifiers) and ``distributions`` ((distribution, fields) pairs, every
    distribution of the dataset in position order) given by a bulk writer save the queries."""
    if themes is None:
        themes = list(dataset.themes.values_list("identifier", flat=True))
    if distributions is None:
        distributions = [(d, None) for d in dataset.distributions.all()]
    return {
        "identifier": dataset.identifier,
        "title": dataset.title,
        "description": dataset.description,
        "publisher_name": dataset.publisher_name,
        "publisher_mbox": dataset.publisher_mbox,
        "contact_name": dataset.contact_name,
        "contact_email": dataset.contact_email,
        "super_themes": list(dataset.super_themes),
        "themes": sorted(themes),
        "keywords": list(dataset.keywords),
        "license": dataset.license,
        "accrual_periodicity": dataset.accrual_periodicity,
        "issued": _iso(dataset.issued),
        "modified": _iso(dataset.modified),
        "temporal": dataset.temporal,
        "spatial": dataset.spatial,
        "landing_page": dataset.landing_page,
        "status": dataset.status,
        "version": dataset.version,
        "distributions": [distribution_snapshot(d, fields) for d, fields in distributions],
    }
