"""The rows a bulk import of harvested datasets writes, built in memory (services/bulk.py).

Each rule here mirrors a step of the per-dataset path, so the stored result is the same:
``dataset_create`` / ``dataset_update`` (defaults, checks, metadata), ``distribution_create_from_url``
/ ``distribution_update`` (columns, data dictionary, position), ``dataset_publish``, the import's
second ``dataset_update`` that puts back the source's ``modified``, ``dataset_mark_harvested``
and the harvest's soft delete of resources gone at the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.models import Municipality

from ..imports_mapping import IncomingDistribution
from ..inputs import DatasetMetadata, DistributionMetadata
from ..models import Dataset, DatasetStatus, Distribution, DistributionKind, Field
from ..snapshots import dataset_snapshot, distribution_snapshot
from ..validation import distribution_errors, distribution_length_errors, length_errors, metadata_errors
from .datasets import _apply_defaults
from .distributions import distribution_metadata_set, url_distribution_build

METADATA_COLUMNS = [f for f in DatasetMetadata.__dataclass_fields__ if f != "themes"]
DISTRIBUTION_ROW = [
    "title",
    "description",
    "license",
    "issued",
    "modified",
    "external_url",
    "access_url",
    "file_name",
    "format",
    "media_type",
    "deleted_at",
]


def error_text(errors: dict[str, list[str]], message: str) -> str:
    """The service's message and its per-field details, as the per-dataset import reports them."""
    detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
    return f"{message} {detail}".strip()


@dataclass
class Change:
    """One dataset created or changed by the batch, as it will be stored."""

    dataset: Dataset
    themes: list[str]
    themes_changed: bool
    distributions: list[tuple[Distribution, list[Field]]]
    changes: dict = field(default_factory=dict)
    outcome: object = None

    def snapshot(self) -> dict:
        return dataset_snapshot(self.dataset, themes=self.themes, distributions=self.distributions)


def _field_rows(distribution: Distribution, metadata: DistributionMetadata) -> list[Field]:
    return [
        Field(
            distribution=distribution,
            position=i,
            title=f.title.strip(),
            type=f.type,
            description=f.description,
            units=f.units,
        )
        for i, f in enumerate(metadata.fields or [])
    ]


def _field_values(fields) -> list[tuple]:
    return [(f.title, f.type, f.description, f.units) for f in fields]


