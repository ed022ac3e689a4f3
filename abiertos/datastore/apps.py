from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DatastoreConfig(AppConfig):
    name = "abiertos.datastore"
    label = "datastore"
    verbose_name = gettext_lazy("Datos tabulares (datastore)")

    def ready(self) -> None:
        from abiertos.catalog.signals import distribution_file_changed, distribution_files_changed
        from abiertos.jobs.registry import job_kind_register

        from .receivers import on_distribution_file_changed, on_distribution_files_changed
        from .services import INGEST_JOB_KIND, ingest_job_run

        job_kind_register(INGEST_JOB_KIND, ingest_job_run)
        distribution_file_changed.connect(on_distribution_file_changed, dispatch_uid="datastore.ingest_on_file_change")
        distribution_files_changed.connect(
            on_distribution_files_changed, dispatch_uid="datastore.ingest_on_files_change"
        )
