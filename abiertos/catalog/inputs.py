"""Typed inputs for catalog services (what a form, the REST API, the CKAN API or an import
hands over), so services take one explicit value instead of a bag of keyword data."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from .vocabularies import DEFAULT_LICENSE, Periodicity


@dataclass
class DatasetMetadata:
    identifier: str
    title: str
    description: str
    publisher_name: str = ""
    publisher_mbox: str = ""
    contact_name: str = ""
    contact_email: str = ""
    super_themes: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)  # Theme identifiers
    keywords: list[str] = field(default_factory=list)
    license: str = DEFAULT_LICENSE
    accrual_periodicity: str = Periodicity.ANNUAL
    issued: datetime | None = None
    modified: datetime | None = None
    temporal: str = ""
    spatial: str = ""
    landing_page: str = ""

    @classmethod
    def from_dataset(cls, dataset) -> DatasetMetadata:
        values = {f.name: getattr(dataset, f.name) for f in fields(cls) if f.name != "themes"}
        values["themes"] = [t.identifier for t in dataset.themes.all()]
        return cls(**values)

    def model_values(self) -> dict:
        """Values for the Dataset model's own columns (themes are a relation)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "themes"}


@dataclass
class FieldSpec:
    title: str
    type: str = "string"
    description: str = ""
    units: str = ""


@dataclass
class DistributionMetadata:
    identifier: str
    title: str
    description: str = ""
    format: str = ""
    license: str = ""
    issued: datetime | None = None
    modified: datetime | None = None
    fields: list[FieldSpec] | None = None  # None leaves the data dictionary unchanged
