from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "abiertos.portal"
    label = "portal"
    verbose_name = "Portal"
