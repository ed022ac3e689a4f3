"""Reads of the datastore: a distribution's table, its runs, and rows through a locked-down DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from abiertos.catalog import selectors as catalog_selectors
from abiertos.catalog.models import Distribution
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound

from .models import DatastoreTable, IngestionRun


def datastore_table_for(*, distribution: Distribution) -> DatastoreTable | None:
    return DatastoreTable.objects.select_related("current_job").filter(distribution=distribution).first()


def ingestion_run_list(*, table: DatastoreTable) -> QuerySet[IngestionRun]:
    return table.runs.select_related("job", "created_by")


def distribution_get_for_table_edit(
    *, actor: Actor, municipality_slug: str, identifier: str, distribution_identifier: str
) -> Distribution:
    """A live distribution of a dataset the actor may edit, or NotFound."""
    dataset = catalog_selectors.dataset_get_for_edit(
        actor=actor, municipality_slug=municipality_slug, identifier=identifier
    )
    distribution = (
        Distribution.objects.select_related("dataset__municipality")
        .filter(dataset=dataset, identifier=distribution_identifier, deleted_at__isnull=True)
        .first()
    )
    if distribution is None:
        raise NotFound(_("No existe ese recurso."))
    return distribution


def _locked_connection(parquet: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that can read this one file and nothing else."""
    con = duckdb.connect(config={"threads": 2, "memory_limit": "256MB"})
    con.execute("SET allowed_paths=[?]", [str(parquet)])
    con.execute("SET enable_external_access=false")
    con.execute("SET lock_configuration=true")
    return con


def datastore_table_read(*, table: DatastoreTable, limit: int = 100, offset: int = 0) -> tuple[list[dict], list[tuple]]:
    """The table's columns and ``limit`` rows from ``offset``, in file order."""
    if not table.parquet_path:
        return table.columns, []
    parquet = Path(settings.DATASTORE_ROOT) / table.parquet_path
    con = _locked_connection(parquet)
    try:
        rows = con.execute(
            "SELECT * FROM read_parquet(?) LIMIT ? OFFSET ?", [str(parquet), max(0, int(limit)), max(0, int(offset))]
        ).fetchall()
    finally:
        con.close()
    return table.columns, rows
