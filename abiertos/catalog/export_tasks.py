"""Periodic and background work for the catalog exports (imported by CatalogConfig.ready so workers
register it)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from abiertos.core.errors import NotFound

from .datajson import province_fragments_fill, scope_for_province
from .export_cache import province_datajson_prebuild


@db_periodic_task(crontab(minute="*/5"), retries=0)
@lock_task("catalog-province-datajson-prebuild")
def province_datajson_prebuild_task() -> None:
    """Every five minutes: have the province data.json of the current catalog ready on disk."""
    try:
        province_datajson_prebuild()
    except NotFound:
        return


@db_task(retries=0)
@lock_task("catalog-province-fragments-fill")
def province_fragments_fill_task() -> None:
    """Build the province data.json's stale entries from the last dataset backwards, while a web
    process streams the export from the first one (datajson.province_fragments_fill)."""
    try:
        province_fragments_fill(scope_for_province())
    except NotFound:
        return