@dataclass
class BatchRows:
    municipality: Municipality
    by: Actor
    now: object
    themes: dict[str, int]  # identifier → Theme pk
    owners: dict[str, set[int]]  # distribution identifier → pks of the municipality's distributions
    created: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    new_distributions: list[Distribution] = field(default_factory=list)
    changed_distributions: list[Distribution] = field(default_factory=list)
    rewritten_fields_of: list[int] = field(default_factory=list)
    files_changed: list[Distribution] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)
    _new_fields: list[Field] = field(default_factory=list)

    DATASET_COLUMNS = [
        *METADATA_COLUMNS,
        "status",
        "version",
        "updated_by",
        "updated_at",
        "is_harvested",
        "origin_url",
        "origin_remote_id",
    ]
    DISTRIBUTION_COLUMNS = [*DISTRIBUTION_ROW, "updated_at"]

    # Checks: the services' rules, for a whole batch.

    def check(self, item, current: Dataset | None) -> list[str]:
        """The Spanish errors that make this dataset fail (empty: it can be written)."""
        metadata = _apply_defaults(item.incoming.metadata, self.municipality)
        if current is not None and not current.is_harvested:
            return [
                _("Ya hay en el catálogo un conjunto «%(id)s» que no fue cosechado: no se pisa.")
                % {"id": metadata.identifier}
            ]
        if current is not None and current.deleted_at is not None:
            return [_("El conjunto de datos está eliminado; restauralo antes de editarlo.")]
        # Rules the import plan already applied (``item.planned``) are not run twice: what is left
        # is what the plan does not know (column lengths, the taxonomy, the catalog's rows).
        errors = length_errors(Dataset, metadata.model_values()) if item.planned else metadata_errors(metadata)
        if unknown := sorted(set(metadata.themes) - self.themes.keys()):
            errors["themes"] = [_("Temas que no existen en la taxonomía: %(v)s.") % {"v": ", ".join(unknown)}]
        if errors:
            return [error_text(errors, _("Revisá los datos marcados del conjunto de datos."))]
        live = self._live(current)
        seen: set[str] = set()
        for dist in item.incoming.distributions:
            if problem := self._distribution_problem(dist, live.get(dist.metadata.identifier), seen, item.planned):
                return [problem]
            seen.add(dist.metadata.identifier)
        self.claimed |= seen
        return []

    def _distribution_problem(
        self, dist: IncomingDistribution, existing: Distribution | None, seen: set[str], planned: bool
    ) -> str:
        identifier = dist.metadata.identifier
        url = dist.url.strip() if existing is None or existing.kind == DistributionKind.URL else None
        errors = (distribution_length_errors if planned else distribution_errors)(dist.metadata, url)
        others = self.owners.get(identifier, set()) - ({existing.pk} if existing is not None else set())
        if identifier and (others or identifier in seen or identifier in self.claimed):
            errors["identifier"] = [_("Ya hay un recurso con el identificador «%(v)s».") % {"v": identifier}]
        return error_text(errors, _("Revisá los datos marcados del recurso.")) if errors else ""

    @staticmethod
    def _live(current: Dataset | None) -> dict[str, Distribution]:
        if current is None:
            return {}
        return {d.identifier: d for d in current.distributions.all() if d.deleted_at is None}

    # Building the rows.

    def add(self, item, current: Dataset | None) -> Change | None:
        """Plan the rows of one checked dataset; None when nothing would change."""
        if current is None:
            change = self._create(item)
            self.created.append(change)
            return change
        change = self._update(item, current)
        if change is not None:
            self.updated.append(change)
        return change

    def _new_distribution(self, dataset: Dataset, dist: IncomingDistribution, position: int) -> Distribution:
        distribution = url_distribution_build(
            dataset=dataset,
            municipality_slug=self.municipality.slug,
            metadata=dist.metadata,
            url=dist.url.strip(),
            now=self.now,
            position=position,
        )
        self.new_distributions.append(distribution)
        self.files_changed.append(distribution)
        return distribution

    def _with_fields(self, distribution: Distribution, metadata: DistributionMetadata) -> tuple:
        fields = _field_rows(distribution, metadata)
        self._new_fields += fields
        return distribution, fields

    def _create(self, item) -> Change:
        metadata = item.incoming.metadata
        user = self.by.user
        dataset = Dataset(
            municipality=self.municipality,
            name=f"{self.municipality.slug}_{metadata.identifier}",
            created_by=user,
            updated_by=user,
            language=["spa"],
            **metadata.model_values(),
            status=DatasetStatus.PUBLISHED,
            is_harvested=True,
            origin_url=item.origin_url[:1000],
            origin_remote_id=item.remote_id[:300],
        )
        if not metadata.modified:
            # Publication: issued if missing; adding a resource stamped "modified" with now.
            dataset.issued = dataset.issued or self.now
            dataset.modified = max(self.now, dataset.issued)
        distributions = [
            self._with_fields(self._new_distribution(dataset, dist, j), dist.metadata)
            for j, dist in enumerate(item.incoming.distributions)
        ]
        themes = list(dict.fromkeys(metadata.themes))
        return Change(dataset, themes, True, distributions)

    def _update_distributions(self, item, current: Dataset, changes: dict) -> tuple[list, bool]:
        """Apply the incoming resources to the existing ones; (every distribution, one was added)."""
        everything = list(current.distributions.all())
        live = {d.identifier: d for d in everything if d.deleted_at is None}
        position = max((d.position for d in everything), default=-1) + 1
        result = [(d, list(d.fields.all())) for d in everything]
        by_pk = {d.pk: i for i, (d, _f) in enumerate(result)}
        added = False
        for dist in item.incoming.distributions:
            existing = live.get(dist.metadata.identifier)
            if existing is None:
                result.append(self._with_fields(self._new_distribution(current, dist, position), dist.metadata))
                position += 1
                added = True
                changes.setdefault("distributions", {})[dist.metadata.identifier] = "nuevo"
            elif what := self._update_distribution(existing, dist, result, by_pk[existing.pk]):
                changes.setdefault("distributions", {})[existing.identifier] = what
        wanted = {d.metadata.identifier for d in item.incoming.distributions}
        for identifier, distribution in live.items():
            if wanted and identifier not in wanted:
                distribution.deleted_at = distribution.updated_at = self.now
                self.changed_distributions.append(distribution)
                changes.setdefault("distributions", {})[identifier] = "eliminado"
        return result, added

    def _update_distribution(self, distribution: Distribution, dist: IncomingDistribution, result, index) -> list:
        """Changed keys of one existing distribution (its row and dictionary queued when they differ)."""
        fields = result[index][1]
        before_row = [getattr(distribution, name) for name in DISTRIBUTION_ROW]
        before = distribution_snapshot(distribution, fields)
        url = dist.url.strip() if distribution.kind == DistributionKind.URL else None
        distribution_metadata_set(distribution, dist.metadata, url, self.now)
        if "external_url" in before and before["external_url"] != distribution.external_url:
            self.files_changed.append(distribution)
        if dist.metadata.fields is not None and _field_values(fields) != [
            (f.title.strip(), f.type, f.description, f.units) for f in dist.metadata.fields
        ]:
            result[index] = self._with_fields(distribution, dist.metadata)
            self.rewritten_fields_of.append(distribution.pk)
        if before_row != [getattr(distribution, name) for name in DISTRIBUTION_ROW]:
            distribution.updated_at = self.now
            self.changed_distributions.append(distribution)
        after = distribution_snapshot(distribution, result[index][1])
        return [key for key in after if before[key] != after[key]]

    def _update(self, item, current: Dataset) -> Change | None:
        metadata = item.incoming.metadata
        dataset = current
        before = DatasetMetadata.from_dataset(dataset)
        changes = {
            name: [str(getattr(before, name)), str(getattr(metadata, name))]
            for name in METADATA_COLUMNS
            if getattr(before, name) != getattr(metadata, name)
        }
        themes_changed = sorted(before.themes) != sorted(set(metadata.themes))
        if themes_changed:
            changes["themes"] = [before.themes, metadata.themes]
        if changes:
            for name, value in metadata.model_values().items():
                setattr(dataset, name, value)
        distributions, added = self._update_distributions(item, dataset, changes)
        self._publish_and_date(dataset, metadata, added, changes)
        self._origin(dataset, item, changes)
        if not changes:
            return None
        dataset.version += 1
        dataset.updated_by = self.by.user
        dataset.updated_at = self.now
        themes = list(dict.fromkeys(metadata.themes)) if themes_changed else before.themes
        return Change(dataset, themes, themes_changed, distributions, changes)

    def _publish_and_date(self, dataset: Dataset, metadata: DatasetMetadata, added: bool, changes: dict) -> None:
        if added:
            dataset.modified = self.now
        if dataset.status != DatasetStatus.PUBLISHED:
            dataset.status = DatasetStatus.PUBLISHED
            dataset.issued = dataset.issued or self.now
            dataset.modified = max(dataset.modified or self.now, dataset.issued)
            changes["status"] = [DatasetStatus.DRAFT, DatasetStatus.PUBLISHED]
        if metadata.modified and dataset.modified != metadata.modified:
            for name, value in metadata.model_values().items():
                setattr(dataset, name, value)

    @staticmethod
    def _origin(dataset: Dataset, item, changes: dict) -> None:
        values = {"is_harvested": True, "origin_url": item.origin_url[:1000], "origin_remote_id": item.remote_id[:300]}
        for name, value in values.items():
            if getattr(dataset, name) != value:
                changes[name] = [getattr(dataset, name), value]
                setattr(dataset, name, value)

    # After the datasets are inserted.

    def attach_dataset_ids(self) -> None:
        for change in self.created:
            for distribution, _fields in change.distributions:
                distribution.dataset_id = change.dataset.pk

    def theme_links(self) -> list[tuple[int, int]]:
        """(dataset id, theme id) rows of ``Dataset.themes.through`` to insert."""
        return [
            (change.dataset.pk, self.themes[identifier])
            for change in self.created + self.updated
            if change.themes_changed
            for identifier in change.themes
        ]

    def fields_to_create(self) -> list[Field]:
        for row in self._new_fields:
            row.distribution_id = row.distribution.pk
        return self._new_fields

    @staticmethod
    def audit_targets(changes: list[Change]) -> list[tuple[Dataset, dict]]:
        return [(change.dataset, change.changes) for change in changes]
