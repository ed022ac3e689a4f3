from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "abiertos.api"
    label = "api"
    verbose_name = "API REST"
