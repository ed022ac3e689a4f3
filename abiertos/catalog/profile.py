"""The one declaration of how our datasets and distributions map to the national metadata profile.

Each ``ProfileField`` names a model column (and ``DatasetMetadata``/``DistributionMetadata``
attribute) and the profile key it becomes in data.json (dotted for nested objects). The export
(datajson.py) reads its columns from here; the import (imports_mapping.py) derives from here which
attributes it compares, which ones it checks against column lengths, and under which profile key
(and so which spreadsheet column) a service's error on an attribute is reported.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProfileField:
    attribute: str  # model column and metadata attribute
    key: str  # profile key, "publisher.name" for nested ones
    compared: bool = True  # an import reports a change in it
    limited: bool = False  # its length is checked against the column (titles and ids have own rules)
    column: bool = True  # a column of the model (themes are a relation)


DATASET_FIELDS = (
    ProfileField("identifier", "identifier", compared=False),
    ProfileField("title", "title"),
    ProfileField("description", "description"),
    ProfileField("publisher_name", "publisher.name", limited=True),
    ProfileField("publisher_mbox", "publisher.mbox", limited=True),
    ProfileField("contact_name", "contactPoint.fn", limited=True),
    ProfileField("contact_email", "contactPoint.hasEmail", limited=True),
    ProfileField("super_themes", "superTheme"),
    ProfileField("themes", "theme", compared=False, column=False),  # compared as a set
    ProfileField("keywords", "keyword"),
    ProfileField("license", "license"),
    ProfileField("accrual_periodicity", "accrualPeriodicity"),
    ProfileField("issued", "issued"),
    ProfileField("modified", "modified"),
    ProfileField("temporal", "temporal", limited=True),
    ProfileField("spatial", "spatial", limited=True),
    ProfileField("landing_page", "landingPage", limited=True),
    ProfileField("language", "language", compared=False),
)

DISTRIBUTION_FIELDS = (
    ProfileField("identifier", "identifier", compared=False),
    ProfileField("title", "title"),
    ProfileField("description", "description"),
    ProfileField("format", "format", compared=False, limited=True),  # compared only when given
    ProfileField("media_type", "mediaType", compared=False),
    ProfileField("byte_size", "byteSize", compared=False),
    ProfileField("file_name", "fileName", compared=False),
    ProfileField("license", "license"),
    ProfileField("issued", "issued", compared=False),
    ProfileField("modified", "modified", compared=False),
)
FIELD_LIMITED = ("description", "units")  # data dictionary entries: the free-text columns


def columns(fields: tuple[ProfileField, ...]) -> tuple[str, ...]:
    return tuple(f.attribute for f in fields if f.column)


def compared(fields: tuple[ProfileField, ...]) -> tuple[str, ...]:
    return tuple(f.attribute for f in fields if f.compared)


def limited(fields: tuple[ProfileField, ...]) -> list[tuple[str, str]]:
    """(attribute, profile key) of the fields whose length the model limits."""
    return [(f.attribute, f.key) for f in fields if f.limited]


def error_keys(fields: tuple[ProfileField, ...]) -> dict[str, str]:
    """Service error key (the attribute) → the profile key it came from, where they differ."""
    return {f.attribute: f.key for f in fields if f.attribute != f.key}
