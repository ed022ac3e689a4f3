from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "abiertos.monitoring"
    label = "monitoring"
    verbose_name = "Monitoreo de apertura"

    def ready(self) -> None:
        from abiertos.catalog.signals import dataset_changed, datasets_changed

        from . import demo, federation, foi_indicators, harvest_checks, job_kinds, tasks  # noqa: F401 - tasks: periodic schedules

        job_kinds.register()
        harvest_checks.register()
        federation.register()
        foi_indicators.register()
        demo.register_seed_step()
        dataset_changed.connect(job_kinds.on_dataset_changed, dispatch_uid="monitoring.dataset_changed")
        datasets_changed.connect(job_kinds.on_datasets_changed, dispatch_uid="monitoring.datasets_changed")
