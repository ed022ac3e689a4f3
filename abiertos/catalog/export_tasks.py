"""Periodic work for the catalog exports (imported by CatalogConfig.ready so workers register it)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from abiertos.core.errors import NotFound

from .export_cache import province_datajson_prebuild


@db_periodic_task(crontab(minute="*/5"), retries=0)
@lock_task("catalog-province-datajson-prebuild")
def province_datajson_prebuild_task() -> None:
    """Every five minutes: have the province data.json of the current catalog ready on disk."""
    try:
        province_datajson_prebuild()
    except NotFound:
        return
