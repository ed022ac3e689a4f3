from django.apps import AppConfig


class CkanApiConfig(AppConfig):
    name = "abiertos.ckan_api"
    label = "ckan_api"
    verbose_name = "API de CKAN"
