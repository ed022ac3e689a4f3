from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "abiertos.harvest"
    label = "harvest"
    verbose_name = "Cosecha de catálogos"
