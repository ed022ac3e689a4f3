from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "abiertos.harvest"
    label = "harvest"
    verbose_name = "Cosecha de catálogos"

    def ready(self) -> None:
        from abiertos.jobs.registry import job_kind_register

        from . import tasks  # noqa: F401 (registers the periodic tasks with Huey)
        from .runs import harvest_run_job
        from .services import HARVEST_JOB_KIND

        job_kind_register(HARVEST_JOB_KIND, harvest_run_job)

        from . import datastore_opt_in

        datastore_opt_in.connect()
