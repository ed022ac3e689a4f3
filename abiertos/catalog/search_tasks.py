"""Periodic work for the search index (imported by CatalogConfig.ready so workers register it)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .search_index import LOG_KEEP, search_log_prune


@db_periodic_task(crontab(minute="17"), retries=0)
@lock_task("catalog-search-log-prune")
def search_log_prune_task() -> None:
    """Every hour: drop the index change log's rows older than the last LOG_KEEP writes (writers also
    prune every PRUNE_EVERY writes; a process whose copy is older reloads it)."""
    search_log_prune(keep=LOG_KEEP)
