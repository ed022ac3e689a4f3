from django.apps import AppConfig


class FoiConfig(AppConfig):
    name = "abiertos.foi"
    label = "foi"
    verbose_name = "Acceso a la información pública"

    def ready(self) -> None:
        from abiertos.jobs.registry import job_kind_register

        from . import tasks  # noqa: F401 (registers the periodic refresh with Huey)
        from .services import OPEN_DATASET_JOB_KIND, open_dataset_job_run

        job_kind_register(OPEN_DATASET_JOB_KIND, open_dataset_job_run)
