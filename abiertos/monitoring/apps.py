from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "abiertos.monitoring"
    label = "monitoring"
    verbose_name = "Monitoreo de apertura"
