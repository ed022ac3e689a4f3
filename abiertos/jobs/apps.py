from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "abiertos.jobs"
    label = "jobs"
    verbose_name = "Tareas en segundo plano"

    def ready(self) -> None:
        from . import builtin

        builtin.register()
