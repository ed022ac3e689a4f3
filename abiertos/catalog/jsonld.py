"""schema.org Dataset markup and a citation text for the dataset page."""

from __future__ import annotations

import json

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .vocabularies import LICENSES


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def dataset_jsonld(dataset, *, request=None) -> str:
    """schema.org/Dataset as a JSON string safe to embed in a <script> element."""
    license = LICENSES.get(dataset.license)
    page = _absolute(request, dataset.get_absolute_url())
    data = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": page,
        "url": page,
        "identifier": dataset.name,
        "name": dataset.title,
        "description": dataset.description,
        "keywords": list(dataset.keywords),
        "inLanguage": "es",
        "isAccessibleForFree": True,
        "creator": {"@type": "GovernmentOrganization", "name": dataset.publisher_name},
        "publisher": {
            "@type": "GovernmentOrganization",
            "name": dataset.municipality.full_name or dataset.municipality.name,
        },
        "spatialCoverage": {"@type": "Place", "name": dataset.municipality.name, "identifier": dataset.spatial},
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.title,
                "encodingFormat": d.media_type or d.format,
                "contentUrl": d.external_url
                or _absolute(request, f"{dataset.get_absolute_url()}recursos/{d.identifier}/descargar/"),
                **({"contentSize": str(d.byte_size)} if d.byte_size else {}),
            }
            for d in getattr(dataset, "live_distributions", dataset.distributions.filter(deleted_at__isnull=True))
        ],
    }
    if license:
        data["license"] = license.url
    if dataset.issued:
        data["datePublished"] = dataset.issued.date().isoformat()
    if dataset.modified:
        data["dateModified"] = dataset.modified.isoformat()
    if dataset.temporal:
        data["temporalCoverage"] = dataset.temporal
    text = json.dumps(data, ensure_ascii=False)
    # Never let the data close the <script> element it is embedded in.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above


def dataset_citation(dataset, *, request=None) -> str:
    """A citation in the usual author (year). title [data set]. publisher. URL form."""
    year = (dataset.issued or dataset.created_at).year
    url = _absolute(request, dataset.get_absolute_url())
    publisher = dataset.municipality.full_name or dataset.municipality.name
    return _("%(author)s (%(year)s). %(title)s [conjunto de datos]. %(publisher)s. %(url)s") % {
        "author": dataset.publisher_name,
        "year": year,
        "title": dataset.title,
        "publisher": publisher,
        "url": url,
    }
