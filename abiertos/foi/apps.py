from django.apps import AppConfig


class FoiConfig(AppConfig):
    name = "abiertos.foi"
    label = "foi"
    verbose_name = "Acceso a la información pública"
