from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "abiertos.catalog"
    label = "catalog"
    verbose_name = "Catálogo de datos abiertos"

    def ready(self) -> None:
        from . import search_index

        search_index.connect_signals()

        from abiertos.jobs.registry import job_kind_register

        from . import (
            export_tasks,  # noqa: F401 (registers the periodic prebuild with Huey)
            search_tasks,  # noqa: F401 (registers the change log's pruning with Huey)
        )
        from .import_jobs import IMPORT_JOB_KIND, catalog_import_job_run

        job_kind_register(IMPORT_JOB_KIND, catalog_import_job_run)
